"""Who sees funded projects, their budgets and charges, and report jobs (accounts.scoping is the engine)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Role
from accounts.scoping import Actor, rule

from .models import BudgetLine, MonthlyAggregate, Project, ProjectCharge, ReportJob

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


@rule(MonthlyAggregate)
def _monthly_aggregates(actor: Actor, qs: QuerySet) -> QuerySet:
    # The dashboard's figures: the province's for its staff, the district's for its coordinators, the funded
    # projects' for the funder viewer (the dashboard's scope then names one of them).
    if actor.has_role(Role.PROVINCE_STAFF):
        return qs.filter(province_id__in=actor.province_ids)
    if actor.has_role(Role.COORDINATOR):
        return qs.filter(district_id__in=actor.district_ids)
    if actor.has_role(Role.FUNDER_VIEWER):
        return qs.filter(project__funder_id=actor.funder_id)
    return qs.none()
