"""Demo roster: mediators of the two demo providers (Cremona and Bergamo), with languages, availability and training.

Idempotent: mediators are keyed on their e-mail address, and each one's child rows (languages, countries, trainings,
qualifications, weekly slots, absences) are brought to a fixed list, keeping the rows already right. Dates that must
stay "current" in a demo (absences in progress, qualifications about to expire) are counted from today, so running
it twice on the same day gives exactly the same rows; on a later day those few rows move with the calendar.
"""

from __future__ import annotations

import unicodedata
from datetime import date, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_DOMAIN, PROVINCES, demo_email
from accounts.models import District, Provider, User

from .models import LanguageLevel, Mediator

MT, FL, WK = LanguageLevel.MOTHER_TONGUE, LanguageLevel.FLUENT, LanguageLevel.WORKING
DARIJA, EGYPTIAN, TUNISIAN = "Darija marocchina", "egiziano", "tunisino"
WENZHOU, MANDARIN = "Wenzhounese (wenzhouhua)", "mandarino (putonghua)"

# Settings of experience: C child protection, J judicial measures, S school, H health, B basic social service.
SETTING_LETTERS = {
    "C": "exp_child_protection",
    "J": "exp_judicial",
    "S": "exp_school",
    "H": "exp_health",
    "B": "exp_basic_social_service",
}
# Modes: P in person, T phone, V video call.
MODE_LETTERS = {"P": "mode_in_person", "T": "mode_phone", "V": "mode_video"}

CULTURAL_AREAS = {
    "MA": "Maghreb",
    "TN": "Maghreb",
    "DZ": "Maghreb",
    "EG": "Egitto e Medio Oriente",
    "SY": "Medio Oriente",
    "CN": "Cina",
    "PK": "Subcontinente indiano",
    "IN": "Subcontinente indiano",
    "BD": "Subcontinente indiano",
    "AL": "Balcani",
    "MK": "Balcani",
    "RO": "Europa orientale",
    "MD": "Europa orientale",
    "UA": "Europa orientale",
    "RU": "Europa orientale",
    "BY": "Europa orientale",
    "KZ": "Asia centrale",
    "SN": "Africa occidentale",
    "ML": "Africa occidentale",
    "BF": "Africa occidentale",
    "GH": "Africa occidentale",
    "NG": "Africa occidentale",
    "CI": "Africa occidentale",
    "GM": "Africa occidentale",
    "ER": "Corno d'Africa",
    "ET": "Corno d'Africa",
    "BO": "America Latina",
    "PE": "America Latina",
    "EC": "America Latina",
    "CD": "Africa centrale",
    "CM": "Africa centrale",
}

