"""Recurring appointments in a real browser: the coordinator plans a weekly meeting with a family, is shown the week the
mediator is away before anything is saved, plans the others, and later cancels the series from one date on."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.scoping import actor_for
from scheduling import services as scheduling_services
from scheduling.models import Appointment, AppointmentSeries

from . import factories as f
from .browser_support import assert_accessible, log_in, screenshot

pytest_plugins = ["tests.browser_support"]

pytestmark = pytest.mark.browser

ROME = ZoneInfo("Europe/Rome")
CASE_CODE = "TM-2026-707"
COORDINATOR = "coordinatore.serie@example.org"


def _world():
    """A request of a child-protection office assigned to an Arabic-speaking mediator who is away one week."""
    province = f.ProvinceFactory(slug="serie", name="Provincia di prova")
    district = f.DistrictFactory(province=province, name="Casalasco")
    office = f.OfficeFactory(district=district, name="Tutela Minori Casalasco")
    provider = f.ProviderFactory(province=province, name="Cooperativa Ponti")
    coordinator = f.coordinator(district=district, email=COORDINATOR, first_name="Paolo", last_name="Rossi")
    user = f.mediator(provider=provider, districts=[district], email="amina@example.org")
    mediator = f.MediatorFactory(
        provider=provider,
        districts=[district],
        user=user,
        email=user.email,
        first_name="Amina",
        last_name="Benali",
        languages=["ara:Darija"],
    )
    request = f.MediationRequestFactory(
        office=office,
        case_code=CASE_CODE,
        status="matching",
        languages=["ara:Darija"],
        mode="in_person",
        place="Sede Tutela Minori",
    )
    offer = scheduling_services.offers_create(actor=actor_for(coordinator), request=request, tiers=[[mediator]])[0]
    scheduling_services.offer_accept(offer=offer, by=user)
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    f.AbsenceFactory(mediator=mediator, start_date=monday + timedelta(weeks=1), end_date=monday + timedelta(weeks=1))
    return request, mediator, monday


def test_a_weekly_series_with_a_clash_is_planned_and_later_cancelled_from_a_date_on(page, live_server):
    request, mediator, monday = _world()
    log_in(page, live_server.url, COORDINATOR, f.PASSWORD)
    page.goto(live_server.url + request.get_absolute_url())
    page.get_by_role("link", name="Appuntamenti", exact=True).click()

    # Every Monday at 10:00 for four weeks: the week of the absence is listed, and nothing is saved yet.
    page.get_by_label("Data", exact=True).fill(monday.isoformat())
    page.get_by_label("Orario", exact=True).fill("10:00")
    page.get_by_label("Ripeti").select_option(label="Ogni settimana")
    page.get_by_label("Fino al (compreso)").fill((monday + timedelta(weeks=3)).isoformat())
    page.get_by_role("button", name="Programma", exact=True).click()
    error = page.get_by_test_id("plan-error")
    expect(error).to_contain_text("1 data è in conflitto: non è stato salvato nulla.")
    expect(page.get_by_test_id("conflicts")).to_contain_text("Amina Benali è assente")
    assert not Appointment.objects.filter(request=request).exists()
    screenshot(page, "series-plan-conflicts")
    assert_accessible(page, "the planning page with the clashes of a series")

    # The coordinator plans the three other Mondays.
    page.get_by_role("button", name="Programma gli altri, lascia fuori queste date").click()
    expect(page.locator(".messages")).to_contain_text("3 appuntamenti sono programmati")
    expect(page.locator("main h1")).to_have_text(f"Appuntamenti ricorrenti della richiesta {CASE_CODE}")
    expect(page.get_by_test_id("series-rule")).to_contain_text("Ogni settimana")
    rows = page.get_by_test_id("occurrences").locator("tbody tr")
    expect(rows).to_have_count(3)
    planned = AppointmentSeries.objects.get(request=request)
    days = [a.starts_at.astimezone(ROME).date() for a in planned.occurrences.order_by("starts_at")]
    assert days == [monday, monday + timedelta(weeks=2), monday + timedelta(weeks=3)]
    screenshot(page, "series-page")
    assert_accessible(page, "the series page")
    # Who may take over is asked for: the menu comes into the page (Amina is the only one speaking the language).
    page.get_by_test_id("series-mediator-open").click()
    expect(page.locator("#series-mediator")).to_contain_text("Nessun altro mediatore soddisfa le condizioni")
    screenshot(page, "series-page-change-of-mediator")
    assert_accessible(page, "the series page with the change of mediator")

    # From the second appointment on, the series is cancelled: the first stays.
    rows.nth(1).get_by_role("link").click()
    # The cancel form's choice (the move form above has the same three): Bootstrap Italia draws the radio on its label.
    page.locator('label[for="scope-cancel-following"]').click()
    expect(page.get_by_role("radio", name="Questo e i successivi").nth(1)).to_be_checked()
    page.get_by_label("Motivo").nth(1).fill("Il nucleo si trasferisce")
    screenshot(page, "series-appointment")
    assert_accessible(page, "an appointment of a series")
    page.get_by_role("button", name="Disdici l'appuntamento").click()
    expect(page.locator(".messages")).to_contain_text("2 appuntamenti sono stati disdetti")
    statuses = list(planned.occurrences.order_by("starts_at").values_list("status", flat=True))
    assert statuses == ["planned", "cancelled", "cancelled"]
    first = planned.occurrences.order_by("starts_at").first()
    assert first.starts_at == datetime.combine(monday, time(10), tzinfo=ROME)
