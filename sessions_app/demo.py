"""Demo session reports and evaluations, on the appointments of :mod:`scheduling.demo` (run after it).

Every past appointment that owes a report (held, missed, cancelled late) of a completed, evaluated or closed request
has a validated report, confirmed by the office; the scheduled requests show every step — validated, confirmed,
submitted, sent back, a draft, and some still to write — so that each role finds work on its *Resoconti* page, among
them appointments of ``mediatore.cremona`` for requests of ``assistente.cremona``. Evaluated and closed requests
carry the office's evaluation (and often the mediator's own); completed ones wait for the office's.

Deterministic (every number comes from the case code, never from chance) and idempotent. The demo of requests
rebuilds a request's appointments when the day moves them, and a report protects its appointment: :func:`release`
(registered before the requests' builder) lets go of the demo's reports first, :func:`build` writes them again.
Rows are written directly, like the demo's appointments: the services refuse times in the past and would touch the
appointments the demo owns.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.demo import demo_email
from accounts.models import Province, User
from requests_app.models import MediationRequest, Status
from scheduling import demo as requests_demo
from scheduling.models import Appointment

from .models import Evaluation, EvaluationScore, SessionReport
from .services import criteria_seed_defaults, ratings_refresh

Outcome = SessionReport.Outcome
ReportStatus = SessionReport.Status
DONE = (Status.COMPLETED, Status.EVALUATED, Status.CLOSED)
# What became of the past sessions of the scheduled requests, one after another (None: not written yet).
SCHEDULED_STEPS = [
    ReportStatus.SUBMITTED,
    None,
    ReportStatus.VALIDATED,
    ReportStatus.CONFIRMED,
    ReportStatus.SENT_BACK,
    ReportStatus.DRAFT,
    ReportStatus.SUBMITTED,
    None,
    ReportStatus.VALIDATED,
]
# The demo mediator of the README, whose scheduled requests show the work of the day.
SHOWCASE = "mediatore.cremona"
SHOWCASE_STEPS = [ReportStatus.SUBMITTED, None]
NOTES = [
    "La madre chiede che i prossimi incontri siano al mattino: il pomeriggio lavora.",
    "",
    "Il padre ha capito le decisioni del progetto educativo ma teme l'udienza: riprendere il punto.",
    "",
    "Il figlio maggiore traduceva per i genitori: chiarito che non deve farlo.",
]
PARTLY = "Parte del colloquio rinviata: mancava l'educatrice della comunità."
FAMILY_ABSENT = "La famiglia non si è presentata e non ha avvisato."
MEDIATOR_ABSENT = "Il mediatore è rimasto bloccato per un guasto ferroviario; avvisato il servizio."
SENT_BACK = "I chilometri non tornano con il percorso dalla sede: controlla e correggi."
EXPENSES = [
    ("", Decimal("0")),
    ("Parcheggio", Decimal("2.50")),
    ("", Decimal("0")),
    ("Biglietto del treno", Decimal("4.80")),
]
COMMENTS = {
    "requester": [
        "La famiglia si è sentita ascoltata; il progetto è chiaro a entrambi i genitori.",
        "Mediazione puntuale e rispettosa; utile per preparare l'udienza.",
        "",
    ],
    "mediator": ["Buona collaborazione con l'assistente sociale.", "", "Servirebbe più tempo prima del colloquio."],
}


def _number(*parts) -> int:
    """A stable number from the parts (a case code, a position): the same on every run and every machine."""
    return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:8], 16)


def _demo_requests():
    codes = {row["case_code"] for row in requests_demo._spec_rows(timezone.localdate())}
    districts = [district for district, *_rest in requests_demo.OFFICES.values()]
    return MediationRequest.objects.filter(case_code__in=codes, office__district__name__in=districts)


@transaction.atomic
def release() -> int:
    """Delete the reports on the demo requests' appointments, so that the requests' builder may replace them."""
    deleted, _by_model = SessionReport.objects.filter(appointment__request__in=_demo_requests()).delete()
    return deleted


def _coordinators() -> dict[str, User]:
    return {
        district: User.objects.get(email=demo_email(coordinator))
        for district, _requester, coordinator, _prefix in requests_demo.OFFICES.values()
    }


def _times(appointment: Appointment, cap: datetime) -> tuple[datetime, datetime, datetime]:
    """When the report was submitted, confirmed and validated: in this order, after the session, before ``cap``."""
    span = max(cap - appointment.ends_at, timedelta(minutes=30))
    return (
        appointment.ends_at + span * 0.1,
        appointment.ends_at + span * 0.4,
        appointment.ends_at + span * 0.8,
    )


def _report_values(appointment: Appointment, n: int, status: str | None, coordinator: User, cap: datetime) -> dict:
    request = appointment.request
    seed = _number(request.case_code, appointment.starts_at.isoformat())
    writer = appointment.mediator.user or coordinator
    languages = list(request.languages.all())
    language = languages[0] if languages else None
    if appointment.status == Appointment.Status.CANCELLED:
        outcome, reason = Outcome.CANCELLED_LATE, appointment.cancel_reason or FAMILY_ABSENT
    elif appointment.status == Appointment.Status.NO_SHOW:
        outcome, reason = (
            (Outcome.MEDIATOR_ABSENT, MEDIATOR_ABSENT) if seed % 4 == 0 else (Outcome.FAMILY_ABSENT, FAMILY_ABSENT)
        )
    elif seed % 6 == 0:
        outcome, reason = Outcome.PARTLY, PARTLY
    else:
        outcome, reason = Outcome.HELD, ""
    held = outcome in (Outcome.HELD, Outcome.PARTLY)
    travels = appointment.mode == "in_person" and outcome != Outcome.CANCELLED_LATE
    note, amount = EXPENSES[seed % len(EXPENSES)] if travels else ("", Decimal("0"))
    late_minutes = (seed // 7) % 3 * 5 if held else 0
    submitted, confirmed, validated = _times(appointment, cap)
    values = {
        "started_at": appointment.starts_at + timedelta(minutes=late_minutes),
        "ended_at": appointment.ends_at + timedelta(minutes=late_minutes + (seed // 11) % 3 * 5),
        "mode": appointment.mode,
        "adults_present": max(request.adults - (seed % 5 == 1), 1) if held else 0,
        "minors_present": request.minors if held else 0,
        "operators_present": 1 + seed % 2 if held else 0,
        "language": language.code if held and language else "",
        "language_variant": language.variant if held and language else "",
        "outcome": outcome,
        "outcome_reason": reason,
        "travel_km": Decimal(4 + seed % 35) + Decimal(seed % 10) / 10 if travels else Decimal("0"),
        "travel_minutes": 10 + seed % 40 if travels else 0,
        "expenses": amount,
        "expenses_note": note,
        "sensitive_notes": NOTES[n % len(NOTES)] if held else "",
        "status": status,
        "written_by": writer,
        "submitted_by": None,
        "submitted_at": None,
        "confirmed_by": None,
        "confirmed_at": None,
        "validated_by": None,
        "validated_at": None,
        "sent_back_by": None,
        "sent_back_at": None,
        "send_back_reason": "",
    }
    if status != ReportStatus.DRAFT:
        values.update(submitted_by=writer, submitted_at=submitted)
    if status in (ReportStatus.CONFIRMED, ReportStatus.VALIDATED):
        values.update(confirmed_by=request.requester, confirmed_at=confirmed)
    if status == ReportStatus.VALIDATED:
        values.update(validated_by=coordinator, validated_at=validated)
    if status == ReportStatus.SENT_BACK:
        values.update(sent_back_by=coordinator, sent_back_at=confirmed, send_back_reason=SENT_BACK)
    return values


@transaction.atomic
def build() -> dict[str, int]:
    """The demo's reports and evaluations; returns how many of each there are."""
    for province in Province.objects.all():
        criteria_seed_defaults(province=province)
    coordinators = _coordinators()
    latest = requests_demo._latest(timezone.localdate())
    requests = (
        _demo_requests()
        .filter(status__in=[*DONE, Status.SCHEDULED])
        .select_related("office__district__province", "requester", "assigned_mediator")
        .prefetch_related("languages", "history")
        .order_by("office__district__name", "case_code")
    )
    reports = 0
    scheduled_number = showcase_number = 0
    showcase = User.objects.get(email=demo_email(SHOWCASE))
    for request in requests:
        coordinator = coordinators[request.office.district.name]
        steps = {change.to_status: change.at for change in request.history.all()}
        cap = steps.get(Status.COMPLETED, latest) - timedelta(minutes=30)
        owed = (
            request.appointments.filter(starts_at__lte=latest)
            .filter(
                Q(status__in=[Appointment.Status.HELD, Appointment.Status.NO_SHOW])
                | Q(status=Appointment.Status.CANCELLED, late_cancellation=True)
            )
            .select_related("mediator__user", "request")
            .order_by("starts_at", "pk")
        )
        for n, appointment in enumerate(owed):
            if request.status == Status.SCHEDULED and appointment.mediator.user_id == showcase.pk:
                # mediatore.cremona: one report waits for assistente.cremona's confirmation, the next is to write.
                status = SHOWCASE_STEPS[showcase_number % len(SHOWCASE_STEPS)]
                showcase_number += 1
                if status is None:
                    continue
            elif request.status == Status.SCHEDULED:
                status = SCHEDULED_STEPS[scheduled_number % len(SCHEDULED_STEPS)]
                scheduled_number += 1
                if status is None:
                    continue
            else:
                status = ReportStatus.VALIDATED
            values = _report_values(appointment, n, status, coordinator, min(cap, latest))
            report = SessionReport.objects.create(appointment=appointment, **values)
            # ``auto_now`` wrote this run's time: put back the demo's.
            written = values["submitted_at"] or appointment.ends_at + timedelta(hours=1)
            SessionReport.objects.filter(pk=report.pk).update(
                created_at=written, updated_at=values["validated_at"] or values["confirmed_at"] or written
            )
            reports += 1
    evaluations = _evaluations(requests, latest)
    return {"reports": reports, "evaluations": evaluations}