# (first name, last name, gender, province slug, districts served, languages (code, variant, level, writes),
#  countries, settings, modes, active, coordinators' notes, demo user). The first district is the main one.
MEDIATORS = [
    # --- Cremona: Cooperativa Sociale Ponti di Parole --------------------------------------------------------------
    (
        "Amina", "El Idrissi", "female", "cremona", ["Cremona"],
        [("ara", DARIJA, MT, True), ("fra", "", FL, True)], ["MA"], "CSHB", "PTV", True,
        "Referente per le famiglie marocchine seguite dal Servizio Tutela Minori.", "mediatore.cremona",
    ),
    (
        "Youssef", "Benali", "male", "cremona", ["Cremona", "Casalmaggiore"],
        [("ara", DARIJA, MT, False), ("fra", "", FL, False)], ["MA", "DZ"], "CJB", "PT", True, "", None,
    ),
    (
        "Fatima Zahra", "Ouahbi", "female", "cremona", ["Cremona"],
        [("ara", DARIJA, MT, True), ("zgh", "", WK, False)], ["MA"], "CSH", "PV", True,
        "Disponibile anche per incontri protetti il sabato mattina.", None,
    ),
    (
        "Mohamed", "Abdelrahman", "male", "cremona", ["Cremona", "Crema"],
        [("ara", EGYPTIAN, MT, True), ("eng", "", FL, True)], ["EG"], "CJ", "PTV", True, "", None,
    ),
    (
        "Samira", "Trabelsi", "female", "cremona", ["Cremona"],
        [("ara", TUNISIAN, MT, False), ("fra", "", FL, True)], ["TN"], "CHB", "PT", True, "", None,
    ),
    (
        "Karim", "Haddad", "male", "cremona", ["Cremona"],
        [("ara", "siriano", MT, True), ("eng", "", WK, False)], ["SY"], "CB", "PT", False,
        "In aspettativa: non assegnare fino a nuova comunicazione della cooperativa.", None,
    ),
    (
        "Ahmed", "Mansour", "male", "cremona", ["Casalmaggiore"],
        [("ara", EGYPTIAN, MT, False)], ["EG"], "CB", "P", True, "", None,
    ),
    (
        "Wei", "Zhang", "female", "cremona", ["Crema"],
        [("zho", WENZHOU, MT, True), ("zho", MANDARIN, FL, True)], ["CN"], "CSB", "PTV", True,
        "Segue le famiglie della comunità cinese del Cremasco, anche per la scuola.", "mediatore.crema",
    ),
    (
        "Li Hua", "Chen", "female", "cremona", ["Cremona", "Crema"],
        [("zho", MANDARIN, MT, True), ("zho", WENZHOU, FL, False)], ["CN"], "CS", "PV", True, "", None,
    ),
    (
        "Muhammad", "Asif", "male", "cremona", ["Cremona", "Crema"],
        [("urd", "", MT, True), ("pan", "shahmukhi", FL, False), ("hin", "", WK, False)], ["PK"], "CJB", "PT",
        True, "", None,
    ),
    (
        "Gurpreet", "Kaur", "female", "cremona", ["Cremona", "Casalmaggiore"],
        [("pan", "gurmukhi", MT, True), ("hin", "", FL, False), ("eng", "", FL, False)], ["IN"], "CSH", "PTV",
        True, "Molto richiesta dalle famiglie sikh delle aziende agricole del Casalasco.", None,
    ),
    (
        "Harjit", "Singh", "male", "cremona", ["Casalmaggiore"],
        [("pan", "gurmukhi", MT, False), ("hin", "", FL, False)], ["IN"], "CB", "PT", True, "", None,
    ),
    (
        "Rahim", "Uddin", "male", "cremona", ["Crema"],
        [("ben", "", MT, True), ("eng", "", FL, True)], ["BD"], "CSB", "PTV", True, "", None,
    ),
    (
        "Elira", "Hoxha", "female", "cremona", ["Crema", "Cremona"],
        [("sqi", "", MT, True)], ["AL", "MK"], "CJS", "PV", True, "", None,
    ),
    (
        "Andreea", "Popescu", "female", "cremona", ["Cremona", "Casalmaggiore"],
        [("ron", "", MT, True)], ["RO", "MD"], "CHB", "PT", True, "", None,
    ),
    (
        "Irina", "Moraru", "female", "cremona", ["Crema"],
        [("ron", "", MT, False), ("rus", "", FL, False)], ["MD"], "CB", "PTV", True, "", None,
    ),
    (
        "Aminata", "Diop", "female", "cremona", ["Cremona"],
        [("wol", "", MT, False), ("fra", "", FL, True)], ["SN", "GM"], "CSH", "PT", True, "", None,
    ),
    (
        "Moussa", "Traoré", "male", "cremona", ["Crema", "Cremona"],
        [("bam", "", MT, False), ("fra", "", FL, True)], ["ML", "BF"], "CJ", "PT", True, "", None,
    ),
    (
        "Grace", "Mensah", "female", "cremona", ["Cremona"],
        [("twi", "", MT, False), ("eng", "", FL, True), ("pcm", "", WK, False)], ["GH"], "CHB", "PTV", True,
        "", None,
    ),
    (
        "Chinedu", "Okafor", "male", "cremona", ["Casalmaggiore", "Cremona"],
        [("ibo", "", MT, False), ("eng", "", FL, True), ("pcm", "", FL, False)], ["NG"], "CJB", "PT", True,
        "", None,
    ),
    (
        "Nadia", "Benjelloun", "female", "cremona", ["Crema"],
        [("ara", DARIJA, MT, True), ("fra", "", FL, True)], ["MA"], "CSB", "PTV", True, "", None,
    ),
    (
        "Olena", "Shevchenko", "female", "cremona", ["Cremona"],
        [("ukr", "", MT, True), ("rus", "", FL, False)], ["UA"], "CSH", "PV", True, "", None,
    ),
    (
        "Lucía", "Fernández", "female", "cremona", ["Cremona", "Crema"],
        [("spa", "", MT, True), ("por", "", FL, False)], ["PE", "EC"], "CSB", "PTV", True, "", None,
    ),
    # --- Bergamo: Cooperativa Sociale Connecting ---------------------------------------------------------------------
    (
        "Oksana", "Kovalenko", "female", "bergamo", ["Bergamo"],
        [("ukr", "", MT, True), ("rus", "", FL, True)], ["UA", "RU"], "CJH", "PTV", True,
        "Esperienza con l'accoglienza dei minori ucraini dal 2022.", "mediatore.bergamo",
    ),
    (
        "Dmitri", "Volkov", "male", "bergamo", ["Bergamo", "Seriate"],
        [("rus", "", MT, True), ("ukr", "", WK, False)], ["RU", "BY"], "CJ", "PT", True, "", None,
    ),
    (
        "Natalia", "Ivanova", "female", "bergamo", ["Dalmine"],
        [("rus", "", MT, False)], ["RU", "KZ"], "CHB", "PTV", True, "", None,
    ),
    (
        "Khadija", "Amrani", "female", "bergamo", ["Bergamo"],
        [("ara", DARIJA, MT, True), ("fra", "", FL, False)], ["MA"], "CSHB", "PTV", True, "", None,
    ),
    (
        "Rachid", "Bouzid", "male", "bergamo", ["Dalmine", "Treviglio"],
        [("ara", DARIJA, MT, False), ("tzm", "", MT, False), ("fra", "", FL, False)], ["MA"], "CJB", "PT", True,
        "", None,
    ),
    (
        "Mona", "Saleh", "female", "bergamo", ["Seriate"],
        [("ara", EGYPTIAN, MT, True), ("eng", "", FL, True)], ["EG"], "CSH", "PV", True, "", None,
    ),
    (
        "Ibrahima", "Ndiaye", "male", "bergamo", ["Bergamo", "Treviglio"],
        [("wol", "", MT, False), ("fra", "", FL, True)], ["SN"], "CJB", "PT", True,
        "Conosce bene la rete delle associazioni senegalesi della bergamasca.", None,
    ),
    (
        "Fatou", "Sow", "female", "bergamo", ["Seriate", "Dalmine"],
        [("wol", "", MT, False), ("fra", "", FL, False), ("ful", "", WK, False)], ["SN", "GM"], "CSH", "PTV",
        True, "", None,
    ),
    (
        "Senait", "Tesfaye", "female", "bergamo", ["Bergamo"],
        [("tir", "", MT, True), ("amh", "", FL, False), ("eng", "", WK, False)], ["ER", "ET"], "CJH", "PTV", True,
        "", None,
    ),
    (
        "Yonas", "Haile", "male", "bergamo", ["Treviglio"],
        [("tir", "", MT, False), ("ara", "", WK, False)], ["ER"], "CB", "PT", True, "", None,
    ),
    (
        "Abena", "Owusu", "female", "bergamo", ["Bergamo", "Dalmine"],
        [("twi", "", MT, False), ("eng", "", FL, True)], ["GH"], "CSB", "PTV", True, "", None,
    ),
    (
        "Blessing", "Eze", "female", "bergamo", ["Treviglio", "Bergamo"],
        [("ibo", "", MT, False), ("eng", "", FL, True), ("pcm", "", FL, False)], ["NG"], "CJH", "PT", True,
        "", None,
    ),
    (
        "Rosa", "Mamani Quispe", "female", "bergamo", ["Bergamo"],
        [("spa", "", MT, True), ("que", "", FL, False)], ["BO", "PE"], "CSHB", "PTV", True,
        "Punto di riferimento per la comunità boliviana di Bergamo.", None,
    ),
    (
        "Carlos", "Rojas", "male", "bergamo", ["Seriate"],
        [("spa", "", MT, False)], ["BO", "EC"], "CJ", "PT", True, "", None,
    ),
    (
        "Arben", "Kola", "male", "bergamo", ["Dalmine"],
        [("sqi", "", MT, True)], ["AL"], "CJB", "PT", True, "", None,
    ),
    (
        "Mihaela", "Ionescu", "female", "bergamo", ["Treviglio", "Seriate"],
        [("ron", "", MT, True)], ["RO"], "CSB", "PTV", True, "", None,
    ),
    (
        "Imran", "Qureshi", "male", "bergamo", ["Bergamo", "Dalmine"],
        [("urd", "", MT, True), ("pan", "shahmukhi", FL, False), ("eng", "", FL, True)], ["PK"], "CJH", "PTV",
        True, "", None,
    ),
    (
        "Priya", "Sharma", "female", "bergamo", ["Treviglio"],
        [("hin", "", MT, True), ("pan", "gurmukhi", FL, False), ("eng", "", FL, True)], ["IN"], "CSH", "PV", True,
        "", None,
    ),
    (
        "Shahidul", "Islam", "male", "bergamo", ["Bergamo"],
        [("ben", "", MT, False), ("eng", "", FL, False)], ["BD"], "CB", "PT", False,
        "Ha lasciato la cooperativa a fine anno; profilo tenuto per lo storico degli interventi.", None,
    ),
    (
        "Xiaoling", "Hu", "female", "bergamo", ["Bergamo", "Seriate"],
        [("zho", WENZHOU, MT, False), ("zho", MANDARIN, FL, True)], ["CN"], "CSB", "PTV", True, "", None,
    ),
    (
        "Joy", "Adebayo", "female", "bergamo", ["Dalmine"],
        [("yor", "", MT, False), ("eng", "", FL, True)], ["NG"], "CHB", "PT", True, "", None,
    ),
    (
        "Jean-Baptiste", "Kaboré", "male", "bergamo", ["Seriate"],
        [("mos", "", MT, False), ("fra", "", FL, True)], ["BF", "CI"], "CJ", "PTV", True, "", None,
    ),
    (
        "Marie-Claire", "Mbala", "female", "bergamo", ["Treviglio"],
        [("fra", "", MT, True), ("lin", "", FL, False)], ["CD", "CM"], "CSB", "PV", False, "", None,
    ),
]  # fmt: skip

