"""Who sees the mini-guide's working data (accounts.scoping is the engine). The public reads published entries
through guide.selectors.public_entries, which never shows a draft."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Role
from accounts.scoping import Actor, rule

from .models import GuideEdition, ServiceAtLocation, TranslationTask

# --- Entries ----------------------------------------------------------------------------------------------------------
# Coordinators: their district's entries (they map them). Province staff: every entry of their province, the
# whole-province ones included (they review and publish). Everyone else: none (the public pages show published ones).


@rule(ServiceAtLocation)
def _entries(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.COORDINATOR):
        return qs.filter(district_id__in=actor.district_ids)
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(province_id__in=actor.province_ids)
    return qs.none()


# --- Translation tasks ------------------------------------------------------------------------------------------------
# Coordinators: the tasks of their district. Province staff: their province's. A mediator: the tasks they translate
# or approve as the second mediator.


@rule(TranslationTask)
def _tasks(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.COORDINATOR):
        return qs.filter(district_id__in=actor.district_ids)
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(province_id__in=actor.province_ids)
    if actor.has_role(Role.MEDIATOR):
        return qs.filter(Q(translator__user=actor.user) | Q(reviewer__user=actor.user))
    return qs.none()


# --- Editions of the booklet ------------------------------------------------------------------------------------------
# Province staff: every edition of their province. Coordinators: their district's (they ask for them). The public
# downloads ready editions of published guides through guide.selectors.public_editions, without a rule.


@rule(GuideEdition)
def _editions(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.COORDINATOR):
        return qs.filter(district_id__in=actor.district_ids)
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(province_id__in=actor.province_ids)
    return qs.none()
