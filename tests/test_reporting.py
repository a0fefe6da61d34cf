"""Reporting: indicators on a small hand-built data set with exact numbers, suppression, report jobs from start to
expiry, the PDF's text, the exports, charging a request to a project.

The data set (period: the year 2025, province "Padania"):

=====  ======  ============  ===========  =========  =========================  ===================================
req    office  setting       languages    submitted  assigned after (days)      appointments (held unless said)
=====  ======  ============  ===========  =========  =========================  ===================================
r1     A1      child prot.   ara          10 Jan     2                          20 Jan 90' planned, report 60', 10 km,
                                                                                5 €; 27 Jan no-show
r2     A1      school        ara, fra     5 Feb      4                          10 Feb 60'; 17 Feb cancelled late;
                                                                                18 Feb cancelled early
r3     A2      health        zho          20 Feb     1                          1 Mar 120'; 2 Mar void
r4     B1      child prot.   ara          1 Mar      —  (cancelled)             —
r5     B1      child prot.   ukr          15 Mar     10                         20 Mar 30'
r6     A1      child prot.   ara          1 Apr      1                          10 Apr 60'; 30 Dec planned
r7     A1      draft         —            —          —                          —
r8     A1      out of period (31 Dec 2024)
r9     another province
=====  ======  ============  ===========  =========  =========================  ===================================

A1 and A2 are offices of the district Alfa (child protection; basic social service), B1 of Beta. Case codes are
per office: r5's F-1 (office B1) is another family than r1's F-1 (office A1).
"""

import csv
import datetime as dt
import io
import subprocess
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import Office
from accounts.scoping import actor_for
from core.errors import DomainError, NotAllowed
from reporting import exports, indicators, presenters, services
from reporting.indicators import SUPPRESSED, Scope, shown
from reporting.models import Action, BudgetLine, Project, ProjectCharge, ProjectExpense, ProjectPartner, ReportJob
from reporting.presenters import WITHHELD
from requests_app.models import StatusChange
from scheduling.models import Appointment
from sessions_app.models import Evaluation, EvaluationCriterion, EvaluationScore, SessionReport

from . import factories as f

pytestmark = pytest.mark.django_db

YEAR_FROM, YEAR_TO = dt.date(2025, 1, 1), dt.date(2025, 12, 31)


def rome(month, day, hour=10, minute=0, year=2025):
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


class Data:
    pass


def _request(office, code, status, submitted, languages, setting="child_protection", adults=1, minors=0):
    request = f.MediationRequestFactory(
        office=office,
        case_code=code,
        status=status,
        setting=setting,
        adults=adults,
        minors=minors,
        languages=languages,
        requester=office.data_worker,
    )
    type(request).objects.filter(pk=request.pk).update(submitted_at=submitted)
    request.submitted_at = submitted
    return request


def _assigned(request, at, by):
    change = StatusChange.objects.create(request=request, from_status="matching", to_status="assigned", by=by)
    StatusChange.objects.filter(pk=change.pk).update(at=at)


def _appointment(data, request, start, minutes, status="held", late=False):
    return Appointment.objects.create(
        request=request,
        mediator=data.mediator,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        status=status,
        late_cancellation=late,
        created_by=data.coordinator,
    )


