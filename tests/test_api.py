"""The API as a municipal system uses it: a token made once, requests filed, polled and cancelled, pages that stay
right while rows are added, a retried call that files nothing twice, errors a program can read."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Role
from api.models import ApiToken, IdempotentCall
from api.services import key_hash
from requests_app.models import MediationRequest

from . import factories as f
from .api_support import ApiClient, token_for

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 5, 10, 0, tzinfo=dt.UTC)  # a Thursday


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def office():
    return f.OfficeFactory()


@pytest.fixture
def office_key(office):
    return token_for(role=Role.SOCIAL_WORKER, office=office)[1]


def _request(**changes):
    body = {
        "case_code": "cs-2026-77",
        "service_kind": "cultural_mediation",
        "setting": "school",
        "goal": "Spiegare ai genitori il piano educativo personalizzato.",
        "adults": 2,
        "minors": 1,
        "languages": [{"code": "ara", "variant": "Darija"}],
        "countries": ["ma"],
        "slots": [{"date": "2026-11-12", "start": "09:30", "end": "10:30"}],
    }
    body.update(changes)
    return body


# --- Tokens -----------------------------------------------------------------------------------------------------------


def test_a_token_keeps_only_the_fingerprint_of_its_key_and_acts_as_a_system_account_of_its_office(office):
    token, key = token_for(role=Role.SOCIAL_WORKER, office=office, name="Cartella sociale Comune di Crema")
    stored = ApiToken.objects.get(pk=token.pk)
    assert key.startswith(f"mdz_{stored.prefix}_") and len(key) > 50
    assert stored.key_hash == key_hash(key) and key not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert stored.user.is_system and not stored.user.has_usable_password()
    assert stored.user.memberships.get().office == office
    assert (stored.role, stored.acts_for) == (Role.SOCIAL_WORKER, str(office))
    assert stored.expires_at == NOW + dt.timedelta(days=365)


def test_the_last_use_of_a_token_is_written_at_most_once_a_minute(office_key):
    client = ApiClient(office_key)
    client.get(reverse("api:requests"))
    token = ApiToken.objects.get()
    assert token.last_used_at == NOW
    with time_machine.travel(NOW + dt.timedelta(seconds=30), tick=False):
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("api:requests"))
        assert not any(q["sql"].startswith("UPDATE") for q in queries.captured_queries)
    with time_machine.travel(NOW + dt.timedelta(seconds=61), tick=False):
        client.get(reverse("api:requests"))
    token.refresh_from_db()
    assert token.last_used_at == NOW + dt.timedelta(seconds=61)


def test_province_staff_cannot_make_a_token_for_another_province_nor_for_a_funder():
    from accounts.scoping import actor_for
    from api import services
    from core.errors import DomainError, NotAllowed

    staff = f.province_staff()
    far_office = f.OfficeFactory()
    with pytest.raises(NotAllowed):
        services.token_create(actor=actor_for(staff), name="x", role=Role.SOCIAL_WORKER, office=far_office)
    with pytest.raises(NotAllowed):
        services.token_create(actor=actor_for(staff), name="x", role=Role.FUNDER_VIEWER, funder=f.FunderFactory())
    with pytest.raises(DomainError):
        services.token_create(actor=actor_for(staff), name="  ", role=Role.PROVINCE_STAFF, province=None)
    assert not ApiToken.objects.exists()


# --- Filing, polling, cancelling --------------------------------------------------------------------------------------


def test_an_office_system_files_a_draft_submits_it_and_reads_it_back(office, office_key):
    client = ApiClient(office_key)
    made = client.post(reverse("api:requests"), _request())
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["status"], body["case_code"], body["office"]) == ("draft", "CS-2026-77", office.pk)
    assert body["languages"] == [{"code": "ara", "variant": "Darija"}] and body["countries"] == ["MA"]
    assert body["slots"] == [{"starts_at": "2026-11-12T09:30:00+01:00", "ends_at": "2026-11-12T10:30:00+01:00"}]
    assert made["Location"] == f"/api/v1/requests/{body['id']}/"
    assert "sensitive_notes" not in body

    submitted = client.post(reverse("api:request_submit", args=[body["id"]]))
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    again = client.post(reverse("api:request_submit", args=[body["id"]]))
    assert again.status_code == 409 and again.json()["code"] == "conflict"

    read = client.get(reverse("api:request", args=[body["id"]]))
    assert read.json()["submitted_at"] == "2026-11-05T11:00:00+01:00"
    request = MediationRequest.objects.get()
    assert request.requester.is_system and request.history.count() == 1


def test_a_request_can_be_filed_and_submitted_in_one_call(office_key):
    made = ApiClient(office_key).post(reverse("api:requests"), _request(submit=True))
    assert made.status_code == 201 and made.json()["status"] == "submitted"


def test_the_form_s_own_messages_come_back_by_field_in_the_language_asked_for(office_key):
    wrong = _request(
        adults=0,
        minors=0,
        goal="Chiamare la madre: RSSMRA80A01H501U",
        languages=[{"code": "zzz"}],
        slots=[{"date": "2026-11-01", "start": "09:00", "end": "10:00"}],
        urgency="urgent",
    )
    italian = ApiClient(office_key).post(reverse("api:requests"), wrong)
    assert italian.status_code == 400
    fields = italian.json()["fields"]
    assert italian.json()["code"] == "invalid"
    assert set(fields) == {"adults", "goal", "deadline", "languages[0].code", "slots[0].date"}
    assert "codice fiscale" in fields["goal"][0]
    english = ApiClient(office_key, language="en-GB,en;q=0.8").post(reverse("api:requests"), wrong)
    assert english["Content-Language"] == "en"
    assert english.json()["fields"]["adults"] == ["Count at least one person in the household."]
    assert english.json()["fields"]["slots[0].date"] == ["This time is already past: propose a time in the future."]
    assert not MediationRequest.objects.exists()


def test_a_case_code_the_office_already_used_is_refused_on_its_field(office_key):
    client = ApiClient(office_key, language="en")
    assert client.post(reverse("api:requests"), _request()).status_code == 201
    twice = client.post(reverse("api:requests"), _request())
    assert twice.status_code == 400
    assert twice.json()["fields"] == {"case_code": ["Your office already has a request with this case code."]}
    assert MediationRequest.objects.count() == 1


def test_cancelling_needs_a_reason_and_a_state_that_allows_it(office, office_key):
    client = ApiClient(office_key, language="en")
    closed = f.MediationRequestFactory(office=office, status="closed")
    no_reason = client.post(reverse("api:request_cancel", args=[closed.pk]), {})
    assert no_reason.status_code == 409
    request = f.MediationRequestFactory(office=office, status="submitted")
    no_reason = client.post(reverse("api:request_cancel", args=[request.pk]), {})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    done = client.post(reverse("api:request_cancel", args=[request.pk]), {"reason": "La famiglia si è trasferita."})
    assert done.status_code == 200 and done.json()["status"] == "cancelled"


# --- Lists ------------------------------------------------------------------------------------------------------------


def test_pages_of_requests_stay_right_while_new_requests_arrive(office, office_key):
    first = [f.MediationRequestFactory(office=office, status="submitted") for _ in range(5)]
    client = ApiClient(office_key)
    page = client.get(reverse("api:requests"), {"page_size": 2}).json()
    seen = [row["id"] for row in page["results"]]
    # Two requests arrive while the system reads on: they are newer, so they belong before what was read.
    f.MediationRequestFactory(office=office, status="submitted")
    f.MediationRequestFactory(office=office, status="submitted")
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [row["id"] for row in page["results"]]
    assert seen == sorted((r.pk for r in first), reverse=True)


def test_the_list_filters_by_status_moment_and_case_code(office, office_key):
    old = f.MediationRequestFactory(office=office, status="submitted", case_code="CS-1")
    MediationRequest.objects.filter(pk=old.pk).update(updated_at=NOW - dt.timedelta(days=10))
    f.MediationRequestFactory(office=office, status="draft", case_code="CS-2")
    client = ApiClient(office_key, language="en")

    def ids(**query):
        return [row["case_code"] for row in client.get(reverse("api:requests"), query).json()["results"]]

    assert ids(status="draft") == ["CS-2"]
    assert ids(updated_since="2026-11-01T00:00:00+01:00") == ["CS-2"]
    assert ids(case_code="cs-1") == ["CS-1"]
    wrong = client.get(reverse("api:requests"), {"updated_since": "yesterday"})
    assert wrong.status_code == 400 and "updated_since" in wrong.json()["fields"]
    assert client.get(reverse("api:requests"), {"status": "lost"}).status_code == 400


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_of_requests_runs_the_same_queries_for_3_and_30_rows(
    office, office_key, rows, django_assert_num_queries
):
    for _ in range(rows):
        f.MediationRequestFactory(office=office, status="submitted", languages=["ara:Darija", "fra"])
    client = ApiClient(office_key)
    client.get(reverse("api:requests"))  # the token's last use is written once a minute: not in the count
    # The token with its account, the page of requests with their languages (the account's roles come from the
    # shared cache, as on the pages).
    with django_assert_num_queries(2):
        response = client.get(reverse("api:requests"))
    assert len(response.json()["results"]) == rows


# --- Idempotent filing ------------------------------------------------------------------------------------------------


def test_the_same_idempotency_key_twice_files_one_request_and_answers_the_same(office_key):
    client = ApiClient(office_key)
    first = client.post(reverse("api:requests"), _request(), HTTP_IDEMPOTENCY_KEY="7c1e6a52-a1")
    second = client.post(reverse("api:requests"), _request(), HTTP_IDEMPOTENCY_KEY="7c1e6a52-a1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second["Idempotent-Replayed"] == "true"
    assert MediationRequest.objects.count() == 1
    other = client.post(reverse("api:requests"), _request(case_code="CS-9"), HTTP_IDEMPOTENCY_KEY="7c1e6a52-a1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert MediationRequest.objects.count() == 1


def test_a_refused_call_keeps_no_answer_so_the_key_can_be_used_again_once_corrected(office_key):
    client = ApiClient(office_key)
    refused = client.post(reverse("api:requests"), _request(adults=0, minors=0), HTTP_IDEMPOTENCY_KEY="k-1")
    assert refused.status_code == 400 and not IdempotentCall.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_calls_with_the_same_key_at_once_file_one_request(office_key):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time: the race needs PostgreSQL")
    barrier = threading.Barrier(2)
    answers = []

    def call():
        from django.db import connections

        barrier.wait()
        try:
            answers.append(ApiClient(office_key).post(reverse("api:requests"), _request(), HTTP_IDEMPOTENCY_KEY="race"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [201, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert MediationRequest.objects.count() == 1


# --- Errors -----------------------------------------------------------------------------------------------------------


def test_every_error_under_api_is_json_with_a_stable_code(office_key, settings):
    client = ApiClient(office_key)
    unknown = client.get("/api/v1/nothing-here/")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    wrong_method = client.client.delete(reverse("api:requests"), **client.headers)
    assert wrong_method.status_code == 405 and wrong_method.json()["code"] == "method_not_allowed"
    not_json = client.post(reverse("api:requests"), "{not json")
    assert not_json.status_code == 400 and not_json.json()["code"] == "invalid"
    not_an_object = client.post(reverse("api:requests"), "[1, 2]")
    assert not_an_object.status_code == 400
    bad_header = ApiClient().get(reverse("api:requests"), HTTP_AUTHORIZATION="Bearer")
    assert bad_header.status_code == 401 and bad_header.json()["code"] == "authentication_failed"


def test_beyond_its_rate_a_token_is_told_when_to_come_back(office_key, settings):
    settings.API_RATE = "3/min"
    client = ApiClient(office_key, language="en")
    assert [client.get(reverse("api:requests")).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get(reverse("api:requests"))
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert 1 <= int(refused["Retry-After"]) <= 60


def test_an_unexpected_failure_is_a_json_500_without_a_trace(office_key, monkeypatch):
    from api import views_requests

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(views_requests, "_request_queryset", broken)
    response = ApiClient(office_key).get(reverse("api:requests"))
    assert response.status_code == 500
    assert response.json()["code"] == "server_error" and "fire" not in response.content.decode()


def test_reading_a_request_through_the_api_is_in_the_read_audit(office, office_key):
    from audit.models import ReadEvent

    request = f.MediationRequestFactory(office=office, status="submitted")
    ApiClient(office_key).get(reverse("api:request", args=[request.pk]))
    event = ReadEvent.objects.get()
    assert (event.object_id, event.user.is_system, event.role) == (request.pk, True, Role.SOCIAL_WORKER)


# --- The schema -------------------------------------------------------------------------------------------------------


def test_the_schema_is_valid_openapi_and_covers_every_endpoint():
    import io

    from django.core.management import call_command
    from django.urls import get_resolver

    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    schema = json.loads(out.getvalue())
    assert schema["openapi"].startswith("3.")
    documented = set(schema["paths"])
    resolver = get_resolver()
    api = next(p for p in resolver.url_patterns if getattr(p, "namespace", None) == "api")
    endpoints = {
        "/api/" + str(p.pattern).replace("<int:pk>", "{id}").replace("<uuid:pk>", "{id}")
        for p in api.url_patterns
        if str(p.pattern).startswith("v1/")
    }
    assert endpoints == documented
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_the_documentation_page_serves_its_assets_from_the_portal():
    response = ApiClient().get(reverse("api:docs"))
    html = response.content.decode()
    assert response.status_code == 200 and "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()


# --- Hostile input ----------------------------------------------------------------------------------------------------


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["", "\x00", "<script>alert(1)</script>", "2026-02-30", "25:99", "ara", "urgent", "9" * 400]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
FIELDS = sorted(_request()) + ["submit", "deadline", "urgency", "mode", "place", "sensitive_notes", "reason"]
BODIES = st.one_of(
    st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=8).map(lambda changes: _request(**changes)),
    VALUES,
)


@pytest.fixture
def hostile_world(office, office_key):
    draft = f.MediationRequestFactory(office=office, status="draft")
    submitted = f.MediationRequestFactory(office=office, status="submitted")
    return {"key": office_key, "draft": draft, "submitted": submitted}


@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES, where=st.sampled_from(["create", "submit", "cancel"]))
def test_hostile_bodies_on_every_write_endpoint_never_make_a_500_nor_half_a_request(hostile_world, body, where):
    address = {
        "create": reverse("api:requests"),
        "submit": reverse("api:request_submit", args=[hostile_world["draft"].pk]),
        "cancel": reverse("api:request_cancel", args=[hostile_world["submitted"].pk]),
    }[where]
    before = MediationRequest.objects.count()
    response = ApiClient(hostile_world["key"]).post(address, json.dumps(body, default=str))
    assert response.status_code < 500, response.content
    assert response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        assert MediationRequest.objects.count() == before
        assert set(response.json()) <= {"code", "message", "fields"}
    elif where == "create":
        MediationRequest.objects.filter(pk=response.json()["id"]).delete()


def test_a_rate_that_is_not_a_rate_is_reported_by_the_check_and_the_default_is_used(tmp_path):
    from .test_settings import run_check

    result = run_check(tmp_path, DEBUG="1", API_RATE="molte al minuto")
    assert "API_RATE='molte al minuto' is not a rate like 120/min" in result.stderr
