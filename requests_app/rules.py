"""Who sees mediation requests, and what belongs to one (accounts.scoping is the engine)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role
from accounts.scoping import Actor, rule

from .models import MediationRequest

# --- Rules of mediation requests --------------------------------------------------------------------------------------
# Social workers: their office's requests, drafts included. Coordinators: their district's; province staff: their
# province's; neither sees another office's drafts. Mediators: only requests they are assigned to (scheduling).
# Funders: none (aggregates only).


@rule(MediationRequest)
def _requests(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.SOCIAL_WORKER):
        return qs.filter(office_id__in=actor.office_ids)
    if actor.has_role(Role.COORDINATOR):
        return qs.filter(office__district_id__in=actor.district_ids).exclude(status="draft")
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(office__district__province_id__in=actor.province_ids).exclude(status="draft")
    if actor.has_role(Role.MEDIATOR):
        # Only while assigned: an offer alone shows what the offer page shows, not the request.
        return qs.filter(assigned_mediator__user=actor.user)
    return qs.none()


def by_request(actor: Actor, qs: QuerySet, path: str) -> QuerySet | None:
    """What belongs to a request (``path`` leads to it) is seen by the requesting office, the district's coordinators
    and the province staff; ``None`` for the other roles, whose rule says more."""
    if actor.has_role(Role.SOCIAL_WORKER):
        return qs.filter(**{f"{path}office_id__in": actor.office_ids})
    if actor.has_role(Role.COORDINATOR):
        return qs.filter(**{f"{path}office__district_id__in": actor.district_ids})
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(**{f"{path}office__district__province_id__in": actor.province_ids})
    return None