def build_data() -> Data:
    d = Data()
    province = f.ProvinceFactory(name="Provincia di Padania", slug="padania")
    d.province = province
    d.alfa = f.DistrictFactory(province=province, name="Alfa")
    d.beta = f.DistrictFactory(province=province, name="Beta")
    d.a1 = f.OfficeFactory(district=d.alfa, name="Tutela Minori Alfa", kind=Office.Kind.CHILD_PROTECTION)
    d.a2 = f.OfficeFactory(district=d.alfa, name="Servizio Sociale Alfa", kind=Office.Kind.BASIC_SOCIAL_SERVICE)
    d.b1 = f.OfficeFactory(district=d.beta, name="Tutela Minori Beta", kind=Office.Kind.CHILD_PROTECTION)
    for office in (d.a1, d.a2, d.b1):
        office.data_worker = f.social_worker(office=office)
    d.coordinator = f.coordinator(district=d.alfa)
    d.coordinator_beta = f.coordinator(district=d.beta)
    d.staff = f.province_staff(province=province)
    d.funder = f.FunderFactory(name="ATS Padania", provinces=[province])
    d.viewer = f.funder_viewer(funder=d.funder)
    provider = f.ProviderFactory(province=province)
    d.mediator = f.MediatorFactory(provider=provider, districts=[d.alfa, d.beta])
    c = d.coordinator
    d.r1 = _request(d.a1, "F-1", "completed", rome(1, 10, 9), ["ara"], adults=2, minors=3)
    d.r2 = _request(d.a1, "F-2", "scheduled", rome(2, 5), ["ara", "fra"], setting="school", adults=1, minors=1)
    d.r3 = _request(d.a2, "F-3", "completed", rome(2, 20), ["zho"], setting="health", adults=2, minors=0)
    d.r4 = _request(d.b1, "F-4", "cancelled", rome(3, 1), ["ara"])
    d.r5 = _request(d.b1, "F-1", "completed", rome(3, 15), ["ukr"], adults=1, minors=2)
    d.r6 = _request(d.a1, "F-1B", "scheduled", rome(4, 1), ["ara"], adults=2, minors=4)
    d.r7 = f.MediationRequestFactory(office=d.a1, case_code="F-7", status="draft", requester=d.a1.data_worker)
    d.r8 = _request(d.a1, "F-8", "completed", rome(12, 31, year=2024), ["ara"])
    other = f.OfficeFactory()
    d.r9 = f.MediationRequestFactory(office=other, case_code="F-9", status="completed", submitted_at=rome(5, 5))
    _assigned(d.r1, rome(1, 12, 9), c)
    _assigned(d.r2, rome(2, 9), c)
    _assigned(d.r3, rome(2, 21), c)
    _assigned(d.r5, rome(3, 25), c)
    _assigned(d.r6, rome(4, 2), c)
    a1 = _appointment(d, d.r1, rome(1, 20), 90)
    SessionReport.objects.create(
        appointment=a1,
        started_at=rome(1, 20),
        ended_at=rome(1, 20, 11),
        travel_km=Decimal("10"),
        expenses=Decimal("5.00"),
        written_by=c,
        sensitive_notes="Nota riservata: mai nei report.",
    )
    _appointment(d, d.r1, rome(1, 27), 60, status="no_show")
    _appointment(d, d.r2, rome(2, 10, 9), 60)
    _appointment(d, d.r2, rome(2, 17), 60, status="cancelled", late=True)
    _appointment(d, d.r2, rome(2, 18), 60, status="cancelled")
    _appointment(d, d.r3, rome(3, 1, 14), 120)
    _appointment(d, d.r3, rome(3, 2), 60, status="void")
    _appointment(d, d.r5, rome(3, 20), 30)
    _appointment(d, d.r6, rome(4, 10), 60)
    _appointment(d, d.r6, rome(12, 30), 60, status="planned")
    _appointment(d, d.r1, rome(1, 5, year=2026), 60)  # after the period
    # The project: Alfa and Beta are partners, the province leads; r1, r2, r3 and r5 are charged to it.
    d.project = Project.objects.create(
        title="Famiglie in Padania",
        call="Bando 2024 L. 40/98",
        funder=d.funder,
        lead_province=province,
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    lead = ProjectPartner.objects.create(project=d.project, name="Provincia di Padania")
    alfa = ProjectPartner.objects.create(project=d.project, name="Azienda Alfa", district=d.alfa)
    beta = ProjectPartner.objects.create(project=d.project, name="Consorzio Beta", district=d.beta)
    BudgetLine.objects.create(project=d.project, partner=alfa, action=Action.MEDIATION, amount=Decimal("1000"))
    BudgetLine.objects.create(project=d.project, partner=beta, action=Action.MEDIATION, amount=Decimal("500"))
    BudgetLine.objects.create(project=d.project, partner=lead, action=Action.SEMINAR, amount=Decimal("300"))
    ProjectExpense.objects.create(
        project=d.project, partner=lead, action=Action.SEMINAR, spent_on=dt.date(2025, 5, 1), amount=Decimal("120")
    )
    ProjectExpense.objects.create(
        project=d.project, partner=lead, action=Action.SEMINAR, spent_on=dt.date(2024, 5, 1), amount=Decimal("50")
    )
    for request in (d.r1, d.r2, d.r3, d.r5):
        ProjectCharge.objects.create(request=request, project=d.project, charged_by=c)
    # Evaluations: "usefulness" 4, 5, 3 from the offices; 5 from the mediator on r1.
    criterion = EvaluationCriterion.objects.create(
        province=province, key="utilita-test", label_it="Utilità", label_en="Usefulness", order=1
    )
    for request, side, score in (
        (d.r1, "requester", 4),
        (d.r2, "requester", 5),
        (d.r3, "requester", 3),
        (d.r1, "mediator", 5),
    ):
        evaluation = Evaluation.objects.create(request=request, side=side, mediator=d.mediator, by=c)
        Evaluation.objects.filter(pk=evaluation.pk).update(created_at=rome(6, 1))
        EvaluationScore.objects.create(evaluation=evaluation, criterion=criterion, score=score)
    # Written behind the services' backs: the monthly aggregates (the dashboard's, and the reports' of whole
    # months) are built from them.
    services.aggregates_rebuild()
    return d


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def data():
    return build_data()


@pytest.fixture
def no_timesheets(monkeypatch):
    # The project's own rates, whether or not the timesheets app is installed.
    monkeypatch.setattr(indicators, "_timesheet_costs", lambda: None)


def scope(d, **extra):
    return Scope(province=d.province, date_from=YEAR_FROM, date_to=YEAR_TO, **extra)


# --- Indicators ------------------------------------------------------------------------------------------------------


def test_requests_by_district_kind_setting_language_and_month(data):
    by = indicators.requests_by(scope(data))
    assert by["district"] == [("Alfa", 4), ("Beta", 2)]
    assert by["kind"] == [("Child protection (Tutela Minori)", 5), ("Basic social service", 1)]
    assert by["setting"] == [("Child protection", 4), ("Health", 1), ("School", 1)]
    assert by["language"] == [("Arabic", 4), ("French", 1), ("Ukrainian", 1), ("Chinese", 1)]
    # Every month of the period, the empty ones as 0.
    assert by["month"] == [("01/2025", 1), ("02/2025", 2), ("03/2025", 2), ("04/2025", 1)] + [
        (f"{month:02d}/2025", 0) for month in range(5, 13)
    ]


def test_fulfilment_and_waiting_times(data):
    assert indicators.fulfilment(scope(data)) == {
        "submitted": 6,
        "fulfilled": 5,
        "cancelled": 1,
        "rejected": 0,
        "rate": Decimal("83.3"),
    }
    waits = indicators.waiting_times(scope(data))
    # Waits of 1, 1, 2, 4 and 10 days: median 2; 90th percentile 4 + 0.6 × (10 − 4) = 7.6 days.
    assert waits["count"] == 5
    assert waits["median"] == dt.timedelta(days=2)
    assert waits["p90"] == dt.timedelta(days=7.6)


def test_sessions_hours_and_rates(data):
    assert indicators.sessions(scope(data)) == {
        "held": 5,
        "no_show": 1,
        "cancelled": 2,
        "late": 1,
        "planned": 1,
        "hours": Decimal("5.50"),  # 60 (the report's actual time) + 60 + 120 + 30 + 60 minutes
        "no_show_rate": Decimal("16.7"),  # 1 of 6
        "late_rate": Decimal("12.5"),  # 1 of 8
    }
    by_district = {row["district"]: row for row in indicators.sessions_by_district(scope(data))}
    assert (by_district["Alfa"]["held"], indicators.hours(by_district["Alfa"]["duration"])) == (4, Decimal("5.00"))
    assert (by_district["Beta"]["held"], indicators.hours(by_district["Beta"]["duration"])) == (1, Decimal("0.50"))


def test_families_minors_and_languages_reached(data):
    reach = indicators.reach(scope(data))
    # Five families: (A1, F-1), (A1, F-2), (A2, F-3), (B1, F-1), (A1, F-1B); r4 had no session held.
    assert reach["families"] == 5
    assert reach["adults"] == 2 + 1 + 2 + 1 + 2
    assert reach["minors"] == 3 + 1 + 0 + 2 + 4
    assert reach["languages"] == [("Arabic", 3), ("French", 1), ("Ukrainian", 1), ("Chinese", 1)]
    assert reach["languages_count"] == 4


def test_evaluation_scores_per_criterion_and_side(data):
    rows = indicators.evaluation_scores(scope(data))
    assert [(r["key"], r["side"], r["average"], r["n"]) for r in rows] == [
        ("utilita-test", "mediator", Decimal("5.00"), 1),
        ("utilita-test", "requester", Decimal("4.00"), 3),
    ]


def test_budget_against_spending_with_the_projects_rates(data, no_timesheets):
    budget = indicators.budget(data.project, scope(data, project=data.project))
    rows = {(r["partner"], r["action"]): (r["budget"], r["spent"], r["share"]) for r in budget["rows"]}
    # Alfa: 4 h (r1 60', r2 60', r3 120') × 25 € + 10 km × 0.30 € + 5 € of expenses. Beta: 0.5 h × 25 €.
    assert rows[("Azienda Alfa", "District mediation services")] == (
        Decimal("1000"),
        Decimal("108.00"),
        Decimal("10.8"),
    )
    assert rows[("Consorzio Beta", "District mediation services")] == (Decimal("500"), Decimal("12.50"), Decimal("2.5"))
    assert rows[("Provincia di Padania", "Public seminar")] == (Decimal("300"), Decimal("120.00"), Decimal("40.0"))
    assert (budget["total_budget"], budget["total_spent"], budget["total_share"]) == (
        Decimal("1800"),
        Decimal("240.50"),
        Decimal("13.4"),
    )


def test_a_district_or_a_project_narrows_the_scope(data):
    assert indicators.fulfilment(scope(data, district=data.beta))["submitted"] == 2
    assert indicators.sessions(scope(data, district=data.beta))["held"] == 1
    charged = scope(data, project=data.project)
    assert indicators.fulfilment(charged)["submitted"] == 4
    assert indicators.sessions(charged)["held"] == 4


def test_indicators_take_a_fixed_number_of_queries(data, django_assert_max_num_queries, no_timesheets):
    with django_assert_max_num_queries(22):
        indicators.compute(scope(data))


# --- Suppression -----------------------------------------------------------------------------------------------------


def test_counts_of_one_and_two_are_suppressed_for_the_funder_only():
    assert [shown(n, True) for n in (0, 1, 2, 3, 40)] == [0, SUPPRESSED, SUPPRESSED, 3, 40]
    assert [shown(n, False) for n in (1, 2)] == [1, 2]


def test_the_funders_figures_hide_small_counts_and_what_rests_on_them(data):
    data_funder = indicators.compute(scope(data, suppress=True))
    tables = {t["id"]: t for t in presenters.tables(data_funder)}
    # 6 requests: Beta's 2 read "< 3", and Alfa's 4 is withheld, else 6 − 4 would tell Beta's.
    assert tables["by-district"]["rows"] == [["Alfa", WITHHELD], ["Beta", SUPPRESSED]]
    # Two "< 3" adding up to 6 − 4 = 2 could only be 1 and 1: the 4 is withheld too.
    assert tables["by-setting"]["rows"] == [
        ["Child protection", WITHHELD],
        ["Health", SUPPRESSED],
        ["School", SUPPRESSED],
    ]
    alfa, beta = tables["sessions-by-district"]["rows"]
    assert alfa == ["Alfa", WITHHELD, WITHHELD, SUPPRESSED, SUPPRESSED]
    assert beta == ["Beta", SUPPRESSED, WITHHELD, 0, 0]
    # Languages may be more than one per request: no total to subtract from, only the small counts are hidden.
    assert tables["by-language"]["rows"][0] == ["Arabic", 4]
    # The chart of a hidden count draws no bar and reads as the table.
    assert "&lt; 3" in tables["by-district"]["chart"] and "<rect" not in tables["by-district"]["chart"]
    evaluations = presenters.evaluation_table(data_funder)["rows"]
    assert evaluations[0][2:] == [WITHHELD, SUPPRESSED]
    assert evaluations[1][2:] == [Decimal("4.00"), 3]
    figures = dict(presenters.key_figures(data_funder))
    assert figures["No-shows"] == SUPPRESSED and figures["No-show rate (%)"] == WITHHELD
    assert figures["Sessions held"] == 5


# --- Report jobs -----------------------------------------------------------------------------------------------------


def _job(d, fmt="pdf", **extra):
    return services.report_job_create(
        actor=actor_for(d.staff),
        province=d.province,
        date_from=YEAR_FROM,
        date_to=YEAR_TO,
        format=fmt,
        project=extra.pop("project", d.project),
        **extra,
    )


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_job_is_enqueued_on_commit_and_produces_the_pdf(data, django_capture_on_commit_callbacks, no_timesheets):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = _job(data)
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert (job.status, job.progress, job.error, job.attempts) == ("done", 100, "", 1)
    assert job.file.name.endswith(".pdf") and job.finished_at is not None
    text = pdf_text(job.file.path)
    assert "Famiglie in Padania" in text and "ATS Padania" in text and "Bando 2024 L. 40/98" in text
    assert "Azienda Alfa" in text and "Consorzio Beta" in text
    # The project's requests: 4 submitted, 4 fulfilled, 4 sessions held; the budget's total.
    assert "240,50" in text and "1.800" in text
    for code in ("F-1", "F-2", "F-3", "F-4", "Nota riservata"):
        assert code not in text


def test_the_pdf_holds_the_expected_figures(data, tmp_path, no_timesheets):
    target = tmp_path / "report.pdf"
    with target.open("wb") as stream:
        services.report_write(scope=scope(data), format="pdf", stream=stream)
    text = pdf_text(target)
    lines = {" ".join(line.split()) for line in text.splitlines()}
    with translation.override("it"):
        figures = presenters.key_figures(indicators.compute(scope(data)))
        expected = [f"{label} {str(value).replace('.', ',')}" for label, value in figures]
    missing = [line for line in expected if line not in lines]
    assert not missing, missing
    assert "Requests submitted 6" in expected or "Richieste presentate 6" in expected or expected[0].endswith(" 6")
    assert expected[6].endswith(" 5,50") and expected[2].endswith(" 83,3")
    assert "F-1" not in text and "Nota riservata" not in text


def test_a_second_run_of_the_same_job_does_nothing(data):
    job = _job(data, fmt="csv")
    assert services.report_job_run(job_id=job.pk) is True
    job.refresh_from_db()
    first_file, first_finished = job.file.name, job.finished_at
    assert services.report_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert (job.file.name, job.finished_at, job.attempts) == (first_file, first_finished, 1)


def test_a_running_job_is_not_claimed_twice(data, settings):
    settings.REPORT_JOB_STALE_SECONDS = 120
    settings.CELERY_TASK_ALWAYS_EAGER = True  # run here (in a worker, a live attempt raises Busy: test_reliability)
    job = _job(data, fmt="csv")
    now = timezone.now()
    ReportJob.objects.filter(pk=job.pk).update(status="running", started_at=now, heartbeat_at=now, attempts=1)
    assert services.report_job_run(job_id=job.pk) is False
    # ...unless its worker went silent for longer than the stale interval (a long job keeps its heartbeat fresh).
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=now - dt.timedelta(seconds=121))
    assert services.report_job_run(job_id=job.pk) is True
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2


