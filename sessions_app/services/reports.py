"""Every write about session reports and evaluations.

Keyword-only, one transaction each, a :class:`~core.errors.DomainError` in the user's language when a rule is
not met: nothing is saved half-way. The life of a report:

    draft ──submit──▶ submitted ──confirm (office)──▶ confirmed
      ▲                   │  └──────────────┬─────────────┘
      └──── sent back ◀───┴── send back ────┤ (district coordinator, with a reason)
                                            └── validate (district coordinator) ──▶ validated (locked)

The mediator of the appointment writes it (or a coordinator of the district on their behalf), only once the
appointment has started; writing it sets the appointment's status from the outcome. Validating the last report of a
request whose sessions are all done moves the request to ``completed``; the office's evaluation moves it to
``evaluated`` (through the request's transition table).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Actor
from core.batches import BatchResult, parse_ids, run_batch
from core.errors import DomainError, NotAllowed, send_back_reason
from core.figures import facts_changed
from core.formatting import format_day_month
from mediators.models import Mode
from notifications.models import Notification
from notifications.services import notify
from requests_app.models import MediationRequest, Status
from requests_app.selectors import district_coordinators
from requests_app.services import apply_transition
from scheduling.facts import facts_of_appointment
from scheduling.models import LIVE_APPOINTMENT, Appointment

from .. import selectors as report_selectors
from ..locks import why_locked
from ..models import SessionReport

Outcome = SessionReport.Outcome
ReportStatus = SessionReport.Status

# What a person fills in; everything else (status, who and when) is written by the functions below.
REPORT_FIELDS = [
    "started_at",
    "ended_at",
    "mode",
    "adults_present",
    "minors_present",
    "operators_present",
    "language",
    "language_variant",
    "outcome",
    "outcome_reason",
    "travel_km",
    "travel_minutes",
    "expenses",
    "expenses_note",
    "sensitive_notes",
]

# The appointment's status that each outcome means.
APPOINTMENT_STATUS = {
    Outcome.HELD: Appointment.Status.HELD,
    Outcome.PARTLY: Appointment.Status.HELD,
    Outcome.FAMILY_ABSENT: Appointment.Status.NO_SHOW,
    Outcome.MEDIATOR_ABSENT: Appointment.Status.NO_SHOW,
    Outcome.CANCELLED_LATE: Appointment.Status.CANCELLED,
}
HELD_OUTCOMES = (Outcome.HELD, Outcome.PARTLY)
# The actual start may differ from the planned one, but not by more than this: beyond it, it is another session.
START_TOLERANCE = timedelta(hours=12)
LONGEST_SESSION = timedelta(hours=10)

DEFAULT_CRITERIA = [
    ("understanding", "Comprensione reciproca raggiunta", "Understanding reached"),
    ("relationship", "Relazione con la famiglia", "Relationship with the family"),
    ("neutrality", "Neutralità del mediatore", "The mediator's neutrality"),
    ("usefulness", "Utilità per il progetto sul caso", "Usefulness for the case plan"),
    ("punctuality", "Puntualità e affidabilità", "Punctuality and reliability"),
]


# --- Who must act next -----------------------------------------------------------------------------------------------


def _notify_report(report: SessionReport, *, kind: str, actor: Actor, recipients: list | None = None) -> None:
    """Tell whoever must act next on a report (by default its mediator), with the session's day, time and place,
    never its content."""
    appointment = report.appointment
    if recipients is None:
        recipients = [appointment.mediator.user] if appointment.mediator.user_id else []
    details = {**facts_of_appointment(appointment), "report": report.pk}
    notify(recipients=recipients, request=appointment.request, kind=kind, actor=actor.user, details=details)


# --- Writing a report -------------------------------------------------------------------------------------------------


def _locked_appointment(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("request__office", "mediator")
        .get(pk=appointment.pk)
    )


def _locked_report(report: SessionReport) -> SessionReport:
    return (
        SessionReport.objects.select_for_update(of=("self",))
        .select_related("appointment__request__office", "appointment__mediator")
        .get(pk=report.pk)
    )


def _apply(report: SessionReport, fields: dict, *, keep_notes: bool) -> None:
    for name in REPORT_FIELDS:
        if name == "sensitive_notes" and keep_notes:
            # Whoever may not read the notes (a coordinator writing on the mediator's behalf) cannot overwrite them.
            continue
        if name in fields:
            value = fields[name]
            if value is None and name not in ("started_at", "ended_at"):
                value = "" if name in ("language", "language_variant", "outcome_reason", "expenses_note") else 0
            if isinstance(value, str):
                value = value.strip()
            setattr(report, name, value)


def _check(report: SessionReport, appointment: Appointment) -> None:
    """The rules of a report, each with its own message on its own field."""
    started, ended = report.started_at, report.ended_at
    if started is None or timezone.is_naive(started):
        raise DomainError(_("Give the actual start: day and time."), field="started_at")
    if ended is None or timezone.is_naive(ended) or ended <= started:
        raise DomainError(_("The session must end after it starts."), field="ended_at")
    if ended - started > LONGEST_SESSION:
        raise DomainError(_("A session lasts at most 10 hours: check the times."), field="ended_at")
    if abs(started - appointment.starts_at) > START_TOLERANCE:
        raise DomainError(
            _("The actual start is too far from the appointment's time: another session needs its own appointment."),
            field="started_at",
        )
    if started > timezone.now():
        raise DomainError(_("The actual start is in the future: write the report once the session took place."))
    if report.outcome not in Outcome.values:
        raise DomainError(_("Choose what happened."), field="outcome")
    if report.mode not in Mode.values:
        raise DomainError(_("Choose how the session took place."), field="mode")
    if report.outcome != Outcome.HELD and not report.outcome_reason:
        raise DomainError(
            _("Say what happened: who did not come, what was left out, or why it was cancelled."),
            field="outcome_reason",
        )
    if report.outcome in HELD_OUTCOMES:
        if not report.language:
            raise DomainError(_("Choose the language used."), field="language")
        if (report.adults_present or 0) + (report.minors_present or 0) < 1:
            raise DomainError(
                _("Nobody of the family was present: choose “The family did not come” as the outcome."),
                field="adults_present",
            )
    if report.mode != Mode.IN_PERSON and (report.travel_km or report.travel_minutes):
        raise DomainError(_("A session by phone or video has no travel: leave kilometres and minutes at 0."))
    if report.expenses and not report.expenses_note:
        raise DomainError(_("Say what the expenses were (ticket, parking…)."), field="expenses_note")
    try:
        report.full_clean(
            exclude=[
                "appointment",
                "written_by",
                "submitted_by",
                "confirmed_by",
                "validated_by",
                "sent_back_by",
            ],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(" ".join(messages), field=None if field == "__all__" else field) from None


def _sync_appointment(appointment: Appointment, report: SessionReport, *, had_report: bool, was: str) -> None:
    """The appointment's status follows the report's outcome: held, no-show, or cancelled late."""
    if appointment.status == Appointment.Status.CANCELLED and not (had_report and was == Outcome.CANCELLED_LATE):
        # Cancelled through the scheduling pages: a report can only say that it was cancelled late (and owed).
        if report.outcome != Outcome.CANCELLED_LATE:
            raise DomainError(
                _("This appointment was cancelled: its report can only say that it was cancelled late."),
                field="outcome",
            )
        return
    target = APPOINTMENT_STATUS[report.outcome]
    update = ["status", "updated_at"]
    if target == Appointment.Status.CANCELLED:
        appointment.late_cancellation = True
        appointment.cancelled_at = appointment.cancelled_at or timezone.now()
        appointment.cancel_reason = appointment.cancel_reason or report.outcome_reason[:300]
        update += ["late_cancellation", "cancelled_at", "cancel_reason"]
    elif appointment.status == Appointment.Status.CANCELLED:
        # The report said "cancelled late" by mistake and now says what really happened: the appointment is live
        # again, if the mediator was not booked at that time meanwhile (on PostgreSQL the exclusion constraint
        # checks it too).
        clash = (
            Appointment.objects.filter(
                LIVE_APPOINTMENT,
                mediator_id=appointment.mediator_id,
                starts_at__lt=appointment.ends_at,
                ends_at__gt=appointment.starts_at,
            )
            .exclude(pk=appointment.pk)
            .exists()
        )
        if clash:
            raise DomainError(
                _("The mediator has another appointment at this time: the coordinator must sort it out first.")
            )
        appointment.late_cancellation, appointment.cancelled_at = False, None
        update += ["late_cancellation", "cancelled_at"]
    if appointment.status == target and len(update) == 2:
        return
    appointment.status = target
    try:
        with transaction.atomic():
            appointment.save(update_fields=update)
    except IntegrityError:
        raise DomainError(
            _("The mediator has another appointment at this time: the coordinator must sort it out first.")
        ) from None


@transaction.atomic
def report_save(*, actor: Actor, appointment: Appointment, fields: dict, submit: bool = False) -> SessionReport:
    """Write (or correct) the report of an appointment that has started, as a draft or, with ``submit``, sent to
    the office and the coordinators. Only a draft or a report sent back can be changed."""
    appointment = _locked_appointment(appointment)
    if not report_selectors.may_write_report(user=actor.user, appointment=appointment):
        raise NotAllowed(_("Only the appointment's mediator, or a coordinator of the district, writes its report."))
    refusal = report_selectors.why_no_report(appointment=appointment) or why_locked(appointment=appointment)
    if refusal:
        raise DomainError(refusal)
    report = SessionReport.objects.select_for_update(of=("self",)).filter(appointment=appointment).first()
    had_report = report is not None
    if report is None:
        report = SessionReport(appointment=appointment, written_by=actor.user)
    elif report.status not in (ReportStatus.DRAFT, ReportStatus.SENT_BACK):
        raise DomainError(
            _("This report is “%(status)s”: it can no longer be changed.") % {"status": report.get_status_display()}
        )
    was = report.outcome
    can_read_notes = report_selectors.may_read_report_notes(user=actor.user, appointment=appointment)
    _apply(report, fields, keep_notes=not can_read_notes)
    _check(report, appointment)
    report.written_by = actor.user
    report.save()
    _sync_appointment(appointment, report, had_report=had_report, was=was)
    # The outcome, the actual times, travel and expenses: the month's sessions, hours and costs. (A report's status
    # counts in no figure: submitting, confirming and validating it change none.)
    facts_changed(request_id=appointment.request_id, at=[appointment.starts_at])
    if submit:
        _submit(actor, report)
    return report


def _submit(actor: Actor, report: SessionReport) -> None:
    report.status = ReportStatus.SUBMITTED
    report.submitted_by, report.submitted_at = actor.user, timezone.now()
    # What the office confirmed was the earlier text: the new one needs its own confirmation.
    report.confirmed_by, report.confirmed_at = None, None
    report.save(update_fields=["status", "submitted_by", "submitted_at", "confirmed_by", "confirmed_at", "updated_at"])
    # The office confirms it, the coordinators validate it (they may do it before the office).
    request = report.appointment.request
    recipients = [request.requester, *district_coordinators(request=request)]
    _notify_report(report, kind=Notification.Kind.REPORT_SUBMITTED, actor=actor, recipients=recipients)


@transaction.atomic
def report_submit(*, actor: Actor, report: SessionReport) -> SessionReport:
    """Send a draft (or a report sent back and corrected) to the office and the district's coordinators."""
    report = _locked_report(report)
    if not report_selectors.may_write_report(user=actor.user, appointment=report.appointment):
        raise NotAllowed(_("Only the appointment's mediator, or a coordinator of the district, submits its report."))
    if report.status not in (ReportStatus.DRAFT, ReportStatus.SENT_BACK):
        raise DomainError(
            _("This report is “%(status)s”: it cannot be submitted now.") % {"status": report.get_status_display()}
        )
    _check(report, report.appointment)
    _submit(actor, report)
    return report


