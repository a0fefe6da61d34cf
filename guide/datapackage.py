"""The directory as an HSDS-shaped datapackage: a zip with ``datapackage.json`` (Frictionless Data) and one CSV per
HSDS table, for export and for import.

Tables and columns follow HSDS 3 (organization, service, location, address, accessibility, service_at_location,
phone, schedule, language, taxonomy_term, attribute). One extension: ``service_at_location.district``, the name of
the district that maps the entry (empty: the whole province).

Ids: an entry is known by its ``service_at_location.id`` (a UUID, as HSDS wants, which is the entry's own id here; any
other text is turned into a fixed UUID). Importing a file again updates the entries whose ids exist in the importer's
scope (a new draft, with the changes in the entry's history, when something changed; untouched when nothing did) and
creates the others with the file's ids. An id that is an entry of another district or province is refused.

The import checks every row of every table first, like the roster import (mediators/importing.py): each problem is
reported with its table, row and column, in the user's language, and nothing is saved when any row is wrong.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import District, Province, Role
from accounts.scoping import Actor
from core.errors import DomainError
from mediators.models import validate_language_code

from . import services
from .models import EntryChange, Phone, Schedule, Service, ServiceAtLocation, TaxonomyTerm

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 20 * 1024 * 1024
MAX_ROWS = 5000
# Ids that are not UUIDs become the UUID 5 of the text in this namespace: the same text, the same entry.
ID_NAMESPACE = uuid.UUID("3b0f6c1e-8a2d-4f57-9c61-2e7d5a9b4c08")

TABLES: dict[str, list[str]] = {
    "organization": ["id", "name", "alternate_name", "description", "email", "website"],
    "service": [
        "id",
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "fees_description",
        "eligibility_description",
        "application_process",
        "assured_date",
        "last_modified",
    ],  # fmt: skip
    "location": ["id", "organization_id", "name", "location_type", "latitude", "longitude", "transportation"],
    "address": [
        "id",
        "location_id",
        "address_1",
        "city",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ],  # fmt: skip
    "accessibility": ["id", "location_id", "description"],
    "service_at_location": ["id", "service_id", "location_id", "district"],
    "phone": ["id", "service_at_location_id", "number", "type", "description"],
    "schedule": ["id", "service_at_location_id", "freq", "byday", "opens_at", "closes_at", "description"],
    "language": ["id", "service_id", "name", "code"],
    "taxonomy_term": ["id", "code", "name", "description", "taxonomy"],
    "attribute": ["id", "link_id", "link_type", "link_entity", "taxonomy_term_id", "value", "label"],
}
REQUIRED_COLUMNS = {
    "organization": ["id", "name"],
    "service": ["id", "organization_id", "name", "description"],
    "location": ["id", "organization_id"],
    "address": ["location_id", "address_1", "city"],
    "service_at_location": ["id", "service_id", "location_id"],
    "phone": ["service_at_location_id", "number"],
    "schedule": ["service_at_location_id", "byday", "opens_at", "closes_at"],
    "language": ["service_id", "code"],
    "taxonomy_term": ["id", "code"],
    "attribute": ["link_id", "taxonomy_term_id"],
}


# --- Export -----------------------------------------------------------------------------------------------------------


def _table_rows(entries: Iterable[ServiceAtLocation]) -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {name: [] for name in TABLES}
    organizations, terms = {}, {}
    for entry in entries:
        service, location = entry.service, entry.location
        organization = service.organization
        if organization.pk not in organizations:
            organizations[organization.pk] = organization
            tables["organization"].append(
                {field: getattr(organization, field) for field in TABLES["organization"] if field != "id"}
                | {"id": organization.pk}
            )
        term = service.category
        terms[term.pk] = term
        tables["service"].append(
            {
                **{field: getattr(service, field) for field in services.SERVICE_FIELDS},
                "id": service.pk,
                "organization_id": organization.pk,
                "assured_date": entry.assured_date.isoformat(),
                "last_modified": entry.last_modified.isoformat(),
            }
        )
        tables["location"].append(
            {
                "id": location.pk,
                "organization_id": organization.pk,
                "name": location.name,
                "location_type": "physical",
                "latitude": location.latitude if location.latitude is not None else "",
                "longitude": location.longitude if location.longitude is not None else "",
                "transportation": location.transportation,
            }
        )
        tables["address"].append(
            {
                "id": location.pk,
                "location_id": location.pk,
                "address_1": location.address_1,
                "city": location.city,
                "state_province": location.state_province,
                "postal_code": location.postal_code,
                "country": location.country,
                "address_type": "physical",
            }
        )
        if location.accessibility:
            tables["accessibility"].append(
                {"id": location.pk, "location_id": location.pk, "description": location.accessibility}
            )
        tables["service_at_location"].append(
            {
                "id": entry.pk,
                "service_id": service.pk,
                "location_id": location.pk,
                "district": entry.district.name if entry.district_id else "",
            }
        )
        for phone in entry.phones.all():
            tables["phone"].append(
                {
                    "id": phone.pk,
                    "service_at_location_id": entry.pk,
                    "number": phone.number,
                    "type": phone.type,
                    "description": phone.description,
                }  # fmt: skip
            )
        for schedule in entry.schedules.all():
            tables["schedule"].append(
                {
                    "id": schedule.pk,
                    "service_at_location_id": entry.pk,
                    "freq": "WEEKLY",
                    "byday": schedule.byday,
                    "opens_at": schedule.opens_at.strftime("%H:%M"),
                    "closes_at": schedule.closes_at.strftime("%H:%M"),
                    "description": schedule.description,
                }  # fmt: skip
            )
        for language in entry.languages.all():
            tables["language"].append({"id": language.pk, "service_id": service.pk, "name": "", "code": language.code})
        tables["attribute"].append(
            {
                "id": f"{service.pk}-category",
                "link_id": service.pk,
                "link_type": "category",
                "link_entity": "service",
                "taxonomy_term_id": term.pk,
                "value": "",
                "label": "",
            }  # fmt: skip
        )
    for term in sorted(terms.values(), key=lambda t: t.position):
        tables["taxonomy_term"].append(
            {
                "id": term.pk,
                "code": term.code,
                "name": term.name,
                "description": term.description,
                "taxonomy": term.taxonomy,
            }  # fmt: skip
        )
    return tables


def export_zip(entries) -> bytes:
    """The entries (their current working version) as an HSDS datapackage."""
    entries = entries.select_related(
        "service__organization", "service__category", "location", "district"
    ).prefetch_related("phones", "schedules", "languages")
    tables = _table_rows(entries.order_by("service__name", "pk"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        resources = []
        for name, columns in TABLES.items():
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(tables[name])
            archive.writestr(f"{name}.csv", out.getvalue())
            resources.append(
                {
                    "name": name,
                    "path": f"{name}.csv",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "schema": {"fields": [{"name": column, "type": "string"} for column in columns]},
                }
            )
        descriptor = {
            "name": "mediazione-mini-guida",
            "title": "Mini-guida multilingue dei servizi per le famiglie",
            "profile": "tabular-data-package",
            "description": "Open Referral HSDS 3 tables; service_at_location.district is an extension.",
            "resources": resources,
        }
        archive.writestr("datapackage.json", json.dumps(descriptor, ensure_ascii=False, indent=2))
    return buffer.getvalue()


# --- Import -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableError:
    table: str
    row: int | None
    column: str
    message: str

    def __str__(self):
        if self.row is None:
            return f"{self.table}.csv: {self.message}" if self.table else self.message
        return _("%(table)s.csv, row %(row)s, column %(column)s: %(message)s") % {
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class DatapackageErrors(DomainError):
    """The datapackage has problems: nothing was imported. ``errors`` lists each one."""

    def __init__(self, errors: Iterable[TableError]):
        self.errors = list(errors)
        count = len(self.errors)
        super().__init__(
            ngettext(
                "The datapackage has %(count)d error: nothing was imported.",
                "The datapackage has %(count)d errors: nothing was imported.",
                count,
            )
            % {"count": count}
        )


def _file_error(message: str) -> DatapackageErrors:
    return DatapackageErrors([TableError(table="", row=None, column="", message=message)])


def read_tables(data: bytes) -> dict[str, list[dict]]:
    """The CSV tables of the zip, each a list of rows (dicts with a ``_row`` number: the header is row 1)."""
    if len(data) > MAX_BYTES:
        raise _file_error(_("The file is larger than 5 MB."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise _file_error(_("The file is not a zip archive.")) from None
    with archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
            raise _file_error(_("The archive unpacks to more than 20 MB."))
        names = set(archive.namelist())
        if "datapackage.json" not in names:
            raise _file_error(_("The archive has no datapackage.json."))
        tables, errors = {}, []
        for table in TABLES:
            if f"{table}.csv" not in names:
                if table in ("organization", "service", "location", "address", "service_at_location"):
                    errors.append(TableError(table, None, "", _("This table is missing.")))
                tables[table] = []
                continue
            try:
                text = archive.read(f"{table}.csv").decode("utf-8-sig")
            except UnicodeDecodeError:
                errors.append(TableError(table, None, "", _("The file is not UTF-8 text.")))
                continue
            reader = csv.DictReader(io.StringIO(text))
            header = reader.fieldnames or []
            for column in REQUIRED_COLUMNS.get(table, []):
                if column not in header:
                    errors.append(TableError(table, 1, column, _("This column is missing.")))
            rows = []
            for number, row in enumerate(reader, start=2):
                if number > MAX_ROWS:
                    errors.append(TableError(table, None, "", _("Too many rows.")))
                    break
                rows.append({"_row": number, **{k: (v or "").strip() for k, v in row.items() if k}})
            tables[table] = rows
        if errors:
            raise DatapackageErrors(errors)
    return tables


def _check(tables, *, actor: Actor, province: Province) -> tuple[list[dict], list[TableError]]:
    errors: list[TableError] = []

    def error(table, row, column, message):
        errors.append(TableError(table, row["_row"] if row else None, column, message))

    def required(table, row, *columns):
        ok = True
        for column in columns:
            if not row.get(column):
                error(table, row, column, _("This value is required."))
                ok = False
        return ok

    def by_id(table):
        seen = {}
        for row in tables[table]:
            if not row.get("id"):
                continue
            if row["id"] in seen:
                error(table, row, "id", _("This id is already on row %(row)s.") % {"row": seen[row["id"]]["_row"]})
            else:
                seen[row["id"]] = row
        return seen

    organizations, services_, locations = by_id("organization"), by_id("service"), by_id("location")
    terms = by_id("taxonomy_term")
    known_terms = {t.code: t for t in TaxonomyTerm.objects.all()}
    districts = {d.name.lower(): d for d in District.objects.filter(province=province)}

    for row in tables["organization"]:
        required("organization", row, "id", "name")
    for row in tables["service"]:
        required("service", row, "id", "name", "description", "organization_id")
        if row.get("organization_id") and row["organization_id"] not in organizations:
            error("service", row, "organization_id", _("No organisation has this id in organization.csv."))
        if row.get("status") and row["status"] not in Service.Status.values:
            error("service", row, "status", _("Use one of: %(values)s.") % {"values": ", ".join(Service.Status.values)})
        if row.get("email"):
            try:
                EmailValidator()(row["email"])
            except ValidationError:
                error("service", row, "email", _("This is not an e-mail address."))
        if row.get("url"):
            try:
                URLValidator()(row["url"])
            except ValidationError:
                error("service", row, "url", _("This is not a web address."))
        if row.get("assured_date"):
            try:
                date.fromisoformat(row["assured_date"])
            except ValueError:
                error("service", row, "assured_date", _("Write the date as YYYY-MM-DD."))
    places = {}
    for row in tables["location"]:
        required("location", row, "id", "organization_id")
        if row.get("organization_id") and row["organization_id"] not in organizations:
            error("location", row, "organization_id", _("No organisation has this id in organization.csv."))
        try:
            places[row.get("id")] = services.clean_coordinates(row.get("latitude"), row.get("longitude"))
        except DomainError as exc:
            error("location", row, "latitude", exc.message)
    addresses, accessibility = {}, {}
    for row in tables["address"]:
        if required("address", row, "location_id", "address_1", "city"):
            if row["location_id"] not in locations:
                error("address", row, "location_id", _("No place has this id in location.csv."))
            addresses[row["location_id"]] = row
    for row in tables["accessibility"]:
        accessibility[row.get("location_id")] = row.get("description", "")
    categories = {}
    for row in tables["attribute"]:
        if not required("attribute", row, "link_id", "taxonomy_term_id"):
            continue
        term_row = terms.get(row["taxonomy_term_id"])
        if term_row is None:
            error("attribute", row, "taxonomy_term_id", _("No category has this id in taxonomy_term.csv."))
        elif term_row.get("code") not in known_terms:
            error(
                "attribute",
                row,
                "taxonomy_term_id",
                _("The guide has no category “%(code)s”.") % {"code": term_row.get("code")},
            )
        else:
            categories[row["link_id"]] = known_terms[term_row["code"]]
    children = defaultdict(lambda: {"phones": [], "schedules": [], "languages": []})
    for row in tables["phone"]:
        if not required("phone", row, "service_at_location_id", "number"):
            continue
        if row.get("type") and row["type"] not in Phone.Type.values:
            error("phone", row, "type", _("Use one of: %(values)s.") % {"values": ", ".join(Phone.Type.values)})
            continue
        try:
            children[row["service_at_location_id"]]["phones"] += services.clean_phones(
                [{"number": row["number"], "type": row.get("type") or "voice", "description": row.get("description")}]
            )
        except DomainError as exc:
            error("phone", row, "number", exc.message)
    for row in tables["schedule"]:
        if not required("schedule", row, "service_at_location_id", "byday", "opens_at", "closes_at"):
            continue
        try:
            opens, closes = time.fromisoformat(row["opens_at"]), time.fromisoformat(row["closes_at"])
        except ValueError:
            error("schedule", row, "opens_at", _("Write the times as HH:MM."))
            continue
        days = [d.strip().upper() for d in row["byday"].split(",")]
        if any(d not in Schedule.DAYS for d in days):
            error("schedule", row, "byday", _("Days are written MO,TU,WE,TH,FR,SA,SU."))
        elif closes <= opens:
            error("schedule", row, "closes_at", _("Each opening closes after it opens."))
        else:
            children[row["service_at_location_id"]]["schedules"].append(
                {"byday": ",".join(days), "opens_at": opens, "closes_at": closes, "description": row.get("description")}
            )
    languages = defaultdict(list)
    for row in tables["language"]:
        if not required("language", row, "service_id", "code"):
            continue
        try:
            validate_language_code(row["code"].lower())
        except ValidationError:
            error("language", row, "code", _("%(code)s is not an ISO 639-3 language code.") % {"code": row["code"]})
        else:
            languages[row["service_id"]].append(row["code"].lower())

    planned, used_services, seen_entries = [], set(), {}
    for row in tables["service_at_location"]:
        if not required("service_at_location", row, "id", "service_id", "location_id"):
            continue
        if row["id"] in seen_entries:
            message = _("This id is already on row %(row)s.") % {"row": seen_entries[row["id"]]}
            error("service_at_location", row, "id", message)
            continue
        seen_entries[row["id"]] = row["_row"]
        service, location = services_.get(row["service_id"]), locations.get(row["location_id"])
        if service is None:
            error("service_at_location", row, "service_id", _("No service has this id in service.csv."))
        if location is None:
            error("service_at_location", row, "location_id", _("No place has this id in location.csv."))
        elif row["location_id"] not in addresses:
            error("service_at_location", row, "location_id", _("This place has no address in address.csv."))
        if row["service_id"] in used_services:
            error("service_at_location", row, "service_id", _("This service is already at another place."))
        used_services.add(row["service_id"])
        district = None
        if row.get("district"):
            district = districts.get(row["district"].lower())
            if district is None:
                error("service_at_location", row, "district", _("The province has no district with this name."))
        if district is None and actor.has_role(Role.COORDINATOR):
            error("service_at_location", row, "district", _("Name your district."))
        elif district is not None and actor.has_role(Role.COORDINATOR) and district.pk not in actor.district_ids:
            error("service_at_location", row, "district", _("You can import only your own district's entries."))
        if service is None or location is None or row["location_id"] not in addresses:
            continue
        if row["service_id"] not in categories:
            error("service_at_location", row, "service_id", _("The service has no category in attribute.csv."))
            continue
        address = addresses[row["location_id"]]
        organization = organizations.get(service["organization_id"], {})
        # A file without the coordinates' columns says nothing about them: an update keeps those already known.
        place = {}
        if "latitude" in location or "longitude" in location:
            place = dict(zip(("latitude", "longitude"), places.get(row["location_id"], (None, None)), strict=True))
        planned.append(
            {
                "row": row["_row"],
                "pk": entry_id(row["id"]),
                "district": district,
                "fields": {
                    "organization": organization.get("name", ""),
                    **{field: service.get(field, "") for field in services.SERVICE_FIELDS},
                    "status": service.get("status") or Service.Status.ACTIVE,
                    "category": categories[row["service_id"]],
                    "address_1": address["address_1"],
                    "city": address["city"],
                    "postal_code": address.get("postal_code", ""),
                    "state_province": address.get("state_province", ""),
                    "accessibility": accessibility.get(row["location_id"], ""),
                    "transportation": location.get("transportation", ""),
                    **place,
                    "assured_date": date.fromisoformat(service["assured_date"])
                    if service.get("assured_date")
                    else None,
                },
                **children[row["id"]],
                "languages": languages[row["service_id"]],
            }
        )
    if not tables["service_at_location"] and not errors:
        errors.append(TableError("service_at_location", None, "", _("The datapackage has no entries.")))
    _match_existing(planned, province=province, errors=errors)
    return planned, errors


def entry_id(value: str) -> uuid.UUID:
    """The entry a file's ``service_at_location.id`` names: the UUID itself, or the fixed UUID of another text."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return uuid.uuid5(ID_NAMESPACE, value)


