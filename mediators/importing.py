"""Roster import: read a CSV or XLSX file of mediators, check every row, and write all of them or none.

The file has one header row (usually row 1; a title row above it is skipped) and one mediator per row. The columns
(README, "Importing the roster"), also under the Italian names of :data:`COLUMN_NAMES`; the values may be written as
people write them in Italian too (``femmina``, ``arabo``, ``Marocco``, ``21,50 €``, ``20,0``):

==================== ======== ===================================================================================
column               required value
==================== ======== ===================================================================================
first_name           yes      text
last_name            yes      text
email                yes      e-mail address; it identifies the mediator: importing again updates, never duplicates
phone                         digits, spaces, ``+``, ``-``, ``/``, ``.``, brackets
gender               yes      ``female``, ``male``, ``other`` (also ``F``, ``M``, ``femmina``, ``maschio``, ``altro``)
provider             yes      name of a mediator provider of the importer's province
districts            yes      district names separated by ``|``
languages            yes      ``code``, ``code:variant`` or ``code:variant:level`` separated by ``|``; code
                              ISO 639-3 or a language name (vocabulary.py); level ``mother_tongue``, ``fluent``
                              (default) or ``working`` (or ``madrelingua``, ``fluente``, ``di lavoro``)
written_translation           ISO 639-3 codes (among the row's languages) also translated in writing, ``|``-separated
countries                     ISO 3166 alpha-2 codes separated by ``|``
modes                         ``in_person``, ``phone``, ``video`` separated by ``|`` (empty: in person)
settings                      ``child_protection``, ``judicial``, ``school``, ``health``, ``basic_social_service``
max_weekly_hours              whole number, 0–60 (empty: 20)
hourly_rate                   euro, decimal with ``.`` or ``,`` (empty: 0)
travel_rate                   euro per km, decimal with ``.`` or ``,`` (empty: 0)
active                        ``yes``/``no``, ``sì``/``si``, ``1``/``0``, ``true``/``false`` (empty: yes)
cultural_areas                text
==================== ======== ===================================================================================

On an update, every column in the file replaces the mediator's value (an empty cell means the default above);
columns left out of the file leave the current values alone. Languages, countries and districts listed replace the
old ones, except districts outside the importer's area, which they cannot see and so never remove.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import District, Provider, Role
from accounts.scoping import Actor, visible
from core import spreadsheets
from core.errors import DomainError, NotAllowed
from core.files import storage_errors
from core.spreadsheets import unquote_text

from . import selectors, vocabulary
from .models import (
    Gender,
    LanguageLevel,
    Mediator,
    MediatorCountry,
    MediatorLanguage,
    Mode,
    Setting,
    country_name,
    language_name,
)
from .vocabulary import plain

REQUIRED_COLUMNS = ("first_name", "last_name", "email", "gender", "provider", "districts", "languages")
COLUMNS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "gender",
    "provider",
    "districts",
    "languages",
    "written_translation",
    "countries",
    "modes",
    "settings",
    "max_weekly_hours",
    "hourly_rate",
    "travel_rate",
    "active",
    "cultural_areas",
)
LIST_SEPARATOR = "|"
# People separate the items of a list with | (our exports), commas or semicolons.
LIST_SEPARATORS = re.compile(r"[|,;]")
EXTENSIONS = ("csv", "xlsx")
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
# The defaults of the settings ROSTER_IMPORT_MAX_<NAME>: what a file may hold before it is refused unread. A 2 MB
# .xlsx may unpack to gigabytes, or hold one row of millions of cells: reading stops at these bounds, so that an
# upload answers in seconds (well within gunicorn's 30) and in a few tens of MB, whatever the file.
LIMITS = {
    "ROWS": 10_000,  # mediators in one file
    "COLUMNS": 60,  # columns read; cells beyond are ignored (but counted)
    "CELLS": 300_000,  # cells, rows and shared strings of an .xlsx (10,000 rows of 30); separators of a CSV
    "XLSX_BYTES": 50 * 1024 * 1024,  # an .xlsx unpacked
    "SECONDS": 10,  # reading an .xlsx
}
MAX_ROWS = LIMITS["ROWS"]

GENDERS = {
    "female": Gender.FEMALE,
    "f": Gender.FEMALE,
    "donna": Gender.FEMALE,
    "femmina": Gender.FEMALE,
    "woman": Gender.FEMALE,
    "male": Gender.MALE,
    "m": Gender.MALE,
    "uomo": Gender.MALE,
    "maschio": Gender.MALE,
    "man": Gender.MALE,
    "other": Gender.OTHER,
    "altro": Gender.OTHER,
    "non binario": Gender.OTHER,
}
# Compared after vocabulary.plain: "Sì" and "si" are the same word.
TRUE_WORDS = {"yes", "si", "1", "true", "y", "vero", "x"}
FALSE_WORDS = {"no", "0", "false", "n", "falso"}
LEVELS = {
    "mother_tongue": LanguageLevel.MOTHER_TONGUE,
    "mother tongue": LanguageLevel.MOTHER_TONGUE,
    "native": LanguageLevel.MOTHER_TONGUE,
    "madrelingua": LanguageLevel.MOTHER_TONGUE,
    "lingua madre": LanguageLevel.MOTHER_TONGUE,
    "fluent": LanguageLevel.FLUENT,
    "fluente": LanguageLevel.FLUENT,
    "ottimo": LanguageLevel.FLUENT,
    "working": LanguageLevel.WORKING,
    "di lavoro": LanguageLevel.WORKING,
    "lavorativo": LanguageLevel.WORKING,
    "buono": LanguageLevel.WORKING,
}
# What people write for the modes and settings, beyond the codes and the labels (in Italian and English).
CHOICE_WORDS = {
    "in presenza": Mode.IN_PERSON,
    "presenza": Mode.IN_PERSON,
    "telefono": Mode.PHONE,
    "telefonica": Mode.PHONE,
    "video": Mode.VIDEO,
    "videochiamata": Mode.VIDEO,
    "online": Mode.VIDEO,
    "tutela minori": Setting.CHILD_PROTECTION,
    "tutela": Setting.CHILD_PROTECTION,
    "giudiziario": Setting.JUDICIAL,
    "scuola": Setting.SCHOOL,
    "sanita": Setting.HEALTH,
    "sanitario": Setting.HEALTH,
    "salute": Setting.HEALTH,
    "servizi sociali": Setting.BASIC_SOCIAL_SERVICE,
    "servizio sociale": Setting.BASIC_SOCIAL_SERVICE,
}
CURRENCY = re.compile(r"€|\beuro?\b|\beur\b", re.IGNORECASE)
HOURS = re.compile(r"\b(ore|ora|h|hours?)\b\.?", re.IGNORECASE)
PHONE = re.compile(r"^[0-9+()./\s-]*$")


# --- What the import answers ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem, where the person sees it in their spreadsheet: row 1 is the header, ``None`` the whole file."""

    row: int | None
    column: str
    message: str
    # The column's name as the file wrote it ("Ente" for ``provider``), shown to the person; empty: the column's.
    label: str = ""

    @property
    def column_as_written(self) -> str:
        return self.label or self.column

    def __str__(self):
        if self.row is None:
            return self.message
        if not self.column:
            return _("row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class ImportErrors(DomainError):
    """The file has problems: nothing was imported. ``errors`` lists every one of them."""

    def __init__(self, errors: Iterable[RowError]):
        self.errors = list(errors)
        count = len(self.errors)
        super().__init__(
            ngettext(
                "The file has %(count)d error: nothing was imported.",
                "The file has %(count)d errors: nothing was imported.",
                count,
            )
            % {"count": count}
        )


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


@dataclass
class SourceRow:
    """A row of the file as read: its number as the spreadsheet shows it and its cells by column name."""

    number: int
    values: dict[str, str]
    extra_cells: bool = False


@dataclass
class ImportRows:
    """What :func:`parse_file` reads: the header's column names and the non-empty rows under it; where the header
    is, what the file called each column, and what the preview should tell about the reading."""

    columns: list[str]
    rows: list[SourceRow]
    header_row: int = 1
    labels: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LanguageEntry:
    code: str
    variant: str
    level: str
    written_translation: bool = False

    def __str__(self):
        name = language_name(self.code)
        if self.variant:
            name = f"{name} ({self.variant})"
        return f"{name} · {LanguageLevel(self.level).label}"


@dataclass
class PlannedRow:
    """One mediator of the file, checked: what it will become, for the preview and for the write."""

    number: int
    email: str
    name: str
    provider_label: str
    district_labels: list[str]
    language_labels: list[str]
    existing: Mediator | None = None
    has_errors: bool = False
    # Resolved values, only meaningful when the row has no errors.
    fields: dict[str, Any] = field(default_factory=dict)
    districts: list[District] = field(default_factory=list)
    languages: list[LanguageEntry] = field(default_factory=list)
    countries: list[str] | None = None

    @property
    def action(self) -> str | None:
        if self.has_errors:
            return None
        return "update" if self.existing is not None else "create"


@dataclass
class ImportPlan:
    columns: list[str]
    rows: list[PlannedRow]
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def to_create(self) -> int:
        return sum(1 for row in self.rows if row.action == "create")

    @property
    def to_update(self) -> int:
        return sum(1 for row in self.rows if row.action == "update")


def administrator_actor() -> Actor:
    """All scopes, for the command run without ``--as`` by whoever operates the installation."""
    return Actor(user=None, role=Role.ADMINISTRATOR)


# --- Reading a file ---------------------------------------------------------------------------------------------------


def _file_error(message: str) -> ImportErrors:
    return ImportErrors([RowError(row=None, column="", message=message)])


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def normalise_column(name: str) -> str:
    """``"E-mail"`` → ``"e_mail"``, ``"Tariffa oraria (€) *"`` → ``"tariffa_oraria"``: no accents, no notes in
    brackets, no symbols."""
    text = plain(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", str(name).replace("\ufeff", "")))
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


# The names people give the columns, in Italian or English, normalised; the canonical name first.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "first_name": ("nome", "firstname", "given_name", "nome_di_battesimo"),
    "last_name": ("cognome", "lastname", "surname", "family_name"),
    "email": ("e_mail", "mail", "indirizzo_email", "indirizzo_e_mail", "posta_elettronica", "email_address"),
    "phone": ("telefono", "tel", "cellulare", "cell", "numero_di_telefono", "telephone", "mobile", "recapito"),
    "gender": ("genere", "sesso", "sex"),
    "provider": ("ente", "ente_gestore", "ente_di_appartenenza", "cooperativa", "fornitore", "organizzazione"),
    "districts": ("ambiti", "ambito", "ambiti_distrettuali", "ambito_distrettuale", "distretti", "distretto"),
    "languages": ("lingue", "lingua", "lingue_parlate", "language"),
    "written_translation": ("traduzione_scritta", "traduzioni_scritte", "lingue_tradotte_per_iscritto"),
    "countries": ("paesi", "paese", "paesi_di_origine", "paese_di_origine", "nazioni", "country"),
    "modes": ("modalita", "modalita_di_intervento", "mode"),
    "settings": ("contesti", "contesto", "ambiti_di_intervento", "aree_di_intervento", "settori", "esperienze"),
    "max_weekly_hours": (
        "ore_settimanali",
        "ore_settimanali_max",
        "ore_max_settimanali",
        "max_ore_settimanali",
        "ore_massime_settimanali",
        "weekly_hours",
    ),
    "hourly_rate": ("tariffa_oraria", "compenso_orario", "costo_orario", "tariffa"),
    "travel_rate": ("rimborso_km", "tariffa_km", "rimborso_chilometrico", "costo_km", "euro_km", "km_rate"),
    "active": ("attivo", "attiva", "attivo_a", "in_servizio"),
    "cultural_areas": ("aree_culturali", "area_culturale", "aree_geografico_culturali", "ambiti_culturali"),
}
_COLUMN_INDEX = {alias: column for column, aliases in COLUMN_NAMES.items() for alias in (column, *aliases)}


def column_for(label: str) -> str:
    """The canonical column a header cell names (``"Cognome"`` → ``last_name``), or its normalised text."""
    name = normalise_column(label)
    return _COLUMN_INDEX.get(name, name)


def _looks_like_header(cells: list[str]) -> bool:
    written = [cell for cell in cells if cell]
    known = sum(1 for cell in written if normalise_column(cell) in _COLUMN_INDEX)
    return known >= 2 and known * 2 >= len(written)


def parse_file(*, filename: str, data: bytes) -> ImportRows:
    """The rows of a CSV (UTF-8 or Windows-1252, ``;`` ``,`` or tab) or XLSX file; :class:`ImportErrors` if the file
    cannot be read at all. The rows themselves are checked by :func:`mediators_import_plan`."""
    extension = extension_of(filename)
    if extension not in EXTENSIONS:
        raise _file_error(_("Upload a .csv or .xlsx file."))
    if not data:
        raise _file_error(_("The file is empty."))
    notes: list[str] = []
    table = _read_csv(data, notes) if extension == "csv" else _read_xlsx(data)
    # Empty rows never matter (Excel keeps formatted ones); the numbers stay those the spreadsheet shows.
    table = [(number, cells) for number, cells in table if any(cells)]
    if not table:
        raise _file_error(_("The file is empty."))
    # A title above the column names ("Elenco mediatori 2026"): skipped, and the preview says so.
    position = 0
    if not _looks_like_header(table[0][1]):
        position = next((i for i, (_n, cells) in enumerate(table[1:4], start=1) if _looks_like_header(cells)), 0)
    for number, cells in table[:position]:
        title = " ".join(cell for cell in cells if cell)[:80]
        notes.append(
            _("Row %(row)s (“%(title)s”) does not hold column names: it was skipped as a title.")
            % {"row": number, "title": title}
        )
    header_number, header = table[position]
    header = list(header)
    # Spreadsheets often carry empty cells right of the last column: they are not columns.
    while header and not header[-1]:
        header.pop()
    if not any(header):
        raise _file_error(_("The first row must hold the column names."))
    columns = [column_for(name) if name else "" for name in header]
    labels = {column: label for column, label in zip(columns, header, strict=True) if column}
    rows = []
    for number, cells in table[position + 1 :]:
        # An apostrophe before = + - @ is how our exports keep a text from becoming a formula: it is not data.
        values = {
            name: unquote_text(cells[index]) if index < len(cells) else "" for index, name in enumerate(columns) if name
        }
        extra = any(cells[len(columns) :])
        rows.append(SourceRow(number=number, values=values, extra_cells=extra))
    return ImportRows(columns=columns, rows=rows, header_row=header_number, labels=labels, notes=notes)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def limit(name: str) -> int:
    """A limit of the import, from the settings (``ROSTER_IMPORT_MAX_ROWS``…), with the defaults below."""
    return int(getattr(settings, f"ROSTER_IMPORT_MAX_{name}", LIMITS[name]))


def _too_many_rows() -> ImportErrors:
    return _file_error(
        _("The file has more than %(count)s rows: split it into smaller files.")
        % {"count": number_format(limit("ROWS"), force_grouping=True)}
    )


def _too_large() -> ImportErrors:
    return _file_error(
        _(
            "The file holds more cells than a roster of %(count)s rows can have (a whole row or column of filled or "
            "formatted cells, perhaps): copy only the mediators' rows into a new sheet and save it again."
        )
        % {"count": number_format(limit("ROWS"), force_grouping=True)}
    )


ENCODINGS = (("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252"))


def _decode(data: bytes) -> tuple[str, str] | None:
    for codec, label in ENCODINGS:
        try:
            return data.decode(codec), label
        except UnicodeDecodeError:
            continue
    return None


def _read_csv(data: bytes, notes: list[str]) -> list[tuple[int, list[str]]]:
    # UTF-8 first (it never decodes text of another encoding by chance), then what Excel writes on Windows for
    # "CSV (delimitato dal separatore di elenco)": Windows-1252, where "è" is one byte.
    decoded = _decode(data)
    if decoded is None:
        raise _file_error(
            _("The file is not UTF-8 text. In your spreadsheet choose “Save as” and the format “CSV UTF-8”.")
        )
    text, label = decoded
    if "\x00" in text:
        raise _file_error(_("This is not a CSV file: it contains binary data."))
    # The header names never contain a separator: the line with most of them, among the first few, tells which.
    first_lines = [line for line in text.splitlines()[:5] if line.strip()] or [""]
    delimiter = max(";,\t", key=lambda sep: max(line.count(sep) for line in first_lines))
    if text.count(delimiter) > limit("CELLS"):
        raise _too_large()
    separator = _("tab") if delimiter == "\t" else delimiter
    notes.append(
        _("Read as %(encoding)s text, cells separated by “%(separator)s”.")
        % {"encoding": label, "separator": separator}
    )
    max_rows, max_columns = limit("ROWS"), limit("COLUMNS")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = []
    kept = 0
    try:
        for number, cells in enumerate(reader, start=1):
            cells = [cell.strip() for cell in cells[:max_columns]]
            if any(cells):
                kept += 1
                # One more than the rows allowed: the header (and a title row) are rows too.
                if kept > max_rows + 2:
                    raise _too_many_rows()
                table.append((number, cells))
    except csv.Error:
        raise _file_error(_("The file cannot be read as CSV near line %(line)s.") % {"line": reader.line_num}) from None
    return table


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    unreadable = _file_error(_("The file is not a valid Excel workbook (.xlsx). Save it again from your spreadsheet."))
    try:
        return spreadsheets.read_xlsx(
            data,
            max_rows=limit("ROWS") + 2,
            max_columns=limit("COLUMNS"),
            max_cells=limit("CELLS"),
            max_seconds=limit("SECONDS"),
            max_bytes=limit("XLSX_BYTES"),
        )
    except spreadsheets.SheetTooLarge as exc:
        if exc.what == "rows":
            raise _too_many_rows() from None
        if exc.what == "bytes":
            raise _file_error(_("The workbook is too large once unpacked: split it into smaller files.")) from None
        raise _too_large() from None
    except spreadsheets.SheetUnreadable:
        raise unreadable from None


# --- Checking the rows ------------------------------------------------------------------------------------------------


def _scoped(actor: Actor, model: type[Model]) -> QuerySet:
    # The command's administrator has no user account: it sees everything, like any administrator.
    if actor.is_admin:
        return model._default_manager.all()
    return visible(actor.user, model)


def can_import(actor: Actor) -> bool:
    return actor.is_admin or actor.role in (Role.COORDINATOR, Role.PROVINCE_STAFF)


def _check_actor(actor: Actor) -> None:
    if not can_import(actor):
        raise NotAllowed(_("Only coordinators and province staff import the roster."))


def _as_rows(rows) -> tuple[list[str], list[SourceRow]]:
    if isinstance(rows, ImportRows):
        return rows.columns, rows.rows
    source: list[SourceRow] = []
    columns: list[str] = []
    for index, row in enumerate(rows):
        if isinstance(row, SourceRow):
            source.append(row)
            values: Mapping = row.values
        else:
            values = {column_for(str(k)): _cell_text(v) for k, v in row.items()}
            source.append(SourceRow(number=index + 2, values=dict(values)))
        columns.extend(name for name in values if name not in columns)
    return columns, source


def _split(value: str) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(value) if part.strip()]


