"""A mediator's system writes the reports of the mediator's sessions through the API: the same form and service as
the report page (the same messages under the same names, in the language asked for), drafts corrected with PATCH and
submitted, 404 outside the token's scope, 409 when the state forbids it, 403 for the roles that only read, and never
the sensitive notes in an answer."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import Role
from accounts.scoping import actor_for
from scheduling.models import Appointment
from sessions_app import services as report_services
from sessions_app.models import SessionReport

from .api_support import ApiClient, token_for
from .conftest import login_client
from .report_factories import make_world, write

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 5, 15, 0, tzinfo=dt.UTC)  # a Thursday afternoon
NOTES = "Il padre chiede di rivedere la data dell'udienza."


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world():
    return make_world(sessions=2, expected_sessions=2)


def mediator_key(world) -> str:
    return token_for(role=Role.MEDIATOR, mediator=world.mediator_user.memberships.get())[1]


def _typed(appointment, **changes) -> dict:
    """What a mediator types for a session held as planned, from 10:00 to 11:15 on the appointment's day."""
    body = {
        "date": timezone.localtime(appointment.starts_at).date().isoformat(),
        "start": "10:00",
        "end": "11:15",
        "outcome": "held",
        "outcome_reason": "",
        "mode": "in_person",
        "adults_present": 2,
        "minors_present": 1,
        "operators_present": 1,
        "language": "ara",
        "language_variant": "Darija",
        "travel_km": 12.5,
        "travel_minutes": 25,
        "expenses": 3.4,
        "expenses_note": "Parcheggio",
        "sensitive_notes": NOTES,
    }
    body.update(changes)
    return body


WRITTEN = [
    "mode",
    "outcome",
    "outcome_reason",
    "adults_present",
    "minors_present",
    "operators_present",
    "language",
    "language_variant",
    "travel_km",
    "travel_minutes",
    "expenses",
    "expenses_note",
    "sensitive_notes",
    "status",
    "written_by",
]


# --- Writing ----------------------------------------------------------------------------------------------------------


