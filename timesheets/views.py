"""Timesheet pages: parse, call a selector or a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from accounts.scoping import actor_for
from audit.services import record_read
from core.batches import LEVELS, summary
from core.errors import DomainError

from . import exports, months, providers, selectors, services

MANAGERS = (Role.COORDINATOR, Role.PROVINCE_STAFF)


def _months(month):
    return {
        "month": month,
        "previous": months.previous_month(month),
        "next": months.next_month(month),
    }


@role_required(Role.MEDIATOR)
def my_timesheets(request):
    """A mediator's month (the current one unless ``?mese=YYYY-MM``), one sheet per district, and past months."""
    month = months.parse_month(request.GET.get("mese"))
    mediator, sheets = selectors.my_sheets(user=request.user, month=month)
    history = selectors.my_history(mediator=mediator) if mediator else []
    for sheet in sheets:
        sheet.actions = selectors.sheet_actions(user=request.user, sheet=sheet)
    return render(
        request,
        "timesheets/mine.html",
        {"mediator": mediator, "sheets": sheets, "history": history, "over": months.month_is_over(month),
         **_months(month)},
    )  # fmt: skip


@role_required(*MANAGERS)
def district_timesheets(request):
    """The month's timesheets of the districts the user manages, a page at a time, with the month's totals: approve or
    send back (coordinators)."""
    month = months.parse_month(request.GET.get("mese"))
    found = selectors.district_month(user=request.user, month=month, page_number=request.GET.get("page"))
    sheets = found.sheets
    for sheet in sheets:
        sheet.actions = selectors.sheet_actions(user=request.user, sheet=sheet)
    # The checkboxes of the batch: only when at least one row of the page may be approved by this user.
    approvable = any(sheet.actions["approve"] and sheet.timesheet for sheet in sheets)
    return render(
        request,
        "timesheets/district.html",
        {"districts": found.districts, "page": found.page, "sheets": sheets, "totals": found.totals,
         "idle": found.idle, "approvable": approvable, "querystring": f"mese={month:%Y-%m}", **_months(month)},
    )  # fmt: skip


@role_required(*MANAGERS)
def provider_totals(request):
    month = months.parse_month(request.GET.get("mese"))
    totals = providers.provider_totals(user=request.user, month=month)
    return render(request, "timesheets/providers.html", {"totals": totals, **_months(month)})


@login_required
def sheet(request, mediator: int, district: int, month):
    found = selectors.sheet_detail(user=request.user, mediator_id=mediator, district_id=district, month=month)
    return render(
        request,
        "timesheets/sheet.html",
        {"sheet": found, "actions": selectors.sheet_actions(user=request.user, sheet=found), **_months(month)},
    )


@require_POST
@login_required
def sheet_action(request, mediator: int, district: int, month, action: str):
    found = selectors.sheet_detail(user=request.user, mediator_id=mediator, district_id=district, month=month)
    actor = actor_for(request.user)
    target = request.POST.get("next") or found.get_absolute_url()
    # Only a path of this site: anything else (a word, a date) would make redirect() look it up as a view name.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = found.get_absolute_url()
    try:
        if action == "submit":
            services.timesheet_submit(actor=actor, mediator=found.mediator, district=found.district, month=month)
            messages.success(request, _("Timesheet submitted: the district's coordinators will approve it."))
        elif action in ("approve", "send_back"):
            if found.timesheet is None:
                raise DomainError(_("This timesheet has not been submitted yet."))
            if action == "approve":
                services.timesheet_approve(actor=actor, timesheet=found.timesheet)
                messages.success(request, _("Timesheet approved: the month's session reports are locked."))
            else:
                services.timesheet_send_back(
                    actor=actor, timesheet=found.timesheet, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Timesheet sent back to the mediator."))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(target)


@require_POST
@role_required(Role.COORDINATOR)
def approve_many(request):
    """Approve the timesheets ticked in the district's month; the summary says what was approved and what was
    refused, and why."""
    month = months.parse_month(request.POST.get("mese"))
    target = f"{reverse('timesheets:district')}?mese={month:%Y-%m}"
    try:
        result = services.timesheets_approve(
            actor=actor_for(request.user), timesheet_ids=request.POST.getlist("timesheet")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(target)
    done, refused = len(result.done), len(result.refused)
    level, text = summary(
        result,
        done=ngettext("%(count)s timesheet approved", "%(count)s timesheets approved", done) % {"count": done}
        if done
        else _("No timesheet approved"),
        refused=ngettext("%(count)s timesheet refused", "%(count)s timesheets refused", refused) % {"count": refused},
    )
    messages.add_message(request, LEVELS[level], text)
    return redirect(target)


def _export(sheets, filename: str, fmt: str, *, costs: bool = True):
    if fmt == "csv":
        return exports.csv_response(sheets, filename, costs=costs)
    if fmt == "xlsx":
        return exports.xlsx_response(sheets, filename, costs=costs)
    raise Http404


@login_required
def sheet_export(request, mediator: int, district: int, month, fmt: str):
    found = selectors.sheet_detail(user=request.user, mediator_id=mediator, district_id=district, month=month)
    response = _export(
        [found],
        f"foglio-ore-{slugify(found.mediator.last_name) or found.mediator.pk}-{month:%Y-%m}",
        fmt,
        costs=selectors.shows_costs(user=request.user),
    )
    record_read(request=request, what=f"timesheets.sheet.{fmt}")  # after _export: fmt is csv or xlsx by now
    return response


@role_required(*MANAGERS)
def month_export(request, fmt: str):
    month = months.parse_month(request.GET.get("mese"))
    _districts, sheets = selectors.district_sheets(user=request.user, month=month)
    response = _export(sheets, f"fogli-ore-{month:%Y-%m}", fmt)
    record_read(request=request, what=f"timesheets.month.{fmt}")  # after _export: fmt is csv or xlsx by now
    return response