def _shown(value: str) -> str:
    """What the person typed, as a refusal quotes it: whole when short."""
    return value if len(value) <= 60 else value[:57] + "…"


def _quoted(value: str, problem: str) -> str:
    return _("“%(value)s”: %(problem)s") % {"value": _shown(value), "problem": problem}


def _number(value: str) -> Decimal | None:
    """``"21,50 €"``, ``"€ 21.50"``, ``"1.234,50"``, ``"20,0"`` → a Decimal; ``None`` when it is not a number."""
    text = CURRENCY.sub("", value).replace("\u00a0", "").replace(" ", "").replace("'", "")
    if "," in text and "." in text:
        # Both: the last one separates the cents, the other the thousands.
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return None
    return Decimal(text)


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


class _RowChecker:
    """Checks one row at a time against what the actor may touch, collecting every error."""

    def __init__(self, *, actor: Actor, columns: list[str], rows: list[SourceRow], lock: bool):
        self.actor = actor
        self.columns = columns
        self.providers: dict[str, list[Provider]] = {}
        for provider in _scoped(actor, Provider).select_related("province"):
            self.providers.setdefault(provider.name.strip().lower(), []).append(provider)
        self.districts: dict[str, list[District]] = {}
        for district in District.objects.select_related("province"):
            self.districts.setdefault(district.name.strip().lower(), []).append(district)
        self.visible_district_ids = set(_scoped(actor, District).values_list("pk", flat=True))
        emails = {row.values.get("email", "").strip().lower() for row in rows} - {""}
        existing = Mediator.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
        if lock:
            # Two imports of the same file at once: the second waits, then sees the first one's mediators.
            existing = existing.select_for_update()
        self.existing = {m.email.lower(): m for m in existing.prefetch_related("languages")}
        self.visible_mediator_ids = set(
            _scoped(actor, Mediator).filter(pk__in=[m.pk for m in self.existing.values()]).values_list("pk", flat=True)
        )
        self.seen_emails: dict[str, int] = {}
        # Built once per file, not once per row: the labels are translated twice.
        self.choice_words: dict[type, dict[str, str]] = {}

    def check(self, row: SourceRow) -> tuple[PlannedRow, list[RowError]]:
        values = row.values
        errors: list[RowError] = []

        def error(column: str, message: str) -> None:
            errors.append(RowError(row=row.number, column=column, message=message))

        def cell(column: str) -> str:
            return values.get(column, "").strip()

        def present(column: str) -> bool:
            return column in self.columns

        planned = PlannedRow(
            number=row.number,
            email=cell("email").lower(),
            name=f"{cell('first_name')} {cell('last_name')}".strip(),
            provider_label=cell("provider"),
            district_labels=_split(cell("districts")),
            language_labels=_split(cell("languages")),
        )
        if row.extra_cells:
            error("", _("This row has more cells than the header has columns."))

        fields: dict[str, Any] = {}
        for column in REQUIRED_COLUMNS:
            if not cell(column):
                error(column, _("This value is required."))

        # Plain fields: the model's own validators (length, e-mail, ranges, decimal places).
        for column in ("first_name", "last_name", "email", "phone", "cultural_areas"):
            if not present(column) or (column in REQUIRED_COLUMNS and not cell(column)):
                continue
            value = cell(column).lower() if column == "email" else cell(column)
            try:
                fields[column] = Mediator._meta.get_field(column).clean(value, None)
            except ValidationError as exc:
                error(column, _quoted(cell(column), _messages(exc)))
        if present("phone") and cell("phone") and not PHONE.match(cell("phone")):
            error("phone", _quoted(cell("phone"), _("write the phone number with digits, spaces and + only.")))

        email = planned.email
        if email and "email" in fields:
            if email in self.seen_emails:
                error("email", _("This e-mail is already on row %(row)s.") % {"row": self.seen_emails[email]})
            else:
                self.seen_emails[email] = row.number
            existing = self.existing.get(email)
            if existing is not None:
                if existing.pk in self.visible_mediator_ids:
                    planned.existing = existing
                else:
                    # Never a silent update of someone else's mediator; never a duplicate either.
                    error("email", _("This e-mail belongs to a mediator outside your area."))

        if cell("gender"):
            gender = GENDERS.get(plain(cell("gender")))
            if gender is None:
                error(
                    "gender",
                    _quoted(cell("gender"), _("write femmina, maschio or altro (also female, male, other, F, M).")),
                )
            else:
                fields["gender"] = gender

        provider = self._provider(cell("provider"), error) if cell("provider") else None
        if provider is not None:
            fields["provider"] = provider
            planned.provider_label = provider.name

        if cell("districts"):
            planned.districts = self._districts(_split(cell("districts")), provider, error)
            # The file's own words stay in the preview until every name is understood: nothing silently vanishes.
            if len(planned.districts) == len(planned.district_labels):
                planned.district_labels = [d.name for d in planned.districts]

        if cell("languages"):
            written = self._written(cell("written_translation"), error) if present("written_translation") else None
            planned.languages = self._languages(cell("languages"), written, planned.existing, error)
            if len(planned.languages) == len(planned.language_labels):
                planned.language_labels = [str(entry) for entry in planned.languages]

        if present("countries"):
            planned.countries = self._countries(cell("countries"), error)

        if present("modes"):
            chosen = self._choices("modes", cell("modes") or Mode.IN_PERSON, Mode, error)
            fields.update({f"mode_{mode}": mode in chosen for mode in Mode.values})
        if present("settings"):
            chosen = self._choices("settings", cell("settings"), Setting, error)
            fields.update({f"exp_{setting}": setting in chosen for setting in Setting.values})

        for column, default in (("max_weekly_hours", 20), ("hourly_rate", Decimal(0)), ("travel_rate", Decimal(0))):
            if not present(column):
                continue
            raw = cell(column)
            if not raw:
                fields[column] = default
                continue
            hours = column == "max_weekly_hours"
            number = _number(HOURS.sub("", raw) if hours else raw)
            if number is None:
                example = _("write a whole number of hours, e.g. 20.") if hours else _("write an amount, e.g. 21,50.")
                error(column, _quoted(raw, _("this is not a number: %(example)s") % {"example": example}))
                continue
            if hours and number != number.to_integral_value():
                error(column, _quoted(raw, _("write a whole number of hours, e.g. 20.")))
                continue
            try:
                fields[column] = Mediator._meta.get_field(column).clean(int(number) if hours else number, None)
            except ValidationError as exc:
                error(column, _quoted(raw, _messages(exc)))

        if present("active"):
            word = plain(cell("active"))
            if not word or word in TRUE_WORDS:
                fields["is_active"] = True
            elif word in FALSE_WORDS:
                fields["is_active"] = False
            else:
                error("active", _quoted(cell("active"), _("write sì or no (also yes, no, 1, 0).")))

        planned.fields = fields
        planned.has_errors = bool(errors)
        return planned, errors

    def _provider(self, name: str, error) -> Provider | None:
        matches = self.providers.get(name.lower(), [])
        if not matches:
            error("provider", _("No mediator provider of your province is called “%(name)s”.") % {"name": name})
            return None
        if len(matches) > 1:
            error(
                "provider",
                _("Providers of several provinces are called “%(name)s”: import each province on its own.")
                % {"name": name},
            )
            return None
        return matches[0]

    def _districts(self, names: list[str], provider: Provider | None, error) -> list[District]:
        chosen: list[District] = []
        for name in names:
            candidates = self.districts.get(name.lower(), [])
            if provider is not None:
                in_province = [d for d in candidates if d.province_id == provider.province_id]
                if candidates and not in_province:
                    error(
                        "districts",
                        _("The district %(district)s is not in the province of %(provider)s.")
                        % {"district": name, "provider": provider.name},
                    )
                    continue
                candidates = in_province
            if not candidates:
                error("districts", _("There is no district called “%(name)s”.") % {"name": name})
                continue
            reachable = [d for d in candidates if d.pk in self.visible_district_ids]
            if not reachable:
                error(
                    "districts",
                    _("The district %(district)s is outside your area: you cannot add mediators to it.")
                    % {"district": candidates[0].name},
                )
                continue
            if len(reachable) > 1:
                error(
                    "districts",
                    _("Districts of several provinces are called “%(name)s”: write the provider first.")
                    % {"name": name},
                )
                continue
            if reachable[0] not in chosen:
                chosen.append(reachable[0])
        if self.actor.role == Role.COORDINATOR and chosen and not any(d.pk in self.actor.district_ids for d in chosen):
            error("districts", _("The mediators you import must serve your own district."))
        return chosen

    def _written(self, value: str, error) -> set[str]:
        codes = set()
        for item in _split(value):
            code = _language(item, "written_translation", error)
            if code:
                codes.add(code)
        return codes

    def _languages(self, value: str, written: set[str] | None, existing: Mediator | None, error) -> list[LanguageEntry]:
        from_file = written is not None
        if written is None and existing is not None:
            # No written_translation column: keep what the mediator already translates in writing.
            written = {language.code for language in existing.languages.all() if language.written_translation}
        written = written or set()
        entries: list[LanguageEntry] = []
        seen: set[tuple[str, str]] = set()
        for item in _split(value):
            parts = [part.strip() for part in item.split(":")]
            if len(parts) > 3:
                error(
                    "languages",
                    _("“%(entry)s” has too many parts: write code, code:variant or code:variant:level.")
                    % {"entry": item},
                )
                continue
            code = _language(parts[0], "languages", error)
            variant = parts[1] if len(parts) > 1 else ""
            level = LEVELS.get(plain(parts[2]), "?") if len(parts) > 2 and parts[2] else LanguageLevel.FLUENT
            if code is None:
                continue
            if len(variant) > 100:
                error("languages", _("The variant “%(variant)s” is too long.") % {"variant": variant[:30] + "…"})
                continue
            if level not in LanguageLevel.values:
                error(
                    "languages",
                    _(
                        "Unknown level “%(level)s”: write madrelingua, fluente or di lavoro "
                        "(mother_tongue, fluent, working)."
                    )
                    % {"level": parts[2]},
                )
                continue
            key = (code, variant.lower())
            if key in seen:
                error("languages", _("“%(entry)s” is listed twice.") % {"entry": item})
                continue
            seen.add(key)
            entries.append(LanguageEntry(code=code, variant=variant, level=level, written_translation=code in written))
        missing = written - {entry.code for entry in entries}
        # Only when every language was understood: otherwise the languages column already says what is wrong.
        if from_file and missing and len(entries) == len(_split(value)):
            error(
                "written_translation",
                _("%(codes)s is not among the languages of this row.") % {"codes": ", ".join(sorted(missing))},
            )
        return entries

    def _countries(self, value: str, error) -> list[str]:
        codes: list[str] = []
        for item in _split(value):
            code = vocabulary.country_code(item)
            if code is None:
                suggestion = vocabulary.country_suggestion(item)
                if suggestion:
                    message = _("“%(value)s” is not a country we know: did you mean %(name)s? Write %(code)s.") % {
                        "value": _shown(item),
                        "name": country_name(suggestion[1]),
                        "code": suggestion[1],
                    }
                else:
                    message = _(
                        "“%(value)s” is not a country we know: write its ISO 3166 code (e.g. MA) or its name "
                        "(Marocco, Morocco)."
                    ) % {"value": _shown(item)}
                error("countries", message)
                continue
            if code not in codes:
                codes.append(code)
        return codes

    def _choices(self, column: str, value: str, choices, error) -> set[str]:
        if choices not in self.choice_words:
            self.choice_words[choices] = _choice_words(choices)
        words = self.choice_words[choices]
        chosen = set()
        for item in _split(value):
            choice = words.get(plain(item).replace("_", " "))
            if choice is not None:
                chosen.add(choice)
            else:
                listed = ", ".join(f"{choice.label} ({choice.value})" for choice in choices)
                error(column, _("Unknown value “%(value)s”: write %(choices)s.") % {"value": item, "choices": listed})
        return chosen