def test_a_mediator_s_system_files_a_report_saved_exactly_as_the_page_saves_it(world):
    by_api, by_page = world.appointments
    made = ApiClient(mediator_key(world)).post(
        reverse("api:session_reports"), {"appointment": by_api.pk, **_typed(by_api)}
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert made["Location"] == reverse("api:session_report", args=[body["id"]])
    assert (body["appointment"], body["request"], body["status"]) == (by_api.pk, world.request.pk, "draft")
    assert body["started_at"] == timezone.localtime(by_api.starts_at).isoformat()

    page = login_client(world.mediator_user).post(
        reverse("sessions:report_write", args=[by_page.pk]), {**_typed(by_page), "action": "save"}
    )
    assert page.status_code == 302
    api_report, page_report = (
        SessionReport.objects.get(appointment=by_api),
        SessionReport.objects.get(appointment=by_page),
    )
    assert model_to_dict(api_report, fields=WRITTEN) == model_to_dict(page_report, fields=WRITTEN)
    assert api_report.ended_at - api_report.started_at == dt.timedelta(minutes=75)
    assert api_report.sensitive_notes == NOTES and NOTES not in made.content.decode()
    assert Appointment.objects.get(pk=by_api.pk).status == Appointment.Status.HELD


def test_fields_left_out_keep_what_the_page_shows_then_a_patch_corrects_and_submit_sends(world):
    appointment = world.appointments[0]
    client = ApiClient(mediator_key(world))
    made = client.post(reverse("api:session_reports"), {"appointment": appointment.pk})
    assert made.status_code == 201, made.content
    report = SessionReport.objects.get(pk=made.json()["id"])
    # The page's pre-filled values: the planned times and mode, held, the request's household, its language.
    assert (report.started_at, report.ended_at) == (appointment.starts_at, appointment.ends_at)
    assert (report.outcome, report.mode, report.language) == ("held", "in_person", "ara")
    assert (report.adults_present, report.minors_present) == (world.request.adults, world.request.minors)

    changed = client.patch(
        reverse("api:session_report", args=[report.pk]), {"end": "11:30", "sensitive_notes": NOTES, "minors_present": 0}
    )
    assert changed.status_code == 200, changed.content
    report.refresh_from_db()
    assert report.ended_at - report.started_at == dt.timedelta(minutes=90)
    assert (report.minors_present, report.adults_present, report.sensitive_notes) == (0, world.request.adults, NOTES)
    assert NOTES not in changed.content.decode()

    kept = client.patch(reverse("api:session_report", args=[report.pk]), {"travel_minutes": 10})
    report.refresh_from_db()
    assert kept.status_code == 200 and (report.travel_minutes, report.sensitive_notes) == (10, NOTES)

    sent = client.post(reverse("api:session_report_submit", args=[report.pk]))
    assert sent.status_code == 200 and sent.json()["status"] == "submitted" and sent.json()["submitted_at"]
    assert NOTES not in sent.content.decode()


def test_a_report_can_be_written_and_submitted_in_one_call(world):
    appointment = world.appointments[0]
    made = ApiClient(mediator_key(world)).post(
        reverse("api:session_reports"), {"appointment": appointment.pk, **_typed(appointment), "submit": True}
    )
    assert made.status_code == 201 and made.json()["status"] == "submitted"
    assert SessionReport.objects.get().submitted_by == world.mediator_user


def test_the_form_s_messages_come_back_by_field_in_the_language_asked_for(world):
    appointment = world.appointments[0]
    wrong = {"appointment": appointment.pk, **_typed(appointment, end="09:00", adults_present=31, language="zzz")}
    italian = ApiClient(mediator_key(world)).post(reverse("api:session_reports"), wrong)
    assert italian.status_code == 400 and italian.json()["code"] == "invalid"
    assert italian["Content-Language"] == "it"
    fields = italian.json()["fields"]
    assert set(fields) == {"end", "adults_present", "language"}
    assert fields["end"] == ["L'incontro deve finire dopo l'inizio."]

    english = ApiClient(mediator_key(world), language="en-GB,en;q=0.8").post(reverse("api:session_reports"), wrong)
    assert english["Content-Language"] == "en"
    assert english.json()["message"] == "The report was not saved: see fields."
    assert english.json()["fields"] == {
        "end": ["The session must end after it starts."],
        "adults_present": ["Ensure this value is less than or equal to 30."],
        "language": ["Select a valid choice. zzz is not one of the available choices."],
    }
    assert not SessionReport.objects.exists()


def test_a_rule_of_the_service_comes_back_on_the_form_s_field(world):
    appointment = world.appointments[0]
    client = ApiClient(mediator_key(world), language="en")
    partly = client.post(
        reverse("api:session_reports"), {"appointment": appointment.pk, **_typed(appointment, outcome="partly")}
    )
    assert partly.status_code == 400
    assert partly.json()["fields"] == {
        "outcome_reason": ["Say what happened: who did not come, what was left out, or why it was cancelled."]
    }
    # The service's ``started_at`` is the form's ``start``.
    far = client.post(
        reverse("api:session_reports"),
        {"appointment": appointment.pk, **_typed(appointment, start="23:00", end="23:30")},
    )
    assert far.status_code == 400 and set(far.json()["fields"]) == {"start"}
    assert not SessionReport.objects.exists()
    assert Appointment.objects.get(pk=appointment.pk).status == Appointment.Status.PLANNED


def test_a_shape_that_is_not_a_report_is_refused_before_the_form(world):
    client = ApiClient(mediator_key(world), language="en")
    response = client.post(
        reverse("api:session_reports"), {"appointment": "one", "date": "2026-02-30", "travel_km": "NaN"}
    )
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"appointment", "date", "travel_km"}
    assert client.post(reverse("api:session_reports"), {"date": "2026-11-03"}).json()["fields"] == {
        "appointment": ["This field is required."]
    }


