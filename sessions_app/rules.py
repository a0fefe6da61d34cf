"""Who sees session reports and evaluations (accounts.scoping is the engine)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Role
from accounts.scoping import Actor, prefixed, rule
from requests_app.rules import by_request

from .models import Evaluation, EvaluationCriterion, EvaluationScore, SessionReport

# --- Rules of session reports and evaluations -------------------------------------------------------------------------


@rule(SessionReport)
def _session_reports(actor: Actor, qs: QuerySet) -> QuerySet:
    """A report is seen like its appointment: its mediator, the requesting office, the district's coordinators, the
    province staff. (Its sensitive notes are a further rule: sessions_app.selectors.may_read_report_notes.)"""
    if (scoped := by_request(actor, qs, "appointment__request__")) is not None:
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
    return prefixed(condition, prefix) if prefix else condition


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
