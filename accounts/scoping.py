"""Who sees what: the one place that decides it.

Every read of a scoped model goes through :func:`visible` (a queryset limited to what a user may see in their
current role) or :func:`get_for_user_or_404` (one object, or 404 for an outsider: its existence is not leaked).
Each model registers one rule with :func:`rule`; a model without a rule is visible to nobody, so forgetting to
write one fails closed.

Scope follows the user's *current* membership (switched in the header), not the union of all their roles: a
coordinator who is also a mediator sees the mediator's view while acting as a mediator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from audit.models import ReadEvent
from mediators.models import Mediator
from reporting.models import BudgetLine, Project, ProjectCharge, ReportJob
from requests_app.models import (
    Appointment,
    AppointmentSeries,
    Evaluation,
    EvaluationCriterion,
    EvaluationScore,
    MediationRequest,
    Notification,
    SessionReport,
)
from timesheets.models import Rate, Timesheet

from .models import District, Funder, Invitation, Membership, Office, Provider, Province, Role, User


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


def current_membership(user: User) -> Membership | None:
    """The membership the user acts in: the one chosen in the header, else their oldest active one."""
    memberships = list(
        user.memberships.filter(is_active=True)
        .select_related("office__district__province", "district__province", "provider__province", "province", "funder")
        .order_by("pk")
    )
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
    if hasattr(user, "_mediazione_actor"):
        del user._mediazione_actor


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
            district_ids=frozenset(membership.districts.values_list("pk", flat=True)),
            provider_id=membership.provider_id,
        )
    if role == Role.PROVINCE_STAFF:
        return Actor(user=user, membership=membership, role=role, province_ids=frozenset({membership.province_id}))
    if role == Role.FUNDER_VIEWER:
        return Actor(
            user=user,
            membership=membership,
            role=role,
            province_ids=frozenset(membership.funder.provinces.values_list("pk", flat=True)),
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
    return _prefixed(condition, prefix)


def _prefixed(condition: Q, prefix: str) -> Q:
    prefixed = Q()
    prefixed.connector = condition.connector
    prefixed.negated = condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            prefixed.children.append(_prefixed(child, prefix))
        else:
            key, value = child
            prefixed.children.append((f"{prefix}{key}", value))
    return prefixed


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


# --- Rules of the mediator roster -------------------------------------------------------------------------------------
# Coordinators: mediators serving their district. Province staff: their province's. A mediator: their own profile.
# Social workers and funders: no roster.


@rule(Mediator)
def _mediators(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.COORDINATOR):
        return qs.filter(pk__in=Mediator.objects.filter(districts__in=actor.district_ids).values("pk"))
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(provider__province_id__in=actor.province_ids)
    if actor.has_role(Role.MEDIATOR):
        return qs.filter(user=actor.user)
    return qs.none()


# --- Rules of mediation requests --------------------------------------------------------------------------------------
# Social workers: their office's requests, drafts included. Coordinators: their district's; province staff: their
# province's; neither sees another office's drafts. Mediators: only requests they are assigned to (scheduling).
# Funders: none (aggregates only).


@rule(MediationRequest)
def _requests(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.SOCIAL_WORKER):
        return qs.filter(office_id__in=actor.office_ids)
    if actor.has_role(Role.COORDINATOR):
        return qs.filter(office__district_id__in=actor.district_ids).exclude(status="draft")
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(office__district__province_id__in=actor.province_ids).exclude(status="draft")
    if actor.has_role(Role.MEDIATOR):
        # Only while assigned: an offer alone shows what the offer page shows, not the request.
        return qs.filter(assigned_mediator__user=actor.user)
    return qs.none()


def _by_request(actor: Actor, qs: QuerySet, path: str) -> QuerySet | None:
    """What belongs to a request (``path`` leads to it) is seen by the requesting office, the district's coordinators
    and the province staff; ``None`` for the other roles, whose rule says more."""
    if actor.has_role(Role.SOCIAL_WORKER):
        return qs.filter(**{f"{path}office_id__in": actor.office_ids})
    if actor.has_role(Role.COORDINATOR):
        return qs.filter(**{f"{path}office__district_id__in": actor.district_ids})
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(**{f"{path}office__district__province_id__in": actor.province_ids})
    return None


@rule(Appointment)
def _appointments(actor: Actor, qs: QuerySet) -> QuerySet:
    """An appointment is seen by its mediator, the requesting office, the district's coordinators, the province."""
    if (scoped := _by_request(actor, qs, "request__")) is not None:
        return scoped
    if actor.has_role(Role.MEDIATOR):
        return qs.filter(mediator__user=actor.user)
    return qs.none()