# --- Scope, state and role --------------------------------------------------------------------------------------------


def test_another_mediator_s_appointment_and_report_are_not_found(world):
    elsewhere = make_world(sessions=1)
    theirs = write(elsewhere, submit=False)
    client = ApiClient(mediator_key(world), language="en")
    for response in (
        client.post(reverse("api:session_reports"), {"appointment": elsewhere.appointments[0].pk}),
        client.post(reverse("api:session_reports"), {"appointment": 987654}),
        client.patch(reverse("api:session_report", args=[theirs.pk]), {"travel_minutes": 5}),
        client.post(reverse("api:session_report_submit", args=[theirs.pk])),
    ):
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": "Not found, or not yours to see."}
    assert SessionReport.objects.get().status == "draft" and SessionReport.objects.get().travel_minutes == 25


def test_a_submitted_report_cannot_be_changed_nor_submitted_again(world):
    report = write(world)
    client = ApiClient(mediator_key(world))
    changed = client.patch(reverse("api:session_report", args=[report.pk]), {"travel_minutes": 5})
    assert changed.status_code == 409 and changed.json()["code"] == "conflict"
    assert changed.json()["message"].startswith("Questo resoconto è “")
    assert changed.json()["message"].endswith("non si può più modificare.")
    again = ApiClient(mediator_key(world), language="en").post(reverse("api:session_report_submit", args=[report.pk]))
    assert again.status_code == 409
    assert again.json()["message"] == "This report is “Submitted”: it can no longer be changed."
    twice = client.post(reverse("api:session_reports"), {"appointment": report.appointment_id})
    assert twice.status_code == 409
    assert reverse("api:session_report", args=[report.pk]) in twice.json()["message"]
    report.refresh_from_db()
    assert (report.status, report.travel_minutes) == ("submitted", 25)


def test_a_report_sent_back_is_corrected_and_submitted_again(world):
    report = write(world)
    report_services.report_send_back(
        actor=actor_for(world.coordinator), report=report, reason="Manca il tempo di viaggio del ritorno."
    )
    client = ApiClient(mediator_key(world))
    assert client.patch(reverse("api:session_report", args=[report.pk]), {"travel_minutes": 50}).status_code == 200
    sent = client.post(reverse("api:session_report_submit", args=[report.pk]))
    assert sent.status_code == 200 and sent.json()["status"] == "submitted"
    report.refresh_from_db()
    assert report.travel_minutes == 50


def test_an_appointment_not_started_yet_has_no_report(world):
    later = Appointment.objects.create(
        request=world.request,
        mediator=world.mediator,
        starts_at=NOW + dt.timedelta(days=1),
        ends_at=NOW + dt.timedelta(days=1, hours=1),
        place="Via Dante 134, Cremona",
        mode="in_person",
        created_by=world.coordinator,
    )
    response = ApiClient(mediator_key(world), language="en").post(
        reverse("api:session_reports"), {"appointment": later.pk}
    )
    assert response.status_code == 409
    assert response.json()["message"] == "The report is written once the appointment has started."
    assert not SessionReport.objects.exists()


def test_a_month_whose_timesheet_is_approved_takes_no_new_report(world):
    from timesheets import services as timesheet_services

    from . import timesheet_factories as tf

    month = tf.month_world(held=1)
    sheet = timesheet_services.timesheet_submit(
        actor=actor_for(month.mediator_user), mediator=month.mediator, district=month.district, month=tf.last_month()
    )
    timesheet_services.timesheet_approve(actor=actor_for(month.coordinator), timesheet=sheet)
    forgotten = tf.appointment_on(month.request, tf.last_month() + dt.timedelta(days=10))
    key = token_for(role=Role.MEDIATOR, mediator=month.mediator_user.memberships.get())[1]
    response = ApiClient(key, language="en").post(reverse("api:session_reports"), {"appointment": forgotten.pk})
    assert response.status_code == 409 and "approved" in response.json()["message"]
    assert not SessionReport.objects.filter(appointment=forgotten).exists()