def test_a_failed_job_says_what_happened_in_words_a_person_understands(data, monkeypatch):
    job = _job(data)

    def broken(scope, stream, progress):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(exports.WRITERS, "pdf", broken)
    assert services.report_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.status == "failed" and not job.file
    assert "Ask for it again" in job.error and "division" not in job.error


def test_a_transient_error_puts_the_job_back_for_a_retry_then_fails_it(data, monkeypatch, settings):
    settings.REPORT_JOB_MAX_ATTEMPTS = 2
    settings.REPORT_JOB_RETRY_SECONDS = 30
    job = _job(data)

    def full_disk(scope, stream, progress):
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(exports.WRITERS, "pdf", full_disk)
    with pytest.raises(services.TryAgain) as again:
        services.report_job_run(job_id=job.pk)
    assert again.value.countdown == 30
    job.refresh_from_db()
    assert job.status == "queued" and job.attempts == 1 and job.state == "retrying" and job.enqueued_at is None
    assert services.report_job_run(job_id=job.pk) is False
    job.refresh_from_db()
    assert job.status == "failed" and "storage" in job.error and job.attempts == 2


def test_expired_jobs_lose_their_file_and_row(data):
    job = _job(data, fmt="csv")
    services.report_job_run(job_id=job.pk)
    job.refresh_from_db()
    path = job.file.path
    kept = _job(data, fmt="csv")
    ReportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert services.report_jobs_expire() == 1
    assert not ReportJob.objects.filter(pk=job.pk).exists()
    assert ReportJob.objects.filter(pk=kept.pk).exists()
    import os

    assert not os.path.exists(path)
    # An expired job that was still queued is not run either.
    assert services.report_job_run(job_id=job.pk) is False