def _match_existing(planned: list[dict], *, province: Province, errors: list[TableError]) -> None:
    """Each planned entry whose id exists gets it as ``entry`` (to update) when it is of the same province and
    district; otherwise the row is refused: an import never touches another district's or province's entry."""
    existing = {
        entry.pk: entry
        for entry in ServiceAtLocation.objects.filter(pk__in=[plan["pk"] for plan in planned])
        .select_related("service__organization", "service__category", "location", "district")
        .prefetch_related("phones", "schedules", "languages")
    }
    for plan in planned:
        entry = existing.get(plan["pk"])
        if entry is None:
            continue
        district_id = plan["district"].pk if plan["district"] is not None else None
        if entry.province_id != province.pk or entry.district_id != district_id:
            errors.append(
                TableError(
                    "service_at_location",
                    plan["row"],
                    "id",
                    _("This id is an entry of another district or province: it is not updated."),
                )
            )
        else:
            plan["entry"] = entry


def _planned_state(plan: dict, entry: ServiceAtLocation) -> dict:
    """What ``services.entry_state`` would read after updating ``entry`` with the planned row (to skip an update that
    changes nothing)."""
    fields = plan["fields"]
    organization = fields["organization"]
    if organization.lower() == entry.service.organization.name.lower():
        organization = entry.service.organization.name
    state = {
        "organization": organization,
        **{name: fields.get(name, "") or "" for name in services.SERVICE_FIELDS},
        "category": fields["category"].code,
        "district": entry.district.name if entry.district_id else "",
        **{name: fields.get(name, "") or "" for name in services.LOCATION_FIELDS},
        "assured_date": (fields.get("assured_date") or entry.assured_date).isoformat(),
        "phones": [[p["number"], p["type"], p["description"]] for p in plan["phones"]],
        "schedules": [
            [s["byday"], s["opens_at"].strftime("%H:%M"), s["closes_at"].strftime("%H:%M"), s.get("description") or ""]
            for s in plan["schedules"]
        ],
        "languages": sorted(services.clean_languages(plan["languages"])),
    }
    current = services.entry_state(entry)
    for name in ("latitude", "longitude"):
        if name not in fields:  # the file has no coordinates: the update keeps the entry's
            state[name] = current[name]
        else:
            state[name] = str(fields[name]) if fields[name] is not None else None
    return state