@transaction.atomic
def report_confirm(*, actor: Actor, report: SessionReport) -> SessionReport:
    """The requesting office confirms, in one click, that the session went as the report says."""
    report = _locked_report(report)
    request = report.appointment.request
    if not (report_selectors.is_office_member(user=actor.user, request=request) or actor.is_admin):
        raise NotAllowed(_("Only the requesting office confirms a report."))
    if report.status != ReportStatus.SUBMITTED:
        raise DomainError(
            _("This report is “%(status)s”: only a submitted report can be confirmed.")
            % {"status": report.get_status_display()}
        )
    report.status = ReportStatus.CONFIRMED
    report.confirmed_by, report.confirmed_at = actor.user, timezone.now()
    report.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    _notify_report(
        report, kind=Notification.Kind.REPORT_CONFIRMED, actor=actor, recipients=district_coordinators(request=request)
    )
    return report


def _check_coordinator(actor: Actor, report: SessionReport, message: str) -> None:
    if not (
        report_selectors.is_district_coordinator(user=actor.user, request=report.appointment.request) or actor.is_admin
    ):
        raise NotAllowed(message)


@transaction.atomic
def report_validate(*, actor: Actor, report: SessionReport) -> SessionReport:
    """The district's coordinator validates a submitted (or confirmed) report: from now on it is locked. When it
    was the last report a request waited for, the request is completed."""
    report = _locked_report(report)
    _check_coordinator(actor, report, _("Only the district's coordinators validate reports."))
    if report.status not in (ReportStatus.SUBMITTED, ReportStatus.CONFIRMED):
        raise DomainError(
            _("This report is “%(status)s”: only a submitted report can be validated.")
            % {"status": report.get_status_display()}
        )
    report.status = ReportStatus.VALIDATED
    report.validated_by, report.validated_at = actor.user, timezone.now()
    report.save(update_fields=["status", "validated_by", "validated_at", "updated_at"])
    _notify_report(report, kind=Notification.Kind.REPORT_VALIDATED, actor=actor)
    request = report.appointment.request
    if request.status == Status.SCHEDULED and report_selectors.all_sessions_done(request=request):
        apply_transition(actor=actor, request=request, name="complete")
        # Every session is done: the office evaluates the mediation.
        notify(recipients=[request.requester], request=request, kind=Notification.Kind.COMPLETED, actor=actor.user)
    return report


