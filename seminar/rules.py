"""Who manages the public seminar (accounts.scoping is the engine): the staff of its province. Everyone else sees no
seminar through a rule; the public reads the event page through seminar.selectors.public_seminar, which shows no
registration."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role
from accounts.scoping import Actor, rule

from .models import Registration, Seminar

MANAGERS = (Role.PROVINCE_STAFF,)


@rule(Seminar)
def _seminars(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(*MANAGERS):
        return qs.filter(province_id__in=actor.province_ids)
    return qs.none()


@rule(Registration)
def _registrations(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(*MANAGERS):
        return qs.filter(seminar__province_id__in=actor.province_ids)
    return qs.none()
