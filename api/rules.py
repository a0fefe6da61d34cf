"""Who sees the API tokens (accounts.scoping is the engine): province staff see their province's, administrators
every one. Nobody else manages tokens."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role
from accounts.scoping import Actor, rule

from .models import ApiToken, Webhook, WebhookDelivery


@rule(ApiToken)
def _tokens(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(province_id__in=actor.province_ids)
    return qs.none()


# A webhook and its deliveries belong to the system that registered it (its token's account), administrators too.
@rule(Webhook, personal=True)
def _webhooks(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs.filter(user=actor.user)


@rule(WebhookDelivery, personal=True)
def _deliveries(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs.filter(webhook__user=actor.user)
