"""A district with a request done by a mediator, past appointments and their reports, for the tests of session
reports and evaluations. Appointments in the past are written directly: the scheduling service refuses past times."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from accounts.scoping import actor_for
from mediators.models import Mediator
from requests_app.models import MediationRequest
from scheduling.models import Appointment
from sessions_app import services as report_services
from sessions_app.models import SessionReport

from . import factories as f


@dataclass
class World:
    office: object
    district: object
    province: object
    social_worker: User
    coordinator: User
    mediator_user: User
    mediator: Mediator
    request: MediationRequest
    appointments: list[Appointment] = field(default_factory=list)


def make_world(*, sessions: int = 1, expected_sessions: int = 1, status: str = "scheduled") -> World:
    province = f.ProvinceFactory()
    report_services.criteria_seed_defaults(province=province)
    district = f.DistrictFactory(province=province)
    office = f.OfficeFactory(district=district)
    provider = f.ProviderFactory(province=province)
    social_worker = f.social_worker(office=office)
    coordinator = f.coordinator(district=district)
    mediator_user = f.mediator(provider=provider, districts=[district])
    mediator = f.MediatorFactory(
        provider=provider, districts=[district], user=mediator_user, email=mediator_user.email, languages=["ara"]
    )
    request = f.MediationRequestFactory(
        office=office,
        requester=social_worker,
        status=status,
        assigned_mediator=mediator,
        expected_sessions=expected_sessions,
        place="Via Dante 134, Cremona",
    )
    world = World(office, district, province, social_worker, coordinator, mediator_user, mediator, request)
    for days_ago in range(sessions, 0, -1):
        world.appointments.append(past_appointment(request, days_ago=days_ago * 2))
    return world


def past_appointment(request: MediationRequest, *, days_ago: int = 2, status: str = "planned", **extra) -> Appointment:
    """An hour's appointment at 10:00 Italian time ``days_ago`` days before today: never across midnight, whatever
    the hour the tests run at (a report's form has one date, a start and an end). With 0, earlier today: an hour ago,
    or at midnight when it is not yet 1:00 (still today, still this month)."""
    if days_ago:
        starts_at = at(days_ago, 10)
    else:
        starts_at = max(timezone.now() - timedelta(hours=1), at(0, 0)).replace(microsecond=0)
    return Appointment.objects.create(
        request=request,
        mediator=request.assigned_mediator,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        place=request.place,
        mode="in_person",
        status=status,
        created_by=f.coordinator(district=request.office.district),
        **extra,
    )


def report_fields(appointment: Appointment, **overrides) -> dict:
    """What a mediator types for a session held as planned."""
    fields = {
        "started_at": appointment.starts_at,
        "ended_at": appointment.starts_at + timedelta(minutes=75),
        "mode": "in_person",
        "adults_present": 2,
        "minors_present": 1,
        "operators_present": 1,
        "language": "ara",
        "language_variant": "Darija",
        "outcome": "held",
        "outcome_reason": "",
        "travel_km": Decimal("12.5"),
        "travel_minutes": 25,
        "expenses": Decimal("3.40"),
        "expenses_note": "Parcheggio",
        "sensitive_notes": "Il padre chiede di rivedere la data dell'udienza.",
    }
    fields.update(overrides)
    return fields


def write(world: World, appointment: Appointment | None = None, *, submit=True, by=None, **overrides) -> SessionReport:
    appointment = appointment or world.appointments[0]
    return report_services.report_save(
        actor=actor_for(by or world.mediator_user),
        appointment=appointment,
        fields=report_fields(appointment, **overrides),
        submit=submit,
    )


def validated(world: World, appointment: Appointment | None = None) -> SessionReport:
    report = write(world, appointment)
    report_services.report_confirm(actor=actor_for(world.social_worker), report=report)
    return report_services.report_validate(actor=actor_for(world.coordinator), report=report)


def at(days_ago: int, hour: int) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))
