"""What the funder reads: no count of 1 or 2 can be worked out, whichever way one tries (a rate beside its count, a
total less the other cells, a chart's label or bar), on the dashboard, in the PDF, the CSV and the XLSX; province
staff read the exact figures. Charts draw Decimal values.

The data set (2025, province "Suppressia", every request charged to the project funded by the funder):

========  ========  ==========================================  ============================================
district  requests  assigned                                    sessions
========  ========  ==========================================  ============================================
Alfa      6         5 (one request still waits for a mediator)  5 held (60' each), 1 no-show
Beta      2         2                                           1 held (30')
========  ========  ==========================================  ============================================

Before: "Requests by district" read Alfa 6, Beta "< 3" under 8 requests submitted (8 − 6 = 2); the fulfilment rate
read 87.5 % of 8 (one request without a mediator); the no-show rate read 14.3 % beside 6 sessions held (1 no-show);
the chart of requests by district drew Alfa's bar labelled 6.
"""

import csv
import datetime as dt
import io
import re
import subprocess
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from reporting import charts, indicators, presenters, services
from reporting.indicators import SUPPRESSED, Scope
from reporting.models import Action, BudgetLine, Project, ProjectCharge, ProjectPartner
from reporting.presenters import WITHHELD, funder_counts
from requests_app.models import StatusChange
from scheduling.models import Appointment
from sessions_app.models import Evaluation, EvaluationCriterion, EvaluationScore, SessionReport

from . import factories as f
from .conftest import login_client

pytestmark = pytest.mark.django_db

YEAR_FROM, YEAR_TO = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def rome(month, day, hour=10):
    return timezone.make_aware(dt.datetime(2025, month, day, hour))


class Data:
    pass


@pytest.fixture
def data() -> Data:
    d = Data()
    d.province = f.ProvinceFactory(name="Provincia di Suppressia", slug="suppressia")
    d.alfa = f.DistrictFactory(province=d.province, name="Alfa")
    d.beta = f.DistrictFactory(province=d.province, name="Beta")
    d.staff = f.province_staff(province=d.province)
    d.funder = f.FunderFactory(name="ATS Suppressia", provinces=[d.province])
    d.viewer = f.funder_viewer(funder=d.funder)
    coordinator = f.coordinator(district=d.alfa)
    mediator = f.MediatorFactory(provider=f.ProviderFactory(province=d.province), districts=[d.alfa, d.beta])
    d.project = Project.objects.create(
        title="Progetto Suppressia",
        call="Bando 2025",
        funder=d.funder,
        lead_province=d.province,
        starts_on=YEAR_FROM,
        ends_on=YEAR_TO,
        hourly_rate=Decimal("25.00"),
        km_rate=Decimal("0.30"),
    )
    for district, amount in ((d.alfa, "1000.00"), (d.beta, "500.00")):
        partner = ProjectPartner.objects.create(project=d.project, name=f"Azienda {district.name}", district=district)
        BudgetLine.objects.create(project=d.project, partner=partner, action=Action.MEDIATION, amount=Decimal(amount))
    plan = [(d.alfa, True, 60)] * 5 + [(d.alfa, False, None), (d.beta, True, 30), (d.beta, True, None)]
    requests = []
    for index, (district, assigned, minutes) in enumerate(plan):
        office = f.OfficeFactory(district=district)
        request = f.MediationRequestFactory(
            office=office,
            case_code=f"S-{index}",
            status="completed" if assigned else "submitted",
            requester=f.social_worker(office=office),
            languages=["ara"],
        )
        type(request).objects.filter(pk=request.pk).update(submitted_at=rome(2, 1 + index))
        ProjectCharge.objects.create(request=request, project=d.project, charged_by=coordinator)
        if assigned:
            change = StatusChange.objects.create(
                request=request, from_status="matching", to_status="assigned", by=coordinator
            )
            StatusChange.objects.filter(pk=change.pk).update(at=rome(2, 2 + index))
        if minutes:
            start = rome(3, 1 + index)
            appointment = Appointment.objects.create(
                request=request,
                mediator=mediator,
                starts_at=start,
                ends_at=start + dt.timedelta(minutes=minutes),
                status="held",
                created_by=coordinator,
            )
            SessionReport.objects.create(
                appointment=appointment,
                started_at=start,
                ended_at=start + dt.timedelta(minutes=minutes),
                written_by=coordinator,
            )
        requests.append(request)
    Appointment.objects.create(
        request=requests[0],
        mediator=mediator,
        starts_at=rome(4, 1),
        ends_at=rome(4, 1, 11),
        status="no_show",
        created_by=coordinator,
    )
    # Usefulness: 3 scores from the offices (4, 4, 5), 2 from the mediator (5, 4).
    criterion = EvaluationCriterion.objects.create(
        province=d.province, key="utilita-s", label_it="Utilità", label_en="Usefulness", order=1
    )
    for request, side, score in (
        (requests[0], "requester", 4),
        (requests[1], "requester", 4),
        (requests[2], "requester", 5),
        (requests[0], "mediator", 5),
        (requests[1], "mediator", 4),
    ):
        evaluation = Evaluation.objects.create(request=request, side=side, mediator=mediator, by=coordinator)
        Evaluation.objects.filter(pk=evaluation.pk).update(created_at=rome(6, 1))
        EvaluationScore.objects.create(evaluation=evaluation, criterion=criterion, score=score)
    # Written behind the services' backs: the dashboard's monthly aggregates are built from them.
    services.aggregates_rebuild()
    return d