def test_the_funder_always_gets_the_suppressed_version_and_only_its_projects(data):
    job = services.report_job_create(
        actor=actor_for(data.viewer),
        province=data.province,
        project=data.project,
        date_from=YEAR_FROM,
        date_to=YEAR_TO,
        format="csv",
        audience="province",
    )
    assert job.audience == "funder"
    with pytest.raises(NotAllowed):
        services.report_job_create(
            actor=actor_for(data.viewer), province=data.province, date_from=YEAR_FROM, date_to=YEAR_TO, format="pdf"
        )


def test_a_coordinator_reports_on_their_district_only(data):
    with pytest.raises(NotAllowed):
        services.report_job_create(
            actor=actor_for(data.coordinator),
            province=data.province,
            district=data.beta,
            date_from=YEAR_FROM,
            date_to=YEAR_TO,
            format="pdf",
        )
    with pytest.raises(NotAllowed):
        services.report_job_create(
            actor=actor_for(f.province_staff()),
            province=data.province,
            date_from=YEAR_FROM,
            date_to=YEAR_TO,
            format="pdf",
        )


def test_bad_input_is_refused_with_a_message(data):
    with pytest.raises(DomainError, match="period ends before"):
        services.report_job_create(
            actor=actor_for(data.staff), province=data.province, date_from=YEAR_TO, date_to=YEAR_FROM, format="pdf"
        )
    with pytest.raises(DomainError, match="PDF, CSV or XLSX"):
        _job(data, fmt="doc")


