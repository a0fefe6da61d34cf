"""A timesheet's lines, written by Python: "a timesheet" and "my timesheets" drew each session of the month with some
fifteen template steps (the day and time, the case code, the office, what happened, the report's cell with its three
cases, the hours, km, travel, expenses and the cost), a large part of the pages' time (issue #17).
``tests/test_timesheet_line_rows.py`` keeps that template as the reference and holds the two equal."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.choices import choice_labels
from core.formatting import format_number, format_time, format_weekday_short
from core.urls import pk_url
from sessions_app.models import SessionReport
from timesheets.costs import Billing
from timesheets.selectors import BILLING_LABELS

register = template.Library()


@register.simple_tag
def sheet_line_rows(sheet, actions) -> SafeString:
    """A ``<tr>`` for each line of a sheet (:func:`timesheets.selectors.build_sheets`), with the link to write a
    missing report where ``actions["write_reports"]`` and the cost's column where ``actions["costs"]``
    (:func:`timesheets.selectors.sheet_actions`).

    Times are written in the current time zone, as the filters ``weekday_short`` and ``time_of_day`` write them:
    ``timesheets/_lines.html`` calls this tag inside its ``{% timezone "Europe/Rome" %}``."""
    actions = actions or {}
    write_reports, costs = actions.get("write_reports"), actions.get("costs")
    billings = {billing: escape(label) for billing, label in BILLING_LABELS.items()}
    statuses = choice_labels(SessionReport, "status")
    no_report = escape(_("No report"))
    no_rate = f'<span class="text-danger">{escape(_("no rate"))}</span>'
    written = []
    for line in sheet.lines:
        appointment, report = line.appointment, line.report
        request = appointment.request
        if report:
            status = escape(statuses.get(report.status, report.status))
            report_cell = f'<a href="{escape(report.get_absolute_url())}">{status}</a>'
        elif line.billing == Billing.NO_REPORT:
            if write_reports:
                report_cell = f'<a href="{escape(pk_url("sessions:report_write", appointment.pk))}">{no_report}</a>'
            else:
                report_cell = no_report
        else:
            report_cell = "—"
        cost = ""
        if costs:
            cost = f'<td class="text-end">{no_rate if line.cost is None else escape(format_number(line.cost, 2))}</td>'
        starts_at = appointment.starts_at
        written.append(
            "<tr>"
            f"<td>{escape(format_weekday_short(starts_at))}, {escape(format_time(starts_at))}</td>"
            f"<td>{escape(request.case_code)}</td>"
            f"<td>{escape(request.office.name)}</td>"
            f"<td>{billings[line.billing]}</td>"
            f"<td>{report_cell}</td>"
            f'<td class="text-end">{escape(format_number(line.hours))}</td>'
            f'<td class="text-end">{escape(format_number(line.km))}</td>'
            f'<td class="text-end">{escape(line.travel_minutes)}</td>'
            f'<td class="text-end">{escape(format_number(line.expenses, 2))}</td>'
            f"{cost}"
            "</tr>"
        )
    return mark_safe("".join(written))  # noqa: S308 - every value above is escaped
