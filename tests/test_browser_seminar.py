"""The public seminar in a real browser, under the portal's Content Security Policy: a visitor registers from the
event page and is told to check their e-mail (no cookie handed out); province staff check people in on a tablet
(search, tick, the counter moves). The pages pass axe-core; the screenshots go to test-artifacts/."""

import pytest
from playwright.sync_api import expect

from seminar import demo as seminar_demo
from seminar.models import Registration

from .browser_support import _new_page, assert_accessible, assert_static_files_loaded, log_in, screenshot

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}


@pytest.fixture
def demo_seminars(demo_users):
    return seminar_demo.build()


def test_a_visitor_registers_from_the_public_page_and_is_told_to_check_the_e_mail(page, live_server, demo_seminars):
    seminar = demo_seminars["upcoming"]
    seminar.capacity = 30  # places left: the form registers rather than joining the waiting list
    seminar.save()
    page.goto(live_server.url + seminar.get_public_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(seminar.title)
    assert_accessible(page, "the seminar's public page")
    screenshot(page, "seminar-public")
    form = page.get_by_test_id("registration-form")
    form.get_by_label("Nome e cognome").fill("Amina Traoré")
    form.get_by_label("E-mail").fill("amina.traore@example.org")
    form.get_by_label("Organizzazione (facoltativa)").fill("Associazione Donne in Rete")
    form.get_by_text("Associazione o volontariato").click()  # the label, as a person does
    form.get_by_text("Ho letto l'informativa").click()
    expect(form.get_by_label("Associazione o volontariato")).to_be_checked()
    page.wait_for_timeout(3200)  # a person takes a few seconds: a form sent back at once is a robot's
    form.get_by_role("button", name="Iscriviti").click()
    expect(page.get_by_test_id("check-email")).to_have_text("Controlla la tua posta")
    assert_accessible(page, "the check-your-e-mail page")
    screenshot(page, "seminar-check-email", full_page=False)
    registration = Registration.objects.get(email="amina.traore@example.org")
    assert registration.status == Registration.Status.UNCONFIRMED
    assert page.context.cookies() == []
    assert_static_files_loaded(page)


def test_staff_check_people_in_on_a_tablet(browser, live_server, demo_seminars):
    seminar = demo_seminars["upcoming"]
    context, page = _new_page(browser, TABLET)
    try:
        log_in(page, live_server.url, "provincia.cremona@example.org")
        page.goto(f"{live_server.url}/seminario/gestione/{seminar.pk}/accoglienza/")
        counter = page.get_by_test_id("present-count")
        expect(counter).to_have_text("0 arrivati su 20 confermati")
        assert_accessible(page, "the check-in list")
        page.get_by_label("Cerca per nome o organizzazione").fill("caritas")
        rows = page.get_by_test_id("check-in-rows").locator("li")
        expect(rows).to_have_count(2)
        button = rows.first.get_by_role("button")
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, box  # a finger's target
        button.click()
        expect(counter).to_have_text("1 arrivati su 20 confermati")
        expect(page.get_by_test_id("by-role")).to_contain_text("Associazione o volontariato")
        expect(rows.first.get_by_role("button")).to_have_attribute("aria-pressed", "true")
        assert_accessible(page, "the check-in list after a tick")
        screenshot(page, "seminar-check-in-tablet")
        assert Registration.objects.filter(seminar=seminar, checked_in_at__isnull=False).count() == 1
        page.goto(f"{live_server.url}/seminario/gestione/{seminar.pk}/")
        expect(page.get_by_test_id("places")).to_have_text("20 posti occupati su 20; 3 in attesa.")
        expect(page.get_by_test_id("waiting").locator("tbody tr")).to_have_count(3)
        assert_accessible(page, "the seminar's registrations")
        screenshot(page, "seminar-registrations-tablet")
        assert_static_files_loaded(page)
    finally:
        context.close()