@transaction.atomic
def report_send_back(*, actor: Actor, report: SessionReport, reason: str) -> SessionReport:
    """The coordinator sends a report back to the mediator, saying what to correct; the mediator corrects it and
    submits it again."""
    report = _locked_report(report)
    _check_coordinator(actor, report, _("Only the district's coordinators send reports back."))
    if locked := why_locked(appointment=report.appointment):  # an approved timesheet locks the month's reports
        raise DomainError(locked)
    if report.status not in (ReportStatus.SUBMITTED, ReportStatus.CONFIRMED):
        raise DomainError(
            _("This report is “%(status)s”: only a submitted report can be sent back.")
            % {"status": report.get_status_display()}
        )
    reason = send_back_reason(reason)
    report.status = ReportStatus.SENT_BACK
    report.sent_back_by, report.sent_back_at, report.send_back_reason = actor.user, timezone.now(), reason
    report.save(update_fields=["status", "sent_back_by", "sent_back_at", "send_back_reason", "updated_at"])
    # The reason is read in the portal, never in an e-mail: it may speak of the family.
    _notify_report(report, kind=Notification.Kind.REPORT_SENT_BACK, actor=actor)
    return report


# --- Batches ---------------------------------------------------------------------------------------------------------
# From the list of reports, several at once: each report is read again through the user's scope and goes through the
# same service as its own page's button, in its own transaction (one refused report never undoes the others).


