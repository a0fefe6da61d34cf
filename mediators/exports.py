"""Roster exports, in the same columns as the roster import (an export can be edited and imported again).

Both stream: rows are read in chunks and written as they come, so memory stays flat with 5,000 mediators.
Coordinators' notes are never exported.
"""

from __future__ import annotations

import tempfile

from django.http import FileResponse
from openpyxl import Workbook

from .importing import COLUMNS as IMPORT_COLUMNS
from .models import Mediator, Mode, Setting

# The import's columns, in its order: one list, so that the two can never drift apart.
COLUMNS = list(IMPORT_COLUMNS)


class Echo:
    """A file-like object whose write returns the line, for StreamingHttpResponse."""

    def write(self, value):
        return value


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
        f"{mediator.hourly_rate:.2f}",
        f"{mediator.travel_rate:.2f}",
        "yes" if mediator.is_active else "no",
        mediator.cultural_areas,
    ]


def _rows(queryset):
    queryset = queryset.prefetch_related("countries")
    for mediator in queryset.iterator(chunk_size=500):
        yield row(mediator)


def csv_rows(queryset, *, writer):
    yield "\ufeff"  # a BOM, so that Excel opens accents correctly
    yield writer.writerow(COLUMNS)
    for values in _rows(queryset):
        yield writer.writerow(values)


def xlsx_response(queryset, *, filename: str) -> FileResponse:
    # Write-only mode keeps one row in memory at a time; the file is spooled to disk past 5 MB.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Mediatori")
    sheet.append(COLUMNS)
    for values in _rows(queryset):
        sheet.append(values)
    buffer = tempfile.SpooledTemporaryFile(max_size=5 * 1024 * 1024)
    workbook.save(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
