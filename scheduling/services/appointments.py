"""Single appointments: planned, moved, cancelled; never two at once for one mediator."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Actor
from core import events
from core.errors import DomainError, NotAllowed
from core.figures import facts_changed
from mediators.models import Mediator
from notifications.models import Notification
from notifications.services import notify
from requests_app.models import MediationRequest, Status, StatusChange
from requests_app.selectors import district_coordinators, is_district_coordinator, is_office_member

from .. import recurrence as series
from ..facts import facts_of_appointment
from ..models import Appointment


def _check_times(*, starts_at: datetime, ends_at: datetime) -> None:
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at) or ends_at <= starts_at:
        raise DomainError(_("The appointment must end after it starts."), field="ends_at")
    if starts_at < timezone.now():
        raise DomainError(_("The appointment cannot start in the past."), field="starts_at")


def _check_free(*, mediator: Mediator, starts_at: datetime, ends_at: datetime, place: str, mode: str, ignore=None):
    """No overlap with the mediator's live appointments, for in-person work a travel buffer before and after an
    appointment in another place, and not on a day of absence: the same rules as a series (``series.conflicts``)."""
    found = series.conflicts(
        mediator=mediator,
        spans=[series.Span(starts_at, ends_at)],
        place=place,
        mode=mode,
        ignore_ids={ignore.pk} if ignore is not None else frozenset(),
    )
    if found:
        raise DomainError(found[0].reason, field="starts_at")


@transaction.atomic
def appointment_create(
    *, actor: Actor, request: MediationRequest, starts_at: datetime, ends_at: datetime, place: str = "", mode: str = ""
) -> Appointment:
    """Plan a session with the assigned mediator. The mediator's row is locked while checking, and on PostgreSQL
    the exclusion constraint refuses an overlap even if two coordinators plan at the same instant."""
    request = _request_to_plan(actor=actor, request=request)
    _check_times(starts_at=starts_at, ends_at=ends_at)
    mediator = Mediator.objects.select_for_update(of=("self",)).get(pk=request.assigned_mediator_id)
    mode = mode or request.mode
    place = (place or request.place).strip()
    _check_free(mediator=mediator, starts_at=starts_at, ends_at=ends_at, place=place, mode=mode)
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                request=request,
                mediator=mediator,
                starts_at=starts_at,
                ends_at=ends_at,
                place=place,
                mode=mode,
                created_by=actor.user,
            )
    except IntegrityError:
        raise DomainError(_("The mediator was booked at this time a moment ago: choose another time.")) from None
    facts_changed(request_id=request.pk, at=[appointment.starts_at])
    events.appointments_changed(kind=events.PLANNED, appointment_ids=[appointment.pk])
    _planned(
        actor=actor,
        request=request,
        mediator=mediator,
        kind=Notification.Kind.APPOINTMENT,
        details=facts_of_appointment(appointment),
    )
    return appointment


def _request_to_plan(*, actor: Actor, request: MediationRequest) -> MediationRequest:
    """The request, locked, if the actor may plan its appointments now (a mediator assigned); refused otherwise."""
    request = MediationRequest.objects.select_for_update(of=("self",)).select_related("office").get(pk=request.pk)
    if not (is_district_coordinator(user=actor.user, request=request) or actor.is_admin):
        raise NotAllowed(_("Only the district's coordinators plan appointments."))
    if request.status not in (Status.ASSIGNED, Status.SCHEDULED) or request.assigned_mediator_id is None:
        raise DomainError(_("Appointments are planned once a mediator is assigned."))
    return request


def _planned(*, actor: Actor, request: MediationRequest, mediator: Mediator, kind: str, details: dict) -> None:
    """After planning: the first appointment moves the request to *scheduled*; the office and the mediator are told."""
    if request.status == Status.ASSIGNED:
        previous, request.status = request.status, Status.SCHEDULED
        request.save(update_fields=["status", "updated_at"])
        StatusChange.objects.create(request=request, from_status=previous, to_status=Status.SCHEDULED, by=actor.user)
    notify(
        recipients=[request.requester, *([mediator.user] if mediator.user_id else [])],
        request=request,
        kind=kind,
        actor=actor.user,
        details=details,
    )


@transaction.atomic
def appointment_reschedule(
    *, actor: Actor, appointment: Appointment, starts_at: datetime, ends_at: datetime, reason: str
) -> Appointment:
    appointment = (
        Appointment.objects.select_for_update(of=("self",)).select_related("request__office").get(pk=appointment.pk)
    )
    if not (is_district_coordinator(user=actor.user, request=appointment.request) or actor.is_admin):
        raise NotAllowed(_("Only the district's coordinators move appointments."))
    if appointment.status != Appointment.Status.PLANNED:
        raise DomainError(_("Only a planned appointment can be moved."))
    if not (reason or "").strip():
        raise DomainError(_("Say why: the reason is kept with the appointment."), field="reason")
    if ends_at <= starts_at or starts_at < timezone.now():
        raise DomainError(_("Choose a future time that ends after it starts."), field="starts_at")
    mediator = Mediator.objects.select_for_update(of=("self",)).get(pk=appointment.mediator_id)
    _check_free(
        mediator=mediator,
        starts_at=starts_at,
        ends_at=ends_at,
        place=appointment.place,
        mode=appointment.mode,
        ignore=appointment,
    )
    previous_starts_at = appointment.starts_at
    appointment.starts_at, appointment.ends_at = starts_at, ends_at
    appointment.cancel_reason = reason.strip()[:300]
    try:
        with transaction.atomic():
            appointment.save(update_fields=["starts_at", "ends_at", "cancel_reason", "updated_at"])
    except IntegrityError:
        raise DomainError(_("The mediator was booked at this time a moment ago: choose another time.")) from None
    facts_changed(request_id=appointment.request_id, at=[previous_starts_at, starts_at])
    events.appointments_changed(kind=events.MOVED, appointment_ids=[appointment.pk])
    notify(
        recipients=[appointment.request.requester, *([mediator.user] if mediator.user_id else [])],
        request=appointment.request,
        kind=Notification.Kind.APPOINTMENT_MOVED,
        actor=actor.user,
        details={**facts_of_appointment(appointment), "previous_starts_at": previous_starts_at.isoformat()},
    )
    return appointment


LATE_CANCELLATION = timedelta(hours=24)


def _check_cancel(*, actor: Actor, appointment: Appointment, reason: str, void: bool) -> None:
    """The district's coordinators cancel or void; the requesting office may cancel, never void; a reason is kept."""
    request = appointment.request
    office_side = is_office_member(user=actor.user, request=request)
    if not (is_district_coordinator(user=actor.user, request=request) or actor.is_admin or (office_side and not void)):
        raise NotAllowed(_("You cannot cancel this appointment."))
    if appointment.status != Appointment.Status.PLANNED:
        raise DomainError(_("Only a planned appointment can be cancelled."))
    if not (reason or "").strip():
        raise DomainError(_("Say why: the reason is kept with the appointment."), field="reason")


