"""Every step of a request's life after its appointments tells whoever must act next, and never the one who acted:
a report submitted → the office (to confirm) and the district's coordinators; confirmed → the coordinators (to
validate); validated or sent back → the mediator; the last one validated → the office (to evaluate); evaluated →
the coordinators (to close); an offer accepted through the e-mail link → the coordinator who made it.

The e-mails of these steps say the session's day, time and place and link to the report, and never carry what the
family said: not the report's notes, not the reason for sending it back, not the request's goal.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.urls import resolve, reverse

from accounts.scoping import actor_for
from notifications.models import Delivery, Notification, NotificationPreference
from requests_app.models import Status
from requests_app.selectors import district_coordinators
from scheduling import services as scheduling_services
from sessions_app import services as report_services
from sessions_app.models import EvaluationCriterion

from . import factories as f
from . import report_factories as rf

K = Notification.Kind
NOTES = "Il padre chiede di rivedere la data dell'udienza."
GOAL = "Obiettivo riservato: colloquio sul rientro a scuola."
REASON = "Il minore ha raccontato della lite in casa: togli questo passaggio."


@pytest.fixture
def world(db):
    world = rf.make_world(sessions=2, expected_sessions=2)
    world.request.goal = GOAL
    world.request.save(update_fields=["goal"])
    return world


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run what each step hands to the outbox (the e-mails) once its transaction commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def told(kind) -> set:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def coordinators(world) -> set:
    return {user.pk for user in district_coordinators(request=world.request)}


def submitted(world, **kwargs):
    """The first session's report, written and submitted by the mediator (with notes on the family)."""
    return rf.write(world, sensitive_notes=NOTES, **kwargs)


def everything_at_once(*users):
    """These people want every kind e-mailed at once, to read each step's own e-mail."""
    for user in users:
        NotificationPreference.objects.bulk_create(
            NotificationPreference(user=user, kind=kind, delivery=Delivery.IMMEDIATE) for kind in K.values
        )


# --- Who is told ------------------------------------------------------------------------------------------------------


def test_a_submitted_report_tells_the_office_and_every_coordinator_of_the_district_not_the_mediator(world):
    submitted(world)
    recipients = told(K.REPORT_SUBMITTED)
    assert recipients == {world.social_worker.pk, *coordinators(world)}
    assert world.coordinator.pk in recipients
    assert world.mediator_user.pk not in recipients


def test_a_report_a_coordinator_submits_for_the_mediator_tells_the_others_not_the_coordinator(world):
    submitted(world, by=world.coordinator)
    recipients = told(K.REPORT_SUBMITTED)
    assert world.coordinator.pk not in recipients
    assert world.social_worker.pk in recipients
    assert recipients == {world.social_worker.pk, *coordinators(world)} - {world.coordinator.pk}


def test_a_draft_tells_nobody(world):
    rf.write(world, submit=False)
    assert not Notification.objects.exists()


def test_a_report_submitted_again_after_correction_tells_them_again(world):
    report = submitted(world)
    report_services.report_send_back(actor=actor_for(world.coordinator), report=report, reason=REASON)
    report_services.report_submit(actor=actor_for(world.mediator_user), report=report)
    assert Notification.objects.filter(kind=K.REPORT_SUBMITTED, recipient=world.social_worker).count() == 2


def test_a_confirmed_report_tells_the_coordinators_to_validate_it_not_the_office_nor_the_mediator(world):
    report = submitted(world)
    report_services.report_confirm(actor=actor_for(world.social_worker), report=report)
    assert told(K.REPORT_CONFIRMED) == coordinators(world)
    assert world.social_worker.pk not in told(K.REPORT_CONFIRMED)
    assert world.mediator_user.pk not in told(K.REPORT_CONFIRMED)


def test_a_validated_report_tells_the_mediator_only(world):
    report = submitted(world)
    report_services.report_validate(actor=actor_for(world.coordinator), report=report)
    assert told(K.REPORT_VALIDATED) == {world.mediator_user.pk}
    # One session of two is done: nothing to evaluate yet.
    assert not told(K.COMPLETED)


def test_a_report_sent_back_tells_the_mediator_only(world):
    report = submitted(world)
    report_services.report_send_back(actor=actor_for(world.coordinator), report=report, reason=REASON)
    assert told(K.REPORT_SENT_BACK) == {world.mediator_user.pk}


def test_the_last_validated_report_tells_the_office_to_evaluate(world):
    for appointment in world.appointments:
        rf.validated(world, appointment)
    world.request.refresh_from_db()
    assert world.request.status == Status.COMPLETED
    assert told(K.COMPLETED) == {world.social_worker.pk}
    completed = Notification.objects.get(kind=K.COMPLETED)
    assert completed.actor == world.coordinator
    assert reverse("sessions:evaluate", args=[world.request.pk]) in _path(completed)


