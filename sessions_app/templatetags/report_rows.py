"""The rows of a table of session reports (the lists of sessions_app/list.html: to confirm, to validate, waiting,
validated lately), written by Python: the table's template drew each row with some thirty template steps, and a
province's list page shows up to a hundred and fifty rows (issue #17: two fifths of the page's time).
``tests/test_report_rows.py`` keeps that template as the reference and holds the two equal."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.dateformat import time_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.choices import choice_labels
from core.formatting import format_weekday_date
from core.urls import pk_url
from sessions_app.models import SessionReport

register = template.Library()

ROME = "Europe/Rome"


@register.simple_tag
def report_rows(reports, batch_form: str = "", empty: str = "") -> SafeString:
    """A ``<tr>`` for each report (read with its appointment, request, office and mediator), in Rome's time; with
    ``batch_form`` (the id of the form below the table), a checkbox of that form on each row the user may act on
    (``report.selectable``); ``empty`` in one row when there is none."""
    outcomes = choice_labels(SessionReport, "outcome")
    statuses = choice_labels(SessionReport, "status")
    form = escape(batch_form)
    written = []
    with timezone.override(ROME):
        for report in reports:
            request = report.appointment.request
            day = escape(format_weekday_date(report.started_at))
            at = escape(time_format(timezone.localtime(report.started_at), "H:i"))
            code = escape(request.case_code)
            box = ""
            if batch_form:
                box = '<td class="batch-col">'
                if getattr(report, "selectable", False):
                    label = _("Select the report of %(code)s, %(day)s") % {"code": code, "day": day}
                    box += (
                        f'<input class="batch-box" type="checkbox" name="report" value="{report.pk}" form="{form}" '
                        f'id="{form}-{report.pk}" data-testid="batch-box"><label class="visually-hidden" '
                        f'for="{form}-{report.pk}">{label}</label>'
                    )
                box += "</td>"
            written.append(
                f'<tr data-testid="report-row">{box}<td><a href="{escape(pk_url("sessions:report", report.pk))}">'
                f"{day} {at}</a></td><td>{code} · {escape(request.office.name)}</td>"
                f"<td>{escape(report.appointment.mediator.full_name)}</td>"
                f"<td>{escape(outcomes.get(report.outcome, report.outcome))}</td>"
                f"<td>{escape(statuses.get(report.status, report.status))}</td></tr>"
            )
    if not written:
        written.append(f'<tr><td colspan="{6 if batch_form else 5}">{escape(empty)}</td></tr>')
    return mark_safe("".join(written))  # noqa: S308 - every value above is escaped