@dataclass
class ImportResult:
    created: list[ServiceAtLocation] = dataclasses.field(default_factory=list)
    updated: list[ServiceAtLocation] = dataclasses.field(default_factory=list)
    unchanged: list[ServiceAtLocation] = dataclasses.field(default_factory=list)


def _importer_province(actor: Actor) -> Province:
    if len(actor.province_ids) != 1 or not actor.has_role(Role.COORDINATOR, Role.PROVINCE_STAFF):
        raise _file_error(_("Only coordinators and province staff import the guide."))
    return Province.objects.get(pk=next(iter(actor.province_ids)))


def datapackage_import(*, actor: Actor, data: bytes, province: Province | None = None) -> ImportResult:
    """Every entry of the datapackage, or none of them (``DatapackageErrors`` lists why): a new draft for an id not
    seen before, an update for an id of the importer's scope (a draft again, with the changes in its history, when
    something changed; untouched otherwise)."""
    province = province or _importer_province(actor)
    planned, errors = _check(read_tables(data), actor=actor, province=province)
    if errors:
        raise DatapackageErrors(errors)
    result = ImportResult()
    plan: dict = {}
    try:
        with transaction.atomic():
            for plan in planned:
                entry = plan.get("entry")
                if entry is None:
                    result.created.append(
                        services.entry_create(
                            actor=actor,
                            province=province,
                            district=plan["district"],
                            fields=plan["fields"],
                            phones=plan["phones"],
                            schedules=plan["schedules"],
                            languages=plan["languages"],
                            action=EntryChange.Action.IMPORTED,
                            pk=plan["pk"],
                        )
                    )
                elif _planned_state(plan, entry) == services.entry_state(entry):
                    result.unchanged.append(entry)
                else:
                    result.updated.append(
                        services.entry_update(
                            actor=actor,
                            entry=entry,
                            fields=plan["fields"],
                            phones=plan["phones"],
                            schedules=plan["schedules"],
                            languages=plan["languages"],
                            action=EntryChange.Action.IMPORTED,
                        )
                    )
    except DomainError as exc:
        # Checked above; a rule the checks missed (an entry awaiting review, for a coordinator) still saves nothing.
        raise DatapackageErrors([TableError("service_at_location", plan.get("row"), "", exc.message)]) from None
    except IntegrityError:
        # Someone else imported the same ids at the same moment: nothing of this import was saved.
        raise _file_error(_("The same entries were being imported at the same time: import the file again.")) from None
    return result
