"""Reports through the API as the reporting pages make them: asked for with the page's choices and the service's
messages, followed until ready, downloaded (audited like the page's download), the funder's version for the funder's
token, another province's report a 404, a file asked for too early a 409."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Role
from accounts.scoping import actor_for
from audit.models import ReadEvent
from reporting import exports, services
from reporting.models import ReportJob

from . import factories as f
from .api_support import ApiClient, token_for
from .test_reporting import build_data

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)  # a Tuesday, within the project (2024–2026)
YEAR_2025 = {"date_from": "2025-01-01", "date_to": "2025-12-31"}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def data():
    return build_data()  # one province (Padania), two districts, a funded project, ten sessions, with its aggregates


@pytest.fixture
def staff_key(data):
    return token_for(role=Role.PROVINCE_STAFF, province=data.province)[1]


def _job(data, **fields) -> ReportJob:
    """A job of the province asked for by its staff, not run."""
    fields = {"format": "csv", "date_from": dt.date(2025, 1, 1), "date_to": dt.date(2025, 12, 31), **fields}
    return services.report_job_create(actor=actor_for(data.staff), province=data.province, **fields)


def _file(response) -> bytes:
    return b"".join(response.streaming_content)


# --- Asking, polling, downloading -------------------------------------------------------------------------------------


def test_province_staff_ask_for_a_csv_poll_it_until_ready_and_download_it(
    data, staff_key, django_capture_on_commit_callbacks
):
    client = ApiClient(staff_key)
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("api:report_jobs"), {"format": "csv", "project": data.project.pk, **YEAR_2025})
        # Answered before the background service took it (it is handed over once the transaction commits).
        assert asked.status_code == 202, asked.content
        assert asked.json()["status"] == "queued" and asked.json()["download"] is None
    job = ReportJob.objects.get()
    assert asked["Location"] == reverse("api:report_job", args=[job.pk])
    assert job.requested_by.is_system and (job.project, job.format, job.audience) == (data.project, "csv", "province")

    polled = client.get(asked["Location"]).json()
    download = f"http://testserver{reverse('api:report_job_download', args=[job.pk])}"
    assert (polled["status"], polled["state"], polled["progress"]) == ("done", "done", 100)
    assert polled["download"] == download
    assert (polled["province"], polled["project"], polled["date_from"], polled["date_to"]) == (
        data.province.pk,
        data.project.pk,
        "2025-01-01",
        "2025-12-31",
    )
    assert polled["error"] is None and polled["expires_at"] == "2026-04-09T11:00:00+02:00"  # 30 days on, Italian time

    response = client.get(polled["download"])
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="rendicontazione-padania-progetto-{data.project.pk}-20250101-20251231.csv"'
    )
    lines = _file(response).decode("utf-8-sig").splitlines()
    # The session rows of the province's version, as the page's download: the header and seven sessions.
    assert lines[0].startswith("Incontro;Data;") and len(lines) == 1 + 7
    event = ReadEvent.objects.get()
    assert (event.what, event.kind, event.role) == (f"reporting.report.csv:{job.pk}", "export", Role.PROVINCE_STAFF)


def test_a_pdf_asked_for_by_the_province_is_a_pdf(data, staff_key, django_capture_on_commit_callbacks):
    client = ApiClient(staff_key)
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("api:report_jobs"), {"format": "pdf", "district": data.alfa.pk, "year": 2025})
    assert asked.status_code == 202, asked.content
    assert (asked.json()["district"], asked.json()["date_from"], asked.json()["date_to"]) == (
        data.alfa.pk,
        "2025-01-01",
        "2025-12-31",
    )
    response = client.get(client.get(asked["Location"]).json()["download"], HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert _file(response).startswith(b"%PDF-")


def test_the_funder_s_token_gets_the_funder_s_version_whatever_it_asks(data, django_capture_on_commit_callbacks):
    client = ApiClient(token_for(role=Role.FUNDER_VIEWER, funder=data.funder)[1])
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("api:report_jobs"), {"format": "csv", "audience": "province", **YEAR_2025})
    assert asked.status_code == 202, asked.content
    # Its project by default, as on its dashboard; counts below 3 hidden, as on its pages.
    assert (asked.json()["project"], asked.json()["audience"]) == (data.project.pk, "funder")
    text = _file(client.get(client.get(asked["Location"]).json()["download"])).decode("utf-8-sig")
    assert "< 3" in text and not text.startswith("Incontro;")
    assert "F-1" not in text  # aggregates only, never a case code


def test_a_coordinator_asks_for_their_district_and_cannot_ask_for_another(data, django_capture_on_commit_callbacks):
    client = ApiClient(token_for(role=Role.COORDINATOR, district=data.alfa)[1], language="en")
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(reverse("api:report_jobs"), {"format": "csv", **YEAR_2025})
    assert asked.status_code == 202 and asked.json()["district"] == data.alfa.pk
    refused = client.post(reverse("api:report_jobs"), {"format": "csv", "district": data.beta.pk})
    assert refused.status_code == 400
    assert refused.json()["fields"] == {"district": ["Choose one of the districts in the list."]}
    assert ReportJob.objects.count() == 1


# --- Who sees which report --------------------------------------------------------------------------------------------


def test_another_province_s_report_is_a_404_and_a_coordinator_sees_only_their_own(data, staff_key):
    job = _job(data)
    services.report_job_run(job_id=job.pk)
    outsiders = [
        token_for(role=Role.PROVINCE_STAFF, province=f.ProvinceFactory())[1],
        token_for(role=Role.COORDINATOR, district=data.alfa)[1],  # of the province: not theirs
        token_for(role=Role.FUNDER_VIEWER, funder=data.funder)[1],
    ]
    for key in outsiders:
        client = ApiClient(key)
        for name in ("api:report_job", "api:report_job_download"):
            response = client.get(reverse(name, args=[job.pk]))
            assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert client.get(reverse("api:report_jobs")).json()["results"] == []
    assert ApiClient(staff_key).get(reverse("api:report_job_download", args=[job.pk])).status_code == 200
    assert not ReadEvent.objects.exclude(role=Role.PROVINCE_STAFF).exists()


def test_an_office_or_a_mediator_may_not_ask_for_reports(data):
    office = ApiClient(token_for(role=Role.SOCIAL_WORKER, office=data.a1)[1], language="en")
    response = office.post(reverse("api:report_jobs"), {"format": "csv"})
    assert (response.status_code, response.json()["message"]) == (403, "Your role cannot use this endpoint.")
    assert not ReportJob.objects.exists()


def test_the_list_is_newest_first_in_cursor_pages_and_filters_by_status(data, staff_key):
    jobs = []
    for days in (3, 2, 1):
        with time_machine.travel(NOW - dt.timedelta(days=days), tick=False):
            jobs.append(_job(data))
    services.report_job_run(job_id=jobs[0].pk)
    client = ApiClient(staff_key)
    first = client.get(reverse("api:report_jobs"), {"page_size": 2}).json()
    second = client.get(first["next"]).json()
    assert [j["id"] for j in first["results"] + second["results"]] == [str(j.pk) for j in reversed(jobs)]
    assert second["next"] is None
    done = client.get(reverse("api:report_jobs"), {"status": "done"}).json()["results"]
    assert [j["id"] for j in done] == [str(jobs[0].pk)]
    assert client.get(reverse("api:report_jobs"), {"status": "ready"}).status_code == 400


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_of_reports_runs_the_same_queries_for_3_and_30_jobs(rows, data, staff_key, django_assert_num_queries):
    for _ in range(rows):
        _job(data, district=data.alfa, project=data.project)
    client = ApiClient(staff_key)
    client.get(reverse("api:report_jobs"))
    # The token with its account; the page of jobs (with province, district, project and who asked: one join).
    with django_assert_num_queries(2):
        body = client.get(reverse("api:report_jobs"), {"page_size": 50}).json()
    assert len(body["results"]) == rows


# --- Too early, failed, expired ---------------------------------------------------------------------------------------


def test_a_file_asked_for_before_it_is_ready_is_a_409_in_json_whatever_the_accept_header(data, staff_key):
    job = _job(data)
    client = ApiClient(staff_key, language="en")
    response = client.get(reverse("api:report_job_download", args=[job.pk]), HTTP_ACCEPT="text/csv")
    assert response.status_code == 409 and response["Content-Type"].startswith("application/json")
    assert response.json() == {"code": "conflict", "message": "This report is still being prepared."}
    italian = ApiClient(staff_key).get(reverse("api:report_job_download", args=[job.pk]))
    assert italian.json()["message"] == "Questo report è ancora in preparazione."
    assert client.get(reverse("api:report_job", args=[job.pk])).json()["download"] is None
    assert not ReadEvent.objects.exists()


def test_a_failed_report_says_why_and_its_download_is_a_409(data, staff_key, monkeypatch):
    job = _job(data)

    def broken(*args, **kwargs):
        raise RuntimeError("a defect")

    monkeypatch.setitem(exports.WRITERS, "csv", broken)
    services.report_job_run(job_id=job.pk)
    client = ApiClient(staff_key, language="en")
    polled = client.get(reverse("api:report_job", args=[job.pk])).json()
    assert (polled["status"], polled["download"]) == ("failed", None)
    # Written when it failed, in the portal's language (the worker's), as the page shows it.
    assert polled["error"].startswith("Non è stato possibile preparare il report per un errore del portale.")
    response = client.get(reverse("api:report_job_download", args=[job.pk]))
    assert response.status_code == 409
    assert response.json()["message"] == "This report could not be prepared, so there is no file: ask for it again."


def test_a_failed_report_is_prepared_again_as_a_new_job_and_one_still_running_is_a_409(
    data, staff_key, monkeypatch, django_capture_on_commit_callbacks
):
    job = _job(data)
    monkeypatch.setitem(exports.WRITERS, "csv", lambda *args, **kwargs: 1 / 0)
    services.report_job_run(job_id=job.pk)
    monkeypatch.undo()
    client = ApiClient(staff_key, language="en")
    waiting = _job(data, format="xlsx")
    response = client.post(reverse("api:report_job_repeat", args=[waiting.pk]))
    assert response.status_code == 409 and response.json()["message"] == "This report is still being prepared."

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("api:report_job_repeat", args=[job.pk]))
    assert response.status_code == 202
    again = ReportJob.objects.get(pk=response.json()["id"])
    assert response["Location"] == reverse("api:report_job", args=[again.pk])
    assert again.pk != job.pk
    assert (again.province, again.format, again.date_from, again.date_to, again.audience) == (
        job.province, job.format, job.date_from, job.date_to, job.audience
    )  # fmt: skip
    # Run by the background service (eager here): this time the file is there.
    polled = client.get(reverse("api:report_job", args=[again.pk])).json()
    assert polled["status"] == "done" and polled["download"]
    lines = _file(client.get(polled["download"])).decode("utf-8-sig").splitlines()
    fresh = _job(data)
    services.report_job_run(job_id=fresh.pk)
    fresh.refresh_from_db()
    with fresh.file.open("rb") as handle:
        expected = handle.read().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Incontro;Data;") and lines == expected  # what the first run owed


def test_another_province_s_report_cannot_be_prepared_again(data, staff_key):
    from . import factories as f

    elsewhere = f.ProvinceFactory()
    other_staff = f.province_staff(province=elsewhere)
    job = services.report_job_create(
        actor=actor_for(other_staff), province=elsewhere, format="csv",
        date_from=dt.date(2025, 1, 1), date_to=dt.date(2025, 12, 31),
    )  # fmt: skip
    before = ReportJob.objects.count()
    response = ApiClient(staff_key).post(reverse("api:report_job_repeat", args=[job.pk]))
    assert response.status_code == 404 and ReportJob.objects.count() == before


def test_an_expired_report_is_gone_as_on_the_pages(data, staff_key):
    job = _job(data)
    services.report_job_run(job_id=job.pk)
    with time_machine.travel(NOW + dt.timedelta(days=31), tick=False):
        services.report_jobs_expire()
        client = ApiClient(staff_key)
        for name in ("api:report_job", "api:report_job_download"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404


# --- Mistakes, in the caller's language -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "italian", "english"),
    [
        ({"format": "doc"}, "format", "Scegli PDF, CSV o XLSX.", "Choose PDF, CSV or XLSX."),
        ({}, "format", "Scegli PDF, CSV o XLSX.", "Choose PDF, CSV or XLSX."),
        (
            {"format": "csv", "date_from": "2025-12-31", "date_to": "2025-01-01"},
            "date_to",
            "Il periodo termina prima di iniziare.",
            "The period ends before it starts.",
        ),
        (
            {"format": "csv", "project": 999999},
            "project",
            "Scegli uno dei progetti dell'elenco.",
            "Choose one of the projects in the list.",
        ),
        (
            {"format": "csv", "date_from": "0001-01-01", "date_to": "0001-01-31"},
            "date_from",
            "Scegli un periodo tra il 2000 e il 2100.",
            "Choose a period between 2000 and 2100.",
        ),
        ({"format": "csv", "year": "duemila"}, "year", "Indica un anno, ad es. 2026.", "Give a year, e.g. 2026."),
        (
            {"format": "csv", "year": 2025, "date_to": "2025-06-30"},
            "year",
            "Indica un anno oppure un periodo (date_from e date_to), non entrambi.",
            "Give either a year or a period (date_from and date_to), not both.",
        ),
    ],
)
def test_mistakes_come_back_on_their_field_with_the_page_s_message_in_the_language_asked_for(
    data, staff_key, body, field, italian, english
):
    for language, message in (("it", italian), ("en", english)):
        response = ApiClient(staff_key, language=language).post(reverse("api:report_jobs"), body)
        assert response.status_code == 400, response.content
        assert response.json()["fields"][field] == [message]
        assert response["Content-Language"] == language
    assert not ReportJob.objects.exists()


def test_a_district_of_another_province_is_refused_not_silently_dropped(data, staff_key):
    elsewhere = f.DistrictFactory()
    response = ApiClient(staff_key, language="en").post(
        reverse("api:report_jobs"), {"format": "csv", "district": elsewhere.pk}
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"district": ["Choose one of the districts in the list."]}
    assert not ReportJob.objects.exists()


# --- Retrying safely --------------------------------------------------------------------------------------------------


def test_the_same_idempotency_key_twice_asks_for_one_report(data, staff_key):
    client = ApiClient(staff_key)
    body = {"format": "csv", **YEAR_2025}
    first = client.post(reverse("api:report_jobs"), body, HTTP_IDEMPOTENCY_KEY="rendiconto-2025")
    again = client.post(reverse("api:report_jobs"), body, HTTP_IDEMPOTENCY_KEY="rendiconto-2025")
    assert (first.status_code, again.status_code) == (202, 202)
    assert again["Idempotent-Replayed"] == "true" and again["Location"] == first["Location"]
    assert again.json()["id"] == first.json()["id"] and ReportJob.objects.count() == 1
    other = client.post(reverse("api:report_jobs"), {"format": "pdf"}, HTTP_IDEMPOTENCY_KEY="rendiconto-2025")
    assert other.status_code == 422 and ReportJob.objects.count() == 1


# --- Hostile input ----------------------------------------------------------------------------------------------------


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["", "\x00", "<script>", "2026-02-30", "0001-01-01", "9999-12-31", "csv", "funder", "9" * 400]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
FIELDS = ["format", "audience", "year", "date_from", "date_to", "district", "project"]
BODIES = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=7).map(lambda changes: {"format": "csv", **changes}),
    VALUES,
)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES)
def test_hostile_bodies_never_make_a_500_nor_half_a_job(data, staff_key, body):
    before = ReportJob.objects.count()
    response = ApiClient(staff_key).post(reverse("api:report_jobs"), json.dumps(body, default=str))
    assert response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        assert ReportJob.objects.count() == before
        assert set(response.json()) <= {"code", "message", "fields"}
    else:
        assert response.status_code == 202
        ReportJob.objects.filter(pk=response.json()["id"]).delete()
