"""Roster import: read a CSV or XLSX file of mediators, check every row, and write all of them or none.

The file has one header row (row 1) and one mediator per row. The columns (README, "Importing the roster"):

==================== ======== ===================================================================================
column               required value
==================== ======== ===================================================================================
first_name           yes      text
last_name            yes      text
email                yes      e-mail address; it identifies the mediator: importing again updates, never duplicates
phone                         digits, spaces, ``+``, ``-``, ``/``, ``.``, brackets
gender               yes      ``female``, ``male``, ``other`` (also ``F``, ``M``, ``donna``, ``uomo``)
provider             yes      name of a mediator provider of the importer's province
districts            yes      district names separated by ``|``
languages            yes      ``code``, ``code:variant`` or ``code:variant:level`` separated by ``|``; code
                              ISO 639-3; level ``mother_tongue``, ``fluent`` (default) or ``working``
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
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import District, Provider, Role
from accounts.scoping import Actor, visible
from mediazione.errors import DomainError, NotAllowed

from .models import (
    Gender,
    LanguageLevel,
    Mediator,
    MediatorCountry,
    MediatorLanguage,
    Mode,
    Setting,
    language_name,
    validate_country_code,
    validate_language_code,
)

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
EXTENSIONS = ("csv", "xlsx")
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
# Beyond this many columns a sheet is not a roster; reading stops there.
MAX_COLUMNS = 100
# An .xlsx is a zip: 2 MB of it may unpack to gigabytes. A roster of 10,000 rows stays far below this.
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024

GENDERS = {
    "female": Gender.FEMALE,
    "f": Gender.FEMALE,
    "donna": Gender.FEMALE,
    "woman": Gender.FEMALE,
    "male": Gender.MALE,
    "m": Gender.MALE,
    "uomo": Gender.MALE,
    "man": Gender.MALE,
    "other": Gender.OTHER,
    "altro": Gender.OTHER,
}
TRUE_WORDS = {"yes", "sì", "si", "1", "true", "y"}
FALSE_WORDS = {"no", "0", "false", "n"}
PHONE = re.compile(r"^[0-9+()./\s-]*$")


# --- What the import answers ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem, where the person sees it in their spreadsheet: row 1 is the header, ``None`` the whole file."""

    row: int | None
    column: str
    message: str

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
    """What :func:`parse_file` reads: the header's column names and the non-empty rows under it."""

    columns: list[str]
    rows: list[SourceRow]


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
    return name.replace("\ufeff", "").strip().lower().replace(" ", "_").replace("-", "_")


def parse_file(*, filename: str, data: bytes) -> ImportRows:
    """The rows of a CSV (UTF-8, with or without BOM, ``,`` or ``;``) or XLSX file; :class:`ImportErrors` if the file
    cannot be read at all. The rows themselves are checked by :func:`mediators_import_plan`."""
    extension = extension_of(filename)
    if extension not in EXTENSIONS:
        raise _file_error(_("Upload a .csv or .xlsx file."))
    if not data:
        raise _file_error(_("The file is empty."))
    table = _read_csv(data) if extension == "csv" else _read_xlsx(data)
    if not table:
        raise _file_error(_("The file is empty."))
    header_number, header = table[0]
    # Spreadsheets often carry empty cells right of the last column: they are not columns.
    while header and not header[-1]:
        header.pop()
    if not any(header):
        raise _file_error(_("The first row must hold the column names."))
    columns = [normalise_column(name) for name in header]
    rows = []
    for number, cells in table[1:]:
        if not any(cells):
            continue
        values = {name: cells[index] if index < len(cells) else "" for index, name in enumerate(columns) if name}
        extra = any(cells[len(columns) :])
        rows.append(SourceRow(number=number, values=values, extra_cells=extra))
    return ImportRows(columns=columns, rows=rows)


