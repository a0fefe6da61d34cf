"""Who sees the mediator roster (accounts.scoping is the engine)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role
from accounts.scoping import Actor, rule

from .models import Mediator

# --- Rules of the mediator roster -------------------------------------------------------------------------------------
# Coordinators: mediators serving their district. Province staff: their province's. A mediator: their own profile.
# Social workers and funders: no roster.


@rule(Mediator)
def _mediators(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.COORDINATOR):
        # Read from the table of who serves where, not through the mediators again (a join the count paid for).
        serving = Mediator.districts.through.objects.filter(district_id__in=actor.district_ids)
        return qs.filter(pk__in=serving.values("mediator_id"))
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(provider__province_id__in=actor.province_ids)
    if actor.has_role(Role.MEDIATOR):
        return qs.filter(user=actor.user)
    return qs.none()
