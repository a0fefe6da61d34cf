"""Who sees the organisations and the people (accounts.scoping is the engine; each app has its rules.py)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core.arrays import AnyOf

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


def _managed_membership_ids(actor: Actor) -> QuerySet | None:
    """The ids of the memberships a role manages (``_people_condition``), as a union of one read per way a
    membership belongs to a district or province, each on the index of its column: the same rows as the condition,
    whose joins and ORs would make the database read every membership of the region."""
    managed = Membership.objects.order_by()
    # Most parts look their memberships up by the index of their column, handed the ids as an array (core.arrays): as
    # ``IN (subquery)`` the planner read every membership of the region to hash it.
    if actor.has_role(Role.PROVINCE_STAFF):
        provinces = actor.province_ids
        parts = [
            managed.filter(AnyOf("office_id", Office.objects.filter(district__province_id__in=provinces).values("pk"))),
            managed.filter(AnyOf("district_id", District.objects.filter(province_id__in=provinces).values("pk"))),
            # A province's providers are few: as a join, the planner reads each one's memberships by index.
            managed.filter(provider_id__in=Provider.objects.filter(province_id__in=provinces).values("pk")),
            managed.filter(province_id__in=provinces),
            managed.filter(
                AnyOf(
                    "funder_id", Funder.provinces.through.objects.filter(province_id__in=provinces).values("funder_id")
                )
            ),
        ]
    elif actor.has_role(Role.COORDINATOR):
        districts = actor.district_ids
        parts = [
            managed.filter(AnyOf("office_id", Office.objects.filter(district_id__in=districts).values("pk"))),
            managed.filter(district_id__in=districts),
            managed.filter(
                AnyOf(
                    "pk", Membership.districts.through.objects.filter(district_id__in=districts).values("membership_id")
                ),
                role=Role.MEDIATOR,
            ),
        ]
    else:
        return None
    first, *others = (part.values("pk") for part in parts)
    return first.union(*others)


@rule(Membership)
def _memberships(actor: Actor, qs: QuerySet) -> QuerySet:
    ids = _managed_membership_ids(actor)
    if ids is None:
        return qs.filter(user=actor.user)
    # Looked up by id (core.arrays): ``pk IN (union)`` had the planner read every membership of the region.
    return qs.filter(AnyOf("pk", ids))


@rule(Invitation)
def _invitations(actor: Actor, qs: QuerySet) -> QuerySet:
    """The invitations to the memberships a role manages (``_people_condition``), each way an invitation belongs to
    a district or province as a subquery on its own column: no join, so no duplicate rows to fold and a plan made at
    once (the joins of the condition took PostgreSQL 3 ms to plan, more than the query took to run)."""
    if actor.has_role(Role.PROVINCE_STAFF):
        provinces = actor.province_ids
        return qs.filter(
            Q(office_id__in=Office.objects.filter(district__province_id__in=provinces).values("pk"))
            | Q(district_id__in=District.objects.filter(province_id__in=provinces).values("pk"))
            | Q(provider_id__in=Provider.objects.filter(province_id__in=provinces).values("pk"))
            | Q(province_id__in=provinces)
            | Q(funder_id__in=Funder.provinces.through.objects.filter(province_id__in=provinces).values("funder_id"))
        )
    if actor.has_role(Role.COORDINATOR):
        districts = actor.district_ids
        return qs.filter(
            Q(office_id__in=Office.objects.filter(district_id__in=districts).values("pk"))
            | Q(district_id__in=districts)
            | Q(
                role=Role.MEDIATOR,
                pk__in=Invitation.districts.through.objects.filter(district_id__in=districts).values("invitation_id"),
            )
        )
    return qs.none()


@rule(User)
def _users(actor: Actor, qs: QuerySet) -> QuerySet:
    condition = _people_condition(actor, prefix="memberships__")
    if condition is None:
        return qs.filter(pk=actor.user.pk)
    return qs.filter(Q(pk__in=User.objects.filter(condition).values("pk")) | Q(pk=actor.user.pk))
