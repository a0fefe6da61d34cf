"""The region's organisations and people: provinces, districts, offices, providers, funders, projects, rates, the
users of every role and the mediators with their languages, districts, availability and qualifications.

Organisations are a few hundred rows (the ORM); users and mediators are copied (bench.pgcopy). Names and choices
are drawn from a seeded random generator: the same seed gives the same region.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import District, Funder, Invitation, Membership, Office, Provider, Province, Role, User
from mediators.models import (
    Absence,
    AvailabilitySlot,
    Mediator,
    MediatorCountry,
    MediatorLanguage,
    Qualification,
    Training,
)
from reporting.models import Action, BudgetLine, Project, ProjectPartner, ReportJob
from sessions_app.models import EvaluationCriterion
from sessions_app.services import criteria_seed_defaults
from timesheets.models import Rate

from .pgcopy import Table

DOMAIN = "region.example.org"
PASSWORD = "mediazione-bench"  # noqa: S105 - the published password of the throwaway benchmark users
PROVINCES = [
    ("brescia", "Provincia di Brescia", ["Brescia", "Brescia Ovest", "Brescia Est", "Valle Trompia", "Sebino",
                                         "Monte Orfano", "Oglio Ovest", "Bassa Bresciana"]),
    ("como", "Provincia di Como", ["Como", "Cantù", "Erba", "Mariano Comense", "Olgiate Comasco", "Lomazzo",
                                   "Menaggio", "Dongo"]),
    ("lecco", "Provincia di Lecco", ["Lecco", "Merate", "Bellano", "Calolziocorte", "Valsassina", "Oggiono",
                                     "Casatenovo", "Mandello"]),
    ("mantova", "Provincia di Mantova", ["Mantova", "Asola", "Guidizzolo", "Ostiglia", "Suzzara", "Viadana",
                                         "Castiglione", "Sermide"]),
    ("pavia", "Provincia di Pavia", ["Pavia", "Vigevano", "Voghera", "Mortara", "Garlasco", "Broni", "Certosa",
                                     "Corteolona"]),
]  # fmt: skip
OFFICE_KINDS = [
    (Office.Kind.CHILD_PROTECTION, "Servizio Tutela Minori", 50),
    (Office.Kind.BASIC_SOCIAL_SERVICE, "Servizio Sociale di Base", 35),
    (Office.Kind.FAMILY_COUNSELLING, "Consultorio Familiare", 15),
]
SOCIAL_WORKERS_PER_OFFICE = 3
COORDINATORS_PER_DISTRICT = 2
STAFF_PER_PROVINCE = 2
# (code, weight, countries, variants)
LANGUAGES = [
    ("ara", 18, ["MA", "EG", "TN"], ["Darija", "egiziano", ""]),
    ("fra", 9, ["SN", "CI", "CM"], [""]),
    ("eng", 8, ["NG", "GH"], ["pidgin", ""]),
    ("ron", 6, ["RO"], [""]),
    ("urd", 6, ["PK"], [""]),
    ("sqi", 5, ["AL"], [""]),
    ("pan", 5, ["IN"], [""]),
    ("ben", 5, ["BD"], [""]),
    ("zho", 5, ["CN"], ["Wenzhounese", ""]),
    ("ukr", 5, ["UA"], [""]),
    ("spa", 4, ["PE", "EC"], [""]),
    ("wol", 4, ["SN"], [""]),
    ("rus", 3, ["UA", "RU"], [""]),
    ("tir", 3, ["ER"], [""]),
    ("som", 3, ["SO"], [""]),
    ("pus", 3, ["AF"], [""]),
    ("ary", 3, ["MA"], [""]),
    ("tur", 2, ["TR"], [""]),
    ("amh", 2, ["ET"], [""]),
    ("fas", 2, ["IR"], [""]),
    ("hin", 2, ["IN"], [""]),
]
FIRST_NAMES = ["Amina", "Fatima", "Youssef", "Mohamed", "Wei", "Li", "Oksana", "Olena", "Ana", "Maria", "Ion",
               "Elena", "Aisha", "Ibrahima", "Moussa", "Awa", "Rahul", "Priya", "Imran", "Sana", "Arben", "Blerina",
               "Hassan", "Samira", "Tesfaye", "Hiwot", "Farhan", "Nadia", "Carlos", "Lucia", "Dmitri", "Irina",
               "Kwame", "Ama", "Omar", "Leila", "Ahmad", "Zahra", "Mehmet", "Ayse"]  # fmt: skip
LAST_NAMES = ["El Idrissi", "Benali", "Zhang", "Wang", "Kovalenko", "Shevchenko", "Popescu", "Ionescu", "Diallo",
              "Ndiaye", "Singh", "Kaur", "Khan", "Ahmed", "Hoxha", "Berisha", "Haile", "Tesfaye", "Hossain",
              "Rahman", "García", "Quispe", "Ivanov", "Petrova", "Mensah", "Owusu", "Hashimi", "Karimi", "Yilmaz",
              "Demir", "Mohamud", "Warsame", "Bekele", "Alemu", "Rossi", "Bianchi", "Ferrari", "Colombo", "Ricci",
              "Marino", "Greco", "Bruno", "Gallo", "Conti", "Costa", "Mancini", "Lombardi", "Moretti", "Barbieri",
              "Fontana"]  # fmt: skip
ITALIAN_FIRST = ["Giulia", "Marco", "Sara", "Laura", "Paolo", "Elena", "Chiara", "Andrea", "Francesca", "Luca",
                 "Anna", "Matteo", "Silvia", "Davide", "Valentina", "Stefano"]  # fmt: skip
ITALIAN_LAST = ["Rossi", "Bianchi", "Ferrari", "Colombo", "Ricci", "Galli", "Moretti", "Lombardi", "Conti", "Bruno",
                "Fontana", "Mariani", "Rinaldi", "Villa", "Sala", "Cattaneo"]  # fmt: skip
TRAININGS = ["Corso base di mediazione", "Tutela minori e famiglie migranti", "Interpretariato in ambito sanitario",
             "Deontologia del mediatore", "Mediazione in ambito scolastico"]  # fmt: skip


def email(name: str) -> str:
    return f"{name}@{DOMAIN}"


@dataclass
class Region:
    """Ids of everything the requests need, by index: district d, its offices, their social workers..."""

    start: dt.date
    today: dt.date
    province_ids: list[int] = field(default_factory=list)
    district_ids: list[int] = field(default_factory=list)
    district_province: list[int] = field(default_factory=list)  # district index -> province index
    district_weights: list[float] = field(default_factory=list)
    offices: list[list[int]] = field(default_factory=list)  # district index -> office ids
    office_workers: dict[int, list[int]] = field(default_factory=dict)  # office id -> social worker user ids
    coordinators: list[list[int]] = field(default_factory=list)  # district index -> coordinator user ids
    staff: list[list[int]] = field(default_factory=list)  # province index -> province staff user ids
    criteria: list[list[int]] = field(default_factory=list)  # province index -> criterion ids
    projects: list[list[tuple[dt.date, dt.date, int]]] = field(default_factory=list)  # province -> periods
    mediator_ids: list[int] = field(default_factory=list)
    mediator_users: list[int] = field(default_factory=list)
    mediator_languages: list[list[str]] = field(default_factory=list)
    district_mediators: list[list[int]] = field(default_factory=list)  # district index -> mediator indexes
    admin_id: int = 0


def organisations(region: Region, rnd) -> None:
    """Provinces with eight districts each, three offices per district, two providers and a funder per province,
    rates, evaluation criteria and one funded project per three years (the lead and each district as partners)."""
    for p, (slug, name, districts) in enumerate(PROVINCES):
        province = Province.objects.create(slug=slug, name=name)
        region.province_ids.append(province.pk)
        funder = Funder.objects.create(name=f"ATS {slug.title()}")
        funder.provinces.add(province)
        providers = [
            Provider.objects.create(province=province, name=f"Cooperativa Sociale {word} {slug.title()}")
            for word in ("Ponti di Parole", "Intrecci")
        ]
        for provider in providers:
            for year, hourly in ((2016, "20.00"), (2020, "22.00"), (2024, "24.50")):
                Rate.objects.create(
                    provider=provider,
                    valid_from=dt.date(year, 1, 1),
                    hourly_rate=Decimal(hourly),
                    km_rate=Decimal("0.30"),
                    travel_hourly_rate=Decimal("0"),
                )
        criteria_seed_defaults(province=province)
        region.criteria.append(
            list(EvaluationCriterion.objects.filter(province=province, active=True).values_list("pk", flat=True))
        )
        district_objects = []
        for n, district_name in enumerate(districts):
            district = District.objects.create(
                province=province, name=district_name, managing_body=f"Azienda Sociale {district_name}"
            )
            district_objects.append(district)
            region.district_ids.append(district.pk)
            region.district_province.append(p)
            # The first district of each province is the largest, the bench's district of the first province.
            region.district_weights.append(2.0 if n == 0 else 1.0 + rnd.random())
            offices = [
                Office.objects.create(district=district, name=f"{label} – {district_name}", kind=kind)
                for kind, label, _weight in OFFICE_KINDS
            ]
            region.offices.append([office.pk for office in offices])
        region.projects.append([])
        for first_year in range(region.start.year, region.today.year + 1, 3):
            project = Project.objects.create(
                title=f"Mediazione linguistico-culturale {slug.title()} {first_year}–{first_year + 2}",
                call=f"Bando {first_year} L. 40/98",
                funder=funder,
                lead_province=province,
                starts_on=dt.date(first_year, 1, 1),
                ends_on=dt.date(first_year + 2, 12, 31),
                target_sessions=60000,
                target_hours=70000,
            )
            region.projects[p].append((project.starts_on, project.ends_on, project.pk))
            lead = ProjectPartner.objects.create(project=project, name=name)
            for action in (Action.COORDINATION, Action.TRAINING, Action.MINI_GUIDE, Action.SEMINAR):
                BudgetLine.objects.create(project=project, partner=lead, action=action, amount=Decimal("15000"))
            for district in district_objects:
                partner = ProjectPartner.objects.create(project=project, name=district.managing_body, district=district)
                BudgetLine.objects.create(
                    project=project, partner=partner, action=Action.MEDIATION, amount=Decimal("400000")
                )


def people(region: Region, rnd, *, mediators: int, tables: dict[str, Table]) -> None:
    """Every role: an administrator; per province its staff and the funder's viewer; per district its coordinators;
    per office its social workers; and the mediators (each a user with a mediator's role), with their languages,
    countries, districts, weekly availability, trainings, qualifications and some absences."""
    password = make_password(PASSWORD)
    joined = timezone.make_aware(dt.datetime.combine(region.start, dt.time(9)))
    users = tables["user"] = Table(
        User,
        ["id", "email", "first_name", "last_name", "password", "is_active", "is_staff", "is_superuser",
         "date_joined", "active_membership_id", "language"],
    )  # fmt: skip
    memberships = tables["membership"] = Table(
        Membership,
        ["id", "user_id", "role", "office_id", "district_id", "provider_id", "province_id", "funder_id",
         "is_active", "created_at"],
    )  # fmt: skip
    tables["membership_districts"] = Table(Membership.districts.through, ["membership_id", "district_id"])

    def person(address, first, last, role, *, staff=False, **scope):
        user_id, membership_id = users.new_id(), memberships.new_id()
        users.add((user_id, address, first, last, password, True, staff, staff, joined, membership_id, "it"))
        memberships.add(
            (membership_id, user_id, role, scope.get("office"), scope.get("district"), scope.get("provider"),
             scope.get("province"), scope.get("funder"), True, joined)
        )  # fmt: skip
        return user_id, membership_id

    def italian():
        return rnd.choice(ITALIAN_FIRST), rnd.choice(ITALIAN_LAST)

    region.admin_id, _ = person(email("admin"), "Amministratore", "Regione", Role.ADMINISTRATOR, staff=True)
    funders = dict(Funder.objects.values_list("provinces__pk", "pk"))
    providers: list[list[int]] = [[] for _ in PROVINCES]
    for provider_id, province_id in Provider.objects.order_by("pk").values_list("pk", "province_id"):
        providers[region.province_ids.index(province_id)].append(provider_id)
    for p, (slug, _name, _districts) in enumerate(PROVINCES):
        province_id = region.province_ids[p]
        region.staff.append(
            [
                person(email(f"provincia.{slug}{n or ''}"), *italian(), Role.PROVINCE_STAFF, province=province_id)[0]
                for n in range(STAFF_PER_PROVINCE)
            ]
        )
        person(email(f"ats.{slug}"), *italian(), Role.FUNDER_VIEWER, funder=funders[province_id])
    for d, district_id in enumerate(region.district_ids):
        region.coordinators.append(
            [
                person(email(f"coordinatore.{d:02d}{'.' + str(n) if n else ''}"), *italian(), Role.COORDINATOR,
                       district=district_id)[0]
                for n in range(COORDINATORS_PER_DISTRICT)
            ]
        )  # fmt: skip
        for k, office_id in enumerate(region.offices[d]):
            region.office_workers[office_id] = [
                person(email(f"assistente.{d:02d}.{k}{'.' + str(n) if n else ''}"), *italian(), Role.SOCIAL_WORKER,
                       office=office_id)[0]
                for n in range(SOCIAL_WORKERS_PER_OFFICE)
            ]  # fmt: skip

    _mediators(region, rnd, count=mediators, providers=providers, person=person, tables=tables)
    with transaction.atomic():
        for table in tables.values():
            table.flush()
    Invitation.objects.bulk_create(
        [
            Invitation(
                email=email(f"invitato.{d:02d}.{n}"),
                role=Role.SOCIAL_WORKER,
                office_id=region.offices[d][n % len(region.offices[d])],
                key=secrets.token_urlsafe(32),
                invited_by_id=region.coordinators[d][0],
                expires_at=timezone.now() + dt.timedelta(days=7),
            )
            for d in range(len(region.district_ids))
            for n in range(3)
        ]
    )


def _weighted(pairs, rnd_size=1000):
    """A lookup table for fast weighted choices: table[int(random() * len(table))]."""
    total = sum(weight for _value, weight in pairs)
    table = []
    for value, weight in pairs:
        table += [value] * max(1, round(weight / total * rnd_size))
    return table


def _mediators(region: Region, rnd, *, count, providers, person, tables) -> None:
    if count < len(region.district_ids):
        raise ValueError(f"At least {len(region.district_ids)} mediators: one for each district.")
    mediator_table = tables["mediator"] = Table(
        Mediator,
        ["id", "user_id", "provider_id", "first_name", "last_name", "gender", "email", "phone", "mode_in_person",
         "mode_phone", "mode_video", "exp_child_protection", "exp_judicial", "exp_school", "exp_health",
         "exp_basic_social_service", "cultural_areas", "max_weekly_hours", "hourly_rate", "travel_rate", "is_active",
         "coordinator_notes", "created_at", "updated_at"],
    )  # fmt: skip
    districts = tables["mediator_districts"] = Table(Mediator.districts.through, ["mediator_id", "district_id"])
    languages = tables["mediator_language"] = Table(
        MediatorLanguage, ["id", "mediator_id", "code", "variant", "level", "written_translation"]
    )
    countries = tables["mediator_country"] = Table(MediatorCountry, ["id", "mediator_id", "code"])
    slots = tables["slot"] = Table(AvailabilitySlot, ["id", "mediator_id", "weekday", "start_time", "end_time"])
    absences = tables["absence"] = Table(Absence, ["id", "mediator_id", "start_date", "end_date", "reason"])
    trainings = tables["training"] = Table(Training, ["id", "mediator_id", "title", "body", "date", "hours"])
    qualifications = tables["qualification"] = Table(
        Qualification, ["id", "mediator_id", "title", "issued_by", "issued_on", "expires_on"]
    )
    membership_districts = tables["membership_districts"]
    language_table = _weighted([(code, weight) for code, weight, _c, _v in LANGUAGES])
    language_info = {code: (countries_, variants) for code, _w, countries_, variants in LANGUAGES}
    by_province: list[list[int]] = [[] for _ in PROVINCES]
    for d, p in enumerate(region.district_province):
        by_province[p].append(d)
    region.district_mediators = [[] for _ in region.district_ids]
    created = timezone.make_aware(dt.datetime.combine(region.start, dt.time(10)))
    today = region.today
    for m in range(count):
        p = m % len(PROVINCES)
        own = by_province[p]
        weights = [region.district_weights[d] for d in own]
        # The first mediators cover every district once (mediator 0, the bench's, the first district of the first
        # province); the others are spread by the districts' sizes.
        primary = own[m // len(PROVINCES)] if m < len(region.district_ids) else rnd.choices(own, weights)[0]
        served = [primary]
        for chance in (0.5, 0.15):
            if rnd.random() < chance:
                other = rnd.choice(own)
                if other not in served:
                    served.append(other)
        first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
        address = email(f"mediatore.{m:05d}")
        user_id, membership_id = person(address, first, last, Role.MEDIATOR, provider=providers[p][m // 5 % 2])
        mediator_id = mediator_table.new_id()
        spoken = []
        for _ in range(1 + (rnd.random() < 0.6) + (rnd.random() < 0.25)):
            code = language_table[int(rnd.random() * len(language_table))]
            if code not in spoken:
                spoken.append(code)
        active = rnd.random() < 0.92
        mediator_table.add(
            (mediator_id, user_id, providers[p][m // 5 % 2], first, last, rnd.choice(("female", "female", "male")),
             address, f"+39 3{rnd.randrange(10**8, 10**9)}", True, rnd.random() < 0.6, rnd.random() < 0.4,
             rnd.random() < 0.5, rnd.random() < 0.2, rnd.random() < 0.4, rnd.random() < 0.3, rnd.random() < 0.6,
             "", 20 + rnd.randrange(0, 20, 5), Decimal("0"), Decimal("0"), active, "", created, created)
        )  # fmt: skip
        for d in served:
            districts.add((mediator_id, region.district_ids[d]))
            membership_districts.add((membership_id, region.district_ids[d]))
            region.district_mediators[d].append(m)
        for k, code in enumerate(spoken):
            country_codes, variants = language_info[code]
            languages.add(
                (languages.new_id(), mediator_id, code, rnd.choice(variants),
                 "mother_tongue" if k == 0 else "fluent", rnd.random() < 0.3)
            )  # fmt: skip
        for code in {language_info[code][0][0] for code in spoken}:
            countries.add((countries.new_id(), mediator_id, code))
        for weekday in rnd.sample(range(5), 2 + rnd.randrange(3)):
            morning = rnd.random() < 0.5
            slots.add(
                (slots.new_id(), mediator_id, weekday, "09:00" if morning else "14:00", "13:00" if morning else "18:00")
            )
        if rnd.random() < 0.2:
            begin = today + dt.timedelta(days=rnd.randrange(-60, 90))
            absences.add((absences.new_id(), mediator_id, begin, begin + dt.timedelta(days=rnd.randrange(3, 21)), ""))
        for _ in range(1 + (rnd.random() < 0.5)):
            trainings.add(
                (trainings.new_id(), mediator_id, rnd.choice(TRAININGS), "Regione Lombardia",
                 today - dt.timedelta(days=rnd.randrange(30, 3000)), Decimal(rnd.choice((8, 16, 24, 40))))
            )  # fmt: skip
        issued = today - dt.timedelta(days=rnd.randrange(30, 1500))
        qualifications.add(
            (qualifications.new_id(), mediator_id, "Attestato di mediatore linguistico-culturale", "Regione Lombardia",
             issued, issued + dt.timedelta(days=rnd.choice((730, 1095, 1825))))
        )  # fmt: skip
        region.mediator_ids.append(mediator_id)
        region.mediator_users.append(user_id)
        region.mediator_languages.append(spoken)


def report_jobs(region: Region) -> None:
    """The province's list of reports asked for: a few dozen finished ones (failed: no file is kept here)."""
    now = timezone.now()
    ReportJob.objects.bulk_create(
        [
            ReportJob(
                requested_by_id=region.staff[p][0],
                province_id=province_id,
                date_from=dt.date(year, 1, 1),
                date_to=dt.date(year, 12, 31),
                status=ReportJob.Status.FAILED,
                error="Benchmark: no file kept.",
                attempts=1,
                created_at=now - dt.timedelta(days=400 * (region.today.year - year)),
                finished_at=now - dt.timedelta(days=400 * (region.today.year - year)),
                expires_at=now + dt.timedelta(days=30),
            )
            for p, province_id in enumerate(region.province_ids)
            for year in range(region.start.year, region.today.year + 1)
        ]
    )
