"""Scoped reads of reporting: which scope a user may look at, their projects, their report jobs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import router
from django.db.models import F, OuterRef, Q, QuerySet, Sum, Value
from django.http import Http404
from django.utils import timezone

from accounts.models import District, Province, Role
from accounts.scoping import actor_for, get_for_user_or_404, one_for_user_or_404, scope_key, visible
from core import compiled
from core.text_lists import items, text_list
from sessions_app.models import EvaluationCriterion

from . import dashboard, indicators
from .indicators import Scope
from .models import BudgetLine, MonthlyAggregate, Project, ProjectExpense, ProjectPartner, ReportJob

DASHBOARD_ROLES = (Role.PROVINCE_STAFF, Role.COORDINATOR, Role.FUNDER_VIEWER)


def _projects() -> QuerySet:
    return Project.objects.select_related("funder", "lead_province").order_by("-starts_on", "title")


def projects(*, user) -> QuerySet:
    return visible(user, _projects())


def project_list(*, user) -> list[Project]:
    """The projects of the list page, newest first, each with ``partner_names`` (by name): the partners' names in the
    row's own query (core.text_lists), the query compiled once per reader's scope (core.compiled): prefetched, the
    partners cost a query and a model instance each, and Django's building and compiling cost more than the
    database's reading (issue #17)."""
    partners = text_list(
        ProjectPartner.objects.filter(project_id=OuterRef("pk")), "project_id", "name", ordering=("name",)
    )
    rows = compiled.rows_of(
        ("projects", scope_key(user)),
        lambda: projects(user=user).annotate(partner_text=partners),
        database=router.db_for_read(Project),
        timeless=True,
    )
    for project in rows:
        project.partner_names = [name for (name,) in items(project.partner_text, sort=True)]
    return rows


def districts(*, user) -> QuerySet:
    actor = actor_for(user)
    if actor.has_role(Role.FUNDER_VIEWER):
        return District.objects.none()
    return visible(user, District).order_by("name")