@rule(AppointmentSeries)
def _appointment_series(actor: Actor, qs: QuerySet) -> QuerySet:
    """Recurring appointments are seen like their occurrences; a mediator sees a series they do any occurrence of
    (the one who handed it over keeps seeing what was theirs)."""
    if (scoped := _by_request(actor, qs, "request__")) is not None:
        return scoped
    if actor.has_role(Role.MEDIATOR):
        mine = Appointment.objects.filter(series=OuterRef("pk"), mediator__user=actor.user)
        return qs.filter(Q(mediator__user=actor.user) | Q(Exists(mine)))
    return qs.none()


# --- Rules of session reports and evaluations -------------------------------------------------------------------------


@rule(SessionReport)
def _session_reports(actor: Actor, qs: QuerySet) -> QuerySet:
    """A report is seen like its appointment: its mediator, the requesting office, the district's coordinators, the
    province staff. (Its sensitive notes are a further rule: requests_app.report_selectors.may_read_report_notes.)"""
    if (scoped := _by_request(actor, qs, "appointment__request__")) is not None:
        return scoped
    if actor.has_role(Role.MEDIATOR):
        return qs.filter(appointment__mediator__user=actor.user)
    return qs.none()


def _evaluations_condition(actor: Actor, prefix: str = "") -> Q | None:
    """The office's evaluation is read by the requesting office; both sides' by the district's coordinators and the
    province staff; a mediator reads only the evaluations they wrote themselves (their averages show the offices'
    view, never who said what)."""
    if actor.has_role(Role.SOCIAL_WORKER):
        condition = Q(request__office_id__in=actor.office_ids, side="requester")
    elif actor.has_role(Role.COORDINATOR):
        condition = Q(request__office__district_id__in=actor.district_ids)
    elif actor.has_role(Role.PROVINCE_STAFF):
        condition = Q(request__office__district__province_id__in=actor.province_ids)
    elif actor.has_role(Role.MEDIATOR):
        condition = Q(side="mediator", mediator__user=actor.user)
    else:
        return None
    return _prefixed(condition, prefix) if prefix else condition


@rule(Evaluation)
def _evaluations(actor: Actor, qs: QuerySet) -> QuerySet:
    condition = _evaluations_condition(actor)
    return qs.none() if condition is None else qs.filter(condition)


@rule(EvaluationScore)
def _evaluation_scores(actor: Actor, qs: QuerySet) -> QuerySet:
    condition = _evaluations_condition(actor, prefix="evaluation__")
    return qs.none() if condition is None else qs.filter(condition)


@rule(EvaluationCriterion)
def _evaluation_criteria(actor: Actor, qs: QuerySet) -> QuerySet:
    """The criteria are the province's shared vocabulary: everyone working in the province reads them."""
    return qs.filter(province_id__in=actor.province_ids)


