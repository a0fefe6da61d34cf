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
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from time import monotonic
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


# --- Reading an XLSX, bounded ----------------------------------------------------------------------------------------


class SheetTooLarge(Exception):
    """The workbook holds more than the limits allow: ``what`` is ``"rows"``, ``"cells"``, ``"bytes"`` or
    ``"time"``."""

    def __init__(self, what: str):
        super().__init__(what)
        self.what = what


class SheetUnreadable(Exception):
    """Not a workbook, or one whose first sheet cannot be found or read."""


_MAIN_RELS = "xl/_rels/workbook.xml.rels"
# The parts read besides the sheet and its strings are small in any real workbook: a few kilobytes.
_SMALL_PART_BYTES = 1024 * 1024


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _column_index(reference: str) -> int:
    """``"C7"`` → 3 (from 1); 0 when the reference has no letters."""
    index = 0
    for character in reference:
        if "A" <= character <= "Z":
            index = index * 26 + ord(character) - 64
        elif "a" <= character <= "z":
            index = index * 26 + ord(character) - 96
        else:
            break
    return index


def _first_sheet_path(archive) -> str:
    """The part holding the workbook's first sheet, as workbook.xml and its relationships say."""
    from defusedxml.ElementTree import fromstring

    def small(name: str) -> bytes:
        info = archive.getinfo(name)
        if info.file_size > _SMALL_PART_BYTES:
            raise SheetUnreadable(name)
        return archive.read(name)

    try:
        workbook = fromstring(small("xl/workbook.xml"))
        sheets = [element for element in workbook.iter() if _local(element.tag) == "sheet"]
        if not sheets:
            raise SheetUnreadable("no sheet")
        relation = next((value for key, value in sheets[0].attrib.items() if _local(key) == "id"), None)
        targets = {
            element.get("Id"): element.get("Target", "")
            for element in fromstring(small(_MAIN_RELS)).iter()
            if _local(element.tag) == "Relationship"
        }
    except KeyError:
        raise SheetUnreadable("missing part") from None
    target = targets.get(relation) or ""
    if not target:
        raise SheetUnreadable("no target")
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


_CHUNK = 256 * 1024


def _count_elements(archive, name: str, limit: int) -> None:
    """A first look at a part, in C speed: more elements than ``limit`` and the part is refused unparsed."""
    elements = 0
    tail = b""
    with archive.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            # Opening tags: "<" not followed by "/" (a tag cut by the chunk's end is counted with the next one).
            data = tail + chunk
            cut = data.rfind(b"<")
            data, tail = (data[:cut], data[cut:]) if cut >= 0 else (data, b"")
            elements += data.count(b"<") - data.count(b"</")
            if elements > limit:
                raise SheetTooLarge("cells")


def _parse(archive, name: str, handler) -> None:
    """Stream a part through expat (no tree is built), calling ``handler.start``/``end``/``text``."""
    from xml.parsers import expat

    def refuse(*_args):
        # No DTD and no entities in a workbook: a "billion laughs" part is refused, never expanded.
        raise SheetUnreadable("DTD")

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.CharacterDataHandler = handler.text
    parser.buffer_text = True
    with archive.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
            if handler.done:
                return
        parser.Parse(b"", True)


class _Budget:
    """Counts the cells read and the time spent, and stops the reading beyond either."""

    def __init__(self, *, max_cells: int, max_seconds: float):
        self.deadline = monotonic() + max_seconds
        self.max_cells = max_cells
        self.cells = 0

    def count(self) -> None:
        """One more cell, row or shared string; the clock is looked at every few thousand."""
        self.cells += 1
        if self.cells > self.max_cells:
            raise SheetTooLarge("cells")
        if self.cells % 2048 == 0 and monotonic() > self.deadline:
            raise SheetTooLarge("time")


class _SharedStrings:
    """``<si>`` by ``<si>``: the texts of ``<t>``, but not those of ``<rPh>`` (Japanese reading aids)."""

    done = False

    def __init__(self, budget: _Budget):
        self.budget = budget
        self.strings: list[str] = []
        self.parts: list[str] = []
        self.in_text = False
        self.phonetic = 0

    def start(self, name, _attributes):
        tag = _local(name)
        if tag == "t":
            self.in_text = not self.phonetic
        elif tag == "rPh":
            self.phonetic += 1

    def end(self, name):
        tag = _local(name)
        if tag == "t":
            self.in_text = False
        elif tag == "rPh":
            self.phonetic -= 1
        elif tag == "si":
            self.budget.count()
            self.strings.append("".join(self.parts))
            self.parts = []

    def text(self, data):
        if self.in_text:
            self.parts.append(data)