HOURLY_RATES = ["18.00", "19.50", "20.00", "21.00", "22.00", "22.50", "23.00", "25.00"]
TRAVEL_RATES = ["0.30", "0.35", "0.40", "0.45"]
MAX_WEEKLY_HOURS = [10, 15, 20, 25, 30, 36]

# Weekly patterns (weekday 0 = Monday, local time in Europe/Rome).
SLOT_PATTERNS = [
    [(0, "09:00", "13:00"), (2, "09:00", "13:00"), (4, "14:00", "18:00")],
    [(1, "08:30", "12:30"), (3, "14:00", "18:00")],
    [(0, "14:00", "18:00"), (1, "14:00", "18:00"), (2, "14:00", "18:00"), (3, "14:00", "18:00")],
    [(day, "09:00", "13:00") for day in range(5)],
    [(2, "09:00", "17:00"), (5, "09:00", "12:00")],
    [(1, "09:00", "13:00"), (3, "09:00", "13:00"), (4, "09:00", "13:00")],
    [(0, "08:00", "12:00"), (3, "15:00", "19:00")],
]

# (title, organised by, date, hours)
TRAININGS = [
    ("Mediazione linguistico-culturale nei servizi di tutela minori", "PoliS-Lombardia", date(2024, 3, 15), "16"),
    ("La mediazione nei procedimenti del Tribunale per i minorenni", "Ordine Assistenti Sociali Lombardia",
     date(2023, 11, 10), "8"),
    ("Interpretariato telefonico e in videochiamata", "Università degli Studi di Bergamo", date(2025, 1, 24), "6"),
    ("Violenza di genere e mediazione culturale", "Rete antiviolenza provinciale", date(2024, 5, 20), "12"),
    ("Etica e deontologia del mediatore", "Università degli Studi di Bergamo", date(2022, 10, 5), "20"),
    ("Colloqui scuola-famiglia con alunni neoarrivati", "Ufficio Scolastico Territoriale", date(2023, 9, 12), "6"),
    ("Salute mentale e migrazione: l'approccio etnoclinico", "ASST di Cremona", date(2024, 9, 27), "10"),
    ("Riservatezza e protezione dei dati nei servizi sociali", "Provincia di Cremona", date(2025, 2, 18), "4"),
    ("Traduzione scritta di atti e documenti per i servizi", "Università degli Studi di Pavia",
     date(2023, 4, 14), "12"),
    ("Incontri protetti e diritto di visita", "ATS della Val Padana", date(2025, 6, 9), "8"),
]  # fmt: skip

