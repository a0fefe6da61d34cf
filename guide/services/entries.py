"""Writes of the entries of the guide: drafted by a district, submitted, published or sent back by the province.

Publishing freezes the public version (``ServiceAtLocation.published``); editing a published entry makes a new
draft and leaves the public page alone until the next publication. Every step writes one :class:`EntryChange` (who,
when, what changed). When the Italian of a translated text changes, its translations become outdated at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import District, Province, Role
from accounts.scoping import Actor, visible
from core.errors import DomainError, NotAllowed
from mediators.models import validate_language_code

from ..models import (
    EntryChange,
    EntryState,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    TaxonomyTerm,
    Translation,
    source_hash,
)

SERVICE_FIELDS = ["name", "alternate_name", "description", "url", "email", "status", "fees_description",
                  "eligibility_description", "application_process"]  # fmt: skip
LOCATION_FIELDS = ["address_1", "city", "postal_code", "state_province", "accessibility", "transportation"]
# The texts of an entry that are translated (names of organisations and addresses stay as they are written).
TRANSLATED_SERVICE_FIELDS = ["name", "description", "fees_description", "eligibility_description",
                             "application_process"]  # fmt: skip
TRANSLATED_TERM_FIELDS = ["name"]
TRANSLATED_TEXT_FIELDS = ["title", "text"]
REQUIRED = {
    "organization": gettext_lazy("the organisation"),
    "name": gettext_lazy("the name"),
    "description": gettext_lazy("the description"),
    "address_1": gettext_lazy("the address"),
    "city": gettext_lazy("the municipality"),
}


# --- The state of an entry, as history and the public read it ---------------------------------------------------------


def entry_state(entry: ServiceAtLocation) -> dict:
    """Everything a person reads of an entry, as plain values: compared for the history, frozen when published."""
    service, location = entry.service, entry.location
    return {
        "organization": service.organization.name,
        **{name: getattr(service, name) for name in SERVICE_FIELDS},
        "category": service.category.code,
        "district": entry.district.name if entry.district_id else "",
        **{name: getattr(location, name) for name in LOCATION_FIELDS},
        # The place on the public map (empty: the entry is only listed).
        "latitude": _coordinate(location.latitude),
        "longitude": _coordinate(location.longitude),
        "assured_date": entry.assured_date.isoformat(),
        "phones": [[p.number, p.type, p.description] for p in entry.phones.all()],
        "schedules": [
            [s.byday, s.opens_at.strftime("%H:%M"), s.closes_at.strftime("%H:%M"), s.description]
            for s in entry.schedules.all()
        ],
        "languages": sorted(language.code for language in entry.languages.all()),
    }


def _coordinate(value) -> str | None:
    return None if value is None or value == "" else str(Decimal(str(value)).quantize(Decimal("0.000001")))


def _diff(before: dict, after: dict) -> dict:
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}


def _record(entry, actor: Actor, action: str, changes: dict | None = None, note: str = "") -> EntryChange:
    return EntryChange.objects.create(entry=entry, by=actor.user, action=action, changes=changes or {}, note=note)


# --- Checks -----------------------------------------------------------------------------------------------------------


def _can_map(actor: Actor, *, province: Province, district: District | None) -> bool:
    if actor.is_admin:
        return True
    if actor.has_role(Role.PROVINCE_STAFF):
        return province.pk in actor.province_ids
    if actor.has_role(Role.COORDINATOR):
        return district is not None and district.pk in actor.district_ids
    return False


def _check_can_edit(actor: Actor, entry: ServiceAtLocation) -> None:
    if not visible(actor.user, ServiceAtLocation).filter(pk=entry.pk).exists():
        raise NotAllowed(_("This entry is not in your district."))
    if entry.state == EntryState.SUBMITTED and not (actor.is_admin or actor.has_role(Role.PROVINCE_STAFF)):
        raise DomainError(_("The entry is awaiting review: the province can send it back to you for changes."))


def _check_publisher(actor: Actor, entry: ServiceAtLocation) -> None:
    if not (actor.is_admin or (actor.has_role(Role.PROVINCE_STAFF) and entry.province_id in actor.province_ids)):
        raise NotAllowed(_("Only the province's staff review and publish the guide."))


def _clean_fields(fields: dict) -> dict:
    fields = {key: (value.strip() if isinstance(value, str) else value) for key, value in fields.items()}
    missing = [label for key, label in REQUIRED.items() if not fields.get(key)]
    if missing:
        raise DomainError(_("Fill in %(fields)s.") % {"fields": ", ".join(str(m) for m in missing)})
    if not isinstance(fields.get("category"), TaxonomyTerm):
        raise DomainError(_("Choose a category."), field="category")
    if fields.get("status", Service.Status.ACTIVE) not in Service.Status.values:
        raise DomainError(_("Choose a status from the list."), field="status")
    try:
        if fields.get("email"):
            EmailValidator()(fields["email"])
        if fields.get("url"):
            URLValidator()(fields["url"])
    except ValidationError:
        raise DomainError(_("Check the e-mail address and the web page.")) from None
    if "latitude" in fields or "longitude" in fields:
        fields["latitude"], fields["longitude"] = clean_coordinates(fields.get("latitude"), fields.get("longitude"))
    return fields


def clean_coordinates(latitude, longitude) -> tuple[Decimal | None, Decimal | None]:
    """Both coordinates of a place (WGS 84 degrees, as on a map) or neither."""
    values = []
    for value, limit in ((latitude, 90), (longitude, 180)):
        if value is None or (isinstance(value, str) and not value.strip()):
            values.append(None)
            continue
        try:
            number = Decimal(str(value).strip().replace(",", ".")).quantize(Decimal("0.000001"))
        except (InvalidOperation, ValueError):
            number = None
        if number is None or not number.is_finite() or abs(number) > limit:
            raise DomainError(
                _("Write the latitude and the longitude in degrees, e.g. 45.1336 and 10.0227."), field="latitude"
            )
        values.append(number)
    if (values[0] is None) != (values[1] is None):
        raise DomainError(_("Give both the latitude and the longitude, or neither."), field="latitude")
    return values[0], values[1]


def clean_phones(phones: Iterable[dict]) -> list[dict]:
    rows = []
    for phone in phones:
        number = (phone.get("number") or "").strip()
        if not number:
            continue
        if not all(c.isdigit() or c in " +-/.()" for c in number) or sum(c.isdigit() for c in number) < 3:
            raise DomainError(_("%(number)s is not a phone number.") % {"number": number}, field="phones")
        kind = phone.get("type") or Phone.Type.VOICE
        if kind not in Phone.Type.values:
            raise DomainError(_("Unknown kind of phone: %(type)s.") % {"type": kind}, field="phones")
        rows.append({"number": number, "type": kind, "description": (phone.get("description") or "").strip()})
    return rows


def clean_schedules(schedules: Iterable[dict]) -> list[dict]:
    rows = []
    for schedule in schedules:
        days = [d.strip().upper() for d in (schedule.get("byday") or "").split(",") if d.strip()]
        if not days or any(d not in Schedule.DAYS for d in days):
            raise DomainError(_("Days are written MO,TU,WE,TH,FR,SA,SU."), field="schedules")
        opens, closes = schedule.get("opens_at"), schedule.get("closes_at")
        if not isinstance(opens, time) or not isinstance(closes, time) or closes <= opens:
            raise DomainError(_("Each opening closes after it opens."), field="schedules")
        rows.append(
            {
                "byday": ",".join(days),
                "opens_at": opens,
                "closes_at": closes,
                "description": (schedule.get("description") or "").strip(),
            }  # fmt: skip
        )
    return rows


def clean_languages(codes: Iterable[str]) -> list[str]:
    result = []
    for code in codes:
        code = code.strip().lower()
        if not code:
            continue
        try:
            validate_language_code(code)
        except ValidationError:
            raise DomainError(_("%(code)s is not an ISO 639-3 language code.") % {"code": code}) from None
        if code not in result:
            result.append(code)
    return result


# --- Entries ----------------------------------------------------------------------------------------------------------


def _organization(province: Province, name: str) -> Organization:
    organization = Organization.objects.filter(province=province, name__iexact=name).first()
    return organization or Organization.objects.create(province=province, name=name)


def _write_children(entry, phones, schedules, languages) -> None:
    entry.phones.all().delete()
    Phone.objects.bulk_create([Phone(entry=entry, **p) for p in phones])
    entry.schedules.all().delete()
    Schedule.objects.bulk_create([Schedule(entry=entry, **s) for s in schedules])
    entry.languages.all().delete()
    ServiceLanguage.objects.bulk_create([ServiceLanguage(entry=entry, code=c) for c in languages])


@transaction.atomic
def entry_create(
    *,
    actor: Actor,
    province: Province,
    district: District | None,
    fields: dict,
    phones: Iterable[dict] = (),
    schedules: Iterable[dict] = (),
    languages: Iterable[str] = (),
    action: str = EntryChange.Action.CREATED,
    pk: uuid.UUID | None = None,
) -> ServiceAtLocation:
    """A new entry, as a draft. ``pk``: the id it keeps (an HSDS import keeps the file's, so that importing the file
    again updates it); else a new one."""
    if district is not None and district.province_id != province.pk:
        raise DomainError(_("The district is not in this province."), field="district")
    if not _can_map(actor, province=province, district=district):
        raise NotAllowed(_("You can add entries only to your own district."))
    fields = _clean_fields(fields)
    phones, schedules, languages = clean_phones(phones), clean_schedules(schedules), clean_languages(languages)
    organization = _organization(province, fields["organization"])
    service = Service.objects.create(
        organization=organization,
        category=fields["category"],
        **{name: fields.get(name, "") or "" for name in SERVICE_FIELDS if name != "status"},
        status=fields.get("status") or Service.Status.ACTIVE,
    )
    location = Location.objects.create(
        organization=organization,
        **{name: fields.get(name, "") or "" for name in LOCATION_FIELDS},
        latitude=fields.get("latitude"),
        longitude=fields.get("longitude"),
    )
    entry = ServiceAtLocation.objects.create(
        **({"pk": pk} if pk is not None else {}),
        service=service,
        location=location,
        province=province,
        district=district,
        assured_date=fields.get("assured_date") or timezone.localdate(),
        created_by=actor.user,
    )
    _write_children(entry, phones, schedules, languages)
    _record(entry, actor, action, _diff({}, entry_state(entry)))
    return entry


@transaction.atomic
def entry_update(
    *,
    actor: Actor,
    entry: ServiceAtLocation,
    fields: dict,
    phones: Iterable[dict] = (),
    schedules: Iterable[dict] = (),
    languages: Iterable[str] = (),
    action: str = EntryChange.Action.UPDATED,
) -> ServiceAtLocation:
    entry = (
        ServiceAtLocation.objects.select_for_update(of=("self",)).select_related("service", "location").get(pk=entry.pk)
    )
    _check_can_edit(actor, entry)
    fields = _clean_fields(fields)
    phones, schedules, languages = clean_phones(phones), clean_schedules(schedules), clean_languages(languages)
    before = entry_state(entry)
    service, location = entry.service, entry.location
    if service.organization.name.lower() != fields["organization"].lower():
        service.organization = _organization(entry.province, fields["organization"])
        location.organization = service.organization
    for name in SERVICE_FIELDS:
        setattr(service, name, fields.get(name, "") or "")
    service.status = fields.get("status") or Service.Status.ACTIVE
    service.category = fields["category"]
    service.save()
    for name in LOCATION_FIELDS:
        setattr(location, name, fields.get(name, "") or "")
    if "latitude" in fields:  # a caller that does not know the coordinates leaves them as they are
        location.latitude, location.longitude = fields["latitude"], fields["longitude"]
    location.save()
    if fields.get("assured_date"):
        entry.assured_date = fields["assured_date"]
    _write_children(entry, phones, schedules, languages)
    changes = _diff(before, entry_state(entry))
    if not changes:
        return entry
    # A published entry that changes is a new draft: the public keeps the published version until it is published
    # again.
    if entry.state in (EntryState.PUBLISHED, EntryState.RETURNED):
        entry.state = EntryState.DRAFT
    entry.save()
    _mark_outdated(
        Translation.Kind.SERVICE, str(service.pk), {f: getattr(service, f) for f in TRANSLATED_SERVICE_FIELDS}
    )
    _record(entry, actor, action, changes)
    return entry


@transaction.atomic
def entry_confirm_reviewed(*, actor: Actor, entry: ServiceAtLocation, on: date | None = None) -> ServiceAtLocation:
    """Someone checked the entry against reality today and nothing changed (HSDS assured_date)."""
    _check_can_edit(actor, entry)
    entry.assured_date = on or timezone.localdate()
    entry.save(update_fields=["assured_date", "last_modified"])
    _record(entry, actor, EntryChange.Action.REVIEWED, {"assured_date": [None, entry.assured_date.isoformat()]})
    return entry


@transaction.atomic
def entry_submit(*, actor: Actor, entry: ServiceAtLocation) -> ServiceAtLocation:
    entry = ServiceAtLocation.objects.select_for_update(of=("self",)).get(pk=entry.pk)
    _check_can_edit(actor, entry)
    if entry.state not in (EntryState.DRAFT, EntryState.RETURNED):
        raise DomainError(_("Only a draft or an entry sent back can be submitted for review."))
    entry.state = EntryState.SUBMITTED
    entry.save(update_fields=["state", "last_modified"])
    _record(entry, actor, EntryChange.Action.SUBMITTED)
    return entry


@transaction.atomic
def entry_return(*, actor: Actor, entry: ServiceAtLocation, note: str) -> ServiceAtLocation:
    entry = ServiceAtLocation.objects.select_for_update(of=("self",)).get(pk=entry.pk)
    _check_publisher(actor, entry)
    if entry.state != EntryState.SUBMITTED:
        raise DomainError(_("Only an entry awaiting review can be sent back."))
    note = (note or "").strip()
    if not note:
        raise DomainError(_("Say what the district should correct."), field="note")
    entry.state, entry.review_note = EntryState.RETURNED, note
    entry.save(update_fields=["state", "review_note", "last_modified"])
    _record(entry, actor, EntryChange.Action.RETURNED, note=note)
    return entry


def freeze_published_version(entry: ServiceAtLocation) -> None:
    """Copy the working version into the public one (the caller saves): what the public reads from now on."""
    state = entry_state(entry)
    entry.published = state
    entry.published_at = timezone.now()
    entry.published_name, entry.published_description = state["name"], state["description"]
    entry.published_category_id, entry.published_district_id = entry.service.category_id, entry.district_id
    entry.state, entry.is_public, entry.review_note = EntryState.PUBLISHED, True, ""


@transaction.atomic
def entry_publish(*, actor: Actor, entry: ServiceAtLocation) -> ServiceAtLocation:
    entry = (
        ServiceAtLocation.objects.select_for_update(of=("self",))
        .select_related("service__organization", "service__category", "location", "district")
        .get(pk=entry.pk)
    )
    _check_publisher(actor, entry)
    if entry.state not in (EntryState.SUBMITTED, EntryState.DRAFT):
        raise DomainError(_("This entry has nothing new to publish."))
    freeze_published_version(entry)
    entry.save()
    _record(entry, actor, EntryChange.Action.PUBLISHED)
    return entry


def _mark_outdated(kind: str, object_id: str, sources: dict[str, str]) -> None:
    """The Italian of these fields is now ``sources``: a translation made from another Italian is outdated."""
    for field, text in sources.items():
        Translation.objects.filter(object_kind=kind, object_id=object_id, field=field).exclude(
            source_hash=source_hash(text)
        ).exclude(status=Translation.Status.OUTDATED).update(status=Translation.Status.OUTDATED)