# --- Exports ---------------------------------------------------------------------------------------------------------


def test_the_csv_has_one_row_per_session_and_no_case_code(data, no_timesheets):
    stream = io.StringIO()
    written = services.report_write(scope=scope(data), format="csv", stream=stream) or None
    rows = list(csv.reader(io.StringIO(stream.getvalue()), delimiter=";"))
    assert written is None
    assert len(rows) == 1 + 9  # the header, then every appointment of 2025 but the void one
    text = stream.getvalue()
    assert "F-1" not in text and "Nota riservata" not in text
    # The headers are in Italian (the report's language) once translated: read the columns by position.
    first = dict(zip(range(len(rows[0])), rows[1], strict=True))
    assert first[17] == "33,00"  # cost: 60' × 25 € + 10 km × 0.30 € + 5 €
    assert (first[11], first[3]) == ("60", "90")  # actual and planned minutes


def test_the_funders_csv_holds_only_aggregates(data):
    stream = io.StringIO()
    services.report_write(scope=scope(data, suppress=True, project=data.project), format="csv", stream=stream)
    text = stream.getvalue()
    assert "Session" not in text.splitlines()[0]
    assert SUPPRESSED in text


def test_the_xlsx_opens_with_the_sessions_and_the_summaries(data):
    from openpyxl import load_workbook

    stream = io.BytesIO()
    services.report_write(scope=scope(data), format="xlsx", stream=stream)
    workbook = load_workbook(io.BytesIO(stream.getvalue()), read_only=True)
    sessions = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert len(sessions) == 1 + 9
    assert len(workbook.worksheets) > 5
    # Dates and times are date cells (Excel sorts and filters them), not text.
    first = sessions[1]
    assert isinstance(first[1], dt.datetime) and first[1].year == 2025
    assert isinstance(first[2], dt.datetime | dt.time) and not isinstance(first[2], str)


