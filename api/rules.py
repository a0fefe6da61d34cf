"""Who sees the API tokens (accounts.scoping is the engine): province staff see their province's, administrators
every one. Nobody else manages tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role
from accounts.scoping import Actor, rule

from .models import ApiToken


@rule(ApiToken)
def _tokens(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(province_id__in=actor.province_ids)
    return qs.none()
