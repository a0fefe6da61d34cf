"""Scoped reads of reporting: which scope a user may look at, their projects, their report jobs."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import District, Province, Role
from accounts.scoping import actor_for, get_for_user_or_404, visible

from .indicators import Scope
from .models import Project, ReportJob

DASHBOARD_ROLES = (Role.PROVINCE_STAFF, Role.COORDINATOR, Role.FUNDER_VIEWER)


def projects(*, user) -> QuerySet:
    return visible(user, Project).select_related("funder", "lead_province").order_by("-starts_on", "title")


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


def dashboard_scope(*, user, params) -> Scope:
    """The scope of the dashboard from its filters, limited to what the user's role reaches (a foreign district or
    project in the address is ignored, never shown)."""
    actor = actor_for(user)
    today = timezone.localdate()
    date_from = _parse_date(params.get("dal"), dt.date(today.year, 1, 1))
    date_to = _parse_date(params.get("al"), today)
    if date_to < date_from:
        date_from, date_to = date_to, date_from
    if date_to - date_from > dt.timedelta(days=5 * 366):
        date_from = date_to - dt.timedelta(days=5 * 366)
    project = projects(user=user).filter(pk=_int(params.get("progetto"))).first() if params.get("progetto") else None
    district = None
    if actor.has_role(Role.COORDINATOR):
        district = District.objects.select_related("province").get(pk=min(actor.district_ids))
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
            province = Province.objects.get(pk=min(actor.province_ids))
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


def report_jobs(*, user) -> QuerySet:
    return (
        visible(user, ReportJob)
        .select_related("province", "district", "project", "requested_by")
        .order_by("-created_at")
    )


def report_job(*, user, pk) -> ReportJob:
    return get_for_user_or_404(user, report_jobs(user=user), pk=pk)


def project_detail(*, user, pk) -> Project:
    return get_for_user_or_404(user, projects(user=user), pk=pk)


# --- The home page (mediazione.home) ----------------------------------------------------------------------------------


def month_figures(*, user, today: dt.date | None = None) -> dict:
    """The month so far in the user's province, with the dashboard's own indicators: requests submitted, sessions
    held and their hours (three queries)."""
    from . import indicators

    today = today or timezone.localdate()
    scope = dashboard_scope(user=user, params={"dal": today.replace(day=1).isoformat(), "al": today.isoformat()})
    sessions = indicators.sessions(scope)
    return {
        "scope": scope,
        "requests": indicators.scoped_requests(scope).count(),
        "held": sessions["held"],
        "hours": sessions["hours"],
    }