def test_a_pdf_never_lists_more_than_2000_rows():
    tables = [{"rows": [[i] for i in range(1500)]}, {"rows": [[i] for i in range(1500)]}]
    capped, cut = presenters.cap_rows(tables, exports.PDF_MAX_ROWS)
    assert cut and sum(len(t["rows"]) for t in capped) == 2000


# --- The command line ------------------------------------------------------------------------------------------------


def test_the_command_writes_the_same_report(data, tmp_path):
    target = tmp_path / "report.pdf"
    call_command("accountability_report", province="padania", year=2025, format="pdf", output=str(target))
    assert "Famiglie in Padania" in pdf_text(target)
    csv_target = tmp_path / "sessions.csv"
    call_command(
        "accountability_report",
        province="padania",
        year=2025,
        format="csv",
        project=data.project.pk,
        output=str(csv_target),
    )
    assert len(csv_target.read_text(encoding="utf-8-sig").splitlines()) == 1 + 7


def test_the_command_explains_a_wrong_province(data, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="No province"):
        call_command("accountability_report", province="atlantide", year=2025, format="pdf", output=str(tmp_path / "x"))


# --- Quarterly reports -----------------------------------------------------------------------------------------------


def test_the_quarterly_report_is_made_once_and_the_province_staff_are_told(data, mailoutbox):
    jobs = services.quarterly_reports_create(today=dt.date(2025, 4, 1))
    assert [(j.project, j.date_from, j.date_to) for j in jobs] == [
        (data.project, dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    ]
    assert services.report_job_run(job_id=jobs[0].pk) is True
    assert [m.to for m in mailoutbox] == [[data.staff.email]]
    assert str(jobs[0].pk) in mailoutbox[0].body
    assert mailoutbox[0].subject.startswith("[Mediazione] ")
    # The period in words, in the recipient's language (Italian by default), never month-first.
    assert "1 gennaio 2025 – 31 marzo 2025" in mailoutbox[0].body
    assert services.quarterly_reports_create(today=dt.date(2025, 4, 2)) == []


# --- Charging a request to a project ---------------------------------------------------------------------------------


def test_a_coordinator_charges_a_request_of_their_district(data):
    charge = services.project_charge_set(actor=actor_for(data.coordinator), request=data.r6, project=data.project)
    assert charge.project == data.project and charge.charged_by == data.coordinator
    assert services.project_charge_set(actor=actor_for(data.coordinator), request=data.r6, project=None) is None
    assert not ProjectCharge.objects.filter(request=data.r6).exists()
    with pytest.raises(NotAllowed):
        services.project_charge_set(actor=actor_for(data.coordinator_beta), request=data.r6, project=data.project)
    with pytest.raises(DomainError, match="no longer change"):
        services.project_charge_set(actor=actor_for(data.coordinator_beta), request=data.r4, project=data.project)


def test_without_a_providers_rate_the_timesheets_costs_fall_back_on_the_projects_rates(data):
    pytest.importorskip("timesheets.costs")
    budget = indicators.budget(data.project, scope(data, project=data.project))
    spent = {r["partner"]: r["spent"] for r in budget["rows"]}
    assert (spent["Azienda Alfa"], spent["Consorzio Beta"]) == (Decimal("108.00"), Decimal("12.50"))


def provider_rate(data):
    """The cooperative's rate from 2024 on: 30 € an hour, 0,40 € a km, travel time unpaid."""
    from timesheets.models import Rate

    return Rate.objects.create(
        provider=data.mediator.provider,
        valid_from=dt.date(2024, 1, 1),
        hourly_rate=Decimal("30"),
        km_rate=Decimal("0.40"),
        travel_hourly_rate=Decimal("0"),
    )


def test_with_a_providers_rate_the_sessions_cost_what_the_timesheets_say(data):
    costs = pytest.importorskip("timesheets.costs")
    provider_rate(data)
    charged = Appointment.objects.filter(request__in=[data.r1, data.r2, data.r3], starts_at__year=2025)
    expected = sum(
        (row.cost or Decimal("0") for row in costs.annotate_costs(charged.exclude(status="void"))), Decimal("0")
    )
    budget = indicators.budget(data.project, scope(data, project=data.project))
    spent = {r["partner"]: r["spent"] for r in budget["rows"]}
    assert spent["Azienda Alfa"] == expected.quantize(Decimal("0.01"))
    # r1's reported hour (30 €) + 10 km (4 €) + 5 €, and r2's late cancellation (its planned hour, 30 €); the
    # sessions held without a report are owed nothing yet, by the timesheets' rules.
    assert spent["Azienda Alfa"] == Decimal("69.00")


# --- The Celery task and the schedule --------------------------------------------------------------------------------


def test_the_task_is_acked_late_rejected_on_a_lost_worker_and_retries_a_transient_error(data, monkeypatch, settings):
    from reporting.tasks import report_job_run_task

    assert report_job_run_task.acks_late is True and report_job_run_task.reject_on_worker_lost is True
    settings.REPORT_JOB_MAX_ATTEMPTS = 3
    job = _job(data)
    calls = []

    def full_disk(scope, stream, progress):
        calls.append(1)
        raise OSError(28, "No space left on device")

    monkeypatch.setitem(exports.WRITERS, "pdf", full_disk)
    # Run eagerly (no broker: the demo), each retry runs at once: three attempts, then a readable failure.
    report_job_run_task.apply(args=[str(job.pk)])
    job.refresh_from_db()
    assert len(calls) == 3
    assert job.status == "failed" and "storage" in job.error and job.attempts == 3


def test_expiry_and_quarterly_reports_are_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"reporting.tasks.report_jobs_expire_task", "reporting.tasks.quarterly_reports_task"} <= tasks
    assert settings.REPORTS_KEEP_DAYS >= 1


