"""Reporting pages: the dashboard, report jobs (ask, follow, download) and charging a request to a project.

Thin views: scope and reads through selectors (another province's job is a 404), writes through services.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from accounts.scoping import actor_for, get_for_user_or_404, visible
from core.errors import DomainError
from core.replica import reading_from_replica
from requests_app.models import MediationRequest

from . import exports, indicators, presenters, selectors, services
from .models import Action, Project, ReportJob

ROLES = selectors.DASHBOARD_ROLES
PAGE_SIZE = 20


def _job_form_context(request, scope) -> dict:
    """What the form that asks for a report shows (templates/reporting/_job_form.html): the scope, the formats and
    versions."""
    return {
        "scope": scope,
        "is_funder": actor_for(request.user).has_role(Role.FUNDER_VIEWER),
        "formats": ReportJob.Format.choices,
        "audiences": ReportJob.Audience.choices,
    }


def _filter_context(request, scope) -> dict:
    """The dashboard's filters (templates/reporting/_filters.html: the menus of projects and districts) and its form
    that asks for a report."""
    actor = actor_for(request.user)
    return {
        **_job_form_context(request, scope),
        "projects": list(selectors.projects(user=request.user)),
        "districts": list(selectors.districts(user=request.user))
        if actor.has_role(Role.PROVINCE_STAFF) or actor.is_admin
        else [],
    }


@role_required(*ROLES)
@reading_from_replica()  # aggregates a few seconds old are right here: the replica's, if one is configured
def dashboard(request):
    scope = selectors.dashboard_scope(user=request.user, params=request.GET, whole_months=True)
    data = selectors.dashboard_figures(user=request.user, scope=scope)
    return render(
        request,
        "reporting/dashboard.html",
        {
            **_filter_context(request, scope),
            "key_figures": presenters.key_figures(data),
            "tables": presenters.tables(data),
            "evaluations": presenters.evaluation_table(data),
            "budgets": presenters.budget_tables(data),
        },
    )


@role_required(*ROLES)
def jobs(request):
    if request.method == "POST":
        return _job_create(request)
    page = selectors.report_job_page(user=request.user, number=request.GET.get("page"), per_page=PAGE_SIZE)
    scope = selectors.dashboard_scope(user=request.user, params=request.GET)
    # The list shows the form that asks for a report, not the dashboard's filters: their menus of projects and
    # districts are not read (two queries a visit, issue #17).
    return render(request, "reporting/jobs.html", {**_job_form_context(request, scope), "page": page})


def _job_create(request):
    scope = selectors.dashboard_scope(user=request.user, params=request.POST)
    try:
        job = services.report_job_create(
            actor=actor_for(request.user),
            province=scope.province,
            district=scope.district,
            project=scope.project,
            date_from=scope.date_from,
            date_to=scope.date_to,
            format=request.POST.get("formato", ""),
            audience=request.POST.get("versione", ReportJob.Audience.PROVINCE),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reporting:jobs")
    _tell_what_happens(request, job)
    return redirect(job)


def _tell_what_happens(request, job: ReportJob) -> None:
    job.refresh_from_db(fields=["status", "enqueued_at", "attempts"])
    if job.state == "waiting_service":
        # The broker did not answer: nothing is lost, and the person is not told it is being prepared.
        messages.warning(
            request, _("Your request is saved: the report will be prepared when the background service answers.")
        )
    # Otherwise no message: the status card below is the one place that says how the report is doing (a message
    # "being prepared" above a card that already says "ready" contradicted it).


@role_required(*ROLES)
def job_detail(request, pk):
    job = selectors.report_job(user=request.user, pk=pk)
    return render(request, "reporting/job.html", {"job": job})


@role_required(*ROLES)
def job_status(request, pk):
    job = selectors.report_job(user=request.user, pk=pk)
    return render(request, "reporting/_job_status.html", {"job": job})


@role_required(*ROLES)
@require_POST
def job_repeat(request, pk):
    """“Prepare it again”: a new job like this one (a failed one, usually); the page of the new job follows."""
    job = selectors.report_job(user=request.user, pk=pk)
    try:
        new = services.report_job_repeat(actor=actor_for(request.user), job=job)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(job)
    _tell_what_happens(request, new)
    return redirect(new)


@role_required(*ROLES)
def job_download(request, pk):
    job = selectors.report_job(user=request.user, pk=pk)
    if job.status != ReportJob.Status.DONE:
        raise Http404
    return exports.file_response(request, job)


@role_required(Role.COORDINATOR, Role.PROVINCE_STAFF)
@require_POST
def charge(request, pk: int):
    mediation_request = get_for_user_or_404(
        request.user, visible(request.user, MediationRequest).select_related("office__district"), pk=pk
    )
    raw = request.POST.get("progetto", "")
    project = None
    if raw:
        project = visible(request.user, Project).filter(pk=selectors._int(raw)).first()
    try:
        if raw and project is None:
            raise DomainError(_("Choose one of the projects in the list."))
        services.project_charge_set(actor=actor_for(request.user), request=mediation_request, project=project)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if project is None:
            messages.success(request, _("The request is no longer charged to a project."))
        else:
            messages.success(request, _("The request is charged to “%(project)s”.") % {"project": project.title})
    target = request.POST.get("next", "")
    # Only a path of this site: anything else ("on", a view's name, another host) goes back to the request.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = mediation_request.get_absolute_url()
    return redirect(target)


@role_required(*ROLES)
def project_list(request):
    projects = selectors.project_list(user=request.user)
    return render(request, "reporting/projects.html", {"projects": projects})


def _project_scope(project: Project, actor) -> indicators.Scope:
    return indicators.Scope(
        province=project.lead_province,
        date_from=project.starts_on,
        date_to=project.ends_on,
        project=project,
        suppress=actor.has_role(Role.FUNDER_VIEWER),
    )


# The sections of a project's page about its other actions: the address's word, the budget's action, the title and
# the tables (with the funder's rule when the scope says so).
PROJECT_SECTIONS = {
    "guida": (
        Action.MINI_GUIDE,
        gettext_lazy("The multilingual mini-guide over the whole project"),
        lambda scope: presenters.mini_guide_tables(selectors.mini_guide_figures(scope=scope), suppress=scope.suppress),
    ),
    "seminario": (
        Action.SEMINAR,
        gettext_lazy("The public seminar over the whole project"),
        lambda scope: presenters.seminar_tables(selectors.seminar_figures(scope=scope), suppress=scope.suppress),
    ),
    "formazione": (
        Action.TRAINING,
        gettext_lazy("The training course over the whole project"),
        lambda scope: presenters.training_tables(indicators.training(scope), suppress=scope.suppress),
    ),
    "faq": (
        Action.FAQ,
        gettext_lazy("The operators' FAQ over the whole project"),
        lambda scope: presenters.faq_tables(indicators.faq(scope), suppress=scope.suppress),
    ),
}


@role_required(*ROLES)
def project_section(request, pk: int, section: str):
    """One section of a project's page: what one of its actions did over the project's period, for the people who
    see the project (the funder under its rule). Loaded into the page by htmx; opened alone (no JavaScript), a page of
    its own. A section the project pays nothing for does not exist (404)."""
    project = selectors.project_detail(user=request.user, pk=pk)
    if section not in PROJECT_SECTIONS:
        raise Http404
    action, title, build = PROJECT_SECTIONS[section]
    if not project.budget.filter(action=action).exists():
        raise Http404
    tables = build(_project_scope(project, actor_for(request.user)))
    template = "reporting/_project_section.html" if request.htmx else "reporting/project_section.html"
    return render(request, template, {"project": project, "section": section, "title": title, "tables": tables})


@role_required(*ROLES)
def project_detail(request, pk: int):
    project = selectors.project_detail(user=request.user, pk=pk)
    actor = actor_for(request.user)
    can_add = actor.is_admin or (actor.has_role(Role.PROVINCE_STAFF) and project.lead_province_id in actor.province_ids)
    error, values = None, {}
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        values = request.POST
        try:
            services.project_expense_add(
                actor=actor,
                project=project,
                partner_id=values.get("partner"),
                action=values.get("action", ""),
                spent_on=selectors._parse_date(values.get("spent_on"), None),
                amount=values.get("amount", ""),
                description=values.get("description", ""),
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("The expense is recorded."))
            return redirect(project)
    expenses = selectors.project_expenses(project=project)
    budget = selectors.project_budget(project=project, scope=_project_scope(project, actor), listed=expenses)
    # What the project's other actions did (the mini-guide, the seminar, the course, the FAQ) comes in after the page,
    # one section each (project_section): the page itself stays within its queries whatever the project pays for.
    actions = {row["action_key"] for row in budget["rows"]}
    sections = [(slug, title) for slug, (action, title, _tables) in PROJECT_SECTIONS.items() if action in actions]
    return render(
        request,
        "reporting/project.html",
        {
            "project": project,
            "sections": sections,
            "partners": selectors.project_partners(project=project),
            "budget": budget,
            "expenses": expenses,
            "can_add": can_add,
            "actions": Action.choices,
            "error": error,
            "values": values,
        },
        status=400 if error else 200,
    )
