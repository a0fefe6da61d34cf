"""Scoped reads of session reports and evaluations, and what a user may do with them.

Every list starts from :func:`accounts.scoping.visible` and runs a fixed number of queries whatever its length.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Paginator
from django.db import router
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Role, User
from accounts.scoping import actor_for, get_for_user_or_404, one_for_user_or_404, visible
from core import compiled
from core.summaries import first_of_each
from mediators.models import Mediator
from requests_app.models import MediationRequest, Status
from requests_app.selectors import can_read_sensitive_notes, is_district_coordinator, is_office_member
from scheduling.models import Appointment

from .models import Evaluation, EvaluationCriterion, EvaluationScore, SessionReport

__all__ = ["is_district_coordinator", "is_office_member"]

ReportStatus = SessionReport.Status
EDITABLE = (ReportStatus.DRAFT, ReportStatus.SENT_BACK)
WAITING = (ReportStatus.SUBMITTED, ReportStatus.CONFIRMED)
LIST_LIMIT = 100

# Appointments that owe a report: held, missed, still "planned" although past, or cancelled late (owed by the rule).
# Cancelled in time and void ones owe nothing.
OWES_REPORT = Q(status__in=[Appointment.Status.PLANNED, Appointment.Status.HELD, Appointment.Status.NO_SHOW]) | Q(
    status=Appointment.Status.CANCELLED, late_cancellation=True
)


def _is_appointment_mediator(user, appointment: Appointment) -> bool:
    actor = actor_for(user)
    return (
        actor.role == Role.MEDIATOR
        and appointment.mediator.user_id is not None
        and appointment.mediator.user_id == user.pk
    )


# --- Reports: who may do what -----------------------------------------------------------------------------------------


def may_write_report(*, user, appointment: Appointment) -> bool:
    """The appointment's mediator, a coordinator of the request's district (on the mediator's behalf), an admin."""
    return (
        _is_appointment_mediator(user, appointment)
        or is_district_coordinator(user=user, request=appointment.request)
        or actor_for(user).is_admin
    )


def why_no_report(*, appointment: Appointment) -> str:
    """Why this appointment cannot have a report (yet), or "" when it can."""
    if appointment.status == Appointment.Status.VOID:
        return _("This appointment was entered by mistake: it has no report.")
    if appointment.status == Appointment.Status.CANCELLED and not appointment.late_cancellation:
        return _("This appointment was cancelled in time: it has no report.")
    if appointment.starts_at > timezone.now():
        return _("The report is written once the appointment has started.")
    return ""


def may_read_report_notes(*, user, appointment: Appointment) -> bool:
    """The request's rule (the requesting office and the assigned mediator), and the mediator who did the session."""
    return can_read_sensitive_notes(user=user, request=appointment.request) or _is_appointment_mediator(
        user, appointment
    )


def may_confirm(*, user, report: SessionReport) -> bool:
    """A submitted report, and the user is of the requesting office (or an administrator). No query."""
    return report.status == ReportStatus.SUBMITTED and (
        is_office_member(user=user, request=report.appointment.request) or actor_for(user).is_admin
    )


def may_validate(*, user, report: SessionReport) -> bool:
    """A submitted or confirmed report, and the user coordinates its district (or is an administrator). No query
    once the report's request and office are loaded."""
    return report.status in WAITING and (
        is_district_coordinator(user=user, request=report.appointment.request) or actor_for(user).is_admin
    )


def report_actions(*, user, report: SessionReport) -> dict[str, bool]:
    """The buttons a user sees on a report's page (the services check again)."""
    appointment = report.appointment
    request = appointment.request
    writer = may_write_report(user=user, appointment=appointment)
    coordinator = is_district_coordinator(user=user, request=request) or actor_for(user).is_admin
    return {
        "edit": writer and report.status in EDITABLE,
        "submit": writer and report.status in EDITABLE,
        "confirm": may_confirm(user=user, report=report),
        "validate": may_validate(user=user, report=report),
        # A report of a month whose timesheet is approved cannot go back (the service refuses; no button either).
        "send_back": coordinator and report.status in WAITING and not _month_approved(appointment),
        "complete": coordinator and request.status == Status.SCHEDULED and not completion_blockers(request=request),
        "notes": may_read_report_notes(user=user, appointment=appointment),
    }


def _month_approved(appointment) -> bool:
    from .locks import why_locked

    return bool(why_locked(appointment=appointment))


_REPORT_PEOPLE = ("written_by", "submitted_by", "confirmed_by", "validated_by", "sent_back_by")


def _report_page(reports):
    return reports.select_related("appointment__request__office__district", "appointment__mediator")


def report_detail(*, user, pk) -> SessionReport:
    """A report with its appointment, request and mediator in one query, and the people of its history (who wrote,
    submitted, confirmed, validated or sent it back) in a second one: five joins of the users table made the first
    query select some 200 columns, which Django spent more time compiling and reading than the database running."""
    report = one_for_user_or_404(user, SessionReport, pk, build=_report_page)
    _assigned_from_the_session(report.appointment)
    ids = {getattr(report, f"{name}_id") for name in _REPORT_PEOPLE} - {None}
    people = {person.pk: person for person in User.objects.filter(pk__in=ids)} if ids else {}
    for name in _REPORT_PEOPLE:
        person = people.get(getattr(report, f"{name}_id"))
        if person is not None:
            setattr(report, name, person)
    return report


def reports_by_ids(*, user, ids: list[int]) -> dict[int, SessionReport]:
    """The reports of a batch the user may see, by id (one query): an id outside the user's scope is simply absent."""
    return {
        report.pk: report
        for report in visible(user, SessionReport)
        .filter(pk__in=ids)
        .select_related("appointment__request__office__district", "appointment__mediator")
    }


def appointment_for_report(*, user, pk) -> Appointment:
    """The appointment whose report is written: 404 outside the user's scope."""
    appointment = get_for_user_or_404(
        user,
        visible(user, Appointment).select_related("request__office__district", "mediator", "report"),
        pk=pk,
    )
    _assigned_from_the_session(appointment)
    return appointment


def _assigned_from_the_session(appointment: Appointment) -> None:
    """The request's mediator is nearly always the one of its session, read already: put it in place instead of
    joining the mediators' table a second time (that join cost a report's page about 2 ms of the database's planning
    and Django's compiling, issue #17). When another mediator held the session, it is read if asked for."""
    request = appointment.request
    if request.assigned_mediator_id is not None and request.assigned_mediator_id == appointment.mediator_id:
        request.assigned_mediator = appointment.mediator


def report_of(appointment: Appointment) -> SessionReport | None:
    try:
        return appointment.report
    except SessionReport.DoesNotExist:
        return None


# --- Completing a request ---------------------------------------------------------------------------------------------


def _completion_counts(request_id) -> QuerySet:
    validated, planned = Q(report__status=ReportStatus.VALIDATED), Q(status=Appointment.Status.PLANNED)
    return (
        Appointment.objects.filter(request_id=request_id).order_by().values("request_id")
        .annotate(
            planned=Count("pk", filter=planned),
            unreported=Count("pk", filter=OWES_REPORT & ~planned & ~validated),
            held=Count("pk", filter=validated & Q(report__outcome__in=["held", "partly"])),
        )
        .values_list("planned", "unreported", "held")
    )  # fmt: skip


def completion_blockers(*, request: MediationRequest) -> list[str]:
    """Why a scheduled request cannot be completed yet ([] when it can): appointments still planned, sessions
    without a validated report, nothing held at all. One query (the appointments with their reports, one each at
    most, counted three ways) compiled once per process: Django built and compiled it longer than it ran."""
    row = compiled.first_row(("completion",), _completion_counts, request.pk, database=router.db_for_read(Appointment))
    planned, unreported, held = row or (0, 0, 0)
    blockers = []
    if planned:
        blockers.append(
            ngettext(
                "%(count)s appointment is still planned: report it, or cancel it.",
                "%(count)s appointments are still planned: report them, or cancel them.",
                planned,
            )
            % {"count": planned}
        )
    if unreported:
        blockers.append(
            ngettext(
                "%(count)s session has no validated report yet.",
                "%(count)s sessions have no validated report yet.",
                unreported,
            )
            % {"count": unreported}
        )
    if not held:
        blockers.append(_("No held session is validated yet."))
    return blockers


def all_sessions_done(*, request: MediationRequest) -> bool:
    """Nothing planned, every session validated, and at least the expected number held: the request is done."""
    if completion_blockers(request=request):
        return False
    held = SessionReport.objects.filter(
        appointment__request=request, status=ReportStatus.VALIDATED, outcome__in=["held", "partly"]
    ).count()
    return held >= request.expected_sessions


# --- The lists of work ------------------------------------------------------------------------------------------------


# The long texts a list of reports never shows (notes, reasons, the request's goal): left out of its rows.
_REQUEST_TEXTS = ("goal", "sensitive_notes", "place")
_APPOINTMENT_TEXTS = ("place", "cancel_reason")
_REPORT_TEXTS = ("sensitive_notes", "outcome_reason", "expenses_note", "send_back_reason")
RECENT_DAYS = 60


def _reports(user) -> QuerySet[SessionReport]:
    return (
        visible(user, SessionReport)
        .select_related("appointment__request__office__district", "appointment__mediator")
        .defer(
            *_REPORT_TEXTS,
            *(f"appointment__{name}" for name in _APPOINTMENT_TEXTS),
            *(f"appointment__request__{name}" for name in _REQUEST_TEXTS),
        )
    )


# What a row of the reports page's tables shows (sessions_app/templatetags/report_rows.py) and what deciding whether it
# may be ticked reads (may_confirm, may_validate: the request's office and its district): a province's page reads up
# to 220 rows, and the six rows joined to each, read whole, carried some fifteen dates to parse a row (issue #17).
_ROW_FIELDS = (
    "started_at",
    "outcome",
    "status",
    "appointment__request__case_code",
    "appointment__request__office__name",
    "appointment__request__office__district",
    "appointment__mediator__first_name",
    "appointment__mediator__last_name",
)


def _report_rows(user) -> QuerySet[SessionReport]:
    return (
        visible(user, SessionReport)
        .select_related("appointment__request__office", "appointment__mediator")
        .only(*_ROW_FIELDS)
    )


def _missing(user) -> QuerySet[Appointment]:
    """Appointments past their start that owe a report not yet submitted (none, a draft, or one sent back)."""
    return (
        visible(user, Appointment)
        .filter(OWES_REPORT, starts_at__lte=timezone.now())
        .filter(Q(report__isnull=True) | Q(report__status__in=EDITABLE))
        .select_related("request__office__district", "mediator", "report")
        .defer(
            *_APPOINTMENT_TEXTS,
            *(f"request__{name}" for name in _REQUEST_TEXTS),
            *(f"report__{name}" for name in _REPORT_TEXTS),
        )
        .order_by("starts_at", "pk")
    )


def _missing_ids(user, *, limit: int) -> list[int]:
    """The ids of the first ``limit`` appointments of ``_missing(user)``, oldest first, read from three small
    partial indexes instead of every past appointment of the scope: an appointment owes a report while it is still
    *planned* past its start (writing a report sets its status from the outcome, sessions_app.services.reports),
    when it was cancelled late (it owes one until it has a report past the draft), or when it was held or missed
    and its report is a draft or was sent back. One query."""
    now = timezone.now()
    past = visible(user, Appointment).filter(starts_at__lte=now)
    unfinished = Q(report__isnull=True) | Q(report__status__in=EDITABLE)
    parts = first_of_each(
        {
            "planned": past.filter(unfinished, status=Appointment.Status.PLANNED).order_by("starts_at", "pk"),
            "late": past.filter(unfinished, status=Appointment.Status.CANCELLED, late_cancellation=True).order_by(
                "starts_at", "pk"
            ),
            "reported": past.filter(
                status__in=[Appointment.Status.HELD, Appointment.Status.NO_SHOW], report__status__in=EDITABLE
            ).order_by("starts_at", "pk"),
        },
        limit=limit,
        ranked=False,
    )
    return [pk for pks in parts.values() for pk in pks]


def _missing_first(user, *, limit: int) -> list[Appointment]:
    """The first ``limit`` rows of ``_missing(user)`` for a district, a province or the portal: their ids from
    ``_missing_ids``, then the rows (two queries whatever the size of the scope's history)."""
    return list(_missing(user).filter(pk__in=_missing_ids(user, limit=limit))[:limit])


def recently_validated(user) -> QuerySet[SessionReport]:
    """The reports validated in the last RECENT_DAYS days, the latest first (an index on the validation time of
    validated reports reads them in this order; the window keeps a scope with no recent validation from reading
    the region's whole history to find it has none)."""
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    return (
        _report_rows(user)
        .filter(status=ReportStatus.VALIDATED, validated_at__gte=since)
        .order_by("-validated_at", "-pk")
    )


def _to_evaluate(user, side: str) -> QuerySet[MediationRequest]:
    done = Evaluation.objects.filter(request=OuterRef("pk"), side=side)
    queryset = visible(user, MediationRequest).filter(status__in=[Status.COMPLETED, Status.EVALUATED])
    if side == Evaluation.Side.REQUESTER:
        queryset = queryset.filter(status=Status.COMPLETED)
    return queryset.filter(~Exists(done)).select_related("office").order_by("updated_at", "pk")


def work_lists(*, user) -> dict[str, list]:
    """What each role has to do with reports and evaluations, as the reports page lists it. One query a list."""
    role = actor_for(user).role
    lists: dict[str, list] = {}
    if role == Role.MEDIATOR:
        # Their own appointments, read on the index of the mediator and the start.
        lists["to_write"] = list(_missing(user)[:LIST_LIMIT])
    if role in (Role.COORDINATOR, Role.ADMINISTRATOR):
        lists["to_write"] = _missing_first(user, limit=LIST_LIMIT)
    if role == Role.SOCIAL_WORKER:
        lists["to_confirm"] = list(
            _report_rows(user).filter(status=ReportStatus.SUBMITTED).order_by("started_at", "pk")[:LIST_LIMIT]
        )
        lists["to_evaluate"] = list(_to_evaluate(user, Evaluation.Side.REQUESTER)[:LIST_LIMIT])
    if role in (Role.COORDINATOR, Role.PROVINCE_STAFF, Role.ADMINISTRATOR):
        lists["to_validate"] = list(
            _report_rows(user).filter(status__in=WAITING).order_by("started_at", "pk")[:LIST_LIMIT]
        )
    if role == Role.MEDIATOR:
        lists["waiting"] = list(_report_rows(user).filter(status__in=WAITING).order_by("started_at", "pk")[:LIST_LIMIT])
        lists["to_evaluate"] = list(_to_evaluate(user, Evaluation.Side.MEDIATOR)[:LIST_LIMIT])
    lists["recent"] = list(recently_validated(user)[:20])
    # The rows the user may tick for a batch (no query: the lists hold their requests and offices).
    for report in lists.get("to_confirm", []):
        report.selectable = may_confirm(user=user, report=report)
    for report in lists.get("to_validate", []):
        report.selectable = may_validate(user=user, report=report)
    return lists


# --- Evaluations ------------------------------------------------------------------------------------------------------


def may_evaluate(*, user, request: MediationRequest, side: str) -> bool:
    actor = actor_for(user)
    if actor.is_admin:
        return True
    if side == Evaluation.Side.REQUESTER:
        return is_office_member(user=user, request=request)
    return (
        actor.role == Role.MEDIATOR
        and request.assigned_mediator_id is not None
        and request.assigned_mediator.user_id == user.pk
    )


def request_for_evaluation(*, user, pk) -> MediationRequest:
    return get_for_user_or_404(
        user,
        visible(user, MediationRequest).select_related("office__district__province", "assigned_mediator"),
        pk=pk,
    )


def criteria_of(*, request: MediationRequest) -> list[EvaluationCriterion]:
    return list(
        EvaluationCriterion.objects.filter(province_id=request.office.district.province_id, active=True).order_by(
            "order", "pk"
        )
    )


def evaluations_of(*, user, request: MediationRequest) -> dict[str, Evaluation]:
    """The evaluations of a request the user may read, by side, with their scores."""
    rows = visible(user, Evaluation).filter(request=request).select_related("by").prefetch_related("scores__criterion")
    return {evaluation.side: evaluation for evaluation in rows}


def _round(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def mediator_averages(
    *, user, mediators: QuerySet[Mediator] | None = None, per_page: int | None = None, page_number=None
) -> dict:
    """Each mediator's average score per criterion, as the requesting offices gave them (and, beside it, the
    mediators' own evaluations), over every evaluation they had. ``mediators`` is already scoped (defaults to those
    the user sees). Criteria are matched by their key, so that provinces with the same defaults share columns. Four
    queries; with ``per_page``, a page of the mediators (``page``: Django's page), in five (the count, the page, then
    the same three for the page's mediators only)."""
    ordered = (
        (mediators if mediators is not None else visible(user, Mediator))
        .select_related("provider")
        .order_by("last_name", "first_name", "pk")
    )
    page = None
    if per_page is not None:
        page = Paginator(ordered, per_page).get_page(page_number)
        mediators = list(page.object_list)
    else:
        mediators = list(ordered)
    ids = [m.pk for m in mediators]
    provinces = {m.provider.province_id for m in mediators}
    columns: dict[str, EvaluationCriterion] = {}
    for criterion in EvaluationCriterion.objects.filter(province_id__in=provinces, active=True).order_by("order", "pk"):
        columns.setdefault(criterion.key, criterion)
    averages: dict[tuple[int, str, str], float] = {}
    for row in (
        EvaluationScore.objects.filter(evaluation__mediator_id__in=ids)
        .values("evaluation__mediator_id", "evaluation__side", "criterion__key")
        .annotate(average=Avg("score"))
        .order_by()
    ):
        key = (row["evaluation__mediator_id"], row["evaluation__side"], row["criterion__key"])
        averages[key] = row["average"]
    counts: dict[int, dict[str, int]] = defaultdict(lambda: {"requester": 0, "mediator": 0})
    for row in (
        Evaluation.objects.filter(mediator_id__in=ids).values("mediator_id", "side").annotate(n=Count("pk")).order_by()
    ):
        counts[row["mediator_id"]][row["side"]] = row["n"]
    rows = []
    for mediator in mediators:
        office = [averages.get((mediator.pk, "requester", key)) for key in columns]
        own = [averages.get((mediator.pk, "mediator", key)) for key in columns]
        given = [value for value in office if value is not None]
        # Every criterion is scored in every evaluation: the mean of the criteria's means is the mean of all scores.
        rows.append(
            {
                "mediator": mediator,
                "evaluations": counts[mediator.pk]["requester"],
                "self_evaluations": counts[mediator.pk]["mediator"],
                "office": [_round(value) for value in office],
                "own": [_round(value) for value in own],
                "overall": _round(sum(given) / len(given)) if given else None,
            }
        )
    return {"criteria": list(columns.values()), "rows": rows, "page": page}


# --- The home page's work lists (mediazione.home) --------------------------------------------------------------------


def reports_to_write(*, user) -> QuerySet[Appointment]:
    """Appointments past their start whose report the user still owes (none, a draft, or sent back), oldest first."""
    return _missing(user)


def reports_to_confirm(*, user) -> QuerySet[SessionReport]:
    """Submitted reports the requesting office confirms, oldest first."""
    return _reports(user).filter(status=ReportStatus.SUBMITTED).order_by("submitted_at", "pk")


def reports_to_validate(*, user) -> QuerySet[SessionReport]:
    """Submitted or confirmed reports the district's coordinators validate, oldest first."""
    return _reports(user).filter(status__in=WAITING).order_by("submitted_at", "pk")


def requests_to_evaluate(*, user) -> QuerySet[MediationRequest]:
    """Completed requests the requesting office has not evaluated yet, the longest waiting first."""
    return _to_evaluate(user, Evaluation.Side.REQUESTER)