# --- The figures reconcile -------------------------------------------------------------------------------------------


def _csv_cost_total(d, project) -> Decimal:
    stream = io.StringIO()
    services.report_write(scope=scope(d, project=project), format="csv", stream=stream)
    rows = list(csv.reader(io.StringIO(stream.getvalue().lstrip("\ufeff")), delimiter=";"))[1:]
    return sum((italian_decimal(row[17]) for row in rows if row[17]), Decimal("0"))


def italian_decimal(text: str) -> Decimal:
    """1.234,50 as the Italian CSV writes it → Decimal("1234.50")."""
    return Decimal(text.replace(".", "").replace(",", "."))


def test_the_csvs_cost_adds_up_to_the_pdfs_spending_with_and_without_a_providers_rate(data):
    pytest.importorskip("timesheets.costs")

    def pdf_spending():
        return sum(indicators.session_costs_by_district(data.project, scope(data, project=data.project)).values())

    # No provider's rate: held sessions at the project's rates, in both.
    assert _csv_cost_total(data, data.project) == pdf_spending() == Decimal("120.50")
    # With the provider's rate: the timesheets' rules (the late cancellation is paid), in both.
    provider_rate(data)
    assert _csv_cost_total(data, data.project) == pdf_spending()


def test_the_csv_writes_codes_as_words_of_the_reports_language(data, no_timesheets):
    stream = io.StringIO()
    with translation.override("it"):
        services.report_write(scope=scope(data), format="csv", stream=stream)
    text = stream.getvalue()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))[1:]
    assert {row[4] for row in rows} >= {"Svolto"} and "held" not in {row[4] for row in rows}
    assert "in_person" not in text and ";ara;" not in text and "no_show" not in text


