"""Timesheets as CSV and XLSX: one row per line (session, then translation work of the mini-guide where the province
counts it), then the totals. Never the sensitive notes, nor anything
of the family but the office's pseudonymous case code. The format (Italian CSV, safe cells, typed XLSX) is
core.spreadsheets'."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font

from core import spreadsheets

from .selectors import Sheet

# The column a mediator's export leaves out: costs are for those who approve them (selectors.shows_costs).
COST_COLUMN = 15


def _costs(values: list, costs: bool) -> list:
    return values if costs else values[:COST_COLUMN] + values[COST_COLUMN + 1 :]


def header(*, costs: bool = True) -> list[str]:
    columns = [
        _("Mediator"),
        _("Provider"),
        _("District"),
        _("Month"),
        _("Day"),
        _("Time"),
        _("Case code"),
        _("Office"),
        _("Mode"),
        _("What happened"),
        pgettext("session report", "Report"),
        _("Hours"),
        _("Km"),
        _("Travel minutes"),
        _("Expenses (€)"),
        _("Cost (€)"),
        _("Timesheet"),
    ]
    return _costs(columns, costs)


def rows(sheets: list[Sheet], *, costs: bool = True) -> list[list]:
    """Values typed for a spreadsheet: numbers stay numbers (the CSV writes them with a decimal comma)."""
    result = []
    for sheet in sheets:
        base = [str(sheet.mediator), str(sheet.mediator.provider), sheet.district.name, f"{sheet.month:%Y-%m}"]
        for line in sheet.lines:
            appointment = line.appointment
            local = timezone.localtime(appointment.starts_at)
            result.append(
                [
                    *base,
                    local.date(),
                    local.strftime("%H:%M"),
                    appointment.request.case_code,
                    appointment.request.office.name,
                    appointment.get_mode_display(),
                    line.billing_label,
                    line.report_status,
                    line.hours,
                    line.km,
                    line.travel_minutes,
                    line.expenses,
                    line.cost,
                    sheet.status_label,
                ]
            )
        for work in sheet.translation_lines:
            result.append(
                [*base, work.day, None, None, None, None, work.label, None, work.hours, None, None, None, work.cost,
                 sheet.status_label]
            )  # fmt: skip
        result.append(
            [*base, None, None, None, None, None, _("Total"), None, sheet.hours, sheet.km, sheet.travel_minutes,
             sheet.expenses, sheet.cost, sheet.status_label]
        )  # fmt: skip
    return [_costs(row, costs) for row in result]


def csv_response(sheets: list[Sheet], filename: str, *, costs: bool = True) -> HttpResponse:
    response = HttpResponse(
        "".join(spreadsheets.csv_lines(header(costs=costs), rows(sheets, costs=costs))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(sheets: list[Sheet], filename: str, *, costs: bool = True) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Timesheets")[:31]
    bold = Font(bold=True)
    columns = header(costs=costs)
    sheet.append(spreadsheets.xlsx_row(sheet, columns, font=bold))
    # Hours and km are not money: their own formats, found by name; money and the day take the helper's.
    formats = {columns.index(_("Hours")): spreadsheets.DECIMAL_FORMAT, columns.index(_("Km")): "0.0"}
    for row in rows(sheets, costs=costs):
        font = bold if row[9] == _("Total") else None
        sheet.append(spreadsheets.xlsx_row(sheet, row, formats=formats, font=font))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
