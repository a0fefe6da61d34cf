"""Every write about timesheets and reminders.

Keyword-only, one transaction each, a :class:`~core.errors.DomainError` in the user's language when a rule is
not met. The life of a timesheet (a mediator's month in one district):

    draft ──submit (the mediator, once the month is over)──▶ submitted ──approve (district coordinator)──▶ approved
      ▲                                                          │
      └──────────────── sent back (with a reason) ◀──────────────┘

Submitting needs every session of the month reported (submitted to the office, or further) and a rate for each;
approving checks it again and locks the month's session reports of that mediator in that district
(:func:`timesheets.months.month_locked`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import District, Role, User
from accounts.scoping import Actor
from core.batches import BatchResult, parse_ids, run_batch
from core.errors import DomainError, NotAllowed, send_back_reason
from core.formatting import format_month
from mediators.models import Mediator
from requests_app.models import MediationRequest, Status
from scheduling.models import Appointment
from sessions_app.models import Evaluation, SessionReport

from . import months, selectors
from .models import Reminder, Timesheet

TS = Timesheet.Status
# A report is reminded from 48 hours after its appointment started, and no longer after 30 days: older ones are the
# coordinators' business (the list of reports to write), and a first run must not flood anyone.
REMINDER_AFTER = timedelta(hours=48)
REMINDER_UNTIL = timedelta(days=30)


def _problems(sheet: selectors.Sheet) -> list[str]:
    problems = []
    if sheet.missing_reports:
        count = len(sheet.missing_reports)
        problems.append(
            ngettext(
                "%(count)s session of the month has no report sent yet: write and submit it first.",
                "%(count)s sessions of the month have no report sent yet: write and submit them first.",
                count,
            )
            % {"count": count}
        )
    if sheet.unpriced:
        problems.append(
            _("No rate of %(provider)s is valid on some days of the month: the coordinator must add it.")
            % {"provider": sheet.mediator.provider}
        )
    if not sheet.owed_lines and not sheet.translation_lines:
        problems.append(_("There is no session in this month."))
    return problems


def _locked_row(mediator: Mediator, district: District, month: date) -> Timesheet | None:
    return (
        Timesheet.objects.select_for_update(of=("self",))
        .filter(mediator=mediator, district=district, month=month)
        .first()
    )


@transaction.atomic
def timesheet_submit(*, actor: Actor, mediator: Mediator, district: District, month: date) -> Timesheet:
    """The mediator sends a month's timesheet in a district to its coordinators, once the month is over."""
    month = months.first_of(month)
    if not (actor.is_admin or (actor.role == Role.MEDIATOR and mediator.user_id == actor.user.pk)):
        raise NotAllowed(_("Only the mediator submits their timesheet."))
    if not months.month_is_over(month):
        raise DomainError(_("A month's timesheet is submitted once the month is over."))
    # Lock the mediator's row so that two submissions of the same month wait for each other.
    Mediator.objects.select_for_update().filter(pk=mediator.pk).first()
    timesheet = _locked_row(mediator, district, month)
    if timesheet is not None and timesheet.status not in (TS.DRAFT, TS.SENT_BACK):
        raise DomainError(
            _("This timesheet is “%(status)s”: it cannot be submitted again.")
            % {"status": timesheet.get_status_display()}
        )
    sheet = selectors.build_sheets(pairs=[(mediator, district)], month=month)[0]
    problems = _problems(sheet)
    if problems:
        raise DomainError(" ".join(problems))
    if timesheet is None:
        timesheet = Timesheet(mediator=mediator, district=district, month=month)
    timesheet.status = TS.SUBMITTED
    timesheet.submitted_by, timesheet.submitted_at = actor.user, timezone.now()
    try:
        with transaction.atomic():
            timesheet.save()
    except IntegrityError:
        raise DomainError(_("This timesheet was submitted a moment ago.")) from None
    return timesheet


def _check_coordinator(actor: Actor, timesheet: Timesheet, message: str) -> None:
    if not (actor.is_admin or (actor.role == Role.COORDINATOR and timesheet.district_id in actor.district_ids)):
        raise NotAllowed(message)


