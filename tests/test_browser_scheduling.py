"""From offer to appointment in a real browser (issue #6): the coordinator offers a request to a mediator, the mediator
accepts it on "Le mie offerte", the coordinator plans the appointment at a time the office proposed, and the
appointment shows in the mediator's calendar and in the district's."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core import formatting
from requests_app.models import ProposedSlot
from scheduling.models import Appointment, Offer

from . import factories as f
from .browser_support import assert_accessible, assert_static_files_loaded, log_in, screenshot

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser

ROME = ZoneInfo("Europe/Rome")
CASE_CODE = "TM-2026-606"
COORDINATOR = "coordinatrice.oglio@example.org"
MEDIATOR = "samira.haddad@example.org"


def _world():
    """A district with its coordinator, a child-protection office, two mediators (one speaks Arabic) and a request of
    the office in ``matching``, in Arabic, with one proposed time on Tuesday of next week, 10:00–11:30 (Rome)."""
    province = f.ProvinceFactory(slug="oglio", name="Provincia dell'Oglio")
    district = f.DistrictFactory(province=province, name="Oglio Po")
    office = f.OfficeFactory(district=district, name="Tutela Minori Oglio Po")
    provider = f.ProviderFactory(province=province, name="Cooperativa Ponti")
    f.coordinator(district=district, email=COORDINATOR, first_name="Giulia", last_name="Ferrari")
    user = f.mediator(provider=provider, districts=[district], email=MEDIATOR, first_name="Samira", last_name="Haddad")
    speaker = f.MediatorFactory(
        provider=provider,
        districts=[district],
        user=user,
        email=MEDIATOR,
        first_name="Samira",
        last_name="Haddad",
        languages=["ara:Darija"],
    )
    f.MediatorFactory(
        provider=provider, districts=[district], first_name="Marie", last_name="Dubois", languages=["fra"]
    )
    request = f.MediationRequestFactory(
        office=office, case_code=CASE_CODE, status="matching", setting="child_protection", languages=["ara:Darija"]
    )
    today = timezone.localdate(timezone=ROME)
    tuesday = today + timedelta(days=7 - today.weekday() + 1)
    starts_at = datetime.combine(tuesday, time(10, 0), tzinfo=ROME)
    ProposedSlot.objects.create(request=request, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=90))
    return request, speaker, starts_at


def _log_out(page):
    page.get_by_role("button", name="Esci").first.click()
    expect(page.locator("main input[name=login]")).to_be_visible()


def _italian(day, pattern: str) -> str:
    """The day as an Italian page writes it (mediazione/formatting.py: months and weekdays in lower case)."""
    helper = {
        "j F": formatting.format_day_month,
        "j F Y": formatting.format_date,
        "l j F": formatting.format_day_month_weekday,
    }
    return helper[pattern](day, "it")


def _next_week_in_the_calendar(page, monday):
    """From any page, "Calendario" in the menu and then "Settimana successiva": the week of the proposed time."""
    page.get_by_role("link", name="Calendario", exact=True).click()
    page.get_by_role("link", name="Settimana successiva").click()
    period = f"{_italian(monday, 'j F')} – {_italian(monday + timedelta(days=6), 'j F Y')}"
    expect(page.get_by_test_id("calendar-period")).to_have_text(period)


def test_an_offer_accepted_becomes_an_appointment_in_both_calendars(page, live_server):
    request, speaker, starts_at = _world()
    tuesday = starts_at.date()
    monday = tuesday - timedelta(days=1)
    tuesday_label = _italian(tuesday, "l j F")

    # The coordinator finds the request in the queue and offers it to the only Arabic speaker of the district.
    log_in(page, live_server.url, COORDINATOR, f.PASSWORD)
    page.get_by_role("link", name="Richieste", exact=True).first.click()
    page.get_by_role("link", name=CASE_CODE).first.click()
    expect(page.locator("main h1")).to_contain_text(CASE_CODE)
    page.get_by_role("link", name="Trova un mediatore").click()
    expect(page.locator("main h1")).to_have_text(f"Chi può seguire la richiesta {CASE_CODE}")
    candidates = page.get_by_test_id("candidates")
    expect(candidates).to_contain_text("Samira Haddad")
    expect(candidates).not_to_contain_text("Marie Dubois")
    page.get_by_role("checkbox", name="Offri a Samira Haddad").check()
    page.get_by_role("button", name="Invia le offerte").click()
    expect(page.locator(".messages")).to_contain_text("Offerte inviate: 1.")
    expect(page.get_by_test_id("offers")).to_contain_text("Samira Haddad")
    assert request.offers.get().status == Offer.Status.OPEN
    screenshot(page, "scheduling-offer-sent")
    assert_accessible(page, "the candidates page with the offer sent")
    _log_out(page)

    # The mediator answers on "Le mie offerte" in one click.
    log_in(page, live_server.url, MEDIATOR, f.PASSWORD)
    page.get_by_role("link", name="Le mie offerte", exact=True).click()
    expect(page.locator("main h1")).to_have_text("Le mie offerte")
    open_offers = page.get_by_test_id("open-offers")
    expect(open_offers).to_contain_text(f"Offerta: richiesta {CASE_CODE}")
    expect(open_offers).to_contain_text("Oglio Po")
    expect(open_offers).to_contain_text("10:00–11:30")
    screenshot(page, "scheduling-my-offers")
    assert_accessible(page, "the mediator's offers")
    page.get_by_role("button", name="Accetta l'offerta").click()
    expect(page.locator(".messages")).to_contain_text(CASE_CODE)
    expect(open_offers).not_to_contain_text(CASE_CODE)
    expect(page.get_by_test_id("past-offers")).to_contain_text(CASE_CODE)
    request.refresh_from_db()
    assert (request.status, request.assigned_mediator) == ("assigned", speaker)
    screenshot(page, "scheduling-my-offers-accepted")
    assert_accessible(page, "the mediator's offers after accepting")
    _log_out(page)

    # The coordinator plans the appointment at the time the office proposed.
    log_in(page, live_server.url, COORDINATOR, f.PASSWORD)
    page.get_by_role("link", name="Richieste", exact=True).first.click()
    page.get_by_role("link", name=CASE_CODE).first.click()
    page.get_by_role("link", name="Appuntamenti", exact=True).click()
    expect(page.locator("main h1")).to_have_text(f"Appuntamenti della richiesta {CASE_CODE}")
    expect(page.locator("main")).to_contain_text("Samira Haddad")
    slot_button = page.get_by_test_id("slots").get_by_role("button", name=re.compile("10:00–11:30"))
    expect(slot_button).to_contain_text(_italian(tuesday, "j F"))
    screenshot(page, "scheduling-plan")
    assert_accessible(page, "the planning page")
    slot_button.click()
    expect(page.locator(".messages")).to_contain_text("L'appuntamento è programmato")
    appointment = Appointment.objects.get(request=request)
    assert (appointment.mediator, appointment.starts_at, appointment.ends_at) == (
        speaker,
        starts_at,
        starts_at + timedelta(minutes=90),
    )

    # The district's calendar, next week: the appointment on Tuesday, with its time, case code and mediator.
    _next_week_in_the_calendar(page, monday)
    expect(page.locator("main h1")).to_have_text("Calendario")
    items = page.get_by_test_id("calendar-item")
    expect(items).to_have_count(1)
    day = page.get_by_test_id("calendar-week").locator("section", has=items)
    expect(day).to_have_attribute("aria-label", tuesday_label)
    expect(items).to_contain_text("10:00–11:30")
    expect(items).to_contain_text(CASE_CODE)
    expect(items).to_contain_text("Samira Haddad")
    expect(items).to_contain_text("Arabo")
    screenshot(page, "scheduling-calendar-district")
    assert_accessible(page, "the district calendar")
    assert_static_files_loaded(page)
    _log_out(page)

    # The mediator's own calendar shows it too, and leads to the appointment.
    log_in(page, live_server.url, MEDIATOR, f.PASSWORD)
    _next_week_in_the_calendar(page, monday)
    expect(page.locator("main h1")).to_have_text("Il mio calendario")
    items = page.get_by_test_id("calendar-item")
    expect(items).to_have_count(1)
    day = page.get_by_test_id("calendar-week").locator("section", has=items)
    expect(day).to_have_attribute("aria-label", tuesday_label)
    expect(items).to_contain_text("10:00–11:30")
    expect(items).to_contain_text(CASE_CODE)
    screenshot(page, "scheduling-calendar-mediator")
    assert_accessible(page, "the mediator's calendar")
    assert_static_files_loaded(page)
    items.click()
    expect(page).to_have_url(re.compile(rf"/appuntamenti/{appointment.pk}/$"))
    expect(page.locator("main")).to_contain_text(CASE_CODE)