@rule(Notification, personal=True)
def _notifications(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs.filter(recipient=actor.user)


# --- The read audit ---------------------------------------------------------------------------------------------------


@rule(ReadEvent)
def _read_events(actor: Actor, qs: QuerySet) -> QuerySet:
    """Province staff read the audit of their province (reads of its requests, appointments, series and reports, and
    exports by its people); administrators all of it. Nobody else: an audit is overseen, not self-served."""
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(province_id__in=actor.province_ids)
    return qs.none()


# --- Rules of reporting: province staff see their province's projects and reports; coordinators the projects their
# district is a partner of, and the reports they asked for; the funder viewer the projects their funder pays for, and
# the reports they asked for; social workers and mediators nothing.


def project_condition(actor: Actor, prefix: str = "") -> Q | None:
    if actor.has_role(Role.PROVINCE_STAFF):
        return Q(**{f"{prefix}lead_province_id__in": actor.province_ids})
    if actor.has_role(Role.COORDINATOR):
        return Q(**{f"{prefix}partners__district_id__in": actor.district_ids})
    if actor.has_role(Role.FUNDER_VIEWER):
        return Q(**{f"{prefix}funder_id": actor.funder_id})
    return None


@rule(Project)
def _projects(actor: Actor, qs: QuerySet) -> QuerySet:
    condition = project_condition(actor)
    if condition is None:
        return qs.none()
    return qs.filter(pk__in=Project.objects.filter(condition).values("pk"))


@rule(BudgetLine)
def _budget_lines(actor: Actor, qs: QuerySet) -> QuerySet:
    return qs.filter(project__in=_projects(actor, Project.objects.all()))


@rule(ProjectCharge)
def _charges(actor: Actor, qs: QuerySet) -> QuerySet:
    # The charge is seen by whoever manages the request: the district's coordinators and the province staff.
    if actor.has_role(Role.COORDINATOR):
        return qs.filter(request__office__district_id__in=actor.district_ids)
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(request__office__district__province_id__in=actor.province_ids)
    return qs.none()


@rule(ReportJob)
def _report_jobs(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(province_id__in=actor.province_ids)
    if actor.has_role(Role.COORDINATOR, Role.FUNDER_VIEWER):
        return qs.filter(requested_by=actor.user)
    return qs.none()


# --- Rules of rates and timesheets: a timesheet is seen by its mediator, the coordinators of its district and the
# province's staff; a rate by the coordinators and staff of its provider's province and by the provider's mediators.
# Social workers and funders see neither (the funder reads aggregates in the reports).


@rule(Timesheet)
def _timesheets(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.MEDIATOR):
        return qs.filter(mediator__user=actor.user)
    if actor.has_role(Role.COORDINATOR):
        return qs.filter(district_id__in=actor.district_ids)
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(district__province_id__in=actor.province_ids)
    return qs.none()


@rule(Rate)
def _rates(actor: Actor, qs: QuerySet) -> QuerySet:
    if actor.has_role(Role.MEDIATOR):
        return qs.filter(provider_id=actor.provider_id)
    if actor.has_role(Role.COORDINATOR, Role.PROVINCE_STAFF):
        return qs.filter(provider__province_id__in=actor.province_ids)
    return qs.none()


def timesheet_pair_visible(user, *, mediator: Mediator, district: District) -> bool:
    """Whether ``user`` may see (and, with the role for it, act on) the sheet of ``mediator`` in ``district``, saved or
    not yet: a sheet exists only where the mediator works for the district (serves it, had an appointment of one of
    its requests, or has a timesheet there); it is seen by its mediator, the district's coordinators and the staff
    of the district's province. Anything else is 404: the district of the address alone proves nothing about the
    mediator (a coordinator of Cremona must not read a Bergamo mediator's name and provider)."""
    actor = actor_for(user)
    if actor.role is None:
        return False
    if not actor.is_admin:
        if actor.has_role(Role.MEDIATOR):
            allowed = mediator.user_id is not None and mediator.user_id == actor.user.pk
        elif actor.has_role(Role.COORDINATOR):
            allowed = district.pk in actor.district_ids
        elif actor.has_role(Role.PROVINCE_STAFF):
            allowed = district.province_id in actor.province_ids
        else:
            allowed = False
        if not allowed:
            return False
    # One query: does the mediator serve the district, or have an appointment or a timesheet there?
    serves = Mediator.districts.through.objects.filter(mediator_id=OuterRef("pk"), district_id=district.pk)
    worked = Appointment.objects.filter(mediator_id=OuterRef("pk"), request__office__district_id=district.pk)
    sheet = Timesheet.objects.filter(mediator_id=OuterRef("pk"), district_id=district.pk)
    return Mediator.objects.filter(pk=mediator.pk).filter(Exists(serves) | Exists(worked) | Exists(sheet)).exists()
