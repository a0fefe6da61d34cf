"""The life of a request: every allowed transition writes its history and notifies the right people after the
commit; every forbidden one is a DomainError that changes nothing.

The tables below are built from the manual TRANSITIONS and Status, so a transition added to the table is covered here
without a new line: each (transition, status, person) triple is either allowed or refused.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.scoping import actor_for
from core.errors import DomainError, NotAllowed
from notifications.models import Notification
from requests_app import services
from requests_app.models import MediationRequest, RequestLanguage, Status, StatusChange
from requests_app.transitions import MANUAL, TRANSITIONS

from . import factories as f
from .conftest import shared_world

pytestmark = pytest.mark.django_db

REASON = "La famiglia si è trasferita in un'altra provincia."

# The people around a request of the office "here" (district of Cremona).
PEOPLE = [
    "requester",  # the social worker who filed it
    "colleague",  # another social worker of the same office
    "other_office",  # a social worker of another office of the same district
    "coordinator",  # a coordinator of the district
    "other_district_coordinator",  # same province, another district
    "other_province_coordinator",
    "province_staff",
    "mediator",
    "funder",
    "admin",
]
OFFICE = {"requester", "colleague"}
ALLOWED_PEOPLE = {
    "submit": OFFICE,
    "reject": {"coordinator"},
    "accept": {"coordinator"},
    "cancel": OFFICE | {"coordinator"},
    "close": {"coordinator"},
}


def allowed(name: str, status: str, who: str) -> bool:
    """The rule the services must follow, written out independently of selectors.may()."""
    if status not in TRANSITIONS[name].sources:
        return False
    if who == "admin":
        return True
    if who == "coordinator" and status == Status.DRAFT:
        # Coordinators do not see drafts: nor can they cancel one.
        return False
    return who in ALLOWED_PEOPLE[name]


CASES = [(name, status, who) for name in MANUAL for status in Status.values for who in PEOPLE]
ALLOWED = [case for case in CASES if allowed(*case)]
FORBIDDEN = [case for case in CASES if not allowed(*case)]


def test_the_tables_know_every_transition():
    # The manual transitions (buttons on the request page) are covered here; assign and schedule happen through
    # offers and appointments (tests/test_scheduling.py), complete and evaluate through session reports and
    # evaluations (tests/test_reports.py).
    assert set(ALLOWED_PEOPLE) == set(MANUAL)
    assert set(TRANSITIONS) - set(MANUAL) == {"assign", "schedule", "complete", "evaluate"}
    for name in MANUAL:
        assert hasattr(services, f"request_{name}"), f"no service for the transition {name}"


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    """The people of every side of a request, made once for the module (conftest.shared_world): each test works in
    its own transaction, rolled back after it."""
    with shared_world(django_db_blocker):
        yield _people()


@pytest.fixture
def world(_world, db):
    return _world


def _people():
    province = f.ProvinceFactory(slug="cremona")
    here = f.DistrictFactory(province=province, name="Cremona")
    crema = f.DistrictFactory(province=province, name="Crema")
    office = f.OfficeFactory(district=here)
    requester = f.social_worker(office=office, language="it")
    provider = f.ProviderFactory(province=province)
    people = {
        "requester": requester,
        "colleague": f.social_worker(office=office),
        "other_office": f.social_worker(office=f.OfficeFactory(district=here)),
        "coordinator": f.coordinator(district=here, language="en"),
        "second_coordinator": f.coordinator(district=here, language="it"),
        "other_district_coordinator": f.coordinator(district=crema),
        "other_province_coordinator": f.coordinator(),
        "province_staff": f.province_staff(province=province),
        "mediator": f.mediator(provider=provider, districts=[here]),
        "funder": f.funder_viewer(funder=f.FunderFactory(provinces=[province])),
        "admin": f.administrator(),
    }
    return {"office": office, "people": people}


def make_request(world, status, **fields) -> MediationRequest:
    return f.MediationRequestFactory(
        office=world["office"], requester=world["people"]["requester"], status=status, **fields
    )


def apply(name: str, user, request: MediationRequest, reason: str = REASON) -> MediationRequest:
    arguments = {"actor": actor_for(user), "request": request}
    if TRANSITIONS[name].needs_reason:
        arguments["reason"] = reason
    return getattr(services, f"request_{name}")(**arguments)


def snapshot(request: MediationRequest) -> tuple:
    request = MediationRequest.objects.get(pk=request.pk)
    return (
        request.status,
        request.submitted_at,
        StatusChange.objects.filter(request=request).count(),
        Notification.objects.count(),
    )


# --- Allowed ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "status", "who"), ALLOWED, ids=["-".join(case) for case in ALLOWED])
def test_an_allowed_transition_writes_one_history_row(world, name, status, who, django_capture_on_commit_callbacks):
    request = make_request(world, status)
    user = world["people"][who]
    with django_capture_on_commit_callbacks(execute=True):
        apply(name, user, request)
    request.refresh_from_db()
    transition = TRANSITIONS[name]
    assert request.status == transition.target
    change = StatusChange.objects.get(request=request)
    assert (change.from_status, change.to_status, change.by) == (status, transition.target, user)
    assert change.reason == (REASON if transition.needs_reason else "")
    assert change.at is not None


def test_submit_records_when_the_request_was_submitted(world):
    request = make_request(world, Status.DRAFT)
    before = timezone.now()
    apply("submit", world["people"]["requester"], request)
    request.refresh_from_db()
    assert request.submitted_at >= before


# --- Notifications and e-mails ----------------------------------------------------------------------------------------


def recipients(request) -> set:
    return {n.recipient for n in Notification.objects.filter(request=request)}


def test_submit_notifies_the_district_coordinators_only_after_the_commit(world, django_capture_on_commit_callbacks):
    people = world["people"]
    request = make_request(world, Status.DRAFT, case_code="TM-2025-101")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        apply("submit", people["requester"], request)
    # The rows are written with the change; the two e-mails, the refresh of the reporting figures and forgetting the
    # office's cached language menu (once more: a page may have computed it meanwhile) wait for the commit.
    assert recipients(request) == {people["coordinator"], people["second_coordinator"]}
    assert mail.outbox == []
    assert len(callbacks) == 4
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people["coordinator"].email, people["second_coordinator"].email]
    )
    assert Notification.objects.filter(request=request, emailed_at__isnull=True).count() == 0


def test_e_mails_speak_the_language_of_their_recipient(world, django_capture_on_commit_callbacks):
    people = world["people"]
    request = make_request(world, Status.DRAFT, case_code="TM-2025-102")
    with django_capture_on_commit_callbacks(execute=True):
        apply("submit", people["requester"], request)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    english = by_recipient[people["coordinator"].email]
    italian = by_recipient[people["second_coordinator"].email]
    assert "New request · TM-2025-102" in english.subject
    assert "has submitted a new mediation request (TM-2025-102)" in english.body
    assert "Nuova richiesta · TM-2025-102" in italian.subject
    assert "ha inviato una nuova richiesta di mediazione (TM-2025-102)" in italian.body
    # No detail of the family travels by e-mail.
    assert request.goal not in english.body + italian.body


@pytest.mark.parametrize(
    ("name", "status", "who", "expected"),
    [
        ("submit", Status.DRAFT, "requester", {"coordinator", "second_coordinator"}),
        ("submit", Status.DRAFT, "colleague", {"coordinator", "second_coordinator"}),
        ("reject", Status.SUBMITTED, "coordinator", {"requester"}),
        ("accept", Status.SUBMITTED, "coordinator", {"requester"}),
        ("cancel", Status.SUBMITTED, "coordinator", {"requester"}),
        ("cancel", Status.MATCHING, "requester", {"coordinator", "second_coordinator"}),
        ("cancel", Status.SCHEDULED, "colleague", {"requester", "coordinator", "second_coordinator"}),
        # A draft never reached the district: nobody there needs to know.
        ("cancel", Status.DRAFT, "requester", set()),
        ("cancel", Status.DRAFT, "colleague", {"requester"}),
        ("close", Status.EVALUATED, "coordinator", {"requester"}),
    ],
)
def test_each_transition_notifies_the_other_side_and_never_the_actor(
    world, name, status, who, expected, django_capture_on_commit_callbacks
):
    people = world["people"]
    request = make_request(world, status)
    with django_capture_on_commit_callbacks(execute=True):
        apply(name, people[who], request)
    assert recipients(request) == {people[key] for key in expected}
    # E-mailed at once to those whose role wants it so (a request taken in charge or closed waits for the social
    # worker's morning summary: tests/test_notification_preferences.py); none is left unrouted.
    notifications = Notification.objects.filter(request=request).select_related("recipient")
    assert all(n.delivery for n in notifications)
    at_once = [n.recipient.email for n in notifications if n.delivery == "immediate"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(at_once)
    assert {n.recipient.email for n in notifications if n.delivery == "digest"} <= {people["requester"].email}


def test_nothing_is_notified_or_e_mailed_when_the_transaction_rolls_back(world, django_capture_on_commit_callbacks):
    people = world["people"]
    request = make_request(world, Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            apply("submit", people["requester"], request)
            raise RuntimeError("something later in the same transaction fails")
    assert callbacks == []
    assert mail.outbox == []
    assert Notification.objects.count() == 0
    assert StatusChange.objects.count() == 0
    request.refresh_from_db()
    assert request.status == Status.DRAFT


# --- Forbidden -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "status", "who"), FORBIDDEN, ids=["-".join(case) for case in FORBIDDEN])
def test_a_forbidden_transition_raises_and_changes_nothing(
    world, name, status, who, django_capture_on_commit_callbacks
):
    request = make_request(world, status)
    before = snapshot(request)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(DomainError) as error:
        apply(name, world["people"][who], request)
    assert str(error.value)  # a message a person can read
    if status in TRANSITIONS[name].sources:
        # Right status, wrong person: a NotAllowed, whatever the role or the scope.
        assert isinstance(error.value, NotAllowed)
    assert snapshot(request) == before
    assert callbacks == []
    assert mail.outbox == []


@pytest.mark.parametrize("name", [name for name, t in TRANSITIONS.items() if t.needs_reason])
@pytest.mark.parametrize("reason", ["", "   \n "])
def test_a_transition_that_needs_a_reason_refuses_to_go_without_one(world, name, reason):
    status = Status.SUBMITTED
    who = "coordinator"
    request = make_request(world, status)
    before = snapshot(request)
    with pytest.raises(DomainError) as error:
        apply(name, world["people"][who], request, reason=reason)
    assert error.value.field == "reason"
    assert snapshot(request) == before


def test_a_request_without_a_language_cannot_be_submitted(world):
    request = make_request(world, Status.DRAFT, languages=[])
    assert not RequestLanguage.objects.filter(request=request).exists()
    before = snapshot(request)
    with pytest.raises(DomainError) as error:
        apply("submit", world["people"]["requester"], request)
    assert error.value.field == "languages"
    assert snapshot(request) == before


def test_an_urgent_request_needed_by_a_past_date_cannot_be_submitted(world):
    yesterday = timezone.localdate() - timedelta(days=1)
    request = make_request(world, Status.DRAFT, urgency="urgent", deadline=yesterday)
    before = snapshot(request)
    with pytest.raises(DomainError) as error:
        apply("submit", world["people"]["requester"], request)
    assert error.value.field == "deadline"
    assert snapshot(request) == before


def test_the_second_of_two_decisions_on_the_same_request_is_refused(world):
    """Two coordinators open the same submitted request; one takes it in charge, the other then rejects it."""
    people = world["people"]
    request = make_request(world, Status.SUBMITTED)
    stale = MediationRequest.objects.get(pk=request.pk)
    apply("accept", people["coordinator"], request)
    with pytest.raises(DomainError):
        apply("reject", people["second_coordinator"], stale)
    request.refresh_from_db()
    assert request.status == Status.MATCHING
    assert StatusChange.objects.filter(request=request).count() == 1
