"""Who sees the operators' FAQ (accounts.scoping is the engine): the operators of a province, never the funder nor
the public. Which of the province's questions a person reads (the published ones, their own waiting ones, all of
them for those who answer) is decided in faq.selectors on top of this rule."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Role
from accounts.scoping import Actor, rule

from .models import Expert, Question, Vote

# The roles that ask and read: everyone who works on requests in a province.
OPERATORS = (Role.SOCIAL_WORKER, Role.COORDINATOR, Role.MEDIATOR, Role.PROVINCE_STAFF)


@rule(Question)
def _questions(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(*OPERATORS):
        return qs.filter(province_id__in=actor.province_ids)
    return qs.none()


@rule(Expert)
def _experts(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(*OPERATORS):
        return qs.filter(province_id__in=actor.province_ids)
    return qs.none()


@rule(Vote, personal=True)
def _votes(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs.filter(user=actor.user)
