"""The one format layer of every CSV and XLSX the portal writes: safe cells, Italian CSV, typed XLSX cells.

Two problems, solved once here for every export (roster, timesheets, reports):

- **Formula injection** (OWASP, "CSV Injection"): a name or a free text typed as ``=HYPERLINK(…)``, ``+…``, ``-…``,
  ``@…`` (or after a tab, a carriage return or leading spaces) becomes a live formula when a spreadsheet opens the
  file. In a CSV such a text is written with a leading apostrophe, which spreadsheets read as "this is text". In an
  XLSX every text is stored as a text cell (``data_type`` ``"s"``: openpyxl would otherwise store a value starting
  with ``=`` as a formula) and flagged with Excel's own "quote prefix", so it stays text even when edited; the value
  itself is unchanged.
- **Italian Excel**: it splits a CSV on ``;`` (the list separator of the Italian locale), reads UTF-8 only after a
  byte-order mark, and reads ``21,50`` as a number but ``21.50`` as text. The CSV here has the three; the XLSX holds
  numbers as numbers, with a number format, so that Excel shows them in the reader's own locale.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

BOM = "\ufeff"
# OWASP's list: the characters that start a formula, and the two that spreadsheets skip before one.
FORMULA_STARTS = ("=", "+", "-", "@")
INVISIBLE_STARTS = ("\t", "\r")

MONEY_FORMAT = "#,##0.00"
DECIMAL_FORMAT = "0.00"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"


class ItalianExcel(csv.Dialect):
    """What Italian Excel opens in columns on a double click: ``;`` between cells, CRLF between rows."""

    delimiter = ";"
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula: it starts with = + - @, a tab or a carriage return,
    or with one of = + - @ after leading spaces or line breaks."""
    if not text:
        return False
    return text.startswith(INVISIBLE_STARTS) or text.lstrip().startswith(FORMULA_STARTS)


def safe_text(text: str) -> str:
    """The text to write in a CSV cell: an apostrophe before anything a spreadsheet would run as a formula."""
    return f"'{text}" if is_formula_like(text) else text


def unquote_text(text: str) -> str:
    """The inverse of :func:`safe_text`, for an import reading back one of our exports: ``'=x`` becomes ``=x``."""
    if text.startswith("'") and is_formula_like(text[1:]):
        return text[1:]
    return text


def decimal_comma(value: Decimal | float) -> str:
    """``21.5`` → ``"21,5"``; ``Decimal("21.50")`` → ``"21,50"``: never an exponent, never a thousands separator
    (Italian Excel reads ``1234,5`` as a number, and ``1.234,5`` too, but other programs do not)."""
    if isinstance(value, float):
        value = Decimal(repr(value)) if value == value and abs(value) != float("inf") else Decimal(0)
    return format(value, "f").replace(".", ",")


def csv_value(value: Any) -> str:
    """One cell of an Italian CSV: numbers with a decimal comma, dates as 31/12/2026, texts made safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        return decimal_comma(value)
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
            if timezone.is_aware(value)
            else f"{value:%d/%m/%Y %H:%M}"
        )
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return safe_text(str(value))


def csv_writer(stream: IO[str]):
    """A csv writer in the Italian dialect; the caller writes :data:`BOM` first when it owns the file's start."""
    return csv.writer(stream, dialect=ItalianExcel)


def write_csv_row(writer, values: Iterable[Any]):
    return writer.writerow([csv_value(value) for value in values])


class _Echo:
    """A file whose ``write`` returns what it is given: the csv module then formats one line at a time."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The BOM, the header, then one formatted line per row, as they come: for a ``StreamingHttpResponse``."""
    writer = csv_writer(_Echo())
    yield BOM
    yield write_csv_row(writer, header)
    for values in rows:
        yield write_csv_row(writer, values)


# --- XLSX -------------------------------------------------------------------------------------------------------------


def xlsx_cell(sheet, value: Any, *, number_format: str | None = None, font=None):
    """A cell for ``sheet.append`` (write-only or not): a text is a text cell, never a formula; a number stays a
    number, with ``number_format`` (money by default for decimals); a date is a date."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        # Excel has no time zones: the time the reader expects is Rome's.
        value = timezone.make_naive(timezone.localtime(value))
    if value is not None and not isinstance(value, bool | int | float | Decimal | date | time | str):
        value = str(value)
    if isinstance(value, str):
        # Control characters are illegal in the XML of a sheet: openpyxl refuses the whole file for one of them.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    elif number_format:
        cell.number_format = number_format
    elif isinstance(value, Decimal):
        cell.number_format = MONEY_FORMAT
    elif isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    if font is not None:
        cell.font = font
    return cell


def xlsx_row(sheet, values: Iterable[Any], *, formats: dict[int, str] | None = None, font=None) -> list:
    """A row of :func:`xlsx_cell`; ``formats`` maps a column index (from 0) to its number format."""
    formats = formats or {}
    return [xlsx_cell(sheet, value, number_format=formats.get(index), font=font) for index, value in enumerate(values)]


def sheet_title(text: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of ``[]:*?/\\``."""
    for character in "[]:*?/\\":
        text = text.replace(character, "-")
    return text[:31] or "-"
