"""Demo of reporting: the seed's Cremona project (ASL Cremona, call 2011, law 40/98) with its three district
partners and budget lines, the Cremona province's requests charged to it, and one finished report. Idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_email
from accounts.models import District, Funder, Province, User
from accounts.scoping import actor_for
from requests_app.models import MediationRequest, Status

from . import services
from .models import Action, BudgetLine, Project, ProjectCharge, ProjectExpense, ProjectPartner, ReportJob

TITLE = "Famiglie in-migrazione: la mediazione come intervento sociale"
CALL = "ASL Cremona – Bando 2011 L. 40/98"
LEAD = "Provincia di Cremona"

# partner: (district or None, {action: budget in euro})
PARTNERS = {
    LEAD: (
        None,
        {
            Action.COORDINATION: "12000.00",
            Action.TRAINING: "8000.00",
            Action.MINI_GUIDE: "6500.00",
            Action.SEMINAR: "3500.00",
            Action.FAQ: "2500.00",
            Action.PUBLICITY: "1500.00",
        },
    ),
    "Azienda Sociale del Cremonese": ("Cremona", {Action.MEDIATION: "24000.00", Action.MAPPING: "2000.00"}),
    "Comunità Sociale Cremasca": ("Crema", {Action.MEDIATION: "20000.00", Action.MAPPING: "2000.00"}),
    "Consorzio Casalasco Servizi Sociali": ("Casalmaggiore", {Action.MEDIATION: "12000.00", Action.MAPPING: "1500.00"}),
}
EXPENSES = [
    (LEAD, Action.SEMINAR, 40, "1250.00", "Seminario pubblico: sala e interpreti"),
    (LEAD, Action.MINI_GUIDE, 90, "3100.00", "Stampa della mini-guida in 8 lingue"),
    (LEAD, Action.TRAINING, 150, "2400.00", "Percorso formativo: docenze, primo modulo"),
]


def build_aggregates() -> dict:
    """The dashboard's monthly aggregates of the whole demo, recomputed from its rows (the builders write them
    directly, not through the services that keep the aggregates up to date)."""
    return services.aggregates_rebuild()


@transaction.atomic
def build() -> dict:
    province = Province.objects.get(slug="cremona")
    funder = Funder.objects.get(name="ASL Cremona")
    today = timezone.localdate()
    # The project runs over the demo's two years of requests and the year to come.
    starts_on = dt.date(today.year - 2, 1, 1)
    project, _ = Project.objects.update_or_create(
        title=TITLE,
        lead_province=province,
        defaults={
            "call": CALL,
            "funder": funder,
            "starts_on": starts_on,
            "ends_on": dt.date(today.year + 1, 12, 31),
            "hourly_rate": Decimal("25.00"),
            "km_rate": Decimal("0.30"),
            # What the project promised over its four years: about 25 sessions and 40 hours a month.
            "target_sessions": 1200,
            "target_hours": 1900,
            "active": True,
        },
    )
    partners = {}
    for name, (district_name, lines) in PARTNERS.items():
        district = District.objects.get(province=province, name=district_name) if district_name else None
        partner, _ = ProjectPartner.objects.update_or_create(
            project=project, name=name, defaults={"district": district}
        )
        partners[name] = partner
        for action, amount in lines.items():
            BudgetLine.objects.update_or_create(
                project=project, partner=partner, action=action, defaults={"amount": Decimal(amount)}
            )
    for partner_name, action, days_ago, amount, description in EXPENSES:
        ProjectExpense.objects.update_or_create(
            project=project,
            description=description,
            defaults={
                "partner": partners[partner_name],
                "action": action,
                "amount": Decimal(amount),
                "spent_on": today - dt.timedelta(days=days_ago),
            },
        )
    coordinator = User.objects.get(email=demo_email("coordinatore.cremona"))
    uncharged = MediationRequest.objects.filter(
        office__district__province=province, project_charge__isnull=True
    ).exclude(status__in=[Status.DRAFT, Status.REJECTED])
    ProjectCharge.objects.bulk_create(
        [ProjectCharge(request=request, project=project, charged_by=coordinator) for request in uncharged]
    )
    # The report below reads the monthly aggregates when its period is whole months (on the last day of a month).
    services.aggregates_rebuild(province=province)
    staff = User.objects.get(email=demo_email("provincia.cremona"))
    year_start = dt.date(today.year, 1, 1)
    job = ReportJob.objects.filter(requested_by=staff, project=project, date_from=year_start).first()
    if job is None or job.status != ReportJob.Status.DONE or not job.file:
        if job is not None:
            job.delete()
        job = services.report_job_create(
            actor=actor_for(staff),
            province=province,
            project=project,
            date_from=year_start,
            date_to=today,
            format=ReportJob.Format.PDF,
        )
        # Prepared here and now: the demo shows it finished. The task enqueued on commit then finds it done and
        # does nothing (the claim is conditional).
        services.report_job_run(job_id=job.pk)
    return {"project": project, "job": job}
