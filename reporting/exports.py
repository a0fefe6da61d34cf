"""The report files: the PDF (WeasyPrint, A4, Italian), and the CSV and XLSX of session rows written row by row.

The PDF holds aggregates only, never more than :data:`PDF_MAX_ROWS` table rows: detail lists belong in the CSV or
XLSX, which stream from a database cursor (``iterator``) so that memory stays flat whatever the number of rows.
The funder's version of the CSV and XLSX holds the aggregate tables only, with counts below 3 suppressed.
The format of their cells (Italian CSV, safe texts, typed XLSX) is core.spreadsheets'.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.http import FileResponse, Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Office
from audit.services import record_read
from core import spreadsheets
from mediators.models import Mode, Setting, language_name
from requests_app.models import ServiceKind
from scheduling.models import Appointment
from sessions_app.models import SessionReport

from . import indicators, presenters, selectors
from .indicators import Scope

PDF_MAX_ROWS = 2000
PROGRESS_EVERY = 5000

Progress = Callable[[int], None]


def _nothing(_percent: int) -> None:
    return None


def report_context(scope: Scope) -> dict:
    data = selectors.report_figures(scope=scope)
    tables = presenters.tables(data)
    budgets = presenters.budget_tables(data)
    guide = presenters.mini_guide_tables(indicators.mini_guide(scope), suppress=scope.suppress)
    seminar = presenters.seminar_tables(indicators.seminar(scope), suppress=scope.suppress)
    training = presenters.training_tables(indicators.training(scope), suppress=scope.suppress)
    faq = presenters.faq_tables(indicators.faq(scope), suppress=scope.suppress)
    capped, cut = presenters.cap_rows(
        [*tables, presenters.evaluation_table(data), *budgets, *guide, *seminar, *training, *faq], PDF_MAX_ROWS
    )
    guide_at = len(tables) + 1 + len(budgets)
    seminar_at = guide_at + len(guide)
    training_at = seminar_at + len(seminar)
    projects = indicators.projects_in(scope)
    partners = {
        project.pk: list(project.partners.order_by("name").values_list("name", flat=True)) for project in projects
    }
    return {
        "scope": scope,
        "data": data,
        "key_figures": presenters.key_figures(data),
        "tables": capped[: len(tables)],
        "evaluations": capped[len(tables)],
        "budgets": capped[len(tables) + 1 : len(tables) + 1 + len(budgets)],
        "mini_guide": capped[guide_at:seminar_at],
        "seminar": capped[seminar_at:training_at],
        "training": capped[training_at : training_at + len(training)],
        "faq": capped[training_at + len(training) :],
        "cut": cut,
        "projects": [(project, partners[project.pk]) for project in projects],
        "generated_at": timezone.localtime(),
        "max_rows": PDF_MAX_ROWS,
    }


def write_pdf(scope: Scope, stream: IO[bytes], progress: Progress = _nothing) -> None:
    import weasyprint

    with translation.override("it"):
        context = report_context(scope)
        progress(40)
        html = render_to_string("reporting/pdf/report.html", context)
    progress(60)
    weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stream)
    progress(95)


# --- Rows ---------------------------------------------------------------------------------------------------------


SESSION_FIELDS = (
    "pk",
    "starts_at",
    "ends_at",
    "status",
    "late_cancellation",
    "mode",
    "request__office__district__name",
    "request__office__kind",
    "request__setting",
    "request__service_kind",
    "report__started_at",
    "report__ended_at",
    "report__outcome",
    "report__language",
    "report__travel_km",
    "report__expenses",
    "request__project_charge__project__title",
    "request__project_charge__project__hourly_rate",
    "request__project_charge__project__km_rate",
)


def session_headers() -> list[str]:
    return [
        _("Session"),
        _("Date"),
        _("Planned start"),
        _("Planned minutes"),
        _("Status"),
        _("Cancelled late"),
        _("Mode"),
        _("District"),
        _("Kind of office"),
        _("Setting"),
        _("Service"),
        _("Actual minutes"),
        _("Outcome"),
        _("Language used"),
        _("Travel (km)"),
        _("Expenses (€)"),
        _("Project"),
        _("Cost (€)"),
    ]


def _word(choices, code) -> str:
    """A code as the words of the report's language ("held" → "Svolto"), never the code itself."""
    if not code:
        return ""
    return str(dict(choices.choices).get(code, code))


