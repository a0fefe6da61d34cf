"""The work list of the home page: for each role, what to do now, most urgent first, each item with its deadline or
age and the one action that does it. It reads every room's selectors, so it lives on the top floor beside the home
page (mediazione.home)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Role
from accounts.scoping import Actor
from core.formatting import (
    format_date,
    format_day_time,
    format_month,
)
from core.summaries import first_of_each
from reporting import selectors as reporting_selectors
from requests_app import selectors as requests_selectors
from requests_app.models import Status
from scheduling import selectors as scheduling_selectors
from sessions_app import selectors as sessions_selectors
from sessions_app.models import SessionReport
from timesheets import worklists as timesheets_worklists
from timesheets.models import Timesheet

from .work_items import (
    HOME_LIMIT,
    WorkItem,
    WorkSection,
    _appointment_item,
    _day_start,
    _first_of_each_day_part,
    _languages,
    _section,
    _since,
    _with_languages,
)

# --- The work list: what to do now, most urgent first ----------------------------------------------------------------
# Each section is one query (two with the request's languages), read with a limit: the home costs the same queries
# whatever the amount of work; "See all" leads to the full list.


def mediator_work(*, user, now) -> list[WorkSection]:
    today = timezone.localdate(now)
    tomorrow = _day_start(today + timedelta(days=1))

    def offer(o):
        return WorkItem(
            title=f"{o.request.case_code} · {_languages(o)}",
            detail=f"{o.request.office.name} · {o.request.get_service_kind_display()}",
            when=str(_("answer by %(when)s") % {"when": format_day_time(o.expires_at)}),
            overdue=o.expires_at <= now,
            badge=str(_("Urgent")) if o.request.is_urgent else "",
            offer_id=o.pk,
        )

    def to_write(appointment):
        report = sessions_selectors.report_of(appointment)
        sent_back = report is not None and report.status == SessionReport.Status.SENT_BACK
        return WorkItem(
            title=f"{appointment.request.case_code} · {appointment.request.office.name}",
            detail=str(_("Sent back: %(reason)s") % {"reason": report.send_back_reason}) if sent_back else "",
            when=_since(appointment.starts_at),
            overdue=sent_back or appointment.starts_at < now - timedelta(days=2),
            action_label=str(_("Correct the report") if sent_back else _("Write the report")),
            action_url=reverse("sessions:report_write", args=[appointment.pk]),
        )

    def sheet(s):
        return WorkItem(
            title=f"{format_month(s.month)} · {s.district.name}",
            detail=ngettext("%(count)s session", "%(count)s sessions", len(s.lines)) % {"count": len(s.lines)},
            when=str(_("the month is over")),
            overdue=s.status == Timesheet.Status.SENT_BACK,
            action_label=str(_("Check and submit")),
            action_url=s.get_absolute_url(),
        )

    # Today's appointments and the next days': the first of each in one query.
    coming = list(
        _first_of_each_day_part(
            _with_languages(
                scheduling_selectors.live_appointments_between(
                    user=user, start=_day_start(today), end=tomorrow + timedelta(days=NEXT_DAYS)
                )
            ),
            split=tomorrow,
        )
    )
    return [
        _section(
            "offers",
            _("Offers to answer"),
            _with_languages(scheduling_selectors.offers_to_answer(user=user)),
            offer,
            more_url=reverse("scheduling:offers"),
            icon="it-mail",
        ),
        _section(
            "today",
            _("Today's appointments"),
            [a for a in coming if a.starts_at < tomorrow],
            _appointment_item,
            more_url=reverse("scheduling:calendar"),
            more_label=_("Open the calendar"),
            icon="it-calendar",
        ),
        _section(
            "reports_to_write",
            _("Reports to write or correct"),
            sessions_selectors.reports_to_write(user=user),
            to_write,
            more_url=reverse("sessions:reports"),
            icon="it-pencil",
        ),
        _section(
            "timesheets_to_submit",
            _("Timesheet to submit"),
            timesheets_worklists.sheets_to_submit(user=user, today=today),
            sheet,
            more_url=reverse("timesheets:mine"),
            icon="it-files",
        ),
        _section(
            "next",
            _("Next appointments"),
            [a for a in coming if a.starts_at >= tomorrow],
            _appointment_item,
            more_url=reverse("scheduling:calendar"),
            more_label=_("Open the calendar"),
            icon="it-calendar",
        ),
    ]


NEXT_DAYS = 14


def social_worker_work(*, user, now) -> list[WorkSection]:
    today = timezone.localdate(now)

    def question(r):
        return WorkItem(
            title=f"{r.case_code} · {_languages(r)}",
            detail=str(r.get_status_display()),
            when=str(_("asked %(when)s") % {"when": format_day_time(r.last_comment_at)}),
            overdue=r.last_comment_at < now - timedelta(days=1),
            action_label=str(_("Answer")),
            action_url=r.get_absolute_url() + "#comments",
        )

    def draft(r):
        return WorkItem(
            title=f"{r.case_code} · {_languages(r) or _('no language yet')}",
            when=str(_("started %(when)s") % {"when": format_day_time(r.created_at)}),
            action_label=str(_("Finish and submit")),
            action_url=reverse("requests:edit", args=[r.pk]),
        )

    def to_confirm(report):
        appointment = report.appointment
        return WorkItem(
            title=f"{appointment.request.case_code} · {appointment.mediator.full_name}",
            detail=format_day_time(report.started_at),
            when=str(_("submitted %(when)s") % {"when": format_day_time(report.submitted_at)})
            if report.submitted_at
            else "",
            action_label=str(_("Check and confirm")),
            action_url=report.get_absolute_url(),
        )

    def to_evaluate(r):
        return WorkItem(
            title=r.case_code,
            detail=r.office.name,
            when=_since(r.updated_at),
            action_label=str(_("Evaluate the mediation")),
            action_url=reverse("sessions:evaluate", args=[r.pk]),
        )

    return [
        _section(
            "questions",
            _("Questions from the coordinator"),
            _with_languages(requests_selectors.questions_to_answer(user=user)),
            question,
            more_url=reverse("requests:list"),
            icon="it-comment",
        ),
        _section(
            "drafts",
            _("Drafts to finish"),
            _with_languages(requests_selectors.drafts_to_finish(user=user)),
            draft,
            more_url=f"{reverse('requests:list')}?status={Status.DRAFT}",
            icon="it-pencil",
        ),
        _section(
            "reports_to_confirm",
            _("Session reports to confirm"),
            sessions_selectors.reports_to_confirm(user=user),
            to_confirm,
            more_url=reverse("sessions:reports"),
            icon="it-check-circle",
        ),
        _section(
            "to_evaluate",
            _("Mediations to evaluate"),
            sessions_selectors.requests_to_evaluate(user=user),
            to_evaluate,
            more_url=reverse("sessions:reports"),
            icon="it-star-outline",
        ),
        _section(
            "office_week",
            _("Your office's appointments in the next 7 days"),
            _with_languages(
                scheduling_selectors.live_appointments_between(
                    user=user, start=_day_start(today), end=_day_start(today + timedelta(days=7))
                )
            ),
            lambda a: _appointment_item(a, with_mediator=True),
            more_url=reverse("scheduling:calendar"),
            more_label=_("Open the office's calendar"),
            icon="it-calendar",
        ),
    ]


def stalled_reason(request) -> str:
    return str(
        {
            scheduling_selectors.Stalled.NO_ANSWER: _("No answer by the deadline"),
            scheduling_selectors.Stalled.ALL_REFUSED: _("Every offer declined, expired or withdrawn"),
            scheduling_selectors.Stalled.NOT_SCHEDULED: _("Assigned, no appointment planned"),
        }[request.stalled_reason]
    )


def coordinator_work(*, user, now) -> list[WorkSection]:
    def decision(r):
        if r.deadline:
            when = str(_("needed by %(when)s") % {"when": format_date(r.deadline)})
        else:
            when = str(_("submitted %(when)s") % {"when": format_day_time(r.submitted_at)}) if r.submitted_at else ""
        return WorkItem(
            title=f"{r.case_code} · {_languages(r)}",
            detail=f"{r.office.name} · {r.get_service_kind_display()}",
            when=when,
            overdue=bool(r.deadline and r.deadline <= timezone.localdate(now)),
            badge=str(_("Urgent")) if r.is_urgent else "",
            action_label=str(_("Decide")),
            action_url=r.get_absolute_url(),
        )

    def stalled(r):
        not_scheduled = r.stalled_reason == scheduling_selectors.Stalled.NOT_SCHEDULED
        return WorkItem(
            title=f"{r.case_code} · {_languages(r)}",
            detail=f"{stalled_reason(r)} · {r.office.name}",
            when=_since(r.stalled_since),
            overdue=True,
            badge=str(_("Urgent")) if r.is_urgent else "",
            action_label=str(_("Plan the appointments") if not_scheduled else _("Offer to other mediators")),
            action_url=reverse("scheduling:plan" if not_scheduled else "scheduling:candidates", args=[r.pk]),
        )

    def to_offer(r):
        return WorkItem(
            title=f"{r.case_code} · {_languages(r)}",
            detail=f"{r.office.name} · {r.get_service_kind_display()}",
            when=str(_("needed by %(when)s") % {"when": format_date(r.deadline)})
            if r.deadline
            else _since(r.updated_at),
            overdue=bool(r.deadline and r.deadline <= timezone.localdate(now)),
            badge=str(_("Urgent")) if r.is_urgent else "",
            action_label=str(_("Find a mediator")),
            action_url=reverse("scheduling:candidates", args=[r.pk]),
        )

    def to_plan(r):
        return WorkItem(
            title=f"{r.case_code} · {_languages(r)}",
            detail=f"{r.assigned_mediator.full_name} · {r.office.name}" if r.assigned_mediator else r.office.name,
            when=_since(r.assigned_at),
            action_label=str(_("Plan the appointments")),
            action_url=reverse("scheduling:plan", args=[r.pk]),
        )

    def to_close(r):
        return WorkItem(
            title=f"{r.case_code} · {_languages(r)}",
            detail=r.office.name,
            when=_since(r.updated_at),
            action_label=str(_("Close")),
            action_url=r.get_absolute_url(),
        )

    def to_validate(report):
        appointment = report.appointment
        return WorkItem(
            title=f"{appointment.request.case_code} · {appointment.mediator.full_name}",
            detail=f"{format_day_time(report.started_at)} · {report.get_status_display()}",
            when=_since(report.submitted_at),
            action_label=str(_("Validate")),
            action_url=report.get_absolute_url(),
        )

    def to_approve(sheet):
        return WorkItem(
            title=f"{sheet.mediator.full_name} · {format_month(sheet.month)}",
            detail=sheet.district.name,
            when=_since(sheet.submitted_at),
            action_label=str(_("Check and approve")),
            action_url=sheet.get_absolute_url(),
        )

    # The five lists of requests: their first rows picked in one query, then read together in one more.
    picked = first_of_each(
        {
            "decisions": requests_selectors.waiting_for_decision(user=user),
            "to_offer": scheduling_selectors.requests_to_offer(user=user),
            "to_plan": scheduling_selectors.requests_to_plan(user=user, now=now),
            "stalled": scheduling_selectors.stalled_requests(user=user, now=now),
            "to_close": requests_selectors.requests_to_close(user=user),
        },
        limit=HOME_LIMIT + 1,
    )
    read = scheduling_selectors.coordinator_requests(
        user=user, ids=[pk for pks in picked.values() for pk in pks], now=now
    )
    requests = {name: [read[pk] for pk in pks if pk in read] for name, pks in picked.items()}

    return [
        _section(
            "decisions",
            _("Requests waiting for your decision"),
            requests["decisions"],
            decision,
            more_url=f"{reverse('requests:list')}?status={Status.SUBMITTED}",
            more_label=_("Open the queue"),
            icon="it-inbox",
        ),
        _section(
            "to_offer",
            _("Requests looking for a mediator"),
            requests["to_offer"],
            to_offer,
            more_url=f"{reverse('requests:list')}?status={Status.MATCHING}",
            icon="it-search",
        ),
        _section(
            "to_plan",
            _("Appointments to plan"),
            requests["to_plan"],
            to_plan,
            more_url=f"{reverse('requests:list')}?status={Status.ASSIGNED}",
            icon="it-calendar",
        ),
        _section(
            "stalled",
            _("Stalled requests"),
            requests["stalled"],
            stalled,
            more_url=reverse("requests:list"),
            icon="it-warning-circle",
        ),
        _section(
            "reports_to_validate",
            _("Session reports to validate"),
            sessions_selectors.reports_to_validate(user=user),
            to_validate,
            more_url=reverse("sessions:reports"),
            icon="it-check-circle",
        ),
        _section(
            "timesheets_to_approve",
            _("Timesheets to approve"),
            timesheets_worklists.timesheets_to_approve(user=user),
            to_approve,
            more_url=reverse("timesheets:district"),
            icon="it-files",
        ),
        _section(
            "to_close",
            _("Mediations to close"),
            requests["to_close"],
            to_close,
            more_url=f"{reverse('requests:list')}?status={Status.EVALUATED}",
            icon="it-check",
        ),
    ]


WORK_OF = {
    Role.MEDIATOR: mediator_work,
    Role.SOCIAL_WORKER: social_worker_work,
    Role.COORDINATOR: coordinator_work,
}


def work_list(*, actor: Actor, now=None) -> list[WorkSection]:
    """The role's work, most urgent section first; the sections with nothing to do are left out."""
    builder = WORK_OF.get(actor.role)
    if builder is None:
        return []
    return [section for section in builder(user=actor.user, now=now or timezone.now()) if section.items]


RECENT_JOBS = 5


def province_day(*, actor: Actor) -> dict | None:
    """Province staff: the month's figures (the dashboard's indicators), stalled requests per district, the latest
    report jobs. A fixed number of queries."""
    if actor.role != Role.PROVINCE_STAFF:
        return None
    user = actor.user
    stalled = (
        scheduling_selectors.stalled_requests(user=user)
        .order_by()
        .values("office__district_id", "office__district__name")
        .annotate(count=Count("pk"))
        .order_by("office__district__name")
    )
    figures, projects = reporting_selectors.province_month(user=user)
    return {
        "figures": figures,
        "projects": projects,
        "stalled": list(stalled),
        "jobs": list(reporting_selectors.report_jobs(user=user)[:RECENT_JOBS]),
    }