@pytest.fixture(autouse=True)
def _project_rates(monkeypatch):
    # Costs at the project's rates, whether or not the timesheets app is installed.
    monkeypatch.setattr(indicators, "_timesheet_costs", lambda: None)


def scope(d, suppress):
    return Scope(province=d.province, date_from=YEAR_FROM, date_to=YEAR_TO, project=d.project, suppress=suppress)


def figures_and_tables(d, suppress, language="en"):
    with translation.override(language):
        data = indicators.compute(scope(d, suppress))
        tables = {t["id"]: t for t in presenters.tables(data)}
        return dict(presenters.key_figures(data)), tables, presenters.evaluation_table(data)


# --- The rule ----------------------------------------------------------------------------------------------------


def test_a_lone_small_count_takes_the_next_smallest_with_it():
    assert funder_counts([[31], [2], [7]], suppress=True) == [[31], [SUPPRESSED], [WITHHELD]]
    # Province staff read the counts as they are.
    assert funder_counts([[31], [2], [7]], suppress=False) == [[31], [2], [7]]


def test_two_small_counts_that_could_only_be_1_and_1_take_a_third_with_them():
    assert funder_counts([[9], [1], [1]], suppress=True) == [[WITHHELD], [SUPPRESSED], [SUPPRESSED]]
    # 1 and 2 adding up to 3 cannot be told apart: nothing more to hide.
    assert funder_counts([[9], [1], [2]], suppress=True) == [[9], [SUPPRESSED], [SUPPRESSED]]


def test_a_withheld_3_beside_a_1_would_add_up_to_4_so_a_third_is_withheld():
    assert funder_counts([[10], [3], [1]], suppress=True) == [[WITHHELD], [WITHHELD], [SUPPRESSED]]


def test_a_zero_never_protects_a_small_count():
    # A withheld 0 beside a "< 3" adding up to 2 would give the 2 away: the 5 is withheld instead.
    assert funder_counts([[5], [0], [2]], suppress=True) == [[WITHHELD], [0], [SUPPRESSED]]


def test_without_a_total_only_the_small_counts_are_hidden():
    assert funder_counts([[9], [2]], suppress=True, additive=False) == [[9], [SUPPRESSED]]


def test_each_column_is_protected_against_its_own_total():
    assert funder_counts([[5, 0], [1, 4]], suppress=True) == [[WITHHELD, 0], [SUPPRESSED, 4]]


