"""Session reports and evaluations: the report form, the report page with its buttons, the lists of work by role,
the evaluation form and the mediators' averages.

Thin views: reads through report_selectors (an object outside the user's scope is a 404), writes through
report_services (a refused action is a message, never a 500 and never a half-written row).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from accounts.scoping import actor_for, visible
from audit.services import record_read
from core.batches import LEVELS, summary
from core.errors import DomainError
from mediators.models import Mediator
from requests_app.models import Status

from . import selectors as report_selectors
from . import services as report_services
from .forms import FIELD_OF, SessionReportForm, evaluation_scores
from .models import Evaluation

REPORT_ROLES = (Role.SOCIAL_WORKER, Role.COORDINATOR, Role.MEDIATOR, Role.PROVINCE_STAFF)
AVERAGE_ROLES = (Role.COORDINATOR, Role.MEDIATOR, Role.PROVINCE_STAFF)


# --- Writing a report -------------------------------------------------------------------------------------------------


@login_required
def report_write(request, pk: int):
    """The report of an appointment: written by its mediator (or a district coordinator) once it has started."""
    appointment = report_selectors.appointment_for_report(user=request.user, pk=pk)
    if not report_selectors.may_write_report(user=request.user, appointment=appointment):
        raise PermissionDenied
    report = report_selectors.report_of(appointment)
    if report is not None and report.status not in report_selectors.EDITABLE:
        messages.info(request, _("This report was submitted: it can no longer be changed here."))
        return redirect(report)
    refusal = report_selectors.why_no_report(appointment=appointment)
    show_notes = report_selectors.may_read_report_notes(user=request.user, appointment=appointment)
    form = SessionReportForm(
        request.POST if request.method == "POST" and not refusal else None,
        appointment=appointment,
        report=report,
        show_notes=show_notes,
    )
    if form.is_bound and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            report = report_services.report_save(
                actor=actor_for(request.user), appointment=appointment, fields=form.service_fields(), submit=submit
            )
        except DomainError as exc:
            field = FIELD_OF.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            if submit:
                messages.success(
                    request, _("The report is submitted: the office confirms it, the coordinator validates it.")
                )
            else:
                messages.success(request, _("The report is saved as a draft: submit it when it is complete."))
            return redirect(report)
    return render(
        request,
        "sessions_app/form.html",
        {"appointment": appointment, "report": report, "form": form, "refusal": refusal, "show_notes": show_notes},
        status=400 if form.is_bound else 200,
    )


# --- The report page --------------------------------------------------------------------------------------------------


@login_required
def report_detail(request, pk: int):
    report = report_selectors.report_detail(user=request.user, pk=pk)
    record_read(request=request, obj=report)
    if request.method == "POST":
        return _report_action(request, report)
    actions = report_selectors.report_actions(user=request.user, report=report)
    mediation_request = report.appointment.request
    return render(
        request,
        "sessions_app/detail.html",
        {
            "report": report,
            "appointment": report.appointment,
            "mediation_request": mediation_request,
            "can": actions,
            # Why a request whose report is validated is still not completed (the coordinators' concern).
            "blockers": report_selectors.completion_blockers(request=mediation_request)
            if report.locked
            and mediation_request.status == Status.SCHEDULED
            and report_selectors.is_district_coordinator(user=request.user, request=mediation_request)
            else [],
            "may_evaluate": mediation_request.status in (Status.COMPLETED, Status.EVALUATED)
            and any(
                report_selectors.may_evaluate(user=request.user, request=mediation_request, side=side)
                for side in Evaluation.Side.values
            ),
        },
    )


def _report_action(request, report):
    actor = actor_for(request.user)
    action = request.POST.get("action", "")
    done = {
        "submit": _("The report is submitted: the office confirms it, the coordinator validates it."),
        "confirm": _("Confirmed: thank you. The coordinator validates the report."),
        "validate": _("The report is validated: it can no longer change."),
        "send_back": _("The report is sent back to the mediator with your reason."),
    }
    try:
        if action == "submit":
            report_services.report_submit(actor=actor, report=report)
        elif action == "confirm":
            report_services.report_confirm(actor=actor, report=report)
        elif action == "validate":
            report_services.report_validate(actor=actor, report=report)
        elif action == "send_back":
            report_services.report_send_back(actor=actor, report=report, reason=request.POST.get("reason", ""))
        else:
            raise DomainError(_("Choose what to do with the report."))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done[action])
        report.appointment.request.refresh_from_db(fields=["status"])
        if action == "validate" and report.appointment.request.status == Status.COMPLETED:
            messages.info(
                request,
                _("Every session of the request %(code)s is reported: the request is completed.")
                % {"code": report.appointment.request.case_code},
            )
    return redirect(report)


@login_required
@require_POST
def request_complete(request, pk: int):
    """The coordinator's "Mark completed": nothing planned any more and every session validated."""
    mediation_request = report_selectors.request_for_evaluation(user=request.user, pk=pk)
    try:
        report_services.request_complete(actor=actor_for(request.user), request=mediation_request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The request %(code)s is completed: the office and the mediator can now evaluate it.")
            % {"code": mediation_request.case_code},
        )
    return redirect(mediation_request)


# --- Lists of work ----------------------------------------------------------------------------------------------------