BASIC_QUALIFICATION = ("Attestato di mediatore linguistico-culturale", "Regione Lombardia")
SAFETY_QUALIFICATION = "Formazione sulla sicurezza sul lavoro (D.Lgs. 81/2008)"
# Mediator index → days from today to the expiry of the safety training; a few due soon, one already expired.
SAFETY_EXPIRY_DAYS = {1: 6, 4: 13, 9: 21, 26: 27, 30: -12}


def mediator_email(first: str, last: str) -> str:
    name = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return f"{ascii_name}@{DEMO_DOMAIN}"


def _hm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _sync(manager, wanted: list[dict], *, rows=None) -> None:
    """Make a mediator's child rows (``rows``: those the demo manages, all of them by default) exactly ``wanted``:
    keep the equal rows, delete the others, add the missing."""
    rows = manager.all() if rows is None else rows
    kept: set[int] = set()
    missing = []
    for spec in wanted:
        row = rows.filter(**spec).exclude(pk__in=kept).first()
        if row is None:
            missing.append(spec)
        else:
            kept.add(row.pk)
    rows.exclude(pk__in=kept).delete()
    for spec in missing:
        manager.create(**spec)


def _child_rows(index: int, spec: tuple, today: date, provider: Provider) -> dict[str, list[dict]]:
    _first, _last, _gender, _slug, _districts, languages, countries, _settings, _modes, active, _notes, _user = spec
    rows: dict[str, list[dict]] = {}
    rows["languages"] = [
        {"code": code, "variant": variant, "level": level, "written_translation": writes}
        for code, variant, level, writes in languages
    ]
    rows["countries"] = [{"code": code} for code in countries]
    rows["slots"] = [
        {"weekday": day, "start_time": _hm(start), "end_time": _hm(end)}
        for day, start, end in SLOT_PATTERNS[index % len(SLOT_PATTERNS)]
    ]
    # Most mediators attended one to three courses; every fifth none yet.
    rows["trainings"] = (
        []
        if index % 5 == 4
        else [
            {"title": title, "body": body, "date": day, "hours": Decimal(hours)}
            for title, body, day, hours in (
                TRAININGS[(index + step * 3) % len(TRAININGS)] for step in range(1 + index % 3)
            )
        ]
    )
    qualifications = [
        {
            "title": BASIC_QUALIFICATION[0],
            "issued_by": BASIC_QUALIFICATION[1],
            "issued_on": date(2015 + index % 9, 1 + index % 12, 10),
            "expires_on": None,
        }
    ]
    if index % 2 == 0 or index in SAFETY_EXPIRY_DAYS:
        expires = today + timedelta(days=SAFETY_EXPIRY_DAYS.get(index, 180 + (index * 47) % 900))
        qualifications.append(
            {
                "title": SAFETY_QUALIFICATION,
                "issued_by": provider.name,
                "issued_on": expires - timedelta(days=5 * 365),
                "expires_on": expires,
            }
        )
    if any(writes for *_rest, writes in languages):
        qualifications.append(
            {
                "title": "Iscrizione all'albo dei periti e traduttori del Tribunale",
                "issued_by": f"Tribunale di {'Cremona' if provider.province.slug == 'cremona' else 'Bergamo'}",
                "issued_on": date(2018 + index % 6, 6, 1),
                "expires_on": None,
            }
        )
    rows["qualifications"] = qualifications
    absences = []
    if active and index % 6 == 2:
        absences.append(
            {"start_date": today - timedelta(days=3), "end_date": today + timedelta(days=4), "reason": "Ferie"}
        )
    if active and index % 6 == 4:
        absences.append(
            {"start_date": today + timedelta(days=14), "end_date": today + timedelta(days=18), "reason": "Corso"}
        )
    if index % 9 == 0:
        absences.append(
            {
                "start_date": today - timedelta(days=40),
                "end_date": today - timedelta(days=33),
                "reason": "Motivi familiari",
            }
        )
    if not active:
        absences.append(
            {"start_date": today - timedelta(days=60), "end_date": today + timedelta(days=120), "reason": ""}
        )
    rows["absences"] = absences
    return rows