# --- Each way of working a small count out ---------------------------------------------------------------------


def test_the_funder_cannot_subtract_a_small_count_from_the_total(data):
    figures, tables, _evaluations = figures_and_tables(data, suppress=True)
    assert figures["Requests submitted"] == 8  # totals stay true
    assert tables["by-district"]["rows"] == [["Alfa", WITHHELD], ["Beta", SUPPRESSED]]
    alfa, beta = tables["sessions-by-district"]["rows"]
    assert alfa == ["Alfa", WITHHELD, WITHHELD, SUPPRESSED, 0]
    assert beta == ["Beta", SUPPRESSED, WITHHELD, 0, 0]
    # Requests with a mediator (7) and without (1) add up to the 8 submitted.
    assert figures["Requests with a mediator assigned"] == WITHHELD


def test_no_rate_average_or_hours_gives_a_small_count_away(data):
    figures, _tables, evaluations = figures_and_tables(data, suppress=True)
    assert figures["Fulfilment rate (%)"] == WITHHELD
    assert (figures["No-shows"], figures["No-show rate (%)"]) == (SUPPRESSED, WITHHELD)
    assert figures["Late-cancellation rate (%)"] == WITHHELD
    assert figures["Sessions held"] == 6 and figures["Hours of mediation"] == Decimal("5.50")
    assert evaluations["rows"] == [
        ["Usefulness", "Mediator", WITHHELD, SUPPRESSED],
        ["Usefulness", "Requesting office", Decimal("4.33"), 3],
    ]


def test_no_chart_draws_or_labels_a_hidden_count(data):
    with translation.override("en"):
        _figures, tables, evaluations = figures_and_tables(data, suppress=True)
    by_district = tables["by-district"]["chart"]
    assert "<rect" not in by_district and ">withheld</text>" in by_district and ">&lt; 3</text>" in by_district
    assert ">6</text>" not in by_district
    # The mediators' average (2 scores) has no bar and no figure; the offices' (3 scores) has both.
    bars = _bar_widths(evaluations["chart"])
    assert len(bars) == 1 and bars[0] > 0
    assert "4.5" not in evaluations["chart"] and "4.33" in evaluations["chart"]


def test_province_staff_read_the_exact_figures(data):
    figures, tables, evaluations = figures_and_tables(data, suppress=False)
    assert tables["by-district"]["rows"] == [["Alfa", 6], ["Beta", 2]]
    assert figures["Fulfilment rate (%)"] == Decimal("87.5")
    assert (figures["No-shows"], figures["No-show rate (%)"]) == (1, Decimal("14.3"))
    assert evaluations["rows"][0][2:] == [Decimal("4.50"), 2]
    assert len(_bar_widths(tables["by-district"]["chart"])) == 2


# --- Charts of Decimal values ------------------------------------------------------------------------------------


def _bar_widths(svg: str) -> list[float]:
    return [float(width) for width in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]


def test_budget_and_effectiveness_charts_draw_a_bar_for_each_decimal(data):
    _figures, _tables, evaluations = figures_and_tables(data, suppress=False)
    with translation.override("en"):
        (budget,) = presenters.budget_tables(indicators.compute(scope(data, suppress=False)))
    # Alfa: 5 h × 25 € of 1,000 € (12.5 %); Beta: 0.5 h × 25 € of 500 € (2.5 %).
    assert _bar_widths(budget["chart"]) == [300.0, 60.0]
    assert _bar_widths(evaluations["chart"]) == [300.0, 288.7]  # 4.50 and 4.33 of the largest, 4.50


def test_a_chart_draws_any_number_and_no_marker():
    svg = charts.bar_chart(
        [("a", Decimal("2.5")), ("b", 5), ("c", 1.25), ("d", WITHHELD), ("e", SUPPRESSED), ("f", None)],
        title="t",
        chart_id="c",
    )
    assert _bar_widths(svg) == [150.0, 300.0, 75.0]


