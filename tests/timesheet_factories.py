"""A mediator's last month: appointments on fixed days of the previous month, their reports, the provider's rate."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from scheduling.models import Appointment
from timesheets import months
from timesheets.models import Rate

from . import factories as f
from . import report_factories as rf

ROME = ZoneInfo("Europe/Rome")


def last_month() -> date:
    return months.previous_month(months.first_of(timezone.localdate()))


def rate(provider, hourly="21.50", km="0.35", travel="10.00", valid_from=date(2020, 1, 1)) -> Rate:
    return Rate.objects.create(
        provider=provider,
        valid_from=valid_from,
        hourly_rate=Decimal(hourly),
        km_rate=Decimal(km),
        travel_hourly_rate=Decimal(travel),
    )


def appointment_on(request, day: date, hour: int = 10, minutes: int = 60, **extra) -> Appointment:
    starts_at = datetime.combine(day, time(hour), tzinfo=ROME)
    return Appointment.objects.create(
        request=request,
        mediator=request.assigned_mediator,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        place=request.place,
        created_by=f.coordinator(district=request.office.district),
        **extra,
    )


def month_world(*, held: int = 2, month: date | None = None) -> rf.World:
    """``held`` sessions of one hour planned (75 minutes held, 12.5 km, 25 minutes of travel, 3.40 € each) in
    ``month`` (last month), reported and submitted; the provider's rate is 21.50 €/h, 0.35 €/km, 10 €/h travel."""
    world = rf.make_world(sessions=0)
    rate(world.mediator.provider)
    month = month or last_month()
    for index in range(held):
        # Up to 28 days a month, then a second round in the afternoon.
        appointment = appointment_on(world.request, month + timedelta(days=2 + index % 26), hour=10 + 4 * (index // 26))
        world.appointments.append(appointment)
        rf.write(world, appointment)
    return world
