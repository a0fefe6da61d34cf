"""Roster exports, in the same columns as the roster import (an export can be edited and imported again).

Both stream: rows are read in chunks and written as they come, so memory stays flat with 5,000 mediators.
Coordinators' notes are never exported. The format (Italian CSV, safe cells, typed XLSX) is core.spreadsheets'.
"""

from __future__ import annotations

import tempfile

from django.http import FileResponse
from openpyxl import Workbook

from core import spreadsheets

from .importing import COLUMNS as IMPORT_COLUMNS
from .models import Mediator, Mode, Setting

# The import's columns, in its order: one list, so that the two can never drift apart.
COLUMNS = list(IMPORT_COLUMNS)


def _language_entry(language) -> str:
    parts = [language.code]
    if language.variant or language.level:
        parts.append(language.variant)
        parts.append(language.level)
    return ":".join(parts)


def row(mediator: Mediator) -> list:
    languages = list(mediator.languages.all())
    return [
        mediator.first_name,
        mediator.last_name,
        mediator.email,
        mediator.phone,
        mediator.gender,
        mediator.provider.name,
        "|".join(d.name for d in mediator.districts.all()),
        "|".join(_language_entry(language) for language in languages),
        "|".join(language.code for language in languages if language.written_translation),
        "|".join(c.code for c in mediator.countries.all()),
        "|".join(mode for mode in Mode.values if getattr(mediator, f"mode_{mode}")),
        "|".join(setting for setting in Setting.values if getattr(mediator, f"exp_{setting}")),
        mediator.max_weekly_hours,
        mediator.hourly_rate,
        mediator.travel_rate,
        "yes" if mediator.is_active else "no",
        mediator.cultural_areas,
    ]


def _rows(queryset):
    queryset = queryset.prefetch_related("countries")
    for mediator in queryset.iterator(chunk_size=500):
        yield row(mediator)


def csv_rows(queryset):
    """The lines of the CSV, one at a time: BOM, ``;``, decimal comma (what Italian Excel opens in columns)."""
    return spreadsheets.csv_lines(COLUMNS, _rows(queryset))


def xlsx_response(queryset, *, filename: str) -> FileResponse:
    # Write-only mode keeps one row in memory at a time; the file is spooled to disk past 5 MB.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Mediatori")
    sheet.append(spreadsheets.xlsx_row(sheet, COLUMNS))
    for values in _rows(queryset):
        sheet.append(spreadsheets.xlsx_row(sheet, values))
    buffer = tempfile.SpooledTemporaryFile(max_size=5 * 1024 * 1024)
    workbook.save(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