def session_rows(scope: Scope) -> Iterator[list]:
    """One row per appointment in scope, never a case code or a note; read through a cursor in chunks."""
    queryset = indicators.scoped_appointments(scope).order_by("starts_at", "pk")
    annotate_costs = indicators._timesheet_costs()
    if annotate_costs is not None:
        # The cost is the one the PDF's spending adds up: the timesheets' rules at the provider's rate (no-shows and
        # late cancellations are paid too), the project's rates for a held session without a provider's rate.
        queryset = annotate_costs(queryset).values_list(*SESSION_FIELDS, "cost", "hourly_rate")
    else:
        queryset = queryset.values_list(*SESSION_FIELDS)
    for row in queryset.iterator(chunk_size=2000):
        priced_cost, provider_rate = row[len(SESSION_FIELDS) :] if annotate_costs is not None else (None, None)
        row = row[: len(SESSION_FIELDS)]
        (
            pk,
            starts_at,
            ends_at,
            status,
            late,
            mode,
            district,
            kind,
            setting,
            service,
            actual_start,
            actual_end,
            outcome,
            language,
            km,
            expenses,
            project,
            hourly_rate,
            km_rate,
        ) = row
        local = timezone.localtime(starts_at)
        planned = int((ends_at - starts_at).total_seconds() // 60)
        actual = int((actual_end - actual_start).total_seconds() // 60) if actual_start and actual_end else ""
        cost = ""
        if project and provider_rate is not None:
            cost = Decimal(priced_cost or 0).quantize(Decimal("0.01"))
        elif project and status == "held":
            duration = (actual_end or ends_at) - (actual_start or starts_at)
            cost = indicators.at_rates(hourly_rate, km_rate, duration=duration, km=km, expenses=expenses)
        elif project:
            cost = Decimal("0.00")
        yield [
            pk,
            # A date and a time: date and time cells in the XLSX, 31/12/2026 and 09:30 in the Italian CSV.
            local.date(),
            local.time().replace(second=0, microsecond=0),
            planned,
            _word(Appointment.Status, status),
            _("yes") if late else "",
            _word(Mode, mode),
            district,
            _word(Office.Kind, kind),
            _word(Setting, setting),
            _word(ServiceKind, service),
            actual,
            _word(SessionReport.Outcome, outcome),
            language_name(language) if language else "",
            km if km is not None else "",
            expenses if expenses is not None else "",
            project or "",
            cost,
        ]


def summary_sheets(scope: Scope) -> list[tuple[str, list[str], list[list]]]:
    """The aggregate tables as (title, columns, rows): the funder's CSV/XLSX, and extra sheets of the XLSX."""
    data = selectors.report_figures(scope=scope)
    sheets = [(_("Key figures"), [_("Indicator"), _("Value")], [list(pair) for pair in presenters.key_figures(data)])]
    guide = presenters.mini_guide_tables(indicators.mini_guide(scope), suppress=scope.suppress)
    guide += presenters.seminar_tables(indicators.seminar(scope), suppress=scope.suppress)
    guide += presenters.training_tables(indicators.training(scope), suppress=scope.suppress)
    guide += presenters.faq_tables(indicators.faq(scope), suppress=scope.suppress)
    for table in [*presenters.tables(data), presenters.evaluation_table(data), *presenters.budget_tables(data), *guide]:
        sheets.append((table["title"], table["columns"], table["rows"]))
    return sheets


def _count_for_progress(scope: Scope) -> int:
    return indicators.scoped_appointments(scope).count() or 1


def write_csv(scope: Scope, stream: IO[str], progress: Progress = _nothing) -> int:
    """Session rows (the province's version) or the aggregate tables one after the other (the funder's), in the
    Italian CSV of :mod:`core.spreadsheets` (the caller opens ``stream`` with the BOM: ``utf-8-sig``)."""
    writer = spreadsheets.csv_writer(stream)
    write = spreadsheets.write_csv_row
    with translation.override("it"):
        if scope.suppress:
            for title, columns, rows in summary_sheets(scope):
                write(writer, [title])
                write(writer, columns)
                for row in rows:
                    write(writer, row)
                write(writer, [])
            return 0
        total = _count_for_progress(scope)
        write(writer, session_headers())
        written = 0
        for row in session_rows(scope):
            write(writer, row)
            written += 1
            if written % PROGRESS_EVERY == 0:
                progress(min(95, 5 + written * 90 // total))
        return written


def write_xlsx(scope: Scope, stream: IO[bytes], progress: Progress = _nothing) -> int:
    from openpyxl import Workbook

    # Write-only: rows go to a temporary file as they come; the workbook never holds them all in memory.
    workbook = Workbook(write_only=True)
    written = 0
    with translation.override("it"):
        if not scope.suppress:
            total = _count_for_progress(scope)
            sheet = workbook.create_sheet(spreadsheets.sheet_title(_("Sessions")))
            sheet.append(spreadsheets.xlsx_row(sheet, session_headers()))
            for row in session_rows(scope):
                sheet.append(spreadsheets.xlsx_row(sheet, row))
                written += 1
                if written % PROGRESS_EVERY == 0:
                    progress(min(90, 5 + written * 85 // total))
        for index, (title, columns, rows) in enumerate(summary_sheets(scope), start=1):
            sheet = workbook.create_sheet(spreadsheets.sheet_title(f"{index} {title}".replace(":", "")))
            sheet.append(spreadsheets.xlsx_row(sheet, columns))
            for row in rows:
                sheet.append(spreadsheets.xlsx_row(sheet, row))
    workbook.save(stream)
    return written


WRITERS = {"pdf": write_pdf, "csv": write_csv, "xlsx": write_xlsx}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def file_response(request, job):
    """The file of a finished report as a download, written to the read audit: for the page and the API alike. A
    404 when the job has no file or its file is gone from the storage."""
    if not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    record_read(request=request, what=f"reporting.report.{job.format}:{job.pk}")
    return FileResponse(handle, as_attachment=True, filename=job.filename, content_type=CONTENT_TYPES[job.format])