def _mark_cancelled(appointment: Appointment, *, reason: str, void: bool, now: datetime) -> None:
    appointment.status = Appointment.Status.VOID if void else Appointment.Status.CANCELLED
    appointment.cancel_reason = reason.strip()[:300]
    appointment.cancelled_at = now
    appointment.late_cancellation = not void and appointment.starts_at - now < LATE_CANCELLATION
    appointment.save(update_fields=["status", "cancel_reason", "cancelled_at", "late_cancellation", "updated_at"])


@transaction.atomic
def appointment_cancel(*, actor: Actor, appointment: Appointment, reason: str, void: bool = False) -> Appointment:
    """Cancel (owed if less than 24 hours before: flagged for costs) or void (entered by mistake: nothing owed)."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("request__office", "mediator")
        .get(pk=appointment.pk)
    )
    request = appointment.request
    _check_cancel(actor=actor, appointment=appointment, reason=reason, void=void)
    _mark_cancelled(appointment, reason=reason, void=void, now=timezone.now())
    facts_changed(request_id=request.pk, at=[appointment.starts_at])
    events.appointments_changed(kind=events.CANCELLED, appointment_ids=[appointment.pk])
    mediator_user = [appointment.mediator.user] if appointment.mediator.user_id else []
    notify(
        recipients=[request.requester, *mediator_user, *district_coordinators(request=request)],
        request=request,
        kind=Notification.Kind.APPOINTMENT_CANCELLED,
        actor=actor.user,
        details=facts_of_appointment(appointment),
    )
    return appointment