def report_label(report: SessionReport) -> str:
    """How a person finds a report in a list: "TM-2025-014 del giorno 4 dicembre"."""
    return _("%(code)s of %(day)s") % {
        "code": report.appointment.request.case_code,
        "day": format_day_month(report.started_at or report.appointment.starts_at),
    }


def _reports_batch(actor: Actor, report_ids: Iterable[str], action) -> BatchResult:
    ids, bad = parse_ids(report_ids)
    return run_batch(
        ids=ids,
        bad=bad,
        found=report_selectors.reports_by_ids(user=actor.user, ids=ids),
        label=report_label,
        act=lambda report: action(actor=actor, report=report),
    )


def reports_confirm(*, actor: Actor, report_ids: Iterable[str]) -> BatchResult:
    """The office confirms several submitted reports at once (each through :func:`report_confirm`)."""
    return _reports_batch(actor, report_ids, report_confirm)


def reports_validate(*, actor: Actor, report_ids: Iterable[str]) -> BatchResult:
    """The district's coordinator validates several reports at once (each through :func:`report_validate`)."""
    return _reports_batch(actor, report_ids, report_validate)


# --- Completing a request ---------------------------------------------------------------------------------------------


@transaction.atomic
def request_complete(*, actor: Actor, request: MediationRequest) -> MediationRequest:
    """The coordinator marks a scheduled request completed by hand (fewer sessions than expected were needed): no
    appointment may still be planned and every session must have its validated report."""
    request = MediationRequest.objects.select_for_update(of=("self",)).select_related("office").get(pk=request.pk)
    blockers = report_selectors.completion_blockers(request=request)
    if request.status == Status.SCHEDULED and blockers:
        raise DomainError(" ".join(blockers))
    request = apply_transition(actor=actor, request=request, name="complete")
    notify(recipients=[request.requester], request=request, kind=Notification.Kind.COMPLETED, actor=actor.user)
    return request
