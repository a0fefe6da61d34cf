"""Recurring appointments: a series planned at once, moved, cancelled or handed to another mediator, one occurrence or
the following ones."""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.scoping import Actor
from core import events
from core.errors import DomainError, NotAllowed
from core.figures import facts_changed
from mediators.models import Mediator
from notifications.models import Notification
from notifications.services import notify
from requests_app.models import MediationRequest
from requests_app.selectors import district_coordinators, is_district_coordinator

from .. import recurrence as series
from ..facts import facts_of_occurrences
from ..models import Appointment, AppointmentSeries
from .appointments import (
    _check_cancel,
    _check_times,
    _mark_cancelled,
    _planned,
    _request_to_plan,
    appointment_cancel,
    appointment_reschedule,
)


class SeriesConflicts(DomainError):
    """Some occurrences cannot be planned or moved. Nothing was saved; ``conflicts`` says which and why."""

    def __init__(self, found: list[series.Conflict]):
        super().__init__(
            ngettext(
                "%(count)s date clashes: nothing was saved.",
                "%(count)s dates clash: nothing was saved.",
                len(found),
            )
            % {"count": len(found)}
        )
        self.conflicts = found


@transaction.atomic
def series_create(
    *,
    actor: Actor,
    request: MediationRequest,
    starts_at: datetime,
    ends_at: datetime,
    interval_weeks: int,
    until: date,
    place: str = "",
    mode: str = "",
    skip_conflicts: bool = False,
) -> tuple[AppointmentSeries, list[series.Conflict]]:
    """Plan recurring appointments with the assigned mediator: every ``interval_weeks`` weeks until ``until``.

    Every occurrence is checked first (overlap, travel buffer, absences); if any clashes, nothing is saved and
    ``SeriesConflicts`` lists them, unless ``skip_conflicts`` asks to plan the others and leave those dates out.
    Returns the series and the dates left out."""
    request = _request_to_plan(actor=actor, request=request)
    _check_times(starts_at=starts_at, ends_at=ends_at)
    if interval_weeks not in (1, 2, 3, 4):
        raise DomainError(_("Choose how often the appointment repeats."), field="interval_weeks")
    first_day = timezone.localdate(starts_at)
    if until is None or until <= first_day:
        raise DomainError(_("The repetition ends after the first appointment."), field="until")
    if until - first_day > series.MAX_SPAN:
        raise DomainError(_("A series lasts at most a year: plan the rest later."), field="until")
    spans = series.occurrences(starts_at=starts_at, ends_at=ends_at, interval_weeks=interval_weeks, until=until)
    if len(spans) < 2:
        raise DomainError(
            _("With this end date the appointment does not repeat: choose a later date or plan a single one."),
            field="until",
        )
    mediator = Mediator.objects.select_for_update(of=("self",)).get(pk=request.assigned_mediator_id)
    mode = mode or request.mode
    place = (place or request.place).strip()
    found = series.conflicts(mediator=mediator, spans=spans, place=place, mode=mode)
    if found and not skip_conflicts:
        raise SeriesConflicts(found)
    clashing = {conflict.starts_at for conflict in found}
    spans = [span for span in spans if span.starts_at not in clashing]
    if not spans:
        raise DomainError(_("Every date of the series clashes: nothing was saved."))
    try:
        with transaction.atomic():
            planned = AppointmentSeries.objects.create(
                request=request,
                mediator=mediator,
                interval_weeks=interval_weeks,
                first_starts_at=spans[0].starts_at,
                until=until,
                created_by=actor.user,
            )
            occurrences = Appointment.objects.bulk_create(
                Appointment(
                    request=request,
                    mediator=mediator,
                    series=planned,
                    starts_at=span.starts_at,
                    ends_at=span.ends_at,
                    place=place,
                    mode=mode,
                    created_by=actor.user,
                )
                for span in spans
            )
    except IntegrityError:
        raise DomainError(_("The mediator was booked at one of these times a moment ago: try again.")) from None
    facts_changed(request_id=request.pk, at=[occurrence.starts_at for occurrence in occurrences])
    events.appointments_changed(kind=events.PLANNED, appointment_ids=[occurrence.pk for occurrence in occurrences])
    _planned(
        actor=actor,
        request=request,
        mediator=mediator,
        kind=Notification.Kind.SERIES,
        details=facts_of_occurrences(occurrences),
    )
    return planned, found


def _series_targets(appointment: Appointment, scope: str) -> list[Appointment]:
    """The planned occurrences a change reaches, locked: this one, this and the following, or all still to come."""
    if scope not in series.SCOPES:
        raise DomainError(_("Choose which appointments of the series to change."), field="scope")
    targets = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("mediator")
        .filter(series_id=appointment.series_id, status=Appointment.Status.PLANNED)
        .order_by("starts_at", "pk")
    )
    if scope == series.FOLLOWING:
        targets = targets.filter(starts_at__gte=appointment.starts_at)
    else:
        # All those still to come, and this one even if its time has passed (it may not be reported yet).
        targets = targets.filter(Q(starts_at__gte=timezone.now()) | Q(pk=appointment.pk))
    return list(targets)