def _too_many_rows() -> ImportErrors:
    return _file_error(
        _("The file has more than %(count)s rows: split it into smaller files.") % {"count": f"{MAX_ROWS:,}"}
    )


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _file_error(
            _("The file is not UTF-8 text. In your spreadsheet choose “Save as” and the format “CSV UTF-8”.")
        ) from None
    if "\x00" in text:
        raise _file_error(_("This is not a CSV file: it contains binary data."))
    # The header names never contain a comma or a semicolon: the header line tells which one separates cells.
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table = []
    try:
        for number, cells in enumerate(reader, start=1):
            if number > MAX_ROWS + 1:
                raise _too_many_rows()
            table.append((number, [cell.strip() for cell in cells[:MAX_COLUMNS]]))
    except csv.Error:
        raise _file_error(_("The file cannot be read as CSV near line %(line)s.") % {"line": reader.line_num}) from None
    return table


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


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    import openpyxl

    unreadable = _file_error(_("The file is not a valid Excel workbook (.xlsx). Save it again from your spreadsheet."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise unreadable from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise _file_error(_("The workbook is too large once unpacked: split it into smaller files."))
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a damaged workbook fails in openpyxl with errors of many kinds (zip, XML, keys)
        raise unreadable from None
    table = []
    try:
        if not workbook.worksheets:
            raise unreadable
        sheet = workbook.worksheets[0]
        for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if number > MAX_ROWS + 1:
                raise _too_many_rows()
            table.append((number, [_cell_text(value) for value in cells]))
    except ImportErrors:
        raise
    except Exception:  # noqa: BLE001 - as above: the sheet's XML is read lazily, row by row
        raise unreadable from None
    finally:
        workbook.close()
    return table


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
            values = {normalise_column(str(k)): _cell_text(v) for k, v in row.items()}
            source.append(SourceRow(number=index + 2, values=dict(values)))
        columns.extend(name for name in values if name not in columns)
    return columns, source


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


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
                error(column, _messages(exc))
        if present("phone") and cell("phone") and not PHONE.match(cell("phone")):
            error("phone", _("Write the phone number with digits, spaces and + only."))

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
            gender = GENDERS.get(cell("gender").lower())
            if gender is None:
                error("gender", _("Write female, male or other (also F, M, donna, uomo)."))
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
            raw = cell(column).replace(",", ".") if column != "max_weekly_hours" else cell(column)
            if not raw:
                fields[column] = default
                continue
            try:
                fields[column] = Mediator._meta.get_field(column).clean(raw, None)
            except ValidationError as exc:
                error(column, _messages(exc))

        if present("active"):
            word = cell("active").lower()
            if not word or word in TRUE_WORDS:
                fields["is_active"] = True
            elif word in FALSE_WORDS:
                fields["is_active"] = False
            else:
                error("active", _("Write yes or no."))

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
        for code in _split(value):
            try:
                validate_language_code(code)
            except ValidationError as exc:
                error("written_translation", _messages(exc))
            else:
                codes.add(code.lower())
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
            code = parts[0].lower()
            variant = parts[1] if len(parts) > 1 else ""
            level = parts[2].lower() if len(parts) > 2 and parts[2] else LanguageLevel.FLUENT
            try:
                validate_language_code(code)
            except ValidationError as exc:
                error("languages", _messages(exc))
                continue
            if len(variant) > 100:
                error("languages", _("The variant “%(variant)s” is too long.") % {"variant": variant[:30] + "…"})
                continue
            if level not in LanguageLevel.values:
                error(
                    "languages",
                    _("Unknown level “%(level)s”: write mother_tongue, fluent or working.") % {"level": parts[2]},
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
        for code in _split(value):
            try:
                validate_country_code(code)
            except ValidationError as exc:
                error("countries", _messages(exc))
                continue
            if code.upper() not in codes:
                codes.append(code.upper())
        return codes

    def _choices(self, column: str, value: str, choices, error) -> set[str]:
        chosen = set()
        for item in _split(value):
            if item.lower() in choices.values:
                chosen.add(item.lower())
            else:
                error(
                    column,
                    _("Unknown value “%(value)s”: write %(choices)s.")
                    % {"value": item, "choices": ", ".join(choices.values)},
                )
        return chosen


def _header_errors(columns: list[str]) -> list[RowError]:
    errors = []
    seen = set()
    for name in columns:
        if not name:
            continue
        if name in seen:
            errors.append(RowError(row=1, column=name, message=_("This column appears twice.")))
        elif name not in COLUMNS:
            errors.append(
                RowError(
                    row=1,
                    column=name,
                    message=_("Unknown column. The columns are: %(columns)s.") % {"columns": ", ".join(COLUMNS)},
                )
            )
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            errors.append(RowError(row=1, column=name, message=_("This column is missing.")))
    return errors


def mediators_import_plan(*, actor: Actor, rows, lock: bool = False) -> ImportPlan:
    """Check every row against the actor's scope and say what importing would do; nothing is written.

    ``rows`` is what :func:`parse_file` returns, or a list of dicts (column → value) numbered from row 2.
    """
    _check_actor(actor)
    columns, source = _as_rows(rows)
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
    planned_rows = []
    for row in source:
        planned, row_errors = checker.check(row)
        planned_rows.append(planned)
        errors.extend(row_errors)
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
    for row in plan.rows:
        mediator = row.existing or Mediator()
        for name, value in row.fields.items():
            setattr(mediator, name, value)
        mediator.save()
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
    except (FileNotFoundError, OSError):
        raise UploadMissing(_("This import is unknown or has expired: upload the file again.")) from None


def upload_discard(*, token: str, extension: str) -> None:
    try:
        default_storage.delete(_upload_name(token, extension))
    except (UploadMissing, OSError):
        pass


def _discard_stale_uploads() -> None:
    """Previews never confirmed leave files behind: remove those older than a day, at the next upload."""
    limit = timezone.now() - timedelta(days=1)
    try:
        _, names = default_storage.listdir(UPLOAD_DIR)
    except (FileNotFoundError, OSError, NotImplementedError):
        return
    for name in names:
        path = f"{UPLOAD_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
        except (OSError, NotImplementedError):
            continue