@role_required(*REPORT_ROLES)
def report_list(request):
    """What is waiting: reports to write, to confirm, to validate; mediations to evaluate; the latest validated."""
    lists = report_selectors.work_lists(user=request.user)
    # The id of the form each list's ticked rows belong to, when the user may act on at least one of its rows.
    batch_forms = {
        action: f"batch-{action}" if any(report.selectable for report in lists.get(name, [])) else ""
        for action, name in (("confirm", "to_confirm"), ("validate", "to_validate"))
    }
    return render(
        request,
        "sessions_app/list.html",
        {
            "lists": lists,
            "batch_forms": batch_forms,
            "role": actor_for(request.user).role,
            "recent_days": report_selectors.RECENT_DAYS,
        },
    )


# --- Batches from the list --------------------------------------------------------------------------------------------


def _batch(request, action: str):
    """Confirm or validate the reports ticked in the list; the summary says what was done and what was refused."""
    service = {"confirm": report_services.reports_confirm, "validate": report_services.reports_validate}[action]
    try:
        result = service(actor=actor_for(request.user), report_ids=request.POST.getlist("report"))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("sessions:reports")
    done, refused = len(result.done), len(result.refused)
    if action == "confirm":
        done_text = ngettext("%(count)s report confirmed", "%(count)s reports confirmed", done) % {"count": done}
        done_text = done_text if done else _("No report confirmed")
    else:
        done_text = ngettext("%(count)s report validated", "%(count)s reports validated", done) % {"count": done}
        done_text = done_text if done else _("No report validated")
    refused_text = ngettext("%(count)s report refused", "%(count)s reports refused", refused) % {"count": refused}
    level, text = summary(result, done=done_text, refused=refused_text)
    messages.add_message(request, LEVELS[level], text)
    return redirect("sessions:reports")


@require_POST
@role_required(Role.SOCIAL_WORKER)
def reports_confirm(request):
    return _batch(request, "confirm")


@require_POST
@role_required(Role.COORDINATOR)
def reports_validate(request):
    return _batch(request, "validate")


# --- Evaluations ------------------------------------------------------------------------------------------------------


def _side_of(request, mediation_request) -> str | None:
    """The side the user evaluates for: the office or the mediator (an administrator chooses with ?lato=)."""
    actor = actor_for(request.user)
    if actor.is_admin:
        side = request.GET.get("lato") or request.POST.get("side") or Evaluation.Side.REQUESTER
        return side if side in Evaluation.Side.values else Evaluation.Side.REQUESTER
    for side in Evaluation.Side.values:
        if report_selectors.may_evaluate(user=request.user, request=mediation_request, side=side):
            return side
    return None


@login_required
def evaluate(request, pk: int):
    """A request's evaluations: the form of the user's own side (once the request is completed), and what the
    user may read of both sides."""
    mediation_request = report_selectors.request_for_evaluation(user=request.user, pk=pk)
    side = _side_of(request, mediation_request)
    criteria = report_selectors.criteria_of(request=mediation_request)
    open_for_evaluation = mediation_request.status in (Status.COMPLETED, Status.EVALUATED)
    error, field, posted = "", None, None
    if request.method == "POST":
        if side is None:
            raise PermissionDenied
        posted = request.POST
        try:
            report_services.evaluation_save(
                actor=actor_for(request.user),
                request=mediation_request,
                side=side,
                scores=evaluation_scores(posted, criteria),
                comment=posted.get("comment", ""),
            )
        except DomainError as exc:
            error, field = exc.message, exc.field
        else:
            messages.success(request, _("Thank you: the evaluation is saved."))
            return redirect("sessions:evaluate", pk=mediation_request.pk)
    evaluations = report_selectors.evaluations_of(user=request.user, request=mediation_request)
    mine = evaluations.get(side) if side else None
    values = {}
    for criterion in criteria:
        if posted is not None:
            values[criterion.pk] = (posted.get(f"score_{criterion.pk}", ""), posted.get(f"comment_{criterion.pk}", ""))
        elif mine is not None:
            score = next((s for s in mine.scores.all() if s.criterion_id == criterion.pk), None)
            values[criterion.pk] = (str(score.score), score.comment) if score else ("", "")
        else:
            values[criterion.pk] = ("", "")
    rows = [
        {"criterion": c, "score": values[c.pk][0], "comment": values[c.pk][1], "error": field == f"score_{c.pk}"}
        for c in criteria
    ]
    return render(
        request,
        "sessions_app/evaluate.html",
        {
            "mediation_request": mediation_request,
            "side": side,
            "can_evaluate": side is not None and open_for_evaluation and bool(criteria),
            "open_for_evaluation": open_for_evaluation,
            "rows": rows,
            "comment": posted.get("comment", "") if posted is not None else (mine.comment if mine else ""),
            "mine": mine,
            "evaluations": [evaluations[s] for s in Evaluation.Side.values if s in evaluations],
            "error": error,
            "scale": range(1, 6),
        },
        status=400 if error else 200,
    )


# The averages list this many mediators a page.
AVERAGES_PER_PAGE = 25


@role_required(*AVERAGE_ROLES)
def evaluation_averages(request):
    """Coordinators: each mediator of their district; province staff: of their province; a mediator: their own."""
    table = report_selectors.mediator_averages(
        user=request.user,
        mediators=visible(request.user, Mediator),
        per_page=AVERAGES_PER_PAGE,
        page_number=request.GET.get("page"),
    )
    return render(
        request,
        "sessions_app/averages.html",
        {**table, "own": actor_for(request.user).role == Role.MEDIATOR},
    )