def test_a_request_completed_by_hand_tells_the_office_to_evaluate(db):
    world = rf.make_world(sessions=1, expected_sessions=3)
    rf.validated(world)
    report_services.request_complete(actor=actor_for(world.coordinator), request=world.request)
    assert told(K.COMPLETED) == {world.social_worker.pk}


def test_the_office_s_evaluation_tells_the_coordinators_to_close(db):
    world = rf.make_world(sessions=0, status=Status.COMPLETED)
    criteria = EvaluationCriterion.objects.filter(province=world.province)
    scores = {criterion.pk: (4, "") for criterion in criteria}
    report_services.evaluation_save(
        actor=actor_for(world.social_worker), request=world.request, side="requester", scores=scores
    )
    assert told(K.EVALUATED) == coordinators(world)
    assert world.social_worker.pk not in told(K.EVALUATED)
    # Saved again (the request is evaluated already): nobody is told twice.
    report_services.evaluation_save(
        actor=actor_for(world.social_worker), request=world.request, side="requester", scores=scores
    )
    assert Notification.objects.filter(kind=K.EVALUATED, recipient=world.coordinator).count() == 1


def test_the_mediator_s_own_evaluation_tells_nobody(db):
    world = rf.make_world(sessions=0, status=Status.COMPLETED)
    scores = {c.pk: (5, "") for c in EvaluationCriterion.objects.filter(province=world.province)}
    report_services.evaluation_save(
        actor=actor_for(world.mediator_user), request=world.request, side="mediator", scores=scores
    )
    assert not Notification.objects.exists()


def test_an_offer_accepted_through_the_e_mail_link_tells_the_coordinator_who_made_it(db):
    # An administrator made the offer: not among the district's coordinators, still the one waiting for the answer.
    world = rf.make_world(sessions=0, status=Status.MATCHING)
    world.request.assigned_mediator = None
    world.request.save(update_fields=["assigned_mediator"])
    admin = f.administrator()
    (offer,) = scheduling_services.offers_create(
        actor=actor_for(admin), request=world.request, tiers=[[world.mediator]]
    )
    scheduling_services.offer_accept(offer=offer, by=None)
    assert told(K.ASSIGNED) == {admin.pk, world.social_worker.pk, *coordinators(world)}
    assigned = Notification.objects.get(kind=K.ASSIGNED, recipient=admin)
    assert assigned.actor == world.mediator_user
    assert world.mediator_user.pk not in told(K.ASSIGNED)


# --- What they say ----------------------------------------------------------------------------------------------------


def _path(notification) -> str:
    from notifications.text import path_for

    return path_for(notification)


def test_every_step_s_e_mail_says_the_session_and_links_to_the_report_without_the_family_s_details(world, on_commit):
    world.social_worker.language = "en"
    world.social_worker.save(update_fields=["language"])
    everything_at_once(world.social_worker, world.coordinator, world.mediator_user)
    with on_commit():
        report = submitted(world)
    with on_commit():
        report_services.report_send_back(actor=actor_for(world.coordinator), report=report, reason=REASON)
    with on_commit():
        report_services.report_submit(actor=actor_for(world.mediator_user), report=report)
    with on_commit():
        report_services.report_confirm(actor=actor_for(world.social_worker), report=report)
    with on_commit():
        report_services.report_validate(actor=actor_for(world.coordinator), report=report)
    with on_commit():
        rf.validated(world, world.appointments[1])
    kinds = {n.kind for n in Notification.objects.all()}
    assert {K.REPORT_SUBMITTED, K.REPORT_SENT_BACK, K.REPORT_CONFIRMED, K.REPORT_VALIDATED, K.COMPLETED} <= kinds
    assert not Notification.objects.filter(
        recipient__in=[world.social_worker, world.coordinator, world.mediator_user], emailed_at__isnull=True
    ).exists()
    report_url = settings.PORTAL_BASE_URL + reverse("sessions:report", args=[report.pk])
    for message in mail.outbox:
        for secret in (NOTES, GOAL, REASON, "lite in casa"):
            assert secret not in message.body, (message.subject, message.body)
        for artefact in ("None", "{{", "{%", "<", ">"):
            assert artefact not in message.subject + message.body, (artefact, message.body)
        for link in re.findall(r"https?://\S+", message.body):
            resolve(urlsplit(link).path)
    # Submitted, sent back and submitted again, then the second session's: three to confirm; the first is read here.
    to_confirm = [m for m in mail.outbox if m.to == [world.social_worker.email] and "to confirm" in m.subject]
    assert len(to_confirm) == 3
    to_confirm = to_confirm[0]
    day = rf.at(4, 10)
    from core import formatting

    assert formatting.format_datetime(day, language="en") in to_confirm.body
    assert "Via Dante 134, Cremona (in person)" in to_confirm.body
    assert "confirm that it went as it says" in to_confirm.body
    assert report_url in to_confirm.body
    (sent_back,) = [m for m in mail.outbox if m.to == [world.mediator_user.email] and "rimandato indietro" in m.subject]
    assert "cosa correggere" in sent_back.body
    assert report_url in sent_back.body
