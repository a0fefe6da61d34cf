"""The rows of the list of reports asked for, written by Python: the list's template drew each of its up to 20 rows
with some twenty template steps (the job's address, three formatted dates, the scope, the format, the status, who
asked), a sixth of the page's time (issue #17). ``tests/test_job_rows.py`` keeps that template as the reference and
holds the two equal."""

from __future__ import annotations

import uuid

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.choices import choice_labels
from core.formatting import format_datetime_short, format_numeric_date
from reporting.models import ReportJob

register = template.Library()

# A job's address has its UUID in it: reversed once per list with this one in its place (core.urls.pk_url does the
# same for the addresses that take an integer).
_MARKER = uuid.UUID("98765432-1987-6543-2198-765432198765")


@register.simple_tag
def report_job_rows(jobs) -> SafeString:
    """A ``<tr>`` for each job of a page of :func:`reporting.selectors.report_job_list` (reporting.views.jobs).

    Times are written in the current time zone, as the filter ``datetime_short`` writes them."""
    before, _marker, after = reverse("reporting:job", args=[_MARKER]).partition(str(_MARKER))
    formats = choice_labels(ReportJob, "format")
    statuses = choice_labels(ReportJob, "status")
    funder = f" · {escape(_('funder'))}"
    portal = escape(_("the portal (quarterly)"))
    written = []
    for job in jobs:
        scope = escape(job.province.name)
        if job.district is not None:
            scope += f" · {escape(job.district.name)}"
        if job.project is not None:
            scope += f" · {escape(job.project.title)}"
        asked_by = escape(str(job.requested_by)) if job.requested_by is not None else portal
        written.append(
            f'<tr><td><a href="{escape(f"{before}{job.pk}{after}")}">{escape(format_datetime_short(job.created_at))}'
            f"</a></td><td>{escape(format_numeric_date(job.date_from))} – {escape(format_numeric_date(job.date_to))}"
            f"</td><td>{scope}</td>"
            f"<td>{escape(formats.get(job.format, job.format))}{funder if job.audience == 'funder' else ''}</td>"
            f"<td>{escape(statuses.get(job.status, job.status))}</td><td>{asked_by}</td></tr>"
        )
    return mark_safe("".join(written))  # noqa: S308 - every value above is escaped