def _locked(timesheet: Timesheet) -> Timesheet:
    return (
        Timesheet.objects.select_for_update(of=("self",))
        .select_related("mediator__provider", "district")
        .get(pk=timesheet.pk)
    )


@transaction.atomic
def timesheet_approve(*, actor: Actor, timesheet: Timesheet) -> Timesheet:
    """A coordinator of the district approves a submitted timesheet: the month's session reports of that mediator
    in that district are locked from now on."""
    timesheet = _locked(timesheet)
    _check_coordinator(actor, timesheet, _("Only the district's coordinators approve timesheets."))
    if timesheet.status != TS.SUBMITTED:
        raise DomainError(
            _("This timesheet is “%(status)s”: only a submitted timesheet can be approved.")
            % {"status": timesheet.get_status_display()}
        )
    sheet = selectors.build_sheets(pairs=[(timesheet.mediator, timesheet.district)], month=timesheet.month)[0]
    problems = _problems(sheet)
    if problems:
        raise DomainError(" ".join([*problems, _("Send the timesheet back to the mediator.")]))
    timesheet.status = TS.APPROVED
    timesheet.approved_by, timesheet.approved_at = actor.user, timezone.now()
    timesheet.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return timesheet


@transaction.atomic
def timesheet_send_back(*, actor: Actor, timesheet: Timesheet, reason: str) -> Timesheet:
    """A coordinator sends a submitted timesheet back to the mediator, saying what to correct."""
    timesheet = _locked(timesheet)
    _check_coordinator(actor, timesheet, _("Only the district's coordinators send timesheets back."))
    if timesheet.status != TS.SUBMITTED:
        raise DomainError(
            _("This timesheet is “%(status)s”: only a submitted timesheet can be sent back.")
            % {"status": timesheet.get_status_display()}
        )
    reason = send_back_reason(reason)
    timesheet.status = TS.SENT_BACK
    timesheet.sent_back_by, timesheet.sent_back_at, timesheet.send_back_reason = actor.user, timezone.now(), reason
    timesheet.save(update_fields=["status", "sent_back_by", "sent_back_at", "send_back_reason", "updated_at"])
    return timesheet


# --- Batches ---------------------------------------------------------------------------------------------------------


def timesheet_label(timesheet: Timesheet) -> str:
    """How a coordinator finds a timesheet in the month's list: "Amina Rossi, ottobre 2026"."""
    return _("%(mediator)s, %(month)s") % {"mediator": timesheet.mediator, "month": format_month(timesheet.month)}


def timesheets_approve(*, actor: Actor, timesheet_ids: Iterable[str]) -> BatchResult:
    """A coordinator approves several timesheets at once from the district's month: each is read again through the
    user's scope and approved by :func:`timesheet_approve` in its own transaction (a refused one undoes nothing)."""
    ids, bad = parse_ids(timesheet_ids)
    return run_batch(
        ids=ids,
        bad=bad,
        found=selectors.timesheets_by_ids(user=actor.user, ids=ids),
        label=timesheet_label,
        act=lambda timesheet: timesheet_approve(actor=actor, timesheet=timesheet),
    )


# --- Reminders --------------------------------------------------------------------------------------------------------


def _subject(text: str) -> str:
    return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{text}"