def _evaluations(requests, latest: datetime) -> int:
    """The office's evaluation of every evaluated or closed request; the mediator's own on two requests in three
    (never before the request is completed)."""
    count, rated = 0, set()
    for request in requests:
        if request.status == Status.SCHEDULED or request.assigned_mediator_id is None:
            continue
        steps = {change.to_status: change.at for change in request.history.all()}
        criteria = list(request.office.district.province.evaluation_criteria.filter(active=True).order_by("order"))
        sides = []
        if request.status in (Status.EVALUATED, Status.CLOSED):
            sides.append((Evaluation.Side.REQUESTER, request.requester, steps.get(Status.EVALUATED, latest)))
        mediator_user = request.assigned_mediator.user
        if mediator_user is not None and _number(request.case_code, "mediator") % 3:
            at = min(steps.get(Status.COMPLETED, latest) + timedelta(hours=20), latest)
            sides.append((Evaluation.Side.MEDIATOR, mediator_user, at))
        for side, by, at in sides:
            seed = _number(request.case_code, side)
            comments = COMMENTS[side]
            evaluation, _created = Evaluation.objects.update_or_create(
                request=request,
                side=side,
                defaults={
                    "mediator": request.assigned_mediator,
                    "by": by,
                    "comment": comments[seed % len(comments)],
                },
            )
            Evaluation.objects.filter(pk=evaluation.pk).update(created_at=at, updated_at=at)
            wanted = [
                (criterion.pk, 5 - _number(request.case_code, side, criterion.key) % 3, "") for criterion in criteria
            ]
            current = list(
                evaluation.scores.order_by("criterion__order").values_list("criterion_id", "score", "comment")
            )
            if current != wanted:
                evaluation.scores.all().delete()
                EvaluationScore.objects.bulk_create(
                    EvaluationScore(evaluation=evaluation, criterion_id=pk, score=score, comment=comment)
                    for pk, score, comment in wanted
                )
                rated.add(evaluation.mediator_id)
            count += 1
    # The scores went in bulk, around the signals: the ratings the candidates' ranking reads are written again here.
    ratings_refresh(mediator_ids=rated)
    return count