def test_the_roles_that_read_reports_cannot_write_them(world):
    report = write(world, world.appointments[0], submit=False)
    appointment = world.appointments[1]
    for key in (
        token_for(role=Role.SOCIAL_WORKER, office=world.office)[1],
        token_for(role=Role.COORDINATOR, district=world.district)[1],
        token_for(role=Role.PROVINCE_STAFF, province=world.province)[1],
    ):
        client = ApiClient(key, language="en")
        assert client.get(reverse("api:session_report", args=[report.pk])).status_code == 200
        refused = client.post(reverse("api:session_reports"), {"appointment": appointment.pk, **_typed(appointment)})
        assert refused.status_code == 403
        assert refused.json()["message"] == "Your role can read this but not write it."
        assert client.patch(reverse("api:session_report", args=[report.pk]), {"travel_minutes": 5}).status_code == 403
        assert client.post(reverse("api:session_report_submit", args=[report.pk])).status_code == 403
    assert SessionReport.objects.count() == 1
    report.refresh_from_db()
    assert (report.status, report.travel_minutes) == ("draft", 25)


def test_the_sensitive_notes_appear_in_no_answer(world):
    report = write(world, world.appointments[0], submit=False)
    client = ApiClient(mediator_key(world))
    answers = [
        client.patch(reverse("api:session_report", args=[report.pk]), {"sensitive_notes": NOTES + " Bis."}),
        client.get(reverse("api:session_report", args=[report.pk])),
        client.get(reverse("api:session_reports")),
        client.post(reverse("api:session_report_submit", args=[report.pk])),
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 200]
    for answer in answers:
        assert "udienza" not in answer.content.decode() and "sensitive_notes" not in answer.json()


# --- Hostile input ----------------------------------------------------------------------------------------------------


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(
        ["", "\x00", "<script>alert(1)</script>", "2026-02-30", "25:99", "23:59", "ara", "partly", "9" * 400]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
FIELDS = [*_typed(Appointment(starts_at=NOW)), "appointment", "submit", "status", "id"]
CHANGES = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=6)


def _snapshot() -> list:
    return [
        *SessionReport.objects.order_by("pk").values(),
        *Appointment.objects.order_by("pk").values("pk", "status", "late_cancellation", "cancelled_at"),
    ]


@pytest.fixture
def hostile_world(world):
    draft = write(world, world.appointments[0], submit=False)
    return {"key": mediator_key(world), "draft": draft, "free": world.appointments[1]}


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    changes=CHANGES,
    raw=st.one_of(st.none(), VALUES),
    where=st.sampled_from(["create", "change", "submit"]),
)
def test_hostile_bodies_on_every_report_endpoint_never_make_a_500_nor_half_a_report(hostile_world, changes, raw, where):
    free, draft = hostile_world["free"], hostile_world["draft"]
    body = raw if raw is not None else {"appointment": free.pk, **_typed(free), **changes}
    address, method = {
        "create": (reverse("api:session_reports"), "post"),
        "change": (reverse("api:session_report", args=[draft.pk]), "patch"),
        "submit": (reverse("api:session_report_submit", args=[draft.pk]), "post"),
    }[where]
    with transaction.atomic():
        before = _snapshot()
        response = getattr(ApiClient(hostile_world["key"]), method)(address, json.dumps(body, default=str))
        assert response.status_code < 500, response.content
        assert response["Content-Type"].startswith("application/json")
        assert "udienza" not in response.content.decode()
        if response.status_code >= 400:
            assert set(response.json()) <= {"code", "message", "fields"}
            assert _snapshot() == before
        # Each example starts from the same world: what a successful call wrote is undone.
        transaction.set_rollback(True)
