"""Every demo role's home in a real browser, on a desktop and on a 390×844 phone: the first screen says what to do
today (the work list starts above the fold), with no serious accessibility violation. Screenshots are kept in
test-artifacts/ (home-<user>-desktop.png, home-<user>-mobile.png) for a person to look at."""

import pytest
from playwright.sync_api import expect

from .browser_support import DESKTOP, MOBILE, assert_accessible, log_in, screenshot
from .demo_snapshot import whole_demo

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_everything(demo_users):
    """The whole demo of `manage.py demo_data`: requests, offers, appointments, reports, timesheets, reports."""
    return whole_demo(demo_users)


@pytest.mark.parametrize("who", ["mediatore.cremona", "assistente.cremona", "coordinatore.cremona"])
@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_the_first_screen_of_the_home_says_what_to_do_today(browser, live_server, demo_everything, who, viewport):
    from .browser_support import _new_page

    context, page = _new_page(browser, DESKTOP if viewport == "desktop" else MOBILE)
    try:
        log_in(page, live_server.url, f"{who}@example.org")
        work = page.get_by_test_id("work-list")
        expect(work).to_be_visible()
        first_item = page.get_by_test_id("work-item").first
        expect(first_item).to_be_visible()
        box = first_item.bounding_box()
        height = (DESKTOP if viewport == "desktop" else MOBILE)["height"]
        assert box is not None and box["y"] < height, f"the first thing to do is below the first screen of {who}"
        # Nothing scrolls sideways on a phone.
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
        screenshot(page, f"home-{who}-{viewport}-first-screen", full_page=False)
        screenshot(page, f"home-{who}-{viewport}")
        assert_accessible(page, f"the home of {who} ({viewport})")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_province_staff_see_the_month_and_the_stalled_requests(browser, live_server, demo_everything, viewport):
    from .browser_support import _new_page

    context, page = _new_page(browser, DESKTOP if viewport == "desktop" else MOBILE)
    try:
        log_in(page, live_server.url, "provincia.cremona@example.org")
        expect(page.get_by_test_id("province-day")).to_be_visible()
        expect(page.get_by_test_id("month-requests")).to_be_visible()
        screenshot(page, f"home-provincia.cremona-{viewport}-first-screen", full_page=False)
        screenshot(page, f"home-provincia.cremona-{viewport}")
        assert_accessible(page, f"the home of the province staff ({viewport})")
    finally:
        context.close()


def test_the_funder_lands_on_the_reporting_dashboard(browser, live_server, demo_everything):
    from .browser_support import _new_page

    context, page = _new_page(browser, MOBILE)
    try:
        log_in(page, live_server.url, "asl.cremona@example.org")
        assert page.url.rstrip("/").endswith("/rendicontazione") or "/rendicontazione" in page.url
        screenshot(page, "home-asl.cremona-mobile-first-screen", full_page=False)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", ["desktop", "mobile"])
def test_the_social_worker_opens_her_offices_calendar_from_home(browser, live_server, demo_everything, viewport):
    from .browser_support import _new_page

    context, page = _new_page(browser, DESKTOP if viewport == "desktop" else MOBILE)
    try:
        log_in(page, live_server.url, "assistente.cremona@example.org")
        page.get_by_role("link", name="Apri il calendario dell'ufficio").click()
        expect(page.get_by_role("heading", name="Calendario dell'ufficio")).to_be_visible()
        expect(page.get_by_test_id("calendar-item").first).to_be_visible()
        screenshot(page, f"calendar-assistente.cremona-{viewport}")
        assert_accessible(page, f"the office's calendar ({viewport})")
    finally:
        context.close()


def test_on_a_phone_the_mediator_accepts_an_offer_and_writes_a_report_from_home(browser, live_server, demo_everything):
    from datetime import timedelta

    from django.utils import timezone

    from mediators.models import Mediator
    from requests_app.models import MediationRequest
    from scheduling.models import Offer
    from sessions_app.models import SessionReport

    from .browser_support import _new_page

    users = demo_everything
    mediator = Mediator.objects.get(user=users["mediatore.cremona"])
    request = (
        MediationRequest.objects.filter(status="matching", office__district__in=mediator.districts.all())
        .exclude(offers__mediator=mediator)
        .first()
    )
    offer = Offer.objects.create(
        request=request,
        mediator=mediator,
        release_at=timezone.now(),
        expires_at=timezone.now() + timedelta(hours=24),
        created_by=users["coordinatore.cremona"],
    )
    context, page = _new_page(browser, MOBILE)
    try:
        log_in(page, live_server.url, "mediatore.cremona@example.org")
        offers = page.get_by_test_id("work-offers")
        expect(offers).to_contain_text(request.case_code)
        screenshot(page, "home-mediatore.cremona-mobile-offer", full_page=False)
        with page.expect_navigation():
            offers.get_by_role("button", name="Accetta").first.click()
        expect(page.get_by_test_id("work-list")).to_be_visible()  # back on the home page
        assert page.url.rstrip("/") == live_server.url
        offer.refresh_from_db()
        assert offer.status == Offer.Status.ACCEPTED
        assert_accessible(page, "the mediator's home on a phone")

        # Then, from the same home page, the report of a past appointment: one tap to the form, the times are the
        # plan's, the outcome a large button, one tap to send.
        to_write = page.get_by_test_id("work-reports_to_write")
        first = to_write.get_by_test_id("work-item").first
        case_code = first.locator("p.fw-semibold").first.inner_text().split(" · ")[0].split()[-1]
        first.get_by_role("link").first.click()
        expect(page.locator("input[name=start]")).not_to_have_value("")
        page.locator("[data-testid=outcome] label", has_text="Svolto").first.click()
        assert_accessible(page, "the session report form on a phone")
        screenshot(page, "home-mediatore.cremona-mobile-report", full_page=False)
        page.get_by_test_id("report-submit").click()
        expect(page.locator(".alert-success")).to_contain_text("Il resoconto è stato inviato")
        report = SessionReport.objects.filter(appointment__request__case_code=case_code).latest("pk")
        assert report.status == SessionReport.Status.SUBMITTED and report.written_by == users["mediatore.cremona"]
        assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth"), (
            "the report page scrolls sideways on a phone"
        )
    finally:
        context.close()
