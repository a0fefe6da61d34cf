"""Who sees what: the one place that decides it.

Every read of a scoped model goes through :func:`visible` (a queryset limited to what a user may see in their
current role) or :func:`get_for_user_or_404` (one object, or 404 for an outsider: its existence is not leaked).
Each model registers one rule with :func:`rule`; a model without a rule is visible to nobody, so forgetting to
write one fails closed.

This module is the engine and knows no other app. The rules live beside their models, one ``rules.py`` per app,
imported by the app's ``ready()``: ``grep -rn "@rule(" */rules.py`` lists who sees what, model by model.

Scope follows the user's *current* membership (switched in the header), not the union of all their roles: a
coordinator who is also a mediator sees the mediator's view while acting as a mediator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import FunctionType

from django.db import router
from django.db.models import F, Model, Q, QuerySet
from django.http import Http404

from core import compiled

from . import role_cache
from .models import Membership, Role, User


@dataclass(frozen=True)
class Actor:
    """A user acting in one role, with the ids of the organisations that role reaches."""

    user: User | None
    membership: Membership | None = None
    role: str | None = None
    province_ids: frozenset[int] = field(default_factory=frozenset)
    district_ids: frozenset[int] = field(default_factory=frozenset)
    office_ids: frozenset[int] = field(default_factory=frozenset)
    provider_id: int | None = None
    funder_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMINISTRATOR

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


NOBODY = Actor(user=None)


def active_memberships(user: User) -> list[Membership]:
    """The user's active memberships with their organisations: read once per request and kept on the user object
    (the current role below and the roles of the header's switch both read it), and from the shared cache while
    nothing changed them (accounts/role_cache.py)."""
    cached = getattr(user, "_mediazione_memberships", None)
    if cached is None:
        cached = role_cache.memberships_of(user, lambda: _read_memberships(user))
        for membership in cached:
            membership._state.fields_cache["user"] = user
        user._mediazione_memberships = cached
    return cached


def _read_memberships(user: User) -> list[Membership]:
    rows = (
        user.memberships.filter(is_active=True)
        .select_related("office__district__province", "district__province", "provider__province", "province", "funder")
        # What a mediator's and a funder's role reach, in the same query: one row per district served (or per
        # province funded), folded back into one membership below.
        .annotate(_reach_district=F("districts"), _reach_province=F("funder__provinces"))
        .order_by("pk")
    )
    memberships: dict[int, Membership] = {}
    for row in rows:
        membership = memberships.setdefault(row.pk, row)
        if not hasattr(membership, "reach_district_ids"):
            membership.reach_district_ids, membership.reach_province_ids = set(), set()
        if row._reach_district is not None:
            membership.reach_district_ids.add(row._reach_district)
        if row._reach_province is not None:
            membership.reach_province_ids.add(row._reach_province)
    return list(memberships.values())


def current_membership(user: User) -> Membership | None:
    """The membership the user acts in: the one chosen in the header, else their oldest active one."""
    memberships = active_memberships(user)
    for membership in memberships:
        if membership.pk == user.active_membership_id:
            return membership
    return memberships[0] if memberships else None


def actor_for(user) -> Actor:
    """The :class:`Actor` for a user, computed once per request and kept on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    cached = getattr(user, "_mediazione_actor", None)
    if cached is not None:
        return cached
    actor = _build_actor(user, current_membership(user))
    user._mediazione_actor = actor
    return actor


def forget_actor(user) -> None:
    """Call after changing a user's memberships or current role within the same request."""
    for name in ("_mediazione_actor", "_mediazione_memberships"):
        if hasattr(user, name):
            delattr(user, name)


def _reach(membership: Membership, kind: str) -> set[int]:
    """The districts a mediator serves or the provinces a funder funds: read with the membership
    (``active_memberships``), or now for a membership read elsewhere."""
    ids = getattr(membership, f"reach_{kind}_ids", None)
    if ids is not None:
        return ids
    if kind == "district":
        return set(membership.districts.values_list("pk", flat=True))
    return set(membership.funder.provinces.values_list("pk", flat=True))


def _build_actor(user: User, membership: Membership | None) -> Actor:
    if membership is None:
        # A superuser created with createsuperuser has no membership yet: treat them as an administrator.
        if user.is_superuser:
            return Actor(user=user, role=Role.ADMINISTRATOR)
        return Actor(user=user)
    role = membership.role
    if role == Role.SOCIAL_WORKER:
        office = membership.office
        return Actor(
            user=user,
            membership=membership,
            role=role,
            province_ids=frozenset({office.district.province_id}),
            district_ids=frozenset({office.district_id}),
            office_ids=frozenset({office.pk}),
        )
    if role == Role.COORDINATOR:
        district = membership.district
        return Actor(
            user=user,
            membership=membership,
            role=role,
            province_ids=frozenset({district.province_id}),
            district_ids=frozenset({district.pk}),
        )
    if role == Role.MEDIATOR:
        return Actor(
            user=user,
            membership=membership,
            role=role,
            province_ids=frozenset({membership.provider.province_id}),
            district_ids=frozenset(_reach(membership, "district")),
            provider_id=membership.provider_id,
        )
    if role == Role.PROVINCE_STAFF:
        return Actor(user=user, membership=membership, role=role, province_ids=frozenset({membership.province_id}))
    if role == Role.FUNDER_VIEWER:
        return Actor(
            user=user,
            membership=membership,
            role=role,
            province_ids=frozenset(_reach(membership, "province")),
            funder_id=membership.funder_id,
        )
    return Actor(user=user, membership=membership, role=Role.ADMINISTRATOR)


# --- The registry -----------------------------------------------------------------------------------------------------

Rule = Callable[[Actor, QuerySet], QuerySet]
_RULES: dict[type[Model], Rule] = {}
# Models whose rows belong to one person: their rule holds for administrators too.
_PERSONAL: set[type[Model]] = set()


def rule(model: type[Model], *, personal: bool = False) -> Callable[[Rule], Rule]:
    """Register the visibility rule of ``model``. Administrators see everything without a rule's help, except the
    rows of ``personal`` models (one's own notifications), where the rule holds for everyone."""

    def register(function: Rule) -> Rule:
        _RULES[model] = function
        if personal:
            _PERSONAL.add(model)
        return function

    return register


def visible(user, model_or_queryset: type[Model] | QuerySet) -> QuerySet:
    """The rows of a model (or of a queryset of it) that ``user`` may see in their current role."""
    queryset = (
        model_or_queryset if isinstance(model_or_queryset, QuerySet) else model_or_queryset._default_manager.all()
    )
    actor = actor_for(user)
    if actor.role is None:
        return queryset.none()
    function = _RULES.get(queryset.model)
    if actor.is_admin and queryset.model not in _PERSONAL:
        return queryset
    if function is None:
        return queryset.none()
    return function(actor, queryset)


def get_for_user_or_404(user, model_or_queryset: type[Model] | QuerySet, **lookups):
    """One object the user may see, or :class:`Http404` whether it is missing or outside their scope."""
    try:
        return visible(user, model_or_queryset).get(**lookups)
    except (model_or_queryset if isinstance(model_or_queryset, type) else model_or_queryset.model).DoesNotExist:
        raise Http404 from None
    except (ValueError, TypeError):
        # A malformed id in the address (``/persone/abc/``) is a missing page, not a server error.
        raise Http404 from None


def _same(queryset: QuerySet) -> QuerySet:
    return queryset


def scope_key(user) -> tuple:
    """Everything a rule reads of the user in their current role (the role, the person, the organisations it
    reaches): two users with the same key see the same rows, so SQL compiled for one serves the other."""
    actor = actor_for(user)
    return (
        actor.role,
        actor.user.pk if actor.user is not None else None,
        tuple(sorted(actor.province_ids)),
        tuple(sorted(actor.district_ids)),
        tuple(sorted(actor.office_ids)),
        actor.provider_id,
        actor.funder_id,
    )


def one_for_user_or_404(user, model: type[Model], pk, *, build: Callable[[QuerySet], QuerySet] = _same):
    """:func:`get_for_user_or_404` for a detail page's object: ``build(visible(user, model)).get(pk=pk)``, with the
    query compiled once per reader's scope and ``build`` in each process (core/compiled.py), not at every view.

    ``build`` adds what the page reads with the object (``select_related``, ``only``, annotations) and must return
    the same query each time: a function of the queryset alone, defined once (no closure, no default values, not
    reading the clock). A ``build`` that is not is read the ordinary way, at every view."""
    if not isinstance(build, FunctionType) or build.__closure__ or build.__defaults__ or build.__kwdefaults__:
        return get_for_user_or_404(user, build(visible(user, model)), pk=pk)
    database = router.db_for_read(model)
    try:
        return compiled.one_by_pk(
            model, (build.__code__, scope_key(user)), lambda: build(visible(user, model)), pk, database=database
        )
    except model.DoesNotExist:
        raise Http404 from None
    except (ValueError, TypeError):
        raise Http404 from None


def has_rule(model: type[Model]) -> bool:
    """Whether ``model`` registered a rule (a model without one is visible to administrators only)."""
    return model in _RULES


def prefixed(condition: Q, prefix: str) -> Q:
    """The same condition, on a relation: ``prefixed(Q(office_id=1), "request__")`` is ``Q(request__office_id=1)``."""
    result = Q()
    result.connector = condition.connector
    result.negated = condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            result.children.append(prefixed(child, prefix))
        else:
            key, value = child
            result.children.append((f"{prefix}{key}", value))
    return result
