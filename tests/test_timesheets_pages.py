"""The timesheet pages run the same number of queries for 3 rows as for 30 (pinned), and read well."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.scoping import actor_for
from mediators.models import Mediator
from timesheets import selectors, services

from . import factories as f
from . import report_factories as rf
from . import timesheet_factories as tf
from .conftest import login_client
from .test_any_day import MOMENTS as ANY_DAY

pytestmark = pytest.mark.django_db

# Each page of a logged-in user after the first: the user; the memberships (the role, what it reaches and the
# header's switch), the session and the unread count come from the shared cache.
BASE_QUERIES = 1


def _count(client, url) -> int:
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _district_with(n: int):
    """A district where ``n`` mediators each held two sessions last month (one timesheet submitted)."""
    world = tf.month_world(held=2)
    for _ in range(n - 1):
        user = f.mediator(provider=world.mediator.provider, districts=[world.district])
        mediator = f.MediatorFactory(provider=world.mediator.provider, districts=[world.district], user=user)
        request = f.MediationRequestFactory(office=world.office, status="scheduled", assigned_mediator=mediator)
        for day in (3, 4):
            appointment = tf.appointment_on(request, tf.last_month() + timedelta(days=day))
            rf.write(rf.World(world.office, world.district, world.province, world.social_worker, world.coordinator,
                              user, mediator, request), appointment)  # fmt: skip
    services.timesheet_submit(
        actor=actor_for(world.mediator_user), mediator=world.mediator, district=world.district, month=tf.last_month()
    )
    # The sheets are listed by name: the one with a submitted timesheet comes first, on the first page, whatever names
    # the factories drew for the others.
    Mediator.objects.filter(pk=world.mediator.pk).update(last_name="Aaronne")
    return world


MONTH = "?mese={:%Y-%m}"
# The district's month: the districts managed, the month's lines grouped by mediator, district and billing (the
# order of the sheets and the month's totals), the month's timesheets (plain rows), the page's timesheets, the lines
# of the page's sheets (costed in one query), the mediators serving the districts (to count those with nothing). The
# month's translation work of the mini-guide is one query more where a province counts it (none here: the provinces
# that do are kept in the shared cache, timesheets.translation_work.counting_provinces).
DISTRICT_QUERIES = BASE_QUERIES + 6
# Totals by provider: the districts managed, the approved timesheets, the lines, the providers.
PROVIDER_QUERIES = BASE_QUERIES + 4
# One sheet: its mediator with whether they work for the district (scope), its district, the lines, the timesheet
# (the translation work: none counted here).
SHEET_QUERIES = BASE_QUERIES + 4
# My timesheets: the profile, its districts, the month's lines (with their districts), the month's timesheets, the
# past months (the translation work: none counted here).
MINE_QUERIES = BASE_QUERIES + 5


@pytest.mark.parametrize("n", [3, 30])
def test_the_districts_month_runs_a_fixed_number_of_queries(n):
    world = _district_with(n)
    url = reverse("timesheets:district") + MONTH.format(tf.last_month())
    client = login_client(world.coordinator)
    assert _count(client, url) == DISTRICT_QUERIES
    response = client.get(url)
    # A page of 25 sheets; the totals are the whole month's, exact.
    assert len(response.context["sheets"]) == min(n, 25)
    totals = response.context["totals"]
    assert (totals["sheets"], totals["sessions"]) == (n, 2 * n)
    _districts, every_sheet = selectors.district_sheets(user=world.coordinator, month=tf.last_month())
    assert totals["hours"] == sum(sheet.hours for sheet in every_sheet)
    assert totals["km"] == sum(sheet.km for sheet in every_sheet)
    assert totals["cost"] == sum(sheet.cost for sheet in every_sheet)
    if n > 25:
        # The second page holds no submitted timesheet: nothing to read for them.
        assert _count(client, url + "&page=2") == DISTRICT_QUERIES - 1
        assert len(client.get(url + "&page=2").context["sheets"]) == n - 25


@pytest.mark.parametrize("moment", ["sunday-23:30", "31-december-23:30", "summer-time-03:30"])
def test_the_districts_month_reads_neither_the_reports_notes_nor_the_coordinators_notes_on_mediators(moment):
    with time_machine.travel(ANY_DAY[moment], tick=False):
        _the_month_reads_no_notes()


def _the_month_reads_no_notes():
    world = _district_with(3)
    client = login_client(world.coordinator)
    url = reverse("timesheets:district") + MONTH.format(tf.last_month())
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    read = " ".join(query["sql"] for query in captured.captured_queries)
    assert '"sensitive_notes"' not in read and '"coordinator_notes"' not in read
    html = response.content.decode()
    sheets = response.context["sheets"]
    assert len(sheets) == 3
    assert all(sheet.mediator.last_name in html and sheet.mediator.provider.name in html for sheet in sheets)


def test_the_districts_month_lists_the_mediators_who_worked_and_counts_the_others():
    world = _district_with(2)
    f.MediatorFactory(provider=world.mediator.provider, districts=[world.district], last_name="Aaron")
    response = login_client(world.coordinator).get(reverse("timesheets:district") + MONTH.format(tf.last_month()))
    assert "Aaron" not in [sheet.mediator.last_name for sheet in response.context["sheets"]]
    assert len(response.context["sheets"]) == 2
    assert response.context["idle"] == 1
    assert 'data-testid="idle"' in response.content.decode()


@pytest.mark.parametrize("n", [3, 30])
def test_the_totals_by_provider_run_a_fixed_number_of_queries(n):
    world = _district_with(n)
    url = reverse("timesheets:providers") + MONTH.format(tf.last_month())
    client = login_client(f.province_staff(province=world.province))
    assert _count(client, url) == PROVIDER_QUERIES
    assert client.get(url).context["totals"][0].sessions == 2 * n


@pytest.mark.parametrize("n", [3, 30])
def test_one_sheet_and_my_timesheets_run_a_fixed_number_of_queries(n):
    world = tf.month_world(held=n)
    sheet = reverse("timesheets:sheet", args=[world.mediator.pk, world.district.pk, tf.last_month()])
    assert _count(login_client(world.coordinator), sheet) == SHEET_QUERIES
    mine = reverse("timesheets:mine") + MONTH.format(tf.last_month())
    client = login_client(world.mediator_user)
    assert _count(client, mine) == MINE_QUERIES
    assert len(client.get(mine).context["sheets"][0].lines) == n


def test_the_mediator_sees_the_lines_and_the_submit_button_of_a_month_over():
    world = tf.month_world(held=1)
    page = login_client(world.mediator_user).get(reverse("timesheets:mine") + MONTH.format(tf.last_month()))
    html = page.content.decode()
    assert world.request.case_code in html and "3.40" in html.replace(",", ".")
    assert "38.83" not in html.replace(",", ".")  # the cost at the cooperative's rate is for those who approve it
    assert 'action="/fogli-ore/' in html and "/submit/" in html
    assert "udienza" not in html  # the report's sensitive notes never reach the timesheet


def test_a_sheets_report_column_is_the_session_report_in_italian_not_the_funders_report():
    world = tf.month_world(held=1)
    page = login_client(world.mediator_user).get(reverse("timesheets:mine") + MONTH.format(tf.last_month()))
    assert '<th scope="col">Resoconto</th>' in page.content.decode()
    export = login_client(world.coordinator).get(
        reverse("timesheets:export", args=[world.mediator.pk, world.district.pk, tf.last_month(), "xlsx"])
    )
    header = next(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert "Resoconto" in header and "Report" not in header


def test_a_mediator_sees_the_sheet_of_a_district_they_do_not_serve_where_they_worked_that_month():
    world = tf.month_world(held=1)
    elsewhere = f.DistrictFactory(province=world.province, name="Casalasco")
    request = f.MediationRequestFactory(office=f.OfficeFactory(district=elsewhere), case_code="TM-CASALASCO",
                                        status="scheduled", assigned_mediator=world.mediator)  # fmt: skip
    tf.appointment_on(request, tf.last_month() + timedelta(days=3), hour=15)
    mediator, sheets = selectors.my_sheets(user=world.mediator_user, month=tf.last_month())
    assert [(sheet.district, len(sheet.lines)) for sheet in sheets] == [(world.district, 1), (elsewhere, 1)]
    assert sheets[1].lines[0].appointment.request.case_code == "TM-CASALASCO"
    page = login_client(world.mediator_user).get(reverse("timesheets:mine") + MONTH.format(tf.last_month()))
    assert "Casalasco" in page.content.decode() and "TM-CASALASCO" in page.content.decode()


def test_a_month_not_over_yet_shows_no_submit_button_that_would_be_refused():
    with time_machine.travel(datetime(2026, 12, 15, 10, 0, tzinfo=ZoneInfo("Europe/Rome")), tick=False):
        world = tf.month_world(held=1, month=date(2026, 12, 1))
        html = login_client(world.mediator_user).get(reverse("timesheets:mine") + "?mese=2026-12").content.decode()
    # The service refuses a month that is not over: the page says so and offers no button that would be refused.
    assert "/2026-12/submit/" not in html
    assert "Questo mese non è ancora finito" in html


# --- Costs and rates are for those who approve them; a person sees only the actions they may take ------------------


def _sheet_url(world, *extra):
    return reverse(
        "timesheets:export" if extra else "timesheets:sheet",
        args=[world.mediator.pk, world.district.pk, tf.last_month(), *extra],
    )


def test_a_mediator_sees_hours_km_and_expenses_of_their_timesheet_but_no_cost():
    world = tf.month_world(held=1)
    client = login_client(world.mediator_user)
    html = client.get(_sheet_url(world)).content.decode().replace(",", ".")
    assert "1.25" in html and "12.5" in html and "3.40" in html
    assert "Cost (€)" not in html and "Costo (€)" not in html and "38.83" not in html
    csv_text = client.get(_sheet_url(world, "csv")).content.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(csv_text), delimiter=";"))
    assert "Ore" in header and not any(column.startswith("Cost") for column in header) and "38.83" not in csv_text
    assert "3.4" in csv_text.replace(",", ".")
    xlsx = _xlsx_cells(client.get(_sheet_url(world, "xlsx")))
    assert not any(str(value).startswith("Cost") for value in xlsx[0]) and not _holds(xlsx, 38.83)


@pytest.mark.parametrize("role", ["coordinator", "province_staff"])
def test_those_who_approve_see_the_cost_on_the_page_and_in_the_exports(role):
    world = tf.month_world(held=1)
    user = world.coordinator if role == "coordinator" else f.province_staff(province=world.province)
    client = login_client(user)
    assert "38.83" in client.get(_sheet_url(world)).content.decode().replace(",", ".")
    assert "38.83" in client.get(_sheet_url(world, "csv")).content.decode("utf-8-sig").replace(",", ".")
    assert _holds(_xlsx_cells(client.get(_sheet_url(world, "xlsx"))), 38.83)


def test_a_mediator_does_not_see_the_rates_on_their_profile_and_the_coordinator_does():
    world = tf.month_world(held=1)
    world.mediator.hourly_rate = Decimal("23.45")
    world.mediator.save(update_fields=["hourly_rate"])
    url = world.mediator.get_absolute_url()
    assert "23.45" not in login_client(world.mediator_user).get(url).content.decode().replace(",", ".")
    assert "23.45" in login_client(world.coordinator).get(url).content.decode().replace(",", ".")


def test_province_staff_see_no_link_to_write_a_missing_report_the_coordinator_and_the_mediator_do():
    world = tf.month_world(held=1)
    missing = tf.appointment_on(world.request, tf.last_month() + timedelta(days=20))
    write = reverse("sessions:report_write", args=[missing.pk])
    assert write not in login_client(f.province_staff(province=world.province)).get(_sheet_url(world)).content.decode()
    assert write in login_client(world.coordinator).get(_sheet_url(world)).content.decode()
    assert write in login_client(world.mediator_user).get(_sheet_url(world)).content.decode()


def _xlsx_cells(response) -> list[list]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _holds(cells: list[list], number: float) -> bool:
    return any(isinstance(v, int | float | Decimal) and abs(float(v) - number) < 0.001 for row in cells for v in row)
