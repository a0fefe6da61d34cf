"""Pages read dates and money the way each language writes them: "giovedì 10 dicembre 2026" and "8.480,86" on an
Italian page (never a capitalised month or weekday), "Thursday 10 December 2026" and "8,480.86" on an English one;
the PDF sent to the ASL too."""

import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from reporting.exports import report_context
from reporting.models import Action, ProjectExpense
from requests_app.models import ProposedSlot
from scheduling.models import Appointment

from . import factories as f
from . import timesheet_factories as tf
from .conftest import login_client
from .test_reporting import build_data, scope

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
# Thursday 3 December 2026, 10:00 in Italy: the week of the slot below is the next one.
NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=ROME)
THURSDAY = dt.datetime(2026, 12, 10, 9, 30, tzinfo=ROME)

MONTHS = "Gennaio|Febbraio|Marzo|Aprile|Maggio|Giugno|Luglio|Agosto|Settembre|Ottobre|Novembre|Dicembre"
WEEKDAYS = "Lunedì|Martedì|Mercoledì|Giovedì|Venerdì|Sabato|Domenica"
SHORT_MONTHS = "Gen|Feb|Mar|Apr|Mag|Giu|Lug|Ago|Set|Ott|Nov|Dic"
SHORT_WEEKDAYS = "Lun|Mar|Mer|Gio|Ven|Sab|Dom"
CAPITALISED = re.compile(
    rf"\b(?:{MONTHS}|{WEEKDAYS})\b|\d (?:{SHORT_MONTHS})\b|\b(?:{SHORT_WEEKDAYS}) \d|\b(?:{SHORT_MONTHS}) \d{{4}}"
)


def main(html: str) -> str:
    """The page's own content: the header and the footer are the same on every page."""
    return html.split("<main", 1)[1].split("</main>", 1)[0] if "<main" in html else html


def assert_no_capitalised_italian_date(html: str) -> None:
    found = CAPITALISED.findall(html)
    assert not found, f"capitalised Italian month or weekday names: {found}"


def in_english(user):
    user.language = "en"
    user.save(update_fields=["language"])
    return user


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def office_request(frozen):
    office = f.OfficeFactory()
    request = f.MediationRequestFactory(
        office=office, status="submitted", urgency="urgent", deadline=dt.date(2026, 12, 14), languages=["ara:Darija"]
    )
    ProposedSlot.objects.create(request=request, starts_at=THURSDAY, ends_at=THURSDAY + dt.timedelta(hours=1))
    return request


# --- The request page -------------------------------------------------------------------------------------------------


def test_the_request_page_writes_days_and_months_in_lower_case_in_italian(office_request):
    coordinator = f.coordinator(district=office_request.office.district)
    html = main(login_client(coordinator).get(office_request.get_absolute_url()).content.decode())
    assert "giovedì 10 dicembre 2026, 09:30–10:30" in html
    assert "14 dicembre 2026" in html
    assert_no_capitalised_italian_date(html)


def test_the_request_page_writes_the_day_before_the_month_in_english(office_request):
    coordinator = in_english(f.coordinator(district=office_request.office.district))
    html = main(login_client(coordinator).get(office_request.get_absolute_url()).content.decode())
    assert "Thursday 10 December 2026, 09:30–10:30" in html
    assert "14 December 2026" in html
    assert "dicembre" not in html


# --- The calendar -----------------------------------------------------------------------------------------------------


@pytest.fixture
def planned(office_request):
    mediator = f.MediatorFactory(districts=[office_request.office.district])
    coordinator = f.coordinator(district=office_request.office.district)
    Appointment.objects.create(
        request=office_request,
        mediator=mediator,
        starts_at=THURSDAY,
        ends_at=THURSDAY + dt.timedelta(hours=1),
        created_by=coordinator,
    )
    return coordinator


