"""Province staff page through the requests of the province with a filter, forwards, to the end and back, in a real
browser, and through the roster. The pager keeps the filter and reads well on a phone."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Office, Provider, User
from mediators import demo as mediators_demo
from mediators.models import Mediator
from requests_app.models import MediationRequest, RequestLanguage, Status

from .browser_support import assert_accessible, log_in, screenshot

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser


def many_requests(count: int = 60) -> None:
    """``count`` submitted Arabic requests of the Cremona child-protection office, one an hour up to now."""
    office = Office.objects.get(name__icontains="Tutela Minori", district__name="Cremona")
    requester = User.objects.get(email="assistente.cremona@example.org")
    now = timezone.now()
    made = MediationRequest.objects.bulk_create(
        MediationRequest(
            office=office,
            requester=requester,
            case_code=f"TM-PAG-{n:03d}",
            service_kind="cultural_mediation",
            setting="child_protection",
            goal="Colloquio con la famiglia.",
            status=Status.SUBMITTED,
            submitted_at=now - timedelta(hours=n + 1),
        )
        for n in range(count)
    )
    RequestLanguage.objects.bulk_create(RequestLanguage(request=r, code="ara") for r in made)


def test_province_staff_page_through_the_requests_with_a_filter(page, live_server, demo_users):
    many_requests()
    log_in(page, live_server.url, "provincia.cremona@example.org")
    page.get_by_role("link", name="Richieste", exact=True).first.click()
    expect(page.locator("main h1")).to_have_text("Le richieste della provincia")
    page.get_by_label("Stato", exact=True).select_option("submitted")
    page.get_by_role("button", name="Cerca").click()

    rows = page.get_by_test_id("request-row")
    expect(rows).to_have_count(25)
    first = rows.first.locator("a").inner_text()
    expect(page.get_by_test_id("page-previous")).to_have_count(0)  # nothing before the first page
    screenshot(page, "requests-province-first-page")
    assert_accessible(page, "the province's requests, first page")

    page.get_by_test_id("page-next").click()
    expect(page).to_have_url(re.compile(r"status=submitted.*dopo=|dopo=.*status=submitted"))
    expect(page.get_by_label("Stato", exact=True)).to_have_value("submitted")
    expect(rows.first.locator("a")).not_to_have_text(first)
    assert set(rows.locator("td[data-label='Stato'] .badge").all_inner_texts()) == {"Inviata"}

    page.get_by_test_id("page-last").click()
    expect(page.get_by_test_id("page-next")).to_have_count(0)  # nothing after the last page
    oldest = rows.last.locator("a").inner_text()
    screenshot(page, "requests-province-last-page")
    assert_accessible(page, "the province's requests, last page")
    page.get_by_test_id("page-previous").click()
    expect(rows).to_have_count(25)
    expect(rows.last.locator("a")).not_to_have_text(oldest)
    page.get_by_test_id("page-first").click()
    expect(rows.first.locator("a")).to_have_text(first)


def test_the_pager_fits_a_phone(mobile_page, live_server, demo_users):
    many_requests()
    log_in(mobile_page, live_server.url, "coordinatore.cremona@example.org")
    mobile_page.goto(f"{live_server.url}/richieste/?status=")
    expect(mobile_page.get_by_test_id("page-next")).to_be_visible()
    pager = mobile_page.locator(".keyset-pagination")
    pager.scroll_into_view_if_needed()
    width = mobile_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    screenshot(mobile_page, "requests-queue-phone-pager", full_page=False)


def test_province_staff_page_through_the_roster(page, live_server, demo_users):
    mediators_demo.build()
    provider = Provider.objects.filter(province__slug="cremona").first()
    Mediator.objects.bulk_create(
        Mediator(
            provider=provider, first_name="Nome", last_name=f"Zucchi{n:02d}", gender="female", email=f"z{n}@example.org"
        )
        for n in range(30)
    )
    log_in(page, live_server.url, "provincia.cremona@example.org")
    page.goto(f"{live_server.url}/mediatori/")
    rows = page.get_by_test_id("roster-row")
    expect(rows).to_have_count(25)
    first = rows.first.locator("a").first.inner_text()
    page.get_by_test_id("page-last").click()
    expect(rows.last.locator("a").first).to_have_text("Nome Zucchi29")
    page.get_by_test_id("page-previous").click()
    page.get_by_test_id("page-first").click()
    expect(rows.first.locator("a").first).to_have_text(first)
    screenshot(page, "roster-province")
    assert_accessible(page, "the roster of the province")
