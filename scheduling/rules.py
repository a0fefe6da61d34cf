"""Who sees appointments, series and offers (accounts.scoping is the engine)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Role
from accounts.scoping import Actor, rule
from requests_app.rules import by_request

from .models import Appointment, AppointmentSeries, Offer

# --- Rules of scheduling ---------------------------------------------------------------------------------------------


@rule(Appointment)
def _appointments(actor: Actor, qs: QuerySet) -> QuerySet:
    """An appointment is seen by its mediator, the requesting office, the district's coordinators, the province. The
    district is the appointment's own (its request's office's, kept on it), so a district's appointments are read
    from their index without joining the requests."""
    if actor.has_role(Role.COORDINATOR):
        return qs.filter(district_id__in=actor.district_ids)
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(district__province_id__in=actor.province_ids)
    if (scoped := by_request(actor, qs, "request__")) is not None:
        return scoped
    if actor.has_role(Role.MEDIATOR):
        return qs.filter(mediator__user=actor.user)
    return qs.none()


@rule(AppointmentSeries)
def _appointment_series(actor: Actor, qs: QuerySet) -> QuerySet:
    """Recurring appointments are seen like their occurrences; a mediator sees a series they do any occurrence of
    (the one who handed it over keeps seeing what was theirs)."""
    if (scoped := by_request(actor, qs, "request__")) is not None:
        return scoped
    if actor.has_role(Role.MEDIATOR):
        mine = Appointment.objects.filter(series=OuterRef("pk"), mediator__user=actor.user)
        return qs.filter(Q(mediator__user=actor.user) | Q(Exists(mine)))
    return qs.none()


@rule(Offer)
def _offers(actor: Actor, qs: QuerySet) -> QuerySet:
    """Offers are the coordinators' business (scheduling.selectors.can_see_offers): the district's coordinators and the
    province's staff; a mediator their own once sent (a queued one is not sent yet); never the office."""
    if actor.has_role(Role.COORDINATOR):
        return qs.filter(request__office__district_id__in=actor.district_ids)
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(request__office__district__province_id__in=actor.province_ids)
    if actor.has_role(Role.MEDIATOR):
        return qs.filter(mediator__user=actor.user).exclude(status=Offer.Status.QUEUED)
    return qs.none()
