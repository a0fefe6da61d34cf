"""The pages the region benchmark measures: every list and detail page of every role, found from the URLconfs and
the navigation (mediazione/navigation.py), each with the user who opens it and its bare-SQL view (bench/bare.py).

The bench users are the region's first office, district, province and mediator (bench/region.py); the objects
opened (a request, an appointment, a report, a mediator, a timesheet, a project) are picked from the filled
database so that every role who may see them does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import timezone

from accounts.models import District, Office, User
from mediators.models import Mediator
from reporting.models import Project
from requests_app.models import MediationRequest
from scheduling.models import Appointment, AppointmentSeries
from sessions_app.models import SessionReport

from .region_people import email

ROME = ZoneInfo("Europe/Rome")
USERS = {
    "social_worker": "assistente.00.0",
    "coordinator": "coordinatore.00",
    "mediator": "mediatore.00000",
    "province_staff": "provincia.brescia",
    "funder_viewer": "ats.brescia",
    "administrator": "admin",
}


@dataclass
class Page:
    name: str
    role: str
    url: str
    bare: str | None = None
    bare_query: dict = field(default_factory=dict)
    kind: str = "list"  # list, detail, dashboard, home
    paginated: bool = False

    @property
    def bare_url(self) -> str | None:
        if self.bare is None:
            return None
        return f"/bench/bare/{self.bare}/" + (f"?{urlencode(self.bare_query)}" if self.bare_query else "")


@dataclass
class World:
    today: dt.date
    users: dict[str, User]
    office: Office
    district: District
    mediator: Mediator
    request: MediationRequest | None
    matching: MediationRequest | None
    appointment: Appointment | None
    report: SessionReport | None
    series: AppointmentSeries | None
    project: Project | None


def find_world(today: dt.date | None = None) -> World:
    today = today or timezone.localdate()
    users = {role: User.objects.get(email=email(name)) for role, name in USERS.items()}
    office = users["social_worker"].active_membership.office
    district = users["coordinator"].active_membership.district
    mediator = Mediator.objects.get(user=users["mediator"])
    mine = MediationRequest.objects.filter(office=office, assigned_mediator=mediator)
    # The request everyone opens: the office's latest one of the bench's mediator with at least three sessions.
    request = (
        mine.filter(status__in=["scheduled", "completed", "evaluated", "closed"])
        .annotate(sessions=Count("appointments"))
        .filter(sessions__gte=3)
        .order_by("-submitted_at")
        .first()
    ) or mine.order_by("-submitted_at").first()
    report = (
        SessionReport.objects.filter(appointment__mediator=mediator, appointment__request__office=office)
        .select_related("appointment")
        .order_by("-started_at")
        .first()
    )
    return World(
        today=today,
        users=users,
        office=office,
        district=district,
        mediator=mediator,
        request=request,
        matching=MediationRequest.objects.filter(office__district=district, status="matching")
        .order_by("-submitted_at")
        .first(),
        appointment=report.appointment if report else None,
        report=report,
        series=AppointmentSeries.objects.filter(request__office__district=district, mediator=mediator)
        .order_by("-first_starts_at")
        .first()
        or AppointmentSeries.objects.filter(request__office__district=district).order_by("-first_starts_at").first(),
        project=Project.objects.filter(
            lead_province=district.province, starts_on__lte=today, ends_on__gte=today
        ).first(),
    )


def _local(day: dt.date) -> str:
    return dt.datetime.combine(day, dt.time(0), ROME).isoformat()


def _week(day: dt.date) -> dict:
    start = day - dt.timedelta(days=day.weekday())
    return {"start": _local(start), "end": _local(start + dt.timedelta(days=7))}


def _month_grid(day: dt.date) -> dict:
    first = day.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return {
        "start": _local(first - dt.timedelta(days=first.weekday())),
        "end": _local(last + dt.timedelta(days=7 - last.weekday())),
    }


def _month(first: dt.date) -> dict:
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return {"start": _local(first), "end": _local(following)}


def pages(world: World) -> list[Page]:
    """Every page measured, in the order of the table: role by role."""
    today = world.today
    office, district, mediator = world.office.pk, world.district.pk, world.mediator.pk
    province = world.district.province_id
    province_districts = ",".join(
        str(pk) for pk in District.objects.filter(province_id=province).values_list("pk", flat=True)
    )
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    week, grid = _week(today), _month_grid(today)
    calendar = f"/calendario/?data={today.isoformat()}"
    month_calendar = f"/calendario/?vista=mese&data={today.isoformat()}"
    year = today.year - 1
    result: list[Page] = []

    def add(role, name, url, bare=None, kind="list", paginated=False, **query):
        result.append(Page(name, role, url, bare, query, kind, paginated))

    def common_details(role, *, mediator_view=False):
        if world.request is not None:
            add(role, "request page", f"/richieste/{world.request.pk}/", "request", "detail", id=world.request.pk)
        if world.appointment is not None:
            add(role, "appointment page", f"/appuntamenti/{world.appointment.pk}/", "appointment", "detail",
                id=world.appointment.pk)  # fmt: skip
        if world.report is not None:
            add(role, "session report page", f"/resoconti/{world.report.pk}/", "report", "detail", id=world.report.pk)

    sw = "social_worker"
    add(sw, "home", "/", kind="home")
    add(sw, "office's requests", "/richieste/", "office_requests", paginated=True, office=office)
    common_details(sw)
    add(sw, "calendar, week (office)", calendar, "office_calendar", office=office, **week)
    add(sw, "calendar, month (office)", month_calendar, "office_calendar", office=office, **grid)
    add(sw, "session reports", "/resoconti/", "office_reports", office=office)
    add(sw, "notifications", "/notifiche/", "notifications", paginated=True, user=world.users[sw].pk)

    co = "coordinator"
    add(co, "home", "/", kind="home")
    add(co, "district queue", "/richieste/", "district_queue", paginated=True, district=district)
    add(co, "district's requests, every status", "/richieste/?status=", "district_requests", paginated=True,
        district=district)  # fmt: skip
    common_details(co)
    if world.matching is not None:
        add(co, "candidates of a request", f"/richieste/{world.matching.pk}/candidati/", "candidates", "detail",
            request=world.matching.pk)  # fmt: skip
    if world.series is not None:
        add(co, "recurring appointments page", f"/appuntamenti/serie/{world.series.pk}/", "series", "detail",
            id=world.series.pk)  # fmt: skip
    add(co, "roster (district)", "/mediatori/", "district_roster", paginated=True, district=district)
    add(co, "mediator profile", f"/mediatori/{mediator}/", "mediator", "detail", id=mediator)
    add(co, "calendar, week (district)", calendar, "district_calendar", district=district, **week)
    add(co, "calendar, month (district)", month_calendar, "district_calendar", district=district, **grid)
    add(co, "session reports", "/resoconti/", "district_reports", district=district)
    add(co, "evaluation averages", "/valutazioni/", "evaluation_averages", district=district)
    add(co, "timesheets of the month (district)", f"/fogli-ore/ambito/?mese={last_month:%Y-%m}",
        "district_timesheets", districts=str(district), **_month(last_month))  # fmt: skip
    add(co, "a timesheet", f"/fogli-ore/{mediator}/{district}/{last_month:%Y-%m}/", "sheet", "detail",
        mediator=mediator, district=district, **_month(last_month))  # fmt: skip
    add(co, "providers' totals", f"/fogli-ore/enti/?mese={last_month:%Y-%m}", "provider_totals",
        districts=str(district), **_month(last_month))  # fmt: skip
    add(co, "people", "/persone/", "people", paginated=True, district=district)
    add(co, "notifications", "/notifiche/", "notifications", paginated=True, user=world.users[co].pk)
    add(co, "reporting dashboard (district, this year)", "/rendicontazione/", kind="dashboard")

    me = "mediator"
    add(me, "home", "/", kind="home")
    add(me, "offers", "/offerte/", "offers", mediator=mediator)
    common_details(me)
    add(me, "own profile", f"/mediatori/{mediator}/", "mediator", "detail", id=mediator)
    add(me, "calendar, week (own)", calendar, "mediator_calendar", mediator=mediator, **week)
    add(me, "calendar, month (own)", month_calendar, "mediator_calendar", mediator=mediator, **grid)
    add(me, "session reports", "/resoconti/", "mediator_reports", mediator=mediator)
    add(me, "own timesheets", f"/fogli-ore/miei/?mese={last_month:%Y-%m}", "mediator_timesheets",
        mediator=mediator, **_month(last_month))  # fmt: skip
    add(me, "notifications", "/notifiche/", "notifications", paginated=True, user=world.users[me].pk)

    ps = "province_staff"
    add(ps, "home", "/", kind="home")
    add(ps, "province's requests", "/richieste/", "province_requests", paginated=True, province=province)
    common_details(ps)
    add(ps, "roster (province)", "/mediatori/", "province_roster", paginated=True, province=province)
    add(ps, "calendar, week (province)", calendar, "province_calendar", province=province, **week)
    add(ps, "calendar, month (province)", month_calendar, "province_calendar", province=province, **grid)
    add(ps, "session reports", "/resoconti/", "province_reports", province=province)
    add(ps, "timesheets of the month (province)", f"/fogli-ore/ambito/?mese={last_month:%Y-%m}",
        "district_timesheets", districts=province_districts, **_month(last_month))  # fmt: skip
    add(ps, "providers' totals", f"/fogli-ore/enti/?mese={last_month:%Y-%m}", "provider_totals",
        districts=province_districts, **_month(last_month))  # fmt: skip
    add(ps, "read audit", "/privacy/registro/", "audit", paginated=True, province=province)
    add(ps, "people", "/persone/", "province_people", paginated=True, province=province)
    add(ps, "funded projects", "/rendicontazione/progetti/", "projects", province=province)
    if world.project is not None:
        add(ps, "funded project page", f"/rendicontazione/progetti/{world.project.pk}/", "project", "detail",
            id=world.project.pk)  # fmt: skip
    add(ps, "reports asked for", "/rendicontazione/report/", "report_jobs", paginated=True, province=province)
    add(ps, "notifications", "/notifiche/", "notifications", paginated=True, user=world.users[ps].pk)
    add(ps, f"reporting dashboard (province-year {year})", f"/rendicontazione/?dal={year}-01-01&al={year}-12-31",
        kind="dashboard")  # fmt: skip

    fv = "funder_viewer"
    add(fv, "reporting dashboard (funder, this year)", "/rendicontazione/", kind="dashboard")
    add(fv, "funded projects", "/rendicontazione/progetti/", "projects", province=province)

    ad = "administrator"
    add(ad, "home", "/", kind="home")
    add(ad, "every request", "/richieste/", "all_requests", paginated=True)
    add(ad, "whole roster", "/mediatori/", "all_roster", paginated=True)
    return result