def _shared_strings(archive, budget: _Budget) -> list[str]:
    try:
        archive.getinfo("xl/sharedStrings.xml")
    except KeyError:
        return []
    _count_elements(archive, "xl/sharedStrings.xml", 3 * budget.max_cells)
    handler = _SharedStrings(budget)
    _parse(archive, "xl/sharedStrings.xml", handler)
    return handler.strings


class _SheetRows:
    """The rows of ``<sheetData>``, as lists of texts; only the last row and cell are ever held."""

    def __init__(self, strings: list[str], budget: _Budget, *, max_rows: int, max_columns: int):
        self.strings, self.budget = strings, budget
        self.max_rows, self.max_columns = max_rows, max_columns
        self.rows: list[tuple[int, list[str]]] = []
        self.done = False
        self.row_number = 0
        self.cells: list[str] = []
        self.column = 0
        self.kind = "n"
        self.parts: list[str] = []
        self.capture = False
        self.inline = 0

    def start(self, name, attributes):
        tag = _local(name)
        if tag == "c":
            self.column = _column_index(attributes.get("r", "")) or self.column + 1
            self.kind = attributes.get("t", "n")
            self.parts = []
        elif tag == "v":
            self.capture = True
        elif tag == "is":
            self.inline += 1
        elif tag == "t" and self.inline:
            self.capture = True
        elif tag == "row":
            reference = attributes.get("r", "")
            self.row_number = int(reference) if reference.isdigit() else self.row_number + 1
            self.cells, self.column = [], 0

    def end(self, name):
        tag = _local(name)
        if tag in ("v", "t"):
            self.capture = False
        elif tag == "is":
            self.inline -= 1
        elif tag == "c":
            self.budget.count()
            if self.column <= self.max_columns:
                value = _cell_value(self.kind, "".join(self.parts), self.strings).strip()
                if value:
                    self.cells.extend([""] * (self.column - 1 - len(self.cells)))
                    self.cells.append(value)
        elif tag == "row":
            self.budget.count()
            if any(self.cells):
                if len(self.rows) >= self.max_rows:
                    raise SheetTooLarge("rows")
                self.rows.append((self.row_number, self.cells))
        elif tag == "sheetData":
            self.done = True  # what follows (merged cells, formatting…) is of no use

    def text(self, data):
        if self.capture:
            self.parts.append(data)


def read_xlsx(data: bytes, *, max_rows: int, max_columns: int, max_cells: int, max_seconds: float, max_bytes: int):
    """The rows of the first sheet of an .xlsx as ``(row number, [text of each cell])``, empty rows left out.

    Reads the XML as a stream, never the whole sheet: at most ``max_columns`` columns are kept, and the reading
    stops with :class:`SheetTooLarge` past ``max_rows`` non-empty rows, ``max_cells`` cells (the shared strings
    included), ``max_bytes`` unpacked or ``max_seconds``; whatever the file, memory and time stay bounded. Values are
    those Excel shows when it opens the file without recalculating: a formula gives its last result.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SheetUnreadable("not a zip") from None
    with archive:
        if sum(info.file_size for info in archive.infolist()) > max_bytes:
            raise SheetTooLarge("bytes")
        budget = _Budget(max_cells=max_cells, max_seconds=max_seconds)
        try:
            path = _first_sheet_path(archive)
            _count_elements(archive, path, 3 * max_cells)
            strings = _shared_strings(archive, budget)
            rows = _SheetRows(strings, budget, max_rows=max_rows, max_columns=max_columns)
            _parse(archive, path, rows)
            return rows.rows
        except (SheetTooLarge, SheetUnreadable):
            raise
        except Exception:  # noqa: BLE001 - a damaged part fails in zipfile, zlib or expat with errors of many kinds
            raise SheetUnreadable("damaged") from None


def _cell_value(kind: str, raw: str, strings: list[str]) -> str:
    if kind in ("inlineStr", "str", "d"):
        return raw
    if not raw:
        return ""
    if kind == "s":
        index = int(raw)
        return strings[index] if 0 <= index < len(strings) else ""
    if kind == "b":
        return "yes" if raw.strip() == "1" else "no"
    if kind == "e":
        return ""  # #N/A, #DIV/0!: nothing usable
    # A number: 20 rather than 20.0; anything else as Excel wrote it (with a point).
    try:
        number = float(raw)
    except ValueError:
        return raw
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)
