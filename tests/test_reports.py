"""Session reports: written after the appointment, confirmed by the office, validated or sent back by the
coordinator, locked once validated; the appointment and the request follow."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone, translation

from accounts.scoping import actor_for, visible
from core.errors import DomainError, NotAllowed
from requests_app.models import MediationRequest, StatusChange
from scheduling.models import Appointment
from sessions_app import selectors as report_selectors
from sessions_app import services as report_services
from sessions_app.models import SessionReport

from . import factories as f
from .report_factories import make_world, past_appointment, validated, write
from .test_any_day import MOMENTS as ANY_DAY

pytestmark = pytest.mark.django_db

# Moments when reading the clock goes wrong (tests/test_any_day.py): a Sunday at 23:30, New Year's Eve, the night
# summer time starts.
MOMENTS = {name: ANY_DAY[name] for name in ("sunday-23:30", "31-december-23:30", "summer-time-03:30")}


@pytest.fixture(autouse=True)
def _messages_in_english():
    # The messages are checked by their English source text (the Italian catalog translates them).
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    return make_world()


def reload(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- Writing ----------------------------------------------------------------------------------------------------------


def test_the_mediator_writes_a_draft_after_the_appointment_and_the_appointment_is_held(world):
    report = write(world, submit=False)
    assert report.status == "draft"
    assert report.written_by == world.mediator_user
    assert (report.minutes, report.travel_km, report.expenses) == (75, Decimal("12.5"), Decimal("3.40"))
    assert reload(world.appointments[0]).status == "held"


def test_a_report_waits_for_the_appointment_to_start(world):
    start = timezone.now() + timedelta(hours=2)
    future = Appointment.objects.create(
        request=world.request,
        mediator=world.mediator,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        created_by=world.coordinator,
    )
    with pytest.raises(DomainError, match="once the appointment has started"):
        write(world, future, started_at=start, ended_at=start + timedelta(hours=1))
    assert not SessionReport.objects.exists()


@pytest.mark.parametrize(
    ("status", "late", "message"), [("void", False, "by mistake"), ("cancelled", False, "cancelled in time")]
)
def test_void_and_timely_cancelled_appointments_have_no_report(world, status, late, message):
    appointment = past_appointment(world.request, days_ago=5, status=status, late_cancellation=late)
    with pytest.raises(DomainError, match=message):
        write(world, appointment)
    assert not SessionReport.objects.exists()


def test_the_district_coordinator_writes_on_the_mediators_behalf_without_touching_the_notes(world):
    write(world, submit=False)
    report = write(world, submit=False, by=world.coordinator, sensitive_notes="Sovrascritto", minors_present=3)
    assert report.written_by == world.coordinator
    assert report.minors_present == 3
    assert report.sensitive_notes == "Il padre chiede di rivedere la data dell'udienza."


@pytest.mark.parametrize("who", ["other_mediator", "social_worker", "other_coordinator", "province_staff"])
def test_nobody_else_writes_a_report(world, who):
    people = {
        "other_mediator": lambda: f.mediator(districts=[world.district]),
        "social_worker": lambda: world.social_worker,
        "other_coordinator": lambda: f.coordinator(district=f.DistrictFactory(province=world.province)),
        "province_staff": lambda: f.province_staff(province=world.province),
    }
    with pytest.raises(NotAllowed):
        write(world, by=people[who]())
    assert not SessionReport.objects.exists()
    assert reload(world.appointments[0]).status == "planned"


@pytest.mark.parametrize(
    ("outcome", "appointment_status", "late"),
    [
        ("held", "held", False),
        ("partly", "held", False),
        ("family_absent", "no_show", False),
        ("mediator_absent", "no_show", False),
        ("cancelled_late", "cancelled", True),
    ],
)
def test_the_outcome_sets_the_appointments_status(world, outcome, appointment_status, late):
    write(world, outcome=outcome, outcome_reason="" if outcome == "held" else "Detto nel resoconto.")
    appointment = reload(world.appointments[0])
    assert (appointment.status, appointment.late_cancellation) == (appointment_status, late)


def test_a_report_corrected_from_cancelled_late_to_held_brings_the_appointment_back(world):
    write(world, submit=False, outcome="cancelled_late", outcome_reason="Avvisati la mattina stessa.")
    assert reload(world.appointments[0]).status == "cancelled"
    write(world, submit=False)
    appointment = reload(world.appointments[0])
    assert (appointment.status, appointment.late_cancellation, appointment.cancelled_at) == ("held", False, None)


def test_a_report_cannot_bring_back_an_appointment_whose_time_was_given_to_another(world):
    write(world, submit=False, outcome="cancelled_late", outcome_reason="Avvisati la mattina stessa.")
    cancelled = reload(world.appointments[0])
    Appointment.objects.create(
        request=world.request, mediator=world.mediator, starts_at=cancelled.starts_at, ends_at=cancelled.ends_at,
        created_by=world.coordinator, status="held",
    )  # fmt: skip
    with pytest.raises(DomainError, match="another appointment"):
        write(world, submit=False)
    assert reload(world.appointments[0]).status == "cancelled"
    assert SessionReport.objects.get().outcome == "cancelled_late"


def test_an_appointment_cancelled_late_by_the_coordinator_is_reported_as_cancelled_late(world):
    appointment = past_appointment(world.request, days_ago=6, status="cancelled", late_cancellation=True)
    with pytest.raises(DomainError, match="cancelled late"):
        write(world, appointment)
    report = write(world, appointment, outcome="cancelled_late", outcome_reason="La famiglia ha avvisato tardi.")
    assert report.status == "submitted"
    assert reload(appointment).status == "cancelled"


BAD_INPUT = [
    ({"ended_at": "start"}, "ended_at", "end after it starts"),
    ({"started_at": None}, "started_at", "actual start"),
    ({"ended_at": "ten_hours_later"}, "ended_at", "at most 10 hours"),
    ({"started_at": "a_day_off", "ended_at": "a_day_off_end"}, "started_at", "too far"),
    ({"outcome": "partly"}, "outcome_reason", "Say what happened"),
    ({"outcome": "exploded"}, "outcome", "Choose what happened"),
    ({"language": ""}, "language", "language used"),
    ({"language": "xx1"}, "language", None),
    ({"adults_present": 0, "minors_present": 0}, "adults_present", "did not come"),
    ({"adults_present": 31}, "adults_present", None),
    ({"mode": "video"}, None, "no travel"),
    ({"expenses_note": ""}, "expenses_note", "expenses"),
    ({"travel_km": Decimal("-1")}, "travel_km", None),
    ({"expenses": Decimal("123456.00")}, "expenses", None),
    ({"mode": "telepathy"}, "mode", "how the session"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT, ids=[str(row[0]) for row in BAD_INPUT])
def test_bad_input_is_a_message_on_its_field_and_saves_nothing(world, overrides, field, message):
    appointment = world.appointments[0]
    start = appointment.starts_at
    special = {
        "start": start,
        "ten_hours_later": start + timedelta(hours=10, minutes=1),
        "a_day_off": start - timedelta(days=1),
        "a_day_off_end": start - timedelta(days=1, minutes=-60),
    }
    overrides = {
        key: special.get(value, value) if isinstance(value, str) else value for key, value in overrides.items()
    }
    with pytest.raises(DomainError) as error:
        write(world, **overrides)
    assert error.value.field == field
    if message:
        assert message in error.value.message
    assert not SessionReport.objects.exists()
    assert reload(appointment).status == "planned"


# --- The life of a report ---------------------------------------------------------------------------------------------


def test_the_whole_life_write_submit_confirm_validate_and_lock(world):
    report = write(world, submit=False)
    report = report_services.report_submit(actor=actor_for(world.mediator_user), report=report)
    assert (report.status, report.submitted_by) == ("submitted", world.mediator_user)

    report = report_services.report_confirm(actor=actor_for(world.social_worker), report=report)
    assert (report.status, report.confirmed_by) == ("confirmed", world.social_worker)
    assert timezone.now() - report.confirmed_at < timedelta(seconds=5)

    report = report_services.report_validate(actor=actor_for(world.coordinator), report=report)
    assert (report.status, report.validated_by, report.locked) == ("validated", world.coordinator, True)

    # Locked: no edit, no second validation, no send back, by anyone.
    with pytest.raises(DomainError, match="can no longer be changed"):
        write(world, minors_present=4)
    with pytest.raises(DomainError):
        write(world, by=world.coordinator, minors_present=4)
    with pytest.raises(DomainError):
        report_services.report_send_back(actor=actor_for(world.coordinator), report=report, reason="Rivedi")
    with pytest.raises(DomainError):
        report_services.report_submit(actor=actor_for(world.mediator_user), report=report)
    assert reload(report).minors_present == 1
    assert reload(report).status == "validated"


def test_sent_back_with_a_reason_corrected_and_submitted_again(world):
    report = write(world)
    report_services.report_confirm(actor=actor_for(world.social_worker), report=report)
    report = report_services.report_send_back(
        actor=actor_for(world.coordinator), report=report, reason="I chilometri sembrano troppi."
    )
    assert (report.status, report.sent_back_by, report.send_back_reason) == (
        "sent_back",
        world.coordinator,
        "I chilometri sembrano troppi.",
    )
    with pytest.raises(DomainError):
        report_services.report_confirm(actor=actor_for(world.social_worker), report=report)

    report = write(world, travel_km=Decimal("8.0"))
    assert report.status == "submitted"
    # What the office confirmed was the earlier text: the corrected one is confirmed again.
    assert (report.confirmed_by, report.confirmed_at) == (None, None)
    assert report.send_back_reason == "I chilometri sembrano troppi."
    report_services.report_confirm(actor=actor_for(world.social_worker), report=report)
    report = report_services.report_validate(actor=actor_for(world.coordinator), report=report)
    assert (report.status, report.travel_km) == ("validated", Decimal("8.0"))


def test_the_coordinator_may_validate_before_the_office_confirms(world):
    report = report_services.report_validate(actor=actor_for(world.coordinator), report=write(world))
    assert (report.status, report.confirmed_by) == ("validated", None)


def test_sending_back_needs_a_reason_and_changes_nothing_without_it(world):
    report = write(world)
    for reason in ["", "   "]:
        with pytest.raises(DomainError, match="correct") as error:
            report_services.report_send_back(actor=actor_for(world.coordinator), report=report, reason=reason)
        assert error.value.field == "reason"
    assert reload(report).status == "submitted"


def test_a_draft_is_neither_confirmed_nor_validated(world):
    report = write(world, submit=False)
    with pytest.raises(DomainError):
        report_services.report_confirm(actor=actor_for(world.social_worker), report=report)
    with pytest.raises(DomainError):
        report_services.report_validate(actor=actor_for(world.coordinator), report=report)
    assert reload(report).status == "draft"


@pytest.mark.parametrize("who", ["mediator", "coordinator", "other_office", "province_staff"])
def test_only_the_requesting_office_confirms(world, who):
    people = {
        "mediator": world.mediator_user,
        "coordinator": world.coordinator,
        "other_office": f.social_worker(office=f.OfficeFactory(district=world.district)),
        "province_staff": f.province_staff(province=world.province),
    }
    report = write(world)
    with pytest.raises(NotAllowed):
        report_services.report_confirm(actor=actor_for(people[who]), report=report)
    assert reload(report).status == "submitted"


@pytest.mark.parametrize("who", ["mediator", "social_worker", "other_district", "province_staff"])
def test_only_the_districts_coordinators_validate_or_send_back(world, who):
    people = {
        "mediator": world.mediator_user,
        "social_worker": world.social_worker,
        "other_district": f.coordinator(district=f.DistrictFactory(province=world.province)),
        "province_staff": f.province_staff(province=world.province),
    }
    report = write(world)
    actor = actor_for(people[who])
    with pytest.raises(NotAllowed):
        report_services.report_validate(actor=actor, report=report)
    with pytest.raises(NotAllowed):
        report_services.report_send_back(actor=actor, report=report, reason="No")
    assert reload(report).status == "submitted"


def test_an_administrator_may_do_every_step():
    world = make_world()
    admin = f.administrator()
    report = write(world, by=admin)
    report_services.report_confirm(actor=actor_for(admin), report=report)
    assert report_services.report_validate(actor=actor_for(admin), report=report).status == "validated"


# --- The request follows ----------------------------------------------------------------------------------------------


def test_validating_the_last_expected_session_completes_the_request():
    world = make_world(sessions=2, expected_sessions=2)
    first, second = world.appointments
    validated(world, first)
    assert reload(world.request).status == "scheduled"
    validated(world, second)
    request = reload(world.request)
    assert request.status == "completed"
    step = StatusChange.objects.get(request=request, to_status="completed")
    assert (step.from_status, step.by) == ("scheduled", world.coordinator)


def test_a_planned_appointment_keeps_the_request_scheduled():
    world = make_world(sessions=1, expected_sessions=1)
    start = timezone.now() + timedelta(days=3)
    Appointment.objects.create(
        request=world.request, mediator=world.mediator, starts_at=start, ends_at=start + timedelta(hours=1),
        created_by=world.coordinator,
    )  # fmt: skip
    validated(world)
    assert reload(world.request).status == "scheduled"
    assert "still planned" in " ".join(report_selectors.completion_blockers(request=world.request))
    with pytest.raises(DomainError, match="still planned"):
        report_services.request_complete(actor=actor_for(world.coordinator), request=world.request)


def test_the_coordinator_marks_completed_when_fewer_sessions_than_expected_were_needed():
    world = make_world(sessions=1, expected_sessions=4)
    report = write(world)
    assert report_selectors.completion_blockers(request=world.request) == [
        "1 session has no validated report yet.",
        "No held session is validated yet.",
    ]
    with pytest.raises(DomainError):
        report_services.request_complete(actor=actor_for(world.coordinator), request=world.request)
    report_services.report_validate(actor=actor_for(world.coordinator), report=report)
    assert reload(world.request).status == "scheduled"
    with pytest.raises(NotAllowed):
        report_services.request_complete(actor=actor_for(world.social_worker), request=world.request)
    report_services.request_complete(actor=actor_for(world.coordinator), request=world.request)
    assert reload(world.request).status == "completed"


def test_a_request_where_nobody_came_is_not_completed_by_hand():
    world = make_world(sessions=1, expected_sessions=1)
    report = write(world, outcome="family_absent", outcome_reason="Nessuno si è presentato.", adults_present=0)
    report_services.report_validate(actor=actor_for(world.coordinator), report=report)
    assert reload(world.request).status == "scheduled"
    assert report_selectors.completion_blockers(request=world.request) == ["No held session is validated yet."]


@pytest.mark.parametrize("moment", MOMENTS.values(), ids=MOMENTS.keys())
def test_each_request_s_completion_is_counted_from_sql_compiled_once_with_its_own_id(compilations, moment):
    with time_machine.travel(moment, tick=False):
        _each_request_s_completion_is_its_own(compilations)


def _each_request_s_completion_is_its_own(compilations):
    planned = make_world(sessions=0)
    start = timezone.now() + timedelta(days=3)
    for day in range(2):
        Appointment.objects.create(
            request=planned.request, mediator=planned.mediator, starts_at=start + timedelta(days=day),
            ends_at=start + timedelta(days=day, hours=1), created_by=planned.coordinator,
        )  # fmt: skip
    written = make_world(sessions=1, expected_sessions=1)
    write(written)
    report_selectors.completion_blockers(request=planned.request)  # compiled here, if no test did before
    compilations.clear()
    for _ in range(2):
        assert report_selectors.completion_blockers(request=planned.request) == [
            "2 appointments are still planned: report them, or cancel them.",
            "No held session is validated yet.",
        ]
        assert report_selectors.completion_blockers(request=written.request) == [
            "1 session has no validated report yet.",
            "No held session is validated yet.",
        ]
    assert Appointment not in compilations, "the counts were compiled again"


# --- Who sees a report ------------------------------------------------------------------------------------------------


def test_a_report_is_seen_like_its_appointment_and_its_notes_like_the_requests(world):
    report = write(world)
    province_staff = f.province_staff(province=world.province)
    other_district = f.DistrictFactory(province=world.province)
    seen_by = {
        world.mediator_user: True,
        world.social_worker: True,
        world.coordinator: True,
        province_staff: True,
        f.administrator(): True,
        f.mediator(districts=[world.district]): False,
        f.social_worker(office=f.OfficeFactory(district=world.district)): False,
        f.coordinator(district=other_district): False,
        f.province_staff(): False,
        f.funder_viewer(funder=f.FunderFactory(provinces=[world.province])): False,
    }
    for user, sees in seen_by.items():
        assert visible(user, SessionReport).filter(pk=report.pk).exists() is sees, user
    notes = {
        user
        for user in seen_by
        if seen_by[user] and report_selectors.may_read_report_notes(user=user, appointment=report.appointment)
    }
    assert notes == {world.mediator_user, world.social_worker}


def test_the_mediator_who_did_the_session_keeps_seeing_its_report_after_a_change_of_mediator(world):
    report = write(world)
    MediationRequest.objects.filter(pk=world.request.pk).update(assigned_mediator=f.MediatorFactory())
    assert visible(world.mediator_user, SessionReport).filter(pk=report.pk).exists()
    assert report_selectors.may_read_report_notes(user=world.mediator_user, appointment=reload(report).appointment)