def _language(text: str, column: str, error) -> str | None:
    """The ISO 639-3 code of a language written as a code or a name; a refusal that suggests one otherwise."""
    code = vocabulary.language_code(text)
    if code is not None:
        return code
    suggestion = vocabulary.language_suggestion(text)
    if suggestion:
        message = _("“%(value)s” is not a language we know: did you mean %(name)s? Write %(code)s.") % {
            "value": _shown(text),
            "name": language_name(suggestion[1]),
            "code": suggestion[1],
        }
    else:
        message = _(
            "“%(value)s” is not a language we know: write its ISO 639-3 code or its name, e.g. arabo → ara, "
            "francese → fra."
        ) % {"value": _shown(text)}
    error(column, message)
    return None


def _choice_words(choices) -> dict[str, str]:
    """Every way of writing a choice: its code, its label in Italian and in English, and the words above."""
    words = {plain(value).replace("_", " "): value for value in choices.values}
    for language in ("it", "en"):
        with translation.override(language):
            words.update({plain(str(label)): value for value, label in choices.choices})
    words.update({word: value for word, value in CHOICE_WORDS.items() if value in choices.values})
    return words


def _column_names() -> str:
    return ", ".join(f"{column} ({aliases[0]})" for column, aliases in COLUMN_NAMES.items())