def _clashes(
    targets: list[Appointment],
    *,
    spans: dict[int, series.Span],
    mediator: Mediator | None = None,
    ignore_ids: set[int] | frozenset = frozenset(),
) -> list[series.Conflict]:
    """What clashes if each of ``targets`` took its new time in ``spans`` (with ``mediator``, or its own): one
    conflict check per mediator, place and mode, not one per occurrence. In time order."""
    groups: dict[tuple, list[series.Span]] = {}
    for target in targets:
        who = mediator or target.mediator
        groups.setdefault((who.pk, target.place, target.mode), []).append(spans[target.pk])
    people = {target.mediator.pk: target.mediator for target in targets}
    if mediator is not None:
        people[mediator.pk] = mediator
    found = []
    for (who, place, mode), group in groups.items():
        found += series.conflicts(mediator=people[who], spans=group, place=place, mode=mode, ignore_ids=ignore_ids)
    return sorted(found, key=lambda conflict: conflict.starts_at)


def _locked_occurrence(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("request__office", "mediator")
        .get(pk=appointment.pk)
    )


def _series_recipients(request: MediationRequest, targets: list[Appointment], *, coordinators: bool) -> list[User]:
    users = {request.requester_id: request.requester}
    for target in targets:
        if target.mediator.user_id:
            users[target.mediator.user_id] = target.mediator.user
    if coordinators:
        users.update({user.pk: user for user in district_coordinators(request=request)})
    return list(users.values())


@transaction.atomic
def series_move(
    *, actor: Actor, appointment: Appointment, scope: str, starts_at: datetime, ends_at: datetime, reason: str
) -> int:
    """Move one occurrence, this and the following ones, or all those still to come: each moves by the same number
    of days to the new time and length. Every new time is checked first; on a clash nothing moves and
    ``SeriesConflicts`` lists them. Returns how many appointments moved."""
    if scope == series.THIS or appointment.series_id is None:
        appointment_reschedule(
            actor=actor, appointment=appointment, starts_at=starts_at, ends_at=ends_at, reason=reason
        )
        return 1
    appointment = _locked_occurrence(appointment)
    request = appointment.request
    if not (is_district_coordinator(user=actor.user, request=request) or actor.is_admin):
        raise NotAllowed(_("Only the district's coordinators move appointments."))
    if appointment.status != Appointment.Status.PLANNED:
        raise DomainError(_("Only a planned appointment can be moved."))
    if not (reason or "").strip():
        raise DomainError(_("Say why: the reason is kept with the appointment."), field="reason")
    _check_times(starts_at=starts_at, ends_at=ends_at)
    targets = _series_targets(appointment, scope)
    here = timezone.localtime(starts_at, series.ROME)
    day_delta = here.date() - timezone.localtime(appointment.starts_at, series.ROME).date()
    moves = {
        target.pk: series.shifted(target, day_delta=day_delta, at=here.time(), duration=ends_at - starts_at)
        for target in targets
    }
    now = timezone.now()
    if any(span.starts_at < now for span in moves.values()):
        raise DomainError(_("Some appointments would move into the past: move fewer of them."), field="scope")
    ignore = set(moves)
    found = _clashes(targets, spans=moves, ignore_ids=ignore)
    if found:
        raise SeriesConflicts(found)
    moved_from = [target.starts_at for target in targets]
    try:
        with transaction.atomic():
            # Later ones first when moving forward (earlier ones first when moving back): no two occurrences
            # ever overlap on the way, so the PostgreSQL exclusion constraint is never crossed mid-update.
            for target in sorted(targets, key=lambda t: t.starts_at, reverse=day_delta.days > 0):
                target.starts_at, target.ends_at = moves[target.pk].starts_at, moves[target.pk].ends_at
                target.cancel_reason = reason.strip()[:300]
                target.save(update_fields=["starts_at", "ends_at", "cancel_reason", "updated_at"])
    except IntegrityError:
        raise DomainError(_("The mediator was booked at one of these times a moment ago: try again.")) from None
    facts_changed(request_id=request.pk, at=[*moved_from, *(target.starts_at for target in targets)])
    events.appointments_changed(kind=events.MOVED, appointment_ids=[target.pk for target in targets])
    notify(
        recipients=_series_recipients(request, targets, coordinators=False),
        request=request,
        kind=Notification.Kind.SERIES_MOVED,
        actor=actor.user,
        details=facts_of_occurrences(sorted(targets, key=lambda t: t.starts_at)),
    )
    return len(targets)