# --- Where the funder reads it ----------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """The text of each cell of the tables of a page, by their data-testid."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = self._row = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and attributes.get("data-testid"):
            self._table = self.tables.setdefault(attributes["data-testid"], [])
        elif tag == "tr" and self._table is not None:
            self._row = []
            self._table.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._row.append("")

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = self._row = None

    def handle_data(self, text):
        if self._row:
            self._row[-1] += text.strip()


def _page_tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def _dashboard(d, user):
    params = {"dal": "2025-01-01", "al": "2025-12-31", "progetto": d.project.pk}
    response = login_client(user).get(reverse("reporting:dashboard"), params, HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 200
    return response.content.decode()


def test_the_funders_dashboard_hides_every_way_to_a_small_count(data):
    html = _dashboard(data, data.viewer)
    tables = _page_tables(html)
    assert tables["table-by-district"][1:] == [["Alfa", "riservato"], ["Beta", "< 3"]]
    figures, _tables, _evaluations = figures_and_tables(data, suppress=True, language="it")
    key = dict(row for row in tables["key-figures"][1:])
    assert key[list(figures)[0]] == "8"
    for label in ("Fulfilment rate (%)", "No-show rate (%)", "Requests with a mediator assigned"):
        with translation.override("it"):
            assert key[str(translation.gettext(label))] == "riservato", label
    for leak in ("87,5", "87.5", "14,3", "14.3", "4,5", "4.50"):
        assert leak not in html, leak
    assert "riservato" in html.split('id="chart-by-district-title"', 1)[1].split("</svg>", 1)[0]


def test_province_staff_dashboard_keeps_the_exact_figures(data):
    tables = _page_tables(_dashboard(data, data.staff))
    assert tables["table-by-district"][1:] == [["Alfa", "6"], ["Beta", "2"]]


def _pdf_text(d, tmp_path) -> str:
    target = tmp_path / "report.pdf"
    with target.open("wb") as stream:
        services.report_write(scope=scope(d, True), format="pdf", stream=stream)
    out = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True)
    return out.stdout


def test_the_funders_pdf_hides_every_way_to_a_small_count(data, tmp_path):
    text = _pdf_text(data, tmp_path)
    # Without spaces: pdftotext may read a right-aligned "< 3" as "<3".
    lines = {"".join(line.split()) for line in text.splitlines()}
    with translation.override("it"):
        labels = [str(translation.gettext(label)) for label in ("Fulfilment rate (%)", "No-show rate (%)")]
    expected = {"Alfariservato", "Beta<3", *("".join(f"{label} riservato".split()) for label in labels)}
    assert expected <= lines, expected - lines
    for leak in ("87,5", "14,3", "4,50"):
        assert leak not in text, leak


def test_the_funders_csv_and_xlsx_hide_every_way_to_a_small_count(data):
    from openpyxl import load_workbook

    stream = io.StringIO()
    services.report_write(scope=scope(data, True), format="csv", stream=stream)
    rows = [row for row in csv.reader(io.StringIO(stream.getvalue().lstrip("\ufeff")), delimiter=_delimiter(stream))]
    assert ["Alfa", "riservato"] in rows and ["Beta", "< 3"] in rows
    assert not any(cell in ("87.5", "87,5", "14.3", "14,3", "4.5", "4,5") for row in rows for cell in row)

    binary = io.BytesIO()
    services.report_write(scope=scope(data, True), format="xlsx", stream=binary)
    workbook = load_workbook(io.BytesIO(binary.getvalue()), read_only=True)
    cells = [list(row) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]
    assert ["Alfa", "riservato"] in cells and ["Beta", "< 3"] in cells
    assert not any(cell in (87.5, 14.3, 4.5) for row in cells for cell in row)


def _delimiter(stream) -> str:
    # The CSV's separator is another change's business: read whichever it is.
    columns = stream.getvalue().lstrip("\ufeff").splitlines()[1]
    return ";" if ";" in columns else ","
