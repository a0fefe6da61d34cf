"""Demo mini-guide: a directory of services for families in the three Cremona districts and in Bergamo, published,
translated into Arabic, English, Chinese and Urdu, with one outdated translation, one entry awaiting review and one
translation task open for the demo mediator of Cremona.

Names of organisations are fictitious; phone numbers use the demo's 555 form (``+39 0372 555 0101``), except the
national emergency numbers, which a family must find as they are. Idempotent: every row has a fixed id (UUID 5 of
its key) and is updated in place.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from accounts.models import District, Province, User
from mediators.models import Mediator

from .models import (
    EntryChange,
    EntryState,
    GuideEdition,
    GuideText,
    Location,
    Organization,
    PageView,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceLanguage,
    TaxonomyTerm,
    Translation,
    TranslationTask,
    source_hash,
)
from .services import freeze_published_version, guide_labels_ensure, reference_data_seed

NAMESPACE = uuid.UUID("6f1c2a9e-3d4b-4c1a-9a57-0c2f3e6b8d10")
LANGUAGES = ["ara", "eng", "zho", "urd"]

# (province slug, district, city, postcode, abbreviation, phone prefix)
PLACES = [
    ("cremona", "Cremona", "Cremona", "26100", "CR", "0372"),
    ("cremona", "Crema", "Crema", "26013", "CR", "0373"),
    ("cremona", "Casalmaggiore", "Casalmaggiore", "26041", "CR", "0375"),
    ("bergamo", "Bergamo", "Bergamo", "24121", "BG", "035"),
]

# The centre of each town (WGS 84) and, per kind of service, a small step from it: plausible places for the map.
# The whole-province entries (telephone numbers) have none: they are only listed.
CENTRES = {
    "Cremona": ("45.133600", "10.022700"),
    "Crema": ("45.362300", "9.685300"),
    "Casalmaggiore": ("44.989000", "10.418000"),
    "Bergamo": ("45.698300", "9.677300"),
}
STEPS = [(-0.0041, 0.0052), (0.0023, -0.0038), (0.0047, 0.0031), (-0.0019, -0.0061), (0.0008, 0.0014),
         (-0.0055, -0.0012), (0.0036, 0.0069), (0.0061, -0.0017), (-0.0030, 0.0027), (0.0015, -0.0072)]  # fmt: skip


def _place(city: str, number: int) -> dict:
    latitude, longitude = CENTRES[city]
    step = STEPS[number % len(STEPS)]
    return {
        "latitude": (Decimal(latitude) + Decimal(str(step[0]))).quantize(Decimal("0.000001")),
        "longitude": (Decimal(longitude) + Decimal(str(step[1]))).quantize(Decimal("0.000001")),
    }


# key: (category, organisation, name, description, fees, eligibility, access, address, days/hours, languages)
KINDS = {
    "consultorio": ("consultorio-familiare", "ASST di {city}", "Consultorio familiare di {city}",
                    "Ostetriche, psicologi e assistenti sociali per gravidanza, contraccezione, sostegno ai genitori "
                    "e alle coppie. Si può chiedere un mediatore linguistico.",
                    "Gratuito", "Tutte le donne, le coppie e le famiglie, anche senza permesso di soggiorno",
                    "Su appuntamento, per telefono o di persona", "Via Belgiardino 8",
                    [("MO,TU,WE,TH,FR", "08:30", "12:30"), ("TU,TH", "14:00", "16:30")], ["ita", "eng", "ara"]),
    "pediatra": ("salute", "ASST di {city}", "Scelta del pediatra di libera scelta e del medico di base",
                 "Ufficio dove si sceglie il pediatra per i bambini fino a 14 anni e il medico di famiglia. "
                 "Portare tessera sanitaria o codice STP e documento.",
                 "Gratuito", "Chi è iscritto al Servizio sanitario nazionale", "Senza appuntamento",
                 "Via Dante 134", [("MO,WE,FR", "08:30", "12:00")], ["ita", "eng"]),
    "vaccini": ("salute", "ASST di {city}", "Centro vaccinale di {city}",
                "Vaccinazioni dei bambini e degli adulti. Il calendario delle vaccinazioni arriva per lettera; "
                "portare il libretto delle vaccinazioni del paese di origine.",
                "Gratuito per le vaccinazioni del calendario", "", "Su appuntamento", "Via San Sebastiano 14",
                [("TU,TH", "09:00", "12:30")], ["ita", "eng", "fra"]),
    "cpia": ("corsi-lingua", "CPIA {province}", "CPIA – corsi di italiano per adulti",
             "Corsi gratuiti di lingua italiana dal livello A1 al B1, di mattina e di sera, e test di italiano "
             "per il permesso di soggiorno di lungo periodo.",
             "Gratuito", "Adulti e ragazzi dai 16 anni", "Iscrizione in segreteria", "Via Palestro 31",
             [("MO,TU,WE,TH", "09:00", "12:00"), ("MO,WE", "18:00", "21:00")], ["ita", "eng", "ara", "zho"]),
    "sportello": ("legale-permesso", "Comune di {city}", "Sportello stranieri del Comune di {city}",
                  "Informazioni su permesso di soggiorno, ricongiungimento familiare, cittadinanza e residenza; "
                  "aiuto a compilare i moduli.",
                  "Gratuito", "", "Su appuntamento", "Piazza del Comune 5",
                  [("TU", "09:00", "12:30"), ("TH", "14:30", "17:30")], ["ita", "eng", "ara", "urd", "fra"]),
    "legale": ("legale-permesso", "Associazione Diritti in Rete {city}", "Consulenza legale gratuita per stranieri",
               "Avvocati volontari rispondono su permesso di soggiorno, lavoro, casa e separazione.",
               "Gratuito", "", "Su appuntamento", "Via Mazzini 21", [("SA", "09:30", "12:00")], ["ita", "eng", "fra"]),
    "impiego": ("lavoro", "Provincia di {province}", "Centro per l'impiego di {city}",
                "Iscrizione come disoccupati, offerte di lavoro, orientamento, tirocini e corsi di formazione.",
                "Gratuito", "Chi cerca lavoro, anche con permesso di soggiorno per richiesta asilo",
                "Senza appuntamento al mattino", "Via Cesari 7", [("MO,TU,WE,TH,FR", "09:00", "12:30")],
                ["ita", "eng"]),
    "scuola": ("scuola-infanzia", "Comune di {city}", "Ufficio scuola: iscrizioni a nido e scuola dell'infanzia",
               "Iscrizioni al nido (0-3 anni) e alla scuola dell'infanzia (3-6 anni), mensa e trasporto scolastico. "
               "Le iscrizioni sono a gennaio.",
               "Tariffa secondo l'ISEE", "Famiglie residenti", "Su appuntamento", "Via Aselli 13",
               [("MO,WE", "09:00", "12:00")], ["ita"]),
    "doposcuola": ("scuola-infanzia", "Cooperativa Il Ponte {city}", "Doposcuola e aiuto compiti",
                   "Aiuto compiti per bambini e ragazzi della primaria e della media, con volontari e mediatori.",
                   "Gratuito", "Bambini e ragazzi dai 6 ai 14 anni", "Iscrizione con un genitore",
                   "Via Giordano 40", [("MO,WE,FR", "14:30", "17:00")], ["ita", "ara", "urd"]),
    "famiglie": ("associazioni", "Associazione Mondo Insieme {city}", "Centro per le famiglie e spazio gioco",
                 "Spazio gioco per bambini da 0 a 6 anni con i genitori, incontri tra mamme, feste e laboratori.",
                 "Gratuito", "Genitori con bambini piccoli", "Entrata libera", "Via Bissolati 62",
                 [("TU,TH", "16:00", "18:30"), ("SA", "10:00", "12:00")], ["ita", "ara", "zho", "urd"]),
}  # fmt: skip

# Whole-province entries: (key, name, description, number, days/hours)
EMERGENCY = [
    ("112", "Numero unico di emergenza 112",
     "Per ogni emergenza: ambulanza, vigili del fuoco, carabinieri e polizia. Gratuito, anche senza credito. "
     "Si può chiedere un interprete.", "112"),
    ("guardia-medica", "Continuità assistenziale (ex guardia medica)",
     "Un medico di notte, nei fine settimana e nei giorni festivi, quando il medico di base non c'è.", "116117"),
    ("1522", "1522 – numero antiviolenza e stalking",
     "Aiuto per donne che subiscono violenza, 24 ore su 24, anche in arabo, inglese, francese e altre lingue.", "1522"),
]  # fmt: skip


# The demo's translations (short ones, written for the demo): names and descriptions of each kind of service by
# language ({city} stays as written), category names in LANGUAGES' order, the introduction by language.
_TEXTS = json.loads((Path(__file__).parent / "demo_texts.json").read_text(encoding="utf-8"))
TRANSLATIONS, CATEGORY_NAMES, INTRODUCTION = _TEXTS["translations"], _TEXTS["category_names"], _TEXTS["introduction"]
# The labels of the public pages and the booklet (guide.labels), in LANGUAGES' order.
LABEL_TEXTS = _TEXTS["labels"]

# The entry whose Arabic is outdated (its Italian changed after the translation) and the one awaiting review.
OUTDATED = ("cremona", "Cremona", "consultorio")
AWAITING_REVIEW = ("bergamo", "Bergamo", "doposcuola")


def _id(*parts) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(parts))


def _upsert(model, pk, **fields):
    row, _created = model.objects.update_or_create(pk=pk, defaults=fields)
    return row


def _clock(value: str) -> time:
    return time.fromisoformat(value)


def _entry(*, key, province, district, organization, name, category, texts, address, hours, phones, languages, assured):
    organization_row = _upsert(Organization, _id("org", province.slug, organization), province=province,
                               name=organization)  # fmt: skip
    service = _upsert(
        Service,
        _id("service", key),
        organization=organization_row,
        name=name,
        category=TaxonomyTerm.objects.get(code=category),
        **texts,
    )
    location = _upsert(Location, _id("location", key), organization=organization_row, **address)
    entry = ServiceAtLocation.objects.filter(pk=_id("entry", key)).first()
    if entry is None:
        entry = ServiceAtLocation.objects.create(
            pk=_id("entry", key), service=service, location=location, province=province, district=district,
            assured_date=assured,
        )  # fmt: skip
    entry.assured_date = assured
    entry.phones.all().delete()
    Phone.objects.bulk_create([Phone(entry=entry, number=n, description=d) for n, d in phones])
    entry.schedules.all().delete()
    Schedule.objects.bulk_create(
        [Schedule(entry=entry, byday=d, opens_at=_clock(o), closes_at=_clock(c)) for d, o, c in hours]
    )
    entry.languages.all().delete()
    ServiceLanguage.objects.bulk_create([ServiceLanguage(entry=entry, code=c) for c in languages])
    if not entry.changes.exists():
        EntryChange.objects.create(entry=entry, action=EntryChange.Action.CREATED, changes={"name": [None, name]})
    return entry


class _Translations:
    """The demo's translations, written together: one query reads the ones already there, then one bulk update of
    those that differ and one bulk insert of the missing: the rows update_or_create one by one would leave, in about
    2,400 fewer round trips (and none written when the demo is loaded again the same day)."""

    def __init__(self):
        self.wanted: dict[tuple[str, str, str, str], dict] = {}
        # Approved three weeks before the demo was built, at 9:00: the report of the last quarter counts them. A time
        # of the day, not of the second, so that loading the demo again the same day changes no row.
        approved_on = timezone.localdate() - timedelta(days=21)
        self.approved_at = timezone.make_aware(datetime.combine(approved_on, time(9, 0)))

    def add(self, kind: str, object_id, field: str, language: str, text: str, source: str, *, outdated=False):
        self.wanted[(kind, str(object_id), field, language)] = {
            "text": text,
            # The outdated one was made from an earlier Italian, as a translation is when the source changes.
            "source_hash": source_hash(source + (" (versione precedente)" if outdated else "")),
            "status": Translation.Status.OUTDATED if outdated else Translation.Status.APPROVED,
            "approved_at": self.approved_at,
        }

    def save(self) -> None:
        now = timezone.now()
        existing = Translation.objects.filter(
            object_kind__in={key[0] for key in self.wanted}, object_id__in={key[1] for key in self.wanted}
        )
        changed, kept = [], set()
        for row in existing:
            values = self.wanted.get((row.object_kind, row.object_id, row.field, row.language))
            if values is None:
                continue
            kept.add((row.object_kind, row.object_id, row.field, row.language))
            if any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                row.updated_at = now
                changed.append(row)
        fields = ["text", "source_hash", "status", "approved_at", "updated_at"]
        Translation.objects.bulk_update(changed, fields, batch_size=500)
        Translation.objects.bulk_create(
            [
                Translation(object_kind=kind, object_id=object_id, field=field, language=language, **values)
                for (kind, object_id, field, language), values in self.wanted.items()
                if (kind, object_id, field, language) not in kept
            ],
            batch_size=500,
        )
        self.wanted.clear()


@transaction.atomic
def build() -> dict[str, ServiceAtLocation]:
    """The demo guide. Needs the organisations and mediators of the accounts and mediators builders."""
    reference_data_seed()
    today = timezone.localdate()
    built = {}
    translations = _Translations()
    provinces = {p.slug: p for p in Province.objects.filter(slug__in=["cremona", "bergamo"])}
    for index, (slug, district_name, city, postcode, abbreviation, prefix) in enumerate(PLACES):
        province = provinces[slug]
        district = District.objects.get(province=province, name=district_name)
        for number, (kind, spec) in enumerate(KINDS.items()):
            category, organization, name, description, fees, eligibility, access, street, hours, languages = spec
            key = f"{slug}/{district_name}/{kind}"
            # Most were checked this year; the Casalmaggiore ones over a year ago (the district is told to call).
            assured = today - timedelta(days=400 if district_name == "Casalmaggiore" else 30 + number * 7)
            entry = _entry(
                key=key,
                province=province,
                district=district,
                organization=organization.format(city=city, province=province.name.split()[-1]),
                name=name.format(city=city),
                category=category,
                texts={
                    "description": description,
                    "fees_description": fees,
                    "eligibility_description": eligibility,
                    "application_process": access,
                },  # fmt: skip
                address={
                    "address_1": street,
                    "city": city,
                    "postal_code": postcode,
                    "state_province": abbreviation,
                    **_place(city, number),
                },
                hours=hours,
                phones=[(f"+39 {prefix} 555 {index + 1}{number:03d}", "")],
                languages=languages,
                assured=assured,
            )
            built[key] = (entry, kind, city)
        for number, (kind, name, description, phone) in enumerate(EMERGENCY if index in (0, 3) else []):
            key = f"{slug}/provincia/{kind}"
            entry = _entry(
                key=key,
                province=province,
                district=None,
                organization="Servizio sanitario regionale" if kind == "guardia-medica" else "Numero nazionale",
                name=name,
                category="emergenza",
                texts={
                    "description": description,
                    "fees_description": "Gratuito",
                    "eligibility_description": "",
                    "application_process": "Telefonare",
                },  # fmt: skip
                address={"address_1": "Numero telefonico", "city": province.name.split()[-1]},
                hours=[("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59")],
                phones=[(phone, "")],
                languages=["ita", "eng"],
                assured=today - timedelta(days=10 + number),
            )
            built[key] = (entry, kind, "")
    for key, (entry, kind, city) in built.items():
        awaiting = tuple(key.split("/")) == AWAITING_REVIEW
        if awaiting:
            entry.state, entry.is_public, entry.published = EntryState.SUBMITTED, False, None
            entry.published_name = entry.published_description = ""
            entry.save()
        else:
            freeze_published_version(entry)
            entry.save()
        service = entry.service
        for position, language in enumerate(LANGUAGES):
            name, description = TRANSLATIONS[kind][language]
            translations.add("service", service.pk, "name", language, name.format(city=city), service.name)
            translations.add(
                "service", service.pk, "description", language, description, service.description,
                outdated=tuple(key.split("/")) == OUTDATED and position == 0,
            )  # fmt: skip
    for term in TaxonomyTerm.objects.all():
        for language, name in zip(LANGUAGES, CATEGORY_NAMES.get(term.code, ()), strict=False):
            translations.add("taxonomy_term", term.pk, "name", language, name, term.name)
    for province in provinces.values():
        title, text = INTRODUCTION["ita"]
        intro, _created = GuideText.objects.update_or_create(
            province=province, key="introduction", defaults={"title": title, "text": text}
        )
        for language in LANGUAGES:
            translations.add("guide_text", intro.pk, "title", language, INTRODUCTION[language][0], title)
            translations.add("guide_text", intro.pk, "text", language, INTRODUCTION[language][1], text)
        guide_labels_ensure(province_id=province.pk)
        for label in GuideText.objects.filter(province=province, key__in=LABEL_TEXTS):
            for language, translated in zip(LANGUAGES, LABEL_TEXTS[label.key], strict=True):
                translations.add("guide_text", label.pk, "title", language, translated, label.title)
    translations.save()
    _tasks(built, today)
    _page_views(provinces.values(), today)
    return {key: entry for key, (entry, _kind, _city) in built.items()}


# Views a month of the demo guide, by language: Italian first, then the languages of the families of the demo.
MONTHLY_VIEWS = {"ita": 420, "ara": 95, "urd": 41, "eng": 37, "zho": 18, "fra": 9, "ukr": 2}


def _page_views(provinces, today: date) -> None:
    """The counters of the last six months (the current one so far), a little more each month."""
    month = today.replace(day=1)
    for back in range(6):
        first = month
        for _ in range(back):
            first = (first - timedelta(days=1)).replace(day=1)
        for province in provinces:
            share = 1.0 if province.slug == "cremona" else 0.6
            for language, views in MONTHLY_VIEWS.items():
                PageView.objects.update_or_create(
                    province=province,
                    language=language,
                    month=first,
                    defaults={"views": int(views * share * (1 - back * 0.08))},
                )


def _tasks(built, today: date) -> None:
    """An open task for the demo mediator of Cremona (Arabic): the consultorio whose Arabic is outdated."""
    amina = Mediator.objects.filter(user__email="mediatore.cremona@example.org").first()
    coordinator = User.objects.filter(email="coordinatore.cremona@example.org").first()
    if amina is None:
        return
    entry = built["/".join(OUTDATED)][0]
    TranslationTask.objects.update_or_create(
        entry=entry,
        language="ara",
        translator=amina,
        defaults={
            "province": entry.province,
            "district": entry.district,
            "deadline": today + timedelta(days=14),
            "status": TranslationTask.Status.OPEN,
            "note": "La descrizione è cambiata: aggiornare l'arabo.",
            "requested_by": coordinator,
        },
    )


# The printed booklets of the district of Cremona in Arabic and Italian, as the province would hand them out.
EDITIONS = [("Cremona", "ara"), ("Cremona", "ita")]


def build_editions() -> list[GuideEdition]:
    """Two built editions of the booklet (a second or two each, whatever the broker: built here, not queued). Kept
    when already built and their file is there; built again otherwise."""
    from .services import edition_build

    province = Province.objects.filter(slug="cremona").first()
    if province is None:
        return []
    staff = User.objects.filter(email="provincia.cremona@example.org").first()
    editions = []
    for district_name, language in EDITIONS:
        district = District.objects.get(province=province, name=district_name)
        edition, _created = GuideEdition.objects.get_or_create(
            pk=_id("edition", province.slug, district_name, language),
            defaults={"province": province, "district": district, "language": language, "built_by": staff},
        )
        ready = (
            edition.status == GuideEdition.Status.DONE
            and edition.file
            and edition.file.storage.exists(edition.file.name)
        )
        if not ready:
            GuideEdition.objects.filter(pk=edition.pk).update(
                status=GuideEdition.Status.QUEUED, attempts=0, file="", error=""
            )
            edition_build(edition_id=edition.pk)
            edition.refresh_from_db()
        editions.append(edition)
    return editions
