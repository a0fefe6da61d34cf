"""Months as the timesheets count them (Europe/Rome), and the lock an approved timesheet puts on its month's session
reports. Read through :mod:`timesheets.selectors`, which names them all."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.formatting import format_month
from scheduling.models import Appointment

from .models import Timesheet

ROME = ZoneInfo(settings.TIME_ZONE)


# --- Months -----------------------------------------------------------------------------------------------------------


def first_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def parse_month(value: str | None, default: date | None = None) -> date:
    """``2026-10`` → 1 October 2026; anything else → ``default`` (the current month)."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1) if 2000 <= year <= 2100 else first_of(default or timezone.localdate())
    except ValueError:
        return first_of(default or timezone.localdate())


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The instants a month starts and ends in Italy (summer time included)."""
    start = datetime.combine(first_of(month), time(0), tzinfo=ROME)
    return start, datetime.combine(next_month(month), time(0), tzinfo=ROME)


def month_is_over(month: date, today: date | None = None) -> bool:
    return next_month(month) <= (today or timezone.localdate())


# --- The lock the session reports obey -------------------------------------------------------------------------------


def month_locked(mediator, day: date, district=None) -> bool:
    """Whether the month of ``day`` is approved in a timesheet of ``mediator`` (in ``district``, or in any), which
    locks that month's session reports: they can no longer be written, corrected or sent back."""
    rows = Timesheet.objects.filter(mediator=mediator, month=first_of(day), status=Timesheet.Status.APPROVED)
    if district is not None:
        rows = rows.filter(district=district)
    return rows.exists()


def why_locked(*, appointment: Appointment) -> str:
    """Why the report of this appointment cannot change because of an approved timesheet, or "" (one query)."""
    day = timezone.localdate(appointment.starts_at)
    if month_locked(appointment.mediator_id, day, appointment.district_id):
        return _("The timesheet of %(month)s is approved: its session reports can no longer change.") % {
            "month": _month_label(first_of(day))
        }
    return ""


def _month_label(month: date) -> str:
    return format_month(month)