@transaction.atomic
def series_cancel(*, actor: Actor, appointment: Appointment, scope: str, reason: str, void: bool = False) -> int:
    """Cancel (or void) one occurrence, this and the following ones, or all those still to come. Each keeps its own
    late-cancellation flag. Returns how many appointments were cancelled."""
    if scope == series.THIS or appointment.series_id is None:
        appointment_cancel(actor=actor, appointment=appointment, reason=reason, void=void)
        return 1
    appointment = _locked_occurrence(appointment)
    request = appointment.request
    _check_cancel(actor=actor, appointment=appointment, reason=reason, void=void)
    targets = _series_targets(appointment, scope)
    now = timezone.now()
    for target in targets:
        _mark_cancelled(target, reason=reason, void=void, now=now)
    facts_changed(request_id=request.pk, at=[target.starts_at for target in targets])
    events.appointments_changed(kind=events.CANCELLED, appointment_ids=[target.pk for target in targets])
    notify(
        recipients=_series_recipients(request, targets, coordinators=True),
        request=request,
        kind=Notification.Kind.SERIES_CANCELLED,
        actor=actor.user,
        details=facts_of_occurrences(targets),
    )
    return len(targets)


@transaction.atomic
def series_change_mediator(
    *, actor: Actor, planned: AppointmentSeries, from_day: date, mediator: Mediator, reason: str
) -> int:
    """From ``from_day`` on, the series' planned occurrences go to another mediator, who becomes the request's
    assigned mediator; earlier ones stay with whoever did them. The new mediator must meet the request's hard
    conditions (a candidate) and be free at every time moved; on a clash nothing changes and ``SeriesConflicts``
    lists them. Returns how many appointments changed hands."""
    from .. import matching

    planned = AppointmentSeries.objects.select_for_update(of=("self",)).select_related("mediator").get(pk=planned.pk)
    request = (
        MediationRequest.objects.select_for_update(of=("self",))
        .select_related("office", "requester")
        .get(pk=planned.request_id)
    )
    if not (is_district_coordinator(user=actor.user, request=request) or actor.is_admin):
        raise NotAllowed(_("Only the district's coordinators change the mediator."))
    if not (reason or "").strip():
        raise DomainError(_("Say why: the reason is kept with the appointment."), field="reason")
    if mediator.pk == planned.mediator_id:
        raise DomainError(_("Choose a different mediator."), field="mediator")
    if mediator.pk not in {c.mediator.pk for c in matching.candidates(user=actor.user, request=request)}:
        raise DomainError(
            _("%(name)s cannot take this request: see why on the candidates page.") % {"name": mediator.full_name},
            field="mediator",
        )
    mediator = Mediator.objects.select_for_update(of=("self",)).get(pk=mediator.pk)
    first = datetime.combine(from_day, datetime.min.time(), tzinfo=series.ROME)
    targets = list(
        Appointment.objects.select_for_update(of=("self",))
        .select_related("mediator")
        .filter(
            series=planned,
            status=Appointment.Status.PLANNED,
            starts_at__gte=max(first, timezone.now()),
        )
        .order_by("starts_at", "pk")
    )
    if not targets:
        raise DomainError(_("No planned appointment of the series from this date on."), field="from_day")
    found = _clashes(targets, spans={t.pk: series.Span(t.starts_at, t.ends_at) for t in targets}, mediator=mediator)
    if found:
        raise SeriesConflicts(found)
    previous = {target.mediator_id: target.mediator for target in targets}
    try:
        with transaction.atomic():
            Appointment.objects.filter(pk__in=[t.pk for t in targets]).update(
                mediator=mediator, cancel_reason=reason.strip()[:300], updated_at=timezone.now()
            )
    except IntegrityError:
        raise DomainError(_("The mediator was booked at one of these times a moment ago: try again.")) from None
    # Another mediator may work for another provider, at another rate: the sessions' cost changes.
    facts_changed(request_id=request.pk, at=[target.starts_at for target in targets])
    planned.mediator = mediator
    planned.save(update_fields=["mediator"])
    request.assigned_mediator = mediator
    request.save(update_fields=["assigned_mediator", "updated_at"])
    recipients = {request.requester_id: request.requester}
    for person in [*previous.values(), mediator]:
        if person.user_id:
            recipients[person.user_id] = person.user
    notify(
        recipients=list(recipients.values()),
        request=request,
        kind=Notification.Kind.MEDIATOR_CHANGED,
        actor=actor.user,
        details={
            **facts_of_occurrences(targets),
            "mediator": mediator.full_name,
            "previous": ", ".join(person.full_name for person in previous.values()),
        },
    )
    return len(targets)
