"""Who reads the read audit (accounts.scoping is the engine)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role
from accounts.scoping import Actor, rule

from .models import ReadEvent

# --- The read audit ---------------------------------------------------------------------------------------------------


@rule(ReadEvent)
def _read_events(actor: Actor, qs: QuerySet) -> QuerySet:
    """Province staff read the audit of their province (reads of its requests, appointments, series and reports, and
    exports by its people); administrators all of it. Nobody else: an audit is overseen, not self-served."""
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(province_id__in=actor.province_ids)
    return qs.none()
