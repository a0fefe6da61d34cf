"""Demo rates and timesheets (run after the demo's session reports).

Rates: the two demo cooperatives, Ponti di Parole with an older rate and this year's, Connecting with one rate owing
half of a late cancellation. Timesheets: for every mediator's month in a district with sessions, the month before
last is approved and last month submitted when every session has its report sent; a month with reports still
missing was sent back to its mediator. Deterministic and idempotent: rows are written directly (the services
would refuse times in the past), and a month whose sessions changed since is set again.

The months are counted from yesterday, and every time is yesterday evening at the latest, so that the rows depend on
the day only and are in the past at any hour: on the 1st of a month the month that has just ended is not yet
submitted (a timesheet is sent once its month is over), and the demo shows the two months before it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.demo import PROVINCES, demo_email
from accounts.models import District, Membership, Provider, Role, User
from mediators.models import Mediator
from scheduling.models import Appointment

from . import months, selectors
from .models import Rate, Timesheet

D = Decimal
RATES = {
    PROVINCES["cremona"]["provider"]: [
        # (from, until, €/h, €/km, travel €/h, late cancellation %)
        (date(2024, 1, 1), date(2025, 12, 31), D("20.00"), D("0.30"), D("0.00"), 100),
        (date(2026, 1, 1), None, D("21.50"), D("0.35"), D("10.00"), 100),
    ],
    PROVINCES["bergamo"]["provider"]: [
        (date(2024, 1, 1), None, D("23.00"), D("0.30"), D("12.00"), 50),
    ],
}
SENT_BACK_REASON = "Mancano ancora dei resoconti del mese: completali e invia di nuovo il foglio ore."


def _rates() -> int:
    count = 0
    for name, rows in RATES.items():
        provider = Provider.objects.filter(name=name).first()
        if provider is None:
            continue
        for valid_from, valid_until, hourly, km, travel, late in rows:
            Rate.objects.update_or_create(
                provider=provider,
                valid_from=valid_from,
                defaults={
                    "valid_until": valid_until,
                    "hourly_rate": hourly,
                    "km_rate": km,
                    "travel_hourly_rate": travel,
                    "late_cancellation_percent": late,
                },
            )
            count += 1
    return count


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _coordinators() -> dict[int, User]:
    return {
        m.district_id: m.user
        for m in Membership.objects.filter(role=Role.COORDINATOR, is_active=True).select_related("user").order_by("-pk")
    }


def _wanted(sheet: selectors.Sheet, *, approve: bool, coordinator: User, admin: User, latest: datetime) -> dict | None:
    """The row a demo month should have, or None for a draft; nothing in it happens after ``latest``."""
    if not sheet.owed_lines:
        return None
    month_end = months.next_month(sheet.month)
    submitter = sheet.mediator.user or admin
    submitted_at = min(_at(month_end + timedelta(days=1), 18), latest - timedelta(hours=2))
    complete = not sheet.missing_reports and not sheet.unpriced
    if not complete:
        return {
            "status": Timesheet.Status.SENT_BACK,
            "submitted_by": submitter,
            "submitted_at": submitted_at,
            "sent_back_by": coordinator,
            "sent_back_at": submitted_at + timedelta(hours=1),
            "send_back_reason": SENT_BACK_REASON,
            "approved_by": None,
            "approved_at": None,
        }
    values = {
        "status": Timesheet.Status.SUBMITTED,
        "submitted_by": submitter,
        "submitted_at": submitted_at,
        "sent_back_by": None,
        "sent_back_at": None,
        "send_back_reason": "",
        "approved_by": None,
        "approved_at": None,
    }
    if approve:
        values.update(
            status=Timesheet.Status.APPROVED,
            approved_by=coordinator,
            approved_at=min(submitted_at + timedelta(days=2), latest - timedelta(hours=1)),
        )
    return values


@transaction.atomic
def build() -> dict[str, int]:
    """The demo's rates and its timesheets of the two months before this one."""
    rates = _rates()
    admin = User.objects.filter(email=demo_email("admin")).first()
    coordinators = _coordinators()
    yesterday = timezone.localdate() - timedelta(days=1)
    latest = _at(yesterday, 21)
    # The month yesterday belonged to: on the 1st, the month that has just ended is still open for its timesheets.
    this_month = months.first_of(yesterday)
    last = months.previous_month(this_month)
    counts = {"rates": rates, "approved": 0, "submitted": 0, "sent_back": 0}
    for month, approve in ((months.previous_month(last), True), (last, False)):
        start, end = months.month_bounds(month)
        pairs = set(
            Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
            .values_list("mediator_id", "district_id")
            .distinct()
        )
        mediators = Mediator.objects.in_bulk({m for m, _d in pairs})
        districts = District.objects.in_bulk({d for _m, d in pairs})
        sheets = selectors.build_sheets(pairs=[(mediators[m], districts[d]) for m, d in sorted(pairs)], month=month)
        for sheet in sheets:
            coordinator = coordinators.get(sheet.district.pk) or admin
            values = _wanted(sheet, approve=approve, coordinator=coordinator, admin=admin, latest=latest)
            if values is None:
                Timesheet.objects.filter(mediator=sheet.mediator, district=sheet.district, month=month).delete()
                continue
            Timesheet.objects.update_or_create(
                mediator=sheet.mediator, district=sheet.district, month=month, defaults=values
            )
            counts[values["status"]] += 1
    return counts