def _header_errors(columns: list[str], *, header_row: int = 1, labels: dict[str, str] | None = None) -> list[RowError]:
    labels = labels or {}
    errors = []
    seen = set()
    for name in columns:
        if not name:
            continue
        if name in seen:
            errors.append(RowError(row=header_row, column=name, message=_("This column appears twice.")))
        elif name not in COLUMNS:
            errors.append(
                RowError(
                    row=header_row,
                    column=name,
                    message=_("Unknown column “%(label)s”. The columns are: %(columns)s.")
                    % {"label": _shown(labels.get(name, name)), "columns": _column_names()},
                )
            )
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            errors.append(
                RowError(
                    row=header_row,
                    column=name,
                    message=_("This column is missing: add a column called %(name)s (or %(italian)s).")
                    % {"name": name, "italian": COLUMN_NAMES[name][0]},
                )
            )
    return errors


def mediators_import_plan(*, actor: Actor, rows, lock: bool = False) -> ImportPlan:
    """Check every row against the actor's scope and say what importing would do; nothing is written.

    ``rows`` is what :func:`parse_file` returns, or a list of dicts (column → value) numbered from row 2.
    """
    _check_actor(actor)
    columns, source = _as_rows(rows)
    if isinstance(rows, ImportRows):
        errors = _header_errors(columns, header_row=rows.header_row, labels=rows.labels)
    else:
        errors = _header_errors(columns)
    if errors:
        # With a column missing or misspelt, every row would repeat the same complaint: the header comes first.
        return ImportPlan(columns=columns, rows=[], errors=errors)
    if not source:
        return ImportPlan(
            columns=columns,
            rows=[],
            errors=[RowError(row=None, column="", message=_("The file has no mediators under the header."))],
        )
    checker = _RowChecker(actor=actor, columns=columns, rows=source, lock=lock)
    labels = rows.labels if isinstance(rows, ImportRows) else {}
    planned_rows = []
    for row in source:
        planned, row_errors = checker.check(row)
        planned_rows.append(planned)
        errors.extend(replace(error, label=labels.get(error.column, "")) for error in row_errors)
    return ImportPlan(columns=columns, rows=planned_rows, errors=errors)


