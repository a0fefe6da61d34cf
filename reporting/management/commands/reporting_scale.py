"""Fill a throwaway database with a synthetic province-year for the reporting benchmark (bench/reporting.py).

    python manage.py reporting_scale --province scala --year 2025 --requests 20000

A province with 4 districts of 3 offices each, 150 mediators, a funded project with its partners and budget, and
``--requests`` requests over the year (one language each, 6 in 7 assigned and charged to the project) with up to
three sessions a week apart: held with a report (actual times, km, expenses), a few no-shows and late
cancellations. Rows are written with bulk inserts; a mediator never has two sessions at once (PostgreSQL's
exclusion constraint holds). The dashboard's monthly aggregates of the province are then built
(``reporting.services.aggregates_rebuild``). Never on a real installation: it refuses to run with DEBUG off unless
--force. Run it again with other ``--province`` names to hold several province-years (bench/dashboard.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import District, Funder, Membership, Office, Provider, Province, Role, User
from mediators.models import Mediator
from reporting.models import Action, BudgetLine, Project, ProjectCharge, ProjectPartner
from reporting.services import aggregates_rebuild
from requests_app.models import MediationRequest, RequestLanguage, StatusChange
from requests_app.services import office_languages_rebuild
from scheduling.models import Appointment
from sessions_app.models import SessionReport

LANGUAGES = ["ara", "fra", "eng", "urd", "pan", "hin", "ben", "zho", "rus", "ukr", "sqi", "ron", "spa", "wol", "tir"]
SETTINGS = ["child_protection", "school", "health", "basic_social_service", "judicial"]
KINDS = [Office.Kind.CHILD_PROTECTION, Office.Kind.BASIC_SOCIAL_SERVICE, Office.Kind.FAMILY_COUNSELLING]
MEDIATORS = 150
BATCH = 2000


class Command(BaseCommand):
    help = "Fill the database with a synthetic province-year of requests and sessions (benchmark only)."

    def add_arguments(self, parser):
        parser.add_argument("--province", default="scala")
        parser.add_argument("--year", type=int, default=2025)
        parser.add_argument("--requests", type=int, default=20000)
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args, province, year, requests, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this fills the database with synthetic rows. Use --force if sure.")
        if Province.objects.filter(slug=province).exists():
            raise CommandError(f"The province '{province}' exists already: use a fresh database or another name.")
        with transaction.atomic():
            counts = fill(slug=province, year=year, total=requests)
        # The rows were written in bulk, not through the services: the dashboard's aggregates are built here.
        counts["monthly aggregates"] = aggregates_rebuild(province=Province.objects.get(slug=province))["rows"]
        # ... and the request lists' language menus.
        counts["office languages"] = office_languages_rebuild()
        self.stdout.write(self.style.SUCCESS(", ".join(f"{k}: {v}" for k, v in counts.items())))


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def fill(*, slug: str, year: int, total: int) -> dict:
    province = Province.objects.create(name=f"Provincia {slug.title()}", slug=slug)
    funder = Funder.objects.create(name=f"ATS {slug.title()}")
    funder.provinces.add(province)
    provider = Provider.objects.create(province=province, name=f"Cooperativa {slug.title()}")
    districts = [District.objects.create(province=province, name=f"Ambito {n}") for n in range(1, 5)]
    offices = [
        Office.objects.create(district=d, name=f"Ufficio {d.name} {k}", kind=kind)
        for d in districts
        for k, kind in enumerate(KINDS)
    ]
    worker = User.objects.create_user(email=f"scala.assistente@{slug}.example.org")
    Membership.objects.create(user=worker, role=Role.SOCIAL_WORKER, office=offices[0])
    coordinator = User.objects.create_user(email=f"scala.coordinatore@{slug}.example.org")
    Membership.objects.create(user=coordinator, role=Role.COORDINATOR, district=districts[0])
    staff = User.objects.create_user(email=f"scala.provincia@{slug}.example.org")
    Membership.objects.create(user=staff, role=Role.PROVINCE_STAFF, province=province)
    mediators = Mediator.objects.bulk_create(
        [
            Mediator(
                provider=provider,
                first_name=f"Nome{i}",
                last_name=f"Cognome{i:03d}",
                gender=["female", "male"][i % 2],
                email=f"mediatore{i}@{slug}.example.org",
            )
            for i in range(MEDIATORS)
        ]
    )
    try:
        from timesheets.models import Rate
    except ImportError:  # the timesheets app is optional for reporting
        Rate = None
    if Rate is not None:
        Rate.objects.create(
            provider=provider,
            valid_from=dt.date(year, 1, 1),
            hourly_rate=Decimal("22.00"),
            km_rate=Decimal("0.30"),
            travel_hourly_rate=Decimal("0"),
        )
    project = Project.objects.create(
        title=f"Mediazione in {province.name}",
        call=f"Bando {year} L. 40/98",
        funder=funder,
        lead_province=province,
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year, 12, 31),
    )
    lead = ProjectPartner.objects.create(project=project, name=province.name)
    for action in (Action.COORDINATION, Action.TRAINING, Action.MINI_GUIDE, Action.SEMINAR):
        BudgetLine.objects.create(project=project, partner=lead, action=action, amount=Decimal("5000"))
    for district in districts:
        partner = ProjectPartner.objects.create(project=project, name=f"Azienda {district.name}", district=district)
        BudgetLine.objects.create(project=project, partner=partner, action=Action.MEDIATION, amount=Decimal("250000"))
    first = dt.date(year, 1, 1)
    days = (dt.date(year, 12, 31) - first).days + 1
    rows = []
    for i in range(total):
        day = first + dt.timedelta(days=i * days // total)
        assigned = i % 7 != 0
        rows.append(
            MediationRequest(
                office=offices[i % len(offices)],
                requester=worker,
                case_code=f"S-{i:06d}",
                service_kind="cultural_mediation",
                setting=SETTINGS[i % len(SETTINGS)],
                adults=1 + i % 3,
                minors=i % 4,
                goal="Colloquio con la famiglia.",
                status="completed" if assigned else ["submitted", "cancelled", "rejected"][i % 3],
                submitted_at=_at(day, 9 + i % 8),
                assigned_mediator=mediators[i % MEDIATORS] if assigned else None,
            )
        )
    created = []
    for start in range(0, len(rows), BATCH):
        created += MediationRequest.objects.bulk_create(rows[start : start + BATCH])
    RequestLanguage.objects.bulk_create(
        [RequestLanguage(request=r, code=LANGUAGES[n % len(LANGUAGES)]) for n, r in enumerate(created)],
        batch_size=BATCH,
    )
    # History and charges: bulk inserts would stamp "now" on StatusChange.at (auto_now_add): switch it off here.
    at_field = StatusChange._meta.get_field("at")
    at_field.auto_now_add = False
    try:
        StatusChange.objects.bulk_create(
            [
                StatusChange(
                    request=r,
                    from_status="matching",
                    to_status="assigned",
                    by=coordinator,
                    at=r.submitted_at + dt.timedelta(hours=6 + (n % 10) * 12),
                )
                for n, r in enumerate(created)
                if r.assigned_mediator_id
            ],
            batch_size=BATCH,
        )
    finally:
        at_field.auto_now_add = True
    ProjectCharge.objects.bulk_create(
        [ProjectCharge(request=r, project=project, charged_by=coordinator) for r in created if r.assigned_mediator_id],
        batch_size=BATCH,
    )
    # Sessions: the j-th session of a request at 9, 11 or 13 o'clock, 7 × (j + 1) days after submission, by
    # mediator (n + j) mod 150: the requests of one day are fewer than 150, so no mediator is double-booked.
    appointments, last_day = [], dt.date(year, 12, 31)
    for n, r in enumerate(created):
        if not r.assigned_mediator_id:
            continue
        submitted = timezone.localdate(r.submitted_at)
        for j in range(3):
            day = submitted + dt.timedelta(days=7 * (j + 1))
            if day > last_day:
                break
            status, late = "held", False
            if (n + j) % 17 == 0:
                status = "no_show"
            elif (n + j) % 23 == 0:
                status, late = "cancelled", True
            start = _at(day, 9 + 2 * j)
            appointments.append(
                Appointment(
                    request=r,
                    mediator=mediators[(n + j) % MEDIATORS],
                    starts_at=start,
                    ends_at=start + dt.timedelta(minutes=90),
                    status=status,
                    late_cancellation=late,
                    created_by=coordinator,
                )
            )
    saved = []
    for start in range(0, len(appointments), BATCH):
        saved += Appointment.objects.bulk_create(appointments[start : start + BATCH])
    reports = [
        SessionReport(
            appointment=a,
            started_at=a.starts_at + dt.timedelta(minutes=5),
            ended_at=a.ends_at - dt.timedelta(minutes=(k % 4) * 10),
            language=LANGUAGES[k % len(LANGUAGES)],
            travel_km=Decimal(k % 30),
            expenses=Decimal("2.50") if k % 5 == 0 else Decimal("0"),
            status="validated",
            written_by=coordinator,
            validated_by=coordinator,
            validated_at=a.ends_at + dt.timedelta(days=1),
        )
        for k, a in enumerate(saved)
        if a.status == "held"
    ]
    SessionReport.objects.bulk_create(reports, batch_size=BATCH)
    return {"requests": len(created), "appointments": len(saved), "session reports": len(reports)}
