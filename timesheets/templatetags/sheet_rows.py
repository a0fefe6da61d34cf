"""The rows of a district's month of timesheets, written by Python: "Timesheets of the month" (the coordinators' and the
province staff's page, 25 sheets a page) drew each sheet with some twenty template steps and two includes (its status
badge, its actions with up to three forms, their addresses and tokens), a large part of the page's time (issue #17).
``tests/test_timesheet_month_rows.py`` keeps that template as the reference and holds the two equal.
``timesheets/_status.html`` and ``timesheets/_actions.html`` stay for the pages of one sheet and of a mediator's
month."""

from __future__ import annotations

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.choices import choice_labels
from core.formatting import format_number
from timesheets.models import Timesheet, sheet_url

register = template.Library()

# The badge of each status, as timesheets/_status.html colours it.
BADGES = {
    Timesheet.Status.APPROVED: "bg-success",
    Timesheet.Status.SUBMITTED: "bg-primary",
    Timesheet.Status.SENT_BACK: "bg-danger",
}


class _Actions:
    """The HTML of timesheets/_actions.html that is the same on every row: the token, the labels, the address of the
    page to come back to."""

    def __init__(self, context):
        request = context.get("request")
        back = escape(request.get_full_path()) if request is not None else ""
        self.hidden = f'{CsrfTokenNode().render(context)}<input type="hidden" name="next" value="{back}">'
        self.submit = f'<button type="submit" class="btn btn-primary">{escape(_("Submit the timesheet"))}</button>'
        self.approve = f'<button type="submit" class="btn btn-primary">{escape(_("Approve"))}</button>'
        self.send_back = f'<button type="submit" class="btn btn-outline-primary">{escape(_("Send back"))}</button>'
        self.correct = escape(_("What should the mediator correct?"))

    def write(self, sheet, actions) -> str:
        """What timesheets/_actions.html writes for a sheet and its ``actions`` (timesheets.selectors.sheet_actions)."""
        if not (actions.get("submit") or actions.get("approve") or actions.get("send_back")):
            return ""
        mediator_id, district_id = sheet.mediator.pk, sheet.district.pk

        def address(action: str) -> str:
            return escape(sheet_url(mediator_id, district_id, sheet.month, "act", action))

        forms = []
        if actions.get("submit"):
            forms.append(f'<form method="post" action="{address("submit")}">{self.hidden}{self.submit}</form>')
        if actions.get("approve"):
            forms.append(f'<form method="post" action="{address("approve")}">{self.hidden}{self.approve}</form>')
        if actions.get("send_back"):
            reason = f"reason-{mediator_id}-{district_id}"
            forms.append(
                f'<form method="post" class="d-flex flex-wrap gap-2" action="{address("send_back")}">{self.hidden}'
                f'<label class="visually-hidden" for="{reason}">{self.correct}</label>'
                f'<input class="form-control" type="text" id="{reason}" name="reason" maxlength="1000" required'
                f' placeholder="{self.correct}">{self.send_back}</form>'
            )
        return f'<div class="d-flex flex-wrap gap-3 align-items-start mt-2">{"".join(forms)}</div>'


def _batch_cell(sheet, actions) -> str:
    """The checkbox of the batch approval, where the sheet may be approved."""
    if not (actions.get("approve") and sheet.timesheet):
        return '<td class="batch-col"></td>'
    pk = sheet.timesheet.pk
    label = _("Select the timesheet of %(name)s (%(district)s)") % {
        "name": escape(str(sheet.mediator)),
        "district": escape(sheet.district.name),
    }
    return (
        f'<td class="batch-col"><input class="batch-box" type="checkbox" name="timesheet" value="{pk}"'
        f' form="batch-approve" id="batch-approve-{pk}" data-testid="batch-box">'
        f'<label class="visually-hidden" for="batch-approve-{pk}">{label}</label></td>'
    )


def _status_cell(sheet, labels: dict) -> str:
    """timesheets/_status.html, the reports still missing and why the sheet was sent back."""
    status = sheet.status
    cell = (
        f'<span class="badge {BADGES.get(status, "bg-secondary")}" data-testid="status">'
        f"{escape(labels.get(status, status))}</span>"
    )
    missing = len(sheet.missing_reports)
    if missing:
        counted = ngettext("%(counter)s report missing", "%(counter)s reports missing", missing) % {"counter": missing}
        cell += f'<br><span class="small text-danger">{counted}</span>'
    if status == Timesheet.Status.SENT_BACK:
        cell += f'<br><span class="small">{escape(sheet.timesheet.send_back_reason)}</span>'
    return f"<td>{cell}</td>"


@register.simple_tag(takes_context=True)
def month_sheet_rows(context, sheets, approvable, districts) -> SafeString:
    """A ``<tr data-testid="sheet">`` for each sheet of a page of the month (timesheets.selectors.district_month),
    each with its ``actions`` (timesheets.views.district_timesheets): the batch's checkbox column where
    ``approvable``, the district's column where ``districts`` are more than one."""
    forms = _Actions(context)
    labels = choice_labels(Timesheet, "status")
    district_column = len(districts) > 1
    written = []
    for sheet in sheets:
        actions = getattr(sheet, "actions", None) or {}
        mediator = sheet.mediator
        batch = _batch_cell(sheet, actions) if approvable else ""
        district = f"<td>{escape(sheet.district.name)}</td>" if district_column else ""
        written.append(
            f'<tr data-testid="sheet">{batch}{district}'
            f'<td><a href="{escape(sheet.get_absolute_url())}">{escape(str(mediator))}</a><br>'
            f'<span class="small text-secondary">{escape(str(mediator.provider))}</span></td>'
            f"{_status_cell(sheet, labels)}"
            f'<td class="text-end">{sheet.sessions}</td><td class="text-end">{sheet.late_cancellations}</td>'
            f'<td class="text-end">{escape(format_number(sheet.hours))}</td>'
            f'<td class="text-end">{escape(format_number(sheet.km))}</td>'
            f'<td class="text-end fw-semibold">{escape(format_number(sheet.cost, 2))}</td>'
            f"<td>{forms.write(sheet, actions)}</td>"
            "</tr>"
        )
    return mark_safe("".join(written))  # noqa: S308 - every value above is escaped