# --- Writing ----------------------------------------------------------------------------------------------------------


def mediators_import(*, actor: Actor, rows) -> ImportResult:
    """Create or update (matched by e-mail) every mediator of ``rows``, in one transaction: all of them or none.

    Raises :class:`ImportErrors` with every problem found when any row is wrong, and then writes nothing.
    """
    _check_actor(actor)
    try:
        with transaction.atomic():
            plan = mediators_import_plan(actor=actor, rows=rows, lock=True)
            if not plan.ok:
                raise ImportErrors(plan.errors)
            return _apply(actor=actor, plan=plan)
    except IntegrityError:
        # Someone else added one of these e-mails between our check and our write.
        raise DomainError(_("The roster changed while importing: nothing was imported. Try again.")) from None


def _apply(*, actor: Actor, plan: ImportPlan) -> ImportResult:
    created = updated = 0
    updated_ids: list[int] = []
    languages: list[MediatorLanguage] = []
    countries: list[MediatorCountry] = []
    Through = Mediator.districts.through
    through_rows = []
    providers = {row.existing.provider_id for row in plan.rows if row.existing is not None}
    touched = []
    for row in plan.rows:
        mediator = row.existing or Mediator()
        for name, value in row.fields.items():
            setattr(mediator, name, value)
        mediator.save()
        touched.append(mediator)
        if row.existing is None:
            created += 1
        else:
            updated += 1
            updated_ids.append(mediator.pk)
        languages.extend(
            MediatorLanguage(
                mediator=mediator,
                code=entry.code,
                variant=entry.variant,
                level=entry.level,
                written_translation=entry.written_translation,
            )
            for entry in row.languages
        )
        if row.countries is not None:
            countries.extend(MediatorCountry(mediator=mediator, code=code) for code in row.countries)
        through_rows.extend(Through(mediator_id=mediator.pk, district_id=district.pk) for district in row.districts)

    if updated_ids:
        MediatorLanguage.objects.filter(mediator_id__in=updated_ids).delete()
        if "countries" in plan.columns:
            MediatorCountry.objects.filter(mediator_id__in=updated_ids).delete()
        # Districts the importer cannot see stay: a coordinator never removes a mediator from another district.
        old_districts = Through.objects.filter(mediator_id__in=updated_ids)
        if not actor.is_admin:
            old_districts = old_districts.filter(district_id__in=_scoped(actor, District).values("pk"))
        old_districts.delete()
    MediatorLanguage.objects.bulk_create(languages)
    MediatorCountry.objects.bulk_create(countries)
    Through.objects.bulk_create(through_rows, ignore_conflicts=True)
    # The roster's language menus of every province a mediator was or now is in (one query, for the providers).
    selectors.forget_roster_languages(
        province_ids=Provider.objects.filter(pk__in=providers | {m.provider_id for m in touched}).values_list(
            "province_id", flat=True
        )
    )
    return ImportResult(created=created, updated=updated)


