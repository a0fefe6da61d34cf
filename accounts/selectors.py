"""Scoped reads of organisations and people. Every queryset starts from :func:`accounts.scoping.visible`."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from .models import District, Funder, Invitation, Membership, Office, Provider, Province, User
from .scoping import active_memberships, visible


def membership_list(*, user) -> QuerySet[Membership]:
    """The roles of the people a user manages, with everything a list shows in a fixed number of queries."""
    return (
        visible(user, Membership)
        .select_related(
            "user", "office__district", "district", "provider", "province", "funder", "user__active_membership"
        )
        .prefetch_related(Prefetch("districts", queryset=District.objects.order_by("name")))
        .order_by("user__last_name", "user__first_name", "user__email", "role")
    )


def pending_invitation_list(*, user) -> QuerySet[Invitation]:
    return (
        visible(user, Invitation)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("office", "district", "provider", "province", "funder", "invited_by")
        .prefetch_related("districts")
        .order_by("-created_at")
    )


def user_memberships(*, user: User) -> list[Membership]:
    """The user's own active roles, for the switch in the header: the same list the current role was read from
    (``scoping.active_memberships``), no second query."""
    return sorted(active_memberships(user), key=lambda membership: (membership.role, membership.pk))


def organisation_tree(*, user) -> list[Province]:
    """Provinces with their districts and offices, each level limited to what the user may see."""
    offices = visible(user, Office).order_by("name")
    districts = visible(user, District).order_by("name").prefetch_related(Prefetch("offices", queryset=offices))
    return list(
        visible(user, Province)
        .order_by("name")
        .prefetch_related(
            Prefetch("districts", queryset=districts),
            Prefetch("providers", queryset=visible(user, Provider).order_by("name")),
            Prefetch("funders", queryset=visible(user, Funder).order_by("name")),
        )
    )