@pytest.mark.parametrize(
    ("language", "week", "month"),
    [
        ("it", ["7 dicembre – 13 dicembre 2026", "giovedì 10 dicembre", "gio 10 dic"], ["dicembre 2026", "giovedì"]),
        ("en", ["7 December – 13 December 2026", "Thursday 10 December", "Thu 10 Dec"], ["December 2026", "Thursday"]),
    ],
)
def test_the_calendar_names_weeks_days_and_months_in_the_page_language(planned, language, week, month):
    user = in_english(planned) if language == "en" else planned
    client = login_client(user)
    week_html = main(client.get(reverse("scheduling:calendar"), {"data": "2026-12-10"}).content.decode())
    month_html = main(
        client.get(reverse("scheduling:calendar"), {"vista": "mese", "data": "2026-12-10"}).content.decode()
    )
    for text in week:
        assert text in week_html
    for text in month:
        assert text in month_html
    if language == "it":
        assert_no_capitalised_italian_date(week_html + month_html)


# --- The timesheet ----------------------------------------------------------------------------------------------------


def test_the_timesheet_names_its_month_in_lower_case_and_writes_costs_with_decimal_commas():
    with time_machine.travel(NOW, tick=False):
        world = tf.month_world(held=2)
        url = reverse("timesheets:district") + "?mese=2026-11"
        italian = main(login_client(world.coordinator).get(url).content.decode())
        english = main(login_client(in_english(world.coordinator)).get(url).content.decode())
    assert "novembre 2026" in italian and "November 2026" in english
    assert_no_capitalised_italian_date(italian)
    # Two sessions of 75 minutes, 12.5 km and 3.40 € each (tests/timesheet_factories.py).
    assert "2,50" in italian and "2.50" in english


@pytest.mark.parametrize(("language", "cost", "hours"), [("it", "8.480,86", "1.234,5"), ("en", "8,480.86", "1,234.5")])
def test_the_timesheet_totals_have_thousands_separators_for_those_who_see_costs(language, cost, hours):
    sheet = SimpleNamespace(
        sessions=3,
        hours=Decimal("1234.5"),
        km=Decimal("12.5"),
        travel_minutes=25,
        expenses=Decimal("1200"),
        cost=Decimal("8480.86"),
    )
    with translation.override(language):
        html = render_to_string("timesheets/_totals.html", {"sheet": sheet, "actions": {"costs": True}})
    assert cost in html and hours in html


# --- Reporting: the dashboard, a project, the PDF -------------------------------------------------------------------


@pytest.fixture
def reporting_data():
    data = build_data()
    lead = data.project.partners.get(district__isnull=True)
    ProjectExpense.objects.create(
        project=data.project,
        partner=lead,
        action=Action.SEMINAR,
        spent_on=dt.date(2025, 6, 12),
        amount=Decimal("8480.86"),
        description="Stampa della mini-guida",
    )
    return data


@pytest.mark.parametrize(
    ("language", "amount", "period"), [("it", "8.480,86", "1 gennaio 2024"), ("en", "8,480.86", "1 January 2024")]
)
def test_a_project_page_writes_amounts_with_thousands_separators(reporting_data, language, amount, period):
    user = in_english(reporting_data.staff) if language == "en" else reporting_data.staff
    html = main(login_client(user).get(reporting_data.project.get_absolute_url()).content.decode())
    assert amount in html and period in html
    if language == "it":
        assert_no_capitalised_italian_date(html)


# The seminar's line: 120 € spent before, and the 8,480.86 € above.
@pytest.mark.parametrize(("language", "amount"), [("it", "8.600,86"), ("en", "8,600.86")])
def test_the_dashboard_writes_budgets_and_figures_in_the_page_language(reporting_data, language, amount):
    user = in_english(reporting_data.staff) if language == "en" else reporting_data.staff
    response = login_client(user).get(
        reverse("reporting:dashboard"), {"dal": "2025-01-01", "al": "2025-12-31", "progetto": reporting_data.project.pk}
    )
    html = main(response.content.decode())
    assert amount in html
    if language == "it":
        assert_no_capitalised_italian_date(html)


def test_the_pdf_for_the_asl_writes_italian_dates_in_lower_case_and_amounts_with_separators(reporting_data):
    with translation.override("it"):
        html = render_to_string(
            "reporting/pdf/report.html", report_context(scope(reporting_data, project=reporting_data.project))
        )
    assert "1 gennaio 2025 – 31 dicembre 2025" in html
    assert "1 gennaio 2024 – 31 dicembre 2026" in html
    assert "8.600,86" in html and "1.800" in html
    assert_no_capitalised_italian_date(html)