# --- Keeping an upload between preview and confirm --------------------------------------------------------------------

UPLOAD_DIR = "imports"
UPLOAD_MAX_AGE = timedelta(hours=2)


class UploadMissing(DomainError):
    """The file kept for confirmation is gone (expired, already imported, or never there)."""


def _upload_name(token: str, extension: str) -> str:
    try:
        canonical = str(uuid.UUID(str(token)))
    except (ValueError, TypeError, AttributeError):
        raise UploadMissing(_("This import is unknown or has expired: upload the file again.")) from None
    if canonical != token or extension not in EXTENSIONS:
        raise UploadMissing(_("This import is unknown or has expired: upload the file again."))
    return f"{UPLOAD_DIR}/{canonical}.{extension}"


def upload_store(*, data: bytes, extension: str) -> str:
    """Keep an uploaded file under MEDIA_ROOT/imports/<uuid4>.<ext> until it is confirmed; return the uuid."""
    _discard_stale_uploads()
    token = str(uuid.uuid4())
    default_storage.save(_upload_name(token, extension), ContentFile(data))
    return token


def upload_read(*, token: str, extension: str) -> bytes:
    name = _upload_name(token, extension)
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read()
    except storage_errors():
        raise UploadMissing(_("This import is unknown or has expired: upload the file again.")) from None


def upload_discard(*, token: str, extension: str) -> None:
    try:
        default_storage.delete(_upload_name(token, extension))
    except (UploadMissing, *storage_errors()):
        pass


def _discard_stale_uploads() -> None:
    """Previews never confirmed leave files behind: remove those older than a day, at the next upload."""
    limit = timezone.now() - timedelta(days=1)
    try:
        _, names = default_storage.listdir(UPLOAD_DIR)
    except (NotImplementedError, *storage_errors()):
        return
    for name in names:
        path = f"{UPLOAD_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
        except (NotImplementedError, *storage_errors()):
            continue