def _parse_date(raw: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(raw) if raw else default
    except ValueError:
        return default


def _int(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def dashboard_scope(*, user, params, whole_months: bool = False) -> Scope:
    """The scope of the dashboard from its filters, limited to what the user's role reaches (a foreign district or
    project in the address is ignored, never shown). ``whole_months``: the period widened to whole months (the
    dashboard's, read from the monthly aggregates)."""
    actor = actor_for(user)
    today = timezone.localdate()
    date_from = _parse_date(params.get("dal"), dt.date(today.year, 1, 1))
    date_to = _parse_date(params.get("al"), today)
    if date_to < date_from:
        date_from, date_to = date_to, date_from
    if date_to - date_from > dt.timedelta(days=5 * 366):
        date_from = date_to - dt.timedelta(days=5 * 366)
    if whole_months:
        date_from, date_to = dashboard.whole_months(date_from, date_to)
    project = projects(user=user).filter(pk=_int(params.get("progetto"))).first() if params.get("progetto") else None
    district = None
    if actor.has_role(Role.COORDINATOR):
        district = _from_membership(actor, "district", min(actor.district_ids)) or District.objects.select_related(
            "province"
        ).get(pk=min(actor.district_ids))
        province = district.province
    elif actor.has_role(Role.FUNDER_VIEWER):
        # The funder sees the projects it funds, one at a time.
        project = project or projects(user=user).first()
        if project is None:
            raise Http404
        province = project.lead_province
    else:
        wanted = _int(params.get("ambito"))
        district = districts(user=user).select_related("province").filter(pk=wanted).first() if wanted else None
        if district is not None:
            province = district.province
        elif project is not None:
            province = project.lead_province
        elif actor.is_admin:
            province = Province.objects.order_by("name").first()
            if province is None:
                raise Http404
        elif actor.province_ids:
            province = _from_membership(actor, "province", min(actor.province_ids)) or Province.objects.get(
                pk=min(actor.province_ids)
            )
        else:
            raise PermissionDenied
    if project is not None and project.lead_province_id != province.pk:
        project = None
    return Scope(
        province=province,
        date_from=date_from,
        date_to=date_to,
        district=district,
        project=project,
        suppress=actor.has_role(Role.FUNDER_VIEWER),
    )


def _from_membership(actor, name: str, pk: int):
    """The district or province of the current role, read with the memberships (accounts.scoping, with its province):
    no query when it is the one wanted."""
    found = getattr(getattr(actor, "membership", None), name, None)
    return found if found is not None and found.pk == pk else None


def dashboard_figures(*, user, scope: Scope) -> dict:
    """Every indicator of the dashboard, from the monthly aggregates of the scope's whole months (reporting.
    aggregates keeps them): the rows of the period (one query, at most one per district, month and project), the
    evaluation criteria they name, the projects in scope with their budget lines and expenses. Every read of the
    dashboard is here (a replica may serve them)."""
    return _from_aggregates(visible(user, MonthlyAggregate), scope)


def report_figures(*, scope: Scope) -> dict:
    """Every indicator of a report (PDF, and the summary sheets of the CSV and XLSX; its scope was checked when it
    was asked for): for a period of whole months, the dashboard's own figures, read from the monthly aggregates;
    for any other period, computed from the source tables."""
    if not dashboard.is_whole_months(scope.date_from, scope.date_to):
        return indicators.compute(scope)
    return _from_aggregates(MonthlyAggregate.objects.all(), scope)


def _from_aggregates(aggregates: QuerySet, scope: Scope) -> dict:
    rows = aggregates.filter(
        province=scope.province, month__gte=scope.date_from.replace(day=1), month__lte=scope.date_to
    )
    if scope.district is not None:
        rows = rows.filter(district=scope.district)
    if scope.project is not None:
        rows = rows.filter(project=scope.project)
    rows = list(rows.select_related("district").order_by("month", "district_id", "project_id"))
    wanted = dashboard.criterion_ids(rows)
    criteria = (
        {
            row["pk"]: row
            for row in EvaluationCriterion.objects.filter(pk__in=wanted).values(
                "pk", "key", "label_it", "label_en", "order"
            )
        }
        if wanted
        else {}
    )
    return dashboard.figures(scope, rows, criteria=criteria)


def report_jobs(*, user) -> QuerySet:
    return (
        visible(user, ReportJob)
        .select_related("province", "district", "project", "requested_by")
        .order_by("-created_at")
    )


# What a row of the list of reports shows (templates/reporting/jobs.html): never the error's text, the file, the
# worker's times; of the province, district, project and who asked, their names. Reading only these (not the
# project's rates, the user's password...) makes the page of jobs a third of the columns to read and build (issue #17).
JOB_LIST_FIELDS = (
    "created_at",
    "date_from",
    "date_to",
    "format",
    "audience",
    "status",
    "province__name",
    "district__name",
    "project__title",
    "requested_by__email",
    "requested_by__first_name",
    "requested_by__last_name",
)


def report_job_list(*, user) -> QuerySet:
    """The report jobs the user sees, newest first, with what the list shows."""
    return report_jobs(user=user).only(*JOB_LIST_FIELDS)


def report_job_page(*, user, number, per_page: int) -> Page:
    """A page of :func:`report_job_list`: its count and its rows from SQL compiled once per reader's scope and page
    (core.compiled), as the people page; what the jobs are is read at every view."""
    shape = ("report-jobs", scope_key(user))
    database = router.db_for_read(ReportJob)
    jobs = report_job_list(user=user)
    paginator = Paginator(jobs, per_page)
    paginator.count = compiled.count_of(shape, lambda: jobs, database=database)
    page = paginator.get_page(number)
    # The page's bounds, not its number, make its SQL: the last page ends at the count.
    bounds = (page.start_index() - 1 if paginator.count else 0, page.end_index())
    page.object_list = compiled.rows_of((*shape, *bounds), lambda: page.object_list, database=database, timeless=True)
    return page


def report_job(*, user, pk) -> ReportJob:
    return get_for_user_or_404(user, report_jobs(user=user), pk=pk)


def _project_page(projects):
    return projects.select_related("funder", "lead_province")


def project_detail(*, user, pk) -> Project:
    # get_for_user_or_404 limits to the user's scope itself: given projects(), already limited, it put the scope's
    # subquery in the query twice (issue #17).
    return one_for_user_or_404(user, Project, pk, build=_project_page)


def mini_guide_figures(*, scope: Scope) -> dict:
    """The "mini-guide" action's figures for the scope (its province or district and period): guide.selectors reads
    them, in five queries."""
    return indicators.mini_guide(scope)


def seminar_figures(*, scope: Scope) -> dict:
    """The "public seminar" action's figures for the scope's province and period (seminar.selectors reads them)."""
    return indicators.seminar(scope)


# The latest expenses a project's page lists.
PROJECT_EXPENSES_LISTED = 200


def project_expenses(*, project: Project) -> list[ProjectExpense]:
    """The latest expenses of a project (at most PROJECT_EXPENSES_LISTED), newest first, with their partner: the query
    compiled once per project (core.compiled; a province has a few projects)."""
    return compiled.rows_of(
        ("project-expenses", project.pk),
        lambda: (
            ProjectExpense.objects.filter(project_id=project.pk)
            .select_related("partner")
            .order_by("-spent_on", "-pk")[:PROJECT_EXPENSES_LISTED]
        ),
        database=router.db_for_read(ProjectExpense),
    )


def project_partners(*, project: Project) -> list[ProjectPartner]:
    """A project's partners by name, with their districts: the query compiled once per project (core.compiled)."""
    return compiled.rows_of(
        ("project-partners", project.pk),
        lambda: ProjectPartner.objects.filter(project_id=project.pk).select_related("district").order_by("name"),
        database=router.db_for_read(ProjectPartner),
    )


def project_budget(*, project: Project, scope: Scope, listed: list[ProjectExpense] | None = None) -> dict:
    """The budget of a project (its scope checked by :func:`project_detail`) against what was spent in its period:
    the sessions' costs per district read from the monthly aggregates of the project's whole months (one query,
    instead of pricing every session of the period), its budget lines and expenses (one query each).

    ``listed``: the expenses the project's page lists (:func:`project_expenses`). When they are all of the project's
    (fewer than the list holds), what was spent per partner and action is summed from them: the same sums, without
    reading the same rows again (one query less, issue #17)."""
    costs = {
        row["district_id"]: row["total"]
        for row in MonthlyAggregate.objects.filter(
            project=project, month__gte=scope.date_from.replace(day=1), month__lte=scope.date_to
        )
        .values("district_id")
        .annotate(total=Sum("session_cost"))
        .order_by()
    }
    if listed is None or len(listed) >= PROJECT_EXPENSES_LISTED:
        return indicators.budget(project, scope, sessions_cost=costs)
    spent: dict[tuple[int, str], Decimal] = {}
    for expense in listed:
        if scope.date_from <= expense.spent_on <= scope.date_to:
            key = (expense.partner_id, expense.action)
            spent[key] = spent.get(key, Decimal("0")) + expense.amount
    return indicators.budget_from(project, lines=indicators.budget_lines(project), expenses=spent, sessions_cost=costs)


# --- The home page (mediazione.home) ----------------------------------------------------------------------------------


def _home_province_id(user) -> int | None:
    actor = actor_for(user)
    return min(actor.province_ids) if actor.province_ids else None


def month_figures(*, user, today: dt.date | None = None, rows: list[dict] | None = None) -> dict:
    """The month so far in the user's province, with the dashboard's own indicators read from the monthly
    aggregates (reporting.aggregates keeps them): requests submitted, sessions held and their hours. ``rows``: the
    aggregates of the month when the caller read them (:func:`province_month`), else one query."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    if rows is None:
        rows = list(
            visible(user, MonthlyAggregate)
            .filter(province_id=_home_province_id(user), month=first)
            .values("requests", "held", "held_duration")
        )
    duration = sum((row["held_duration"] for row in rows), dt.timedelta())
    return {
        "requests": sum(row["requests"] for row in rows),
        "held": sum(row["held"] for row in rows),
        "hours": indicators.hours(duration),
    }


# The province's home compares the month with at most this many running projects (the latest started).
HOME_PROJECTS = 3


def _month_share(project, first: dt.date, last: dt.date) -> Decimal:
    """The share of the project's whole period that falls in the month from ``first`` to ``last`` (pro rata by days)."""
    days = (project.ends_on - project.starts_on).days + 1
    overlap = (min(last, project.ends_on) - max(first, project.starts_on)).days + 1
    return Decimal(max(overlap, 0)) / Decimal(days)


def province_month(*, user, today: dt.date | None = None) -> tuple[dict, list[dict]]:
    """The province's home: the month's figures (:func:`month_figures`) and its running projects (at most
    HOME_PROJECTS, the latest started), each with the month's sessions held and hours against the month's share of
    its targets, and its budget spent so far against the whole budget. Read from the monthly aggregates, whole
    months as the dashboard reads them (the month so far: nothing is held, nothing costs, before it happens): four
    queries whatever the number of projects (the projects, the aggregate rows, their budget lines, their expenses)."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    province_id = _home_province_id(user)
    running = list(
        projects(user=user)
        .filter(starts_on__lte=today, ends_on__gte=first, active=True)
        .select_related("lead_province")
        .order_by("-starts_on", "pk")[:HOME_PROJECTS]
    )
    wanted = Q(month=first)
    if running:
        wanted |= Q(project__in=running, month__gte=min(p.starts_on for p in running).replace(day=1))
    rows = list(
        visible(user, MonthlyAggregate)
        .filter(wanted, province_id=province_id, month__lte=first)
        .values("project_id", "district_id", "month", "requests", "held", "held_duration", "session_cost")
    )
    figures = month_figures(user=user, today=today, rows=[row for row in rows if row["month"] == first])
    if not running:
        return figures, []
    # The budget lines and the expenses so far, per project, partner and action, in one query (a union).
    columns = ("project_id", "partner_id", "partner__name", "partner__district_id", "action")
    budget = (
        BudgetLine.objects.filter(project__in=running)
        .values(*columns)
        .annotate(amount=Sum("amount"), spent=Value(False))
        .order_by()
    )
    spent = (
        ProjectExpense.objects.filter(project__in=running, spent_on__gte=F("project__starts_on"), spent_on__lte=today)
        .values(*columns)
        .annotate(amount=Sum("amount"), spent=Value(True))
        .order_by()
    )
    lines: dict[int, list[dict]] = {project.pk: [] for project in running}
    expenses: dict[int, dict] = {project.pk: {} for project in running}
    for row in sorted(budget.union(spent, all=True), key=lambda r: (r["project_id"], r["partner__name"], r["action"])):
        if row.pop("spent"):
            expenses[row["project_id"]][(row["partner_id"], row["action"])] = row["amount"]
        else:
            lines[row["project_id"]].append(row)
    result = []
    for project in running:
        mine = [
            row for row in rows if row["project_id"] == project.pk and row["month"] >= project.starts_on.replace(day=1)
        ]
        month = [row for row in mine if row["month"] == first]
        costs: dict[int, Decimal] = {}
        for row in mine:
            costs[row["district_id"]] = costs.get(row["district_id"], Decimal("0")) + row["session_cost"]
        money = indicators.budget_from(
            project, lines=lines[project.pk], expenses=expenses[project.pk], sessions_cost=costs
        )
        share = _month_share(project, first, last)
        result.append(
            {
                "project": project,
                "held": sum(row["held"] for row in month),
                "hours": indicators.hours(sum((row["held_duration"] for row in month), dt.timedelta())),
                "target_held": round(project.target_sessions * share) if project.target_sessions else None,
                "target_hours": round(project.target_hours * share) if project.target_hours else None,
                "budget": money["total_budget"],
                "spent": money["total_spent"],
                "spent_share": money["total_share"],
                "time_share": indicators.rate(
                    (min(today, project.ends_on) - project.starts_on).days + 1,
                    (project.ends_on - project.starts_on).days + 1,
                ),
            }
        )
    return figures, result


def projects_this_month(*, user, today: dt.date | None = None) -> list[dict]:
    """The running projects of :func:`province_month`."""
    return province_month(user=user, today=today)[1]
