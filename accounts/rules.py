"""Who sees the organisations and the people (accounts.scoping is the engine; each app has its rules.py)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import District, Funder, Invitation, Membership, Office, Provider, Province, Role, User
from .scoping import Actor, prefixed, rule

# --- Rules of the organisation models ---------------------------------------------------------------------------------


@rule(Province)
def _provinces(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs.filter(pk__in=actor.province_ids)


@rule(District)
def _districts(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.PROVINCE_STAFF, Role.FUNDER_VIEWER):
        return qs.filter(province_id__in=actor.province_ids)
    return qs.filter(pk__in=actor.district_ids)


@rule(Office)
def _offices(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(district__province_id__in=actor.province_ids)
    if actor.has_role(Role.COORDINATOR, Role.MEDIATOR):
        return qs.filter(district_id__in=actor.district_ids)
    if actor.has_role(Role.SOCIAL_WORKER):
        return qs.filter(pk__in=actor.office_ids)
    # Funders read aggregates only, never the list of offices.
    return qs.none()


@rule(Provider)
def _providers(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.MEDIATOR):
        return qs.filter(pk=actor.provider_id)
    if actor.has_role(Role.FUNDER_VIEWER):
        return qs.none()
    return qs.filter(province_id__in=actor.province_ids)


@rule(Funder)
def _funders(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.FUNDER_VIEWER):
        return qs.filter(pk=actor.funder_id)
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(provinces__in=actor.province_ids).distinct()
    return qs.none()


def _memberships_in_provinces(province_ids) -> Q:
    return (
        Q(office__district__province_id__in=province_ids)
        | Q(district__province_id__in=province_ids)
        | Q(provider__province_id__in=province_ids)
        | Q(province_id__in=province_ids)
        | Q(funder__provinces__in=province_ids)
    )


def _memberships_in_districts(district_ids) -> Q:
    return (
        Q(office__district_id__in=district_ids)
        | Q(district_id__in=district_ids)
        | Q(role=Role.MEDIATOR, districts__in=district_ids)
    )


def _people_condition(actor: Actor, prefix: str = "") -> Q | None:
    """Which memberships (or invitations) a role manages; None for roles that manage nobody."""
    if actor.has_role(Role.PROVINCE_STAFF):
        condition = _memberships_in_provinces(actor.province_ids)
    elif actor.has_role(Role.COORDINATOR):
        condition = _memberships_in_districts(actor.district_ids)
    else:
        return None
    if not prefix:
        return condition
    return prefixed(condition, prefix)


@rule(Membership)
def _memberships(actor: Actor, qs: QuerySet) -> QuerySet:
    condition = _people_condition(actor)
    if condition is None:
        return qs.filter(user=actor.user)
    return qs.filter(pk__in=Membership.objects.filter(condition).values("pk"))


@rule(Invitation)
def _invitations(actor: Actor, qs: QuerySet) -> QuerySet:
    condition = _people_condition(actor)
    if condition is None:
        return qs.none()
    return qs.filter(pk__in=Invitation.objects.filter(condition).values("pk"))


@rule(User)
def _users(actor: Actor, qs: QuerySet) -> QuerySet:
    condition = _people_condition(actor, prefix="memberships__")
    if condition is None:
        return qs.filter(pk=actor.user.pk)
    return qs.filter(Q(pk__in=User.objects.filter(condition).values("pk")) | Q(pk=actor.user.pk))
