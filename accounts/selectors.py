"""Scoped reads of organisations and people. Every queryset starts from :func:`accounts.scoping.visible`."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db import router
from django.db.models import OuterRef, Prefetch, QuerySet

from core import cached_sets, compiled
from core.arrays import AnyOf
from core.text_lists import Named, items, text_list

from .models import District, Funder, Invitation, Membership, Office, Provider, Province, Role, User
from .scoping import Actor, active_memberships, scope_key, visible

# The number of people with a role a coordinator, the province or the administrators manage (the home's card), kept
# per district, province or the whole portal: counting them reads the memberships of every way a person belongs to a
# district (an office, the district, a mediator's districts). Forgotten by the services that add or end a role.
PEOPLE_COUNTS = "people-with-a-role"


def _people_scope(actor: Actor) -> str:
    if actor.is_admin:
        return "portal"
    if actor.has_role(Role.COORDINATOR):
        return f"district-{min(actor.district_ids)}"
    return f"province-{min(actor.province_ids)}"


def people_with_a_role(*, actor: Actor) -> tuple[int | None, QuerySet]:
    """(the cached number of people with an active role the actor manages, or None; the queryset that counts them
    when it is missing: count it, then ``remember_people_with_a_role()``)."""
    counted = cached_sets.peek(PEOPLE_COUNTS, _people_scope(actor))
    return counted, visible(actor.user, Membership).filter(is_active=True).values("user").distinct()


def remember_people_with_a_role(*, actor: Actor, count: int) -> None:
    cached_sets.keep(PEOPLE_COUNTS, _people_scope(actor), count)


def forget_people_with_a_role() -> None:
    """A role was added or ended: every count may change (a mediator counts in each of their districts)."""
    scopes = ["portal"]
    scopes += [f"district-{pk}" for pk in District.objects.values_list("pk", flat=True)]
    scopes += [f"province-{pk}" for pk in Province.objects.values_list("pk", flat=True)]
    cached_sets.forget(PEOPLE_COUNTS, scopes)


# The people list's order: the person's name, then the role (the id last, for a stable page).
PEOPLE_PAGE = 25
PEOPLE_ORDER = ("user__last_name", "user__first_name", "user__email", "role", "pk")


def membership_list(*, user) -> QuerySet[Membership]:
    """The roles of the people a user manages, in the list's order (the person's name, then the role): only what the
    order needs, so that a page is chosen without joining the organisations of every role (:func:`membership_page`
    reads the page's rows)."""
    return visible(user, Membership).select_related("user").order_by(*PEOPLE_ORDER)


def people_page(*, user, filterset, number) -> Page:
    """A page of the people list (``filterset``: a MembershipFilter of :func:`membership_list`): its count and its rows
    from SQL compiled once per reader's scope, filters and page in each process (core/compiled.py). The scope's
    conditions on roles, offices, districts, providers and funders made Django compile for 12 ms a page (twice: the
    count, then the page's ids), more than the database spent on both."""
    # Unbound (no filter asked for), or bound and valid or not, with the values the filters were given.
    shape = (scope_key(user), *compiled.form_key(filterset.form))
    database = router.db_for_read(Membership)
    paginator = Paginator(filterset.qs, PEOPLE_PAGE)
    paginator.count = compiled.count_of(("people", *shape), lambda: filterset.qs, database=database)
    page = paginator.get_page(number)
    page.object_list = membership_page(page.object_list, key=("people", *shape))
    return page


def membership_page(page_of: QuerySet[Membership], *, key: tuple | None = None) -> list[Membership]:
    """The rows of one page of :func:`membership_list` (a slice of it) with everything a row shows, in one query: the
    page's ids are chosen by the slice as a subquery, then only those rows are joined to their organisations
    (issue #17: a province's 2,000 roles were all joined to six tables before the 25 of the page were kept). With a
    ``key`` (everything the slice is made of), from SQL compiled once per key."""
    # A mediator's districts (``district_list``: each only its name, by name) come in the row's own query
    # (core.text_lists): prefetched, they cost a query and a model instance each.
    districts = text_list(
        Membership.districts.through.objects.filter(membership_id=OuterRef("pk")), "membership_id", "district__name",
        ordering=("district__name",),
    )  # fmt: skip

    def build():
        return (
            # As an array of ids (core.arrays): with ``IN (subquery)`` the planner joined every role to its
            # organisations first and kept the page's 25 after.
            Membership.objects.filter(AnyOf("pk", page_of.values("pk")))
            .select_related("user", "office__district", "district", "provider", "province", "funder")
            .annotate(district_text=districts)
            .order_by(*PEOPLE_ORDER)
        )

    database = router.db_for_read(Membership)
    if key is None:
        rows = list(build())
    else:
        # The slice's bounds are part of the SQL: the last page's end is the count (Django's Paginator).
        bounds = (page_of.query.low_mark, page_of.query.high_mark)
        rows = compiled.rows_of((*key, bounds), build, database=database)
    for row in rows:
        row.district_list = [Named(*item) for item in items(row.district_text, sort=True)]
    return rows


def pending_invitation_list(*, user) -> QuerySet[Invitation]:
    return (
        visible(user, Invitation)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("office", "district", "provider", "province", "funder")
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