def test_long_chart_labels_are_cut_in_the_middle_and_stay_told_apart():
    from reporting.charts import bar_chart, shorten

    alfa, beta = "Servizio Sociale Territoriale di Alfa", "Servizio Sociale Territoriale di Beta"
    assert shorten(alfa) != shorten(beta) and len(shorten(alfa)) == 28
    assert shorten(alfa).endswith("di Alfa") and shorten("Breve") == "Breve"
    svg = bar_chart([(alfa, 3), (beta, 4)], title="Richieste", chart_id="c")
    assert f"<title>{alfa}</title>" in svg
    # Names that differ only in the middle are cut a little longer, until they differ.
    from reporting.charts import distinct_labels

    east, west = "Consorzio dei servizi Est della bassa pianura", "Consorzio dei servizi Ovest della bassa pianura"
    short_east, short_west = distinct_labels([east, west])
    assert short_east != short_west and shorten(east) == shorten(west)


def test_the_pdf_says_what_its_spending_counts_and_that_a_province_wide_report_is_not_the_projects_alone(data):
    with translation.override("it"):
        context = exports.report_context(scope(data))
        html = render_to_string("reporting/pdf/report.html", context)
        charged_only = render_to_string(
            "reporting/pdf/report.html", exports.report_context(scope(data, project=data.project))
        )
    assert 'data-scope="province-wide"' in html and "non imputate al progetto" in html
    assert 'data-scope="province-wide"' not in charged_only
    assert "non è ancora validato" in html