@transaction.atomic
def build() -> dict[str, Mediator]:
    """The demo mediators, by e-mail. Needs the organisations and users of :func:`accounts.demo.build`."""
    today = timezone.localdate()
    providers = {
        slug: Provider.objects.select_related("province").get(province__slug=slug, name=spec["provider"])
        for slug, spec in PROVINCES.items()
    }
    districts = {
        (district.province.slug, district.name): district
        for district in District.objects.select_related("province").filter(province__slug__in=PROVINCES)
    }
    mediators: dict[str, Mediator] = {}
    for index, spec in enumerate(MEDIATORS):
        first, last, gender, slug, served, _languages, countries, settings, modes, active, notes, username = spec
        user = User.objects.get(email=demo_email(username)) if username else None
        email = user.email if user else mediator_email(first, last)
        areas = list(dict.fromkeys(CULTURAL_AREAS[code] for code in countries))
        defaults = {
            "user": user,
            "provider": providers[slug],
            "first_name": first,
            "last_name": last,
            "gender": gender,
            "phone": f"+39 3{index % 10}0 555 {index:04d}",
            "cultural_areas": ", ".join(areas),
            "max_weekly_hours": MAX_WEEKLY_HOURS[index % len(MAX_WEEKLY_HOURS)],
            "hourly_rate": Decimal(HOURLY_RATES[index % len(HOURLY_RATES)]),
            "travel_rate": Decimal(TRAVEL_RATES[index % len(TRAVEL_RATES)]),
            "is_active": active,
            "coordinator_notes": notes,
            **{field: letter in settings for letter, field in SETTING_LETTERS.items()},
            **{field: letter in modes for letter, field in MODE_LETTERS.items()},
        }
        defaults["email"] = email
        mediator = Mediator.objects.filter(email=email).first()
        if mediator is None and user is not None:
            # The demo user's profile may have been given another address in the portal: take it back.
            mediator = Mediator.objects.filter(user=user).first()
        if mediator is None:
            mediator = Mediator.objects.create(**defaults)
        elif any(getattr(mediator, field) != value for field, value in defaults.items()):
            # Saved only when something differs, so that a second run leaves even ``updated_at`` alone.
            for field, value in defaults.items():
                setattr(mediator, field, value)
            mediator.save()
        mediator.districts.set([districts[(slug, name)] for name in served])
        for relation, wanted in _child_rows(index, spec, today, providers[slug]).items():
            manager = getattr(mediator, relation)
            rows = manager.all()
            if relation == "trainings":
                # The demo's own courses only: a course the portal's training app certified (training/) stays.
                rows = rows.filter(title__in={title for title, _body, _day, _hours in TRAININGS})
            _sync(manager, wanted, rows=rows)
        mediators[email] = mediator
    return mediators
