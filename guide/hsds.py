"""The published guide as Open Referral HSDS 3 records (JSON): what the public API gives (api/views_guide.py).

Built from an entry's **published version** only (``ServiceAtLocation.published``, frozen when the province published
it) and the approved translations made from that very Italian, as the public pages show them: never the working
rows (a change not yet published, unlike the datapackage export of guide/datapackage.py, which is the districts'
tool), never the review note, who mapped or edited it, its history or its page views. The published version's keys are
read one by one below (``_TEXTS``, ``_PLAIN``, the address, phones, hours and languages): a key added to it later stays
out of the API until it is added here.

A text in the language asked for is its approved translation made from the published Italian; otherwise the Italian.
Each record says which language each translated text is in (``service.text_languages``, ``taxonomy_term.language``).
"""

from __future__ import annotations

from django.utils.translation.trans_real import parse_accept_lang_header

from . import selectors
from .models import GuideLanguage, ServiceAtLocation, Translation

ITALIAN = GuideLanguage(code="ita", tag="it", native_name="Italiano", direction="ltr")
# The texts the mediators translate, and the other plain values of the service, as HSDS names them.
_TEXTS = ["name", "description", "fees_description", "eligibility_description", "application_process"]
_PLAIN = ["alternate_name", "url", "email", "status"]


def language_for(*, asked: str | None, accept_language: str, languages: list[GuideLanguage]) -> GuideLanguage:
    """The guide's language for the texts: ``asked`` when given (``?lang=``: an ISO 639-3 code or a BCP 47 tag of an
    active language of the guide), else the first of Accept-Language the guide is published in, else Italian. A
    language the guide does not have reads Italian, as on the public pages."""
    known = [ITALIAN, *languages]
    asked = (asked or "").strip().lower()
    if asked:
        return next((lang for lang in known if asked in (lang.code, lang.tag.lower())), ITALIAN)
    for tag, _quality in parse_accept_lang_header(accept_language or ""):
        tag = tag.lower()
        primary = tag.split("-")[0]
        found = next((lang for lang in known if lang.tag.lower() == tag), None) or next(
            (lang for lang in known if lang.tag.lower().split("-")[0] == primary), None
        )
        if found is not None:
            return found
    return ITALIAN


def _translations(kind: str, object_ids, language: GuideLanguage) -> dict:
    if language.code == ITALIAN.code or not object_ids:
        return {}
    rows = selectors.published_translations(kind=kind, object_ids=object_ids, language=language.code)
    return {(row.object_id, row.field): row for row in rows}


def _text(italian, row: Translation | None, language: GuideLanguage) -> tuple[str, str]:
    """(text, its ISO 639-3 language): the translation made from this Italian, else the Italian."""
    italian = italian if isinstance(italian, str) else ""
    if language.code != ITALIAN.code:
        translated = selectors.translated(italian, row)
        if translated is not None:
            return translated, language.code
    return italian, ITALIAN.code


def _coordinate(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def records(entries: list[ServiceAtLocation], *, language: GuideLanguage) -> list[dict]:
    """The HSDS service_at_location records of these published entries (with ``province``, ``published_category``
    and ``published_district`` read along), texts in ``language``. Three queries whatever their number: the
    organisations' ids, the entries' translations and the categories' (none of the two for Italian)."""
    services = _translations(Translation.Kind.SERVICE, [e.service_id for e in entries], language)
    terms = _translations(
        Translation.Kind.TAXONOMY_TERM,
        sorted({e.published_category_id for e in entries if e.published_category_id}),
        language,
    )
    organizations = selectors.organization_ids(
        names=[(e.province_id, (e.published or {}).get("organization") or "") for e in entries]
    )
    return [_record(entry, language, services, terms, organizations) for entry in entries]


def _record(entry: ServiceAtLocation, language: GuideLanguage, services: dict, terms: dict, organizations) -> dict:
    version = entry.published or {}
    service_id = str(entry.service_id)
    texts = {field: _text(version.get(field), services.get((service_id, field)), language) for field in _TEXTS}
    organization = version.get("organization") or ""
    service = {
        "id": service_id,
        **{field: text for field, (text, _code) in texts.items()},
        **{field: version.get(field) or "" for field in _PLAIN},
        "assured_date": version.get("assured_date") or None,
        "text_languages": {field: code for field, (_text_, code) in texts.items()},
        "organization": {"id": organizations.get((entry.province_id, organization)), "name": organization},
        "languages": [{"code": code} for code in version.get("languages") or [] if isinstance(code, str)],
        "attributes": [],
    }
    term = entry.published_category
    if term is not None:
        name, code = _text(term.name, terms.get((str(term.pk), "name")), language)
        service["attributes"].append(
            {
                "link_id": service_id,
                "link_type": "category",
                "link_entity": "service",
                "taxonomy_term": {
                    "id": str(term.pk),
                    "code": term.code,
                    "name": name,
                    "taxonomy": term.taxonomy,
                    "language": code,
                },
            }
        )
    accessibility = version.get("accessibility") or ""
    location = {
        "id": str(entry.location_id),
        "location_type": "physical",
        "latitude": _coordinate(version.get("latitude")),
        "longitude": _coordinate(version.get("longitude")),
        "transportation": version.get("transportation") or "",
        "addresses": [
            {
                "address_1": version.get("address_1") or "",
                "city": version.get("city") or "",
                "postal_code": version.get("postal_code") or "",
                "state_province": version.get("state_province") or "",
                # The portal's provinces are Italian: the published version does not repeat it.
                "country": "IT",
                "address_type": "physical",
            }
        ],
        "accessibility": [{"description": accessibility}] if accessibility else [],
    }
    district = entry.published_district
    return {
        "id": str(entry.pk),
        "service_id": service_id,
        "location_id": str(entry.location_id),
        "service": service,
        "location": location,
        "phones": [
            {"number": number, "type": kind, "description": note}
            for number, kind, note in (item[:3] for item in version.get("phones") or [] if len(item) >= 3)
        ],
        "schedules": [
            {"freq": "WEEKLY", "byday": byday, "opens_at": opens, "closes_at": closes, "description": note}
            for byday, opens, closes, note in (item[:4] for item in version.get("schedules") or [] if len(item) >= 4)
        ],
        "province": {"id": entry.province.pk, "slug": entry.province.slug, "name": entry.province.name},
        "district": {"id": district.pk, "name": district.name} if district is not None else None,
        "published_at": entry.published_at,
    }