def reminders_missing_reports(*, now: datetime | None = None) -> int:
    """E-mail each mediator the appointments whose report is still missing 48 hours after they started (none
    written, or only a draft), once per appointment. Returns the e-mails sent."""
    now = now or timezone.now()
    reminded = Reminder.objects.filter(kind=Reminder.Kind.MISSING_REPORT, appointment=OuterRef("pk"))
    due = (
        Appointment.objects.filter(
            Q(status__in=[Appointment.Status.PLANNED, Appointment.Status.HELD, Appointment.Status.NO_SHOW])
            | Q(status=Appointment.Status.CANCELLED, late_cancellation=True),
            starts_at__lte=now - REMINDER_AFTER,
            starts_at__gte=now - REMINDER_UNTIL,
            mediator__user__is_active=True,
        )
        .filter(Q(report__isnull=True) | Q(report__status=SessionReport.Status.DRAFT))
        .filter(~Exists(reminded))
    )
    mediator_ids = sorted(set(due.values_list("mediator_id", flat=True)))
    sent = 0
    for mediator_id in mediator_ids:
        with transaction.atomic():
            # Claim the appointments: the rows written here make a second run (or a second worker) skip them.
            appointments = list(
                due.filter(mediator_id=mediator_id)
                .select_for_update(of=("self",))
                .select_related("request__office", "mediator__user")
                .order_by("starts_at", "pk")
            )
            if not appointments:
                continue
            try:
                with transaction.atomic():
                    Reminder.objects.bulk_create(
                        [
                            Reminder(
                                kind=Reminder.Kind.MISSING_REPORT,
                                recipient=a.mediator.user,
                                appointment=a,
                                sent_on=timezone.localdate(now),
                            )
                            for a in appointments
                        ]
                    )
            except IntegrityError:
                # Another worker reminded these appointments a moment ago.
                continue
            user = appointments[0].mediator.user
            with translation.override(user.language):
                body = render_to_string(
                    "timesheets/email/missing_reports.txt",
                    {"user": user, "appointments": appointments, "base_url": settings.PORTAL_BASE_URL},
                )
                subject = _subject(
                    ngettext("A session report is missing", "%(count)s session reports are missing", len(appointments))
                    % {"count": len(appointments)}
                )
        # Sent once the claim is committed: a failure to send loses this reminder rather than repeating it hourly.
        send_mail(subject, body, None, [user.email])
        sent += 1
    return sent


def _pending_for(user_ids: list[int]) -> dict[int, dict[str, int]]:
    pending: dict[int, dict[str, int]] = {uid: {"confirm": 0, "evaluate": 0} for uid in user_ids}
    for uid in SessionReport.objects.filter(
        status=SessionReport.Status.SUBMITTED, appointment__request__requester_id__in=user_ids
    ).values_list("appointment__request__requester_id", flat=True):
        pending[uid]["confirm"] += 1
    evaluated = Evaluation.objects.filter(request=OuterRef("pk"), side=Evaluation.Side.REQUESTER)
    for uid in (
        MediationRequest.objects.filter(status=Status.COMPLETED, requester_id__in=user_ids)
        .filter(~Exists(evaluated))
        .values_list("requester_id", flat=True)
    ):
        pending[uid]["evaluate"] += 1
    return pending


def reminders_social_workers(*, today: date | None = None) -> int:
    """A daily digest to each social worker with reports of their requests to confirm or mediations to evaluate,
    at most once a day. Returns the e-mails sent."""
    today = today or timezone.localdate()
    waiting_reports = SessionReport.objects.filter(
        status=SessionReport.Status.SUBMITTED, appointment__request__requester=OuterRef("pk")
    )
    evaluated = Evaluation.objects.filter(request=OuterRef("pk"), side=Evaluation.Side.REQUESTER)
    to_evaluate = MediationRequest.objects.filter(status=Status.COMPLETED, requester=OuterRef("pk")).filter(
        ~Exists(evaluated)
    )
    already = Reminder.objects.filter(kind=Reminder.Kind.DIGEST, recipient=OuterRef("pk"), sent_on=today)
    users = list(
        User.objects.filter(is_active=True, memberships__role=Role.SOCIAL_WORKER, memberships__is_active=True)
        .filter(Exists(waiting_reports) | Exists(to_evaluate))
        .filter(~Exists(already))
        .distinct()
        .order_by("pk")
    )
    pending = _pending_for([u.pk for u in users])
    sent = 0
    for user in users:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    Reminder.objects.create(kind=Reminder.Kind.DIGEST, recipient=user, sent_on=today)
            except IntegrityError:
                continue  # sent today already, by another run
            with translation.override(user.language):
                body = render_to_string(
                    "timesheets/email/digest.txt",
                    {"user": user, "pending": pending[user.pk], "base_url": settings.PORTAL_BASE_URL},
                )
                subject = _subject(_("Reports to confirm and mediations to evaluate"))
        send_mail(subject, body, None, [user.email])
        sent += 1
    return sent
