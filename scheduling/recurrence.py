"""Recurring appointments: the dates of a series and what clashes with them, computed before anything is saved.

Occurrences keep the same Italian wall-clock time across the change to and from summer time (10:00 stays 10:00),
so they are built from local dates and times, not by adding multiples of seven days to an instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.formatting import format_date_short, format_datetime_short, format_time
from mediators.models import Absence, Mediator

from .models import LIVE_APPOINTMENT, Appointment

ROME = ZoneInfo("Europe/Rome")
# A year of weekly meetings at most: a longer plan is reviewed and planned again.
MAX_OCCURRENCES = 53
MAX_SPAN = timedelta(days=366)

THIS, FOLLOWING, ALL = "this", "following", "all"
SCOPES = (THIS, FOLLOWING, ALL)


@dataclass(frozen=True)
class Span:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Conflict:
    """An occurrence that cannot be planned, and why, in words."""

    starts_at: datetime
    ends_at: datetime
    reason: str


def local_combine(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=ROME)


def occurrences(*, starts_at: datetime, ends_at: datetime, interval_weeks: int, until: date) -> list[Span]:
    """Every ``interval_weeks`` weeks from the first occurrence until ``until`` (included), same local time."""
    first = starts_at.astimezone(ROME)
    duration = ends_at - starts_at
    spans, day = [], first.date()
    while day <= until and len(spans) < MAX_OCCURRENCES:
        start = local_combine(day, first.timetz().replace(tzinfo=None))
        spans.append(Span(start, start + duration))
        day += timedelta(weeks=interval_weeks)
    return spans


def _when(moment: datetime) -> str:
    return format_datetime_short(moment)


def conflicts(
    *, mediator: Mediator, spans: list[Span], place: str, mode: str, ignore_ids: set[int] | frozenset = frozenset()
) -> list[Conflict]:
    """Which of ``spans`` clash with the mediator's live appointments (overlap, or for in-person work the travel
    buffer to another place) or fall in one of their absences. Two queries whatever the number of occurrences."""
    if not spans:
        return []
    buffer = timedelta(minutes=settings.TRAVEL_BUFFER_MINUTES)
    first, last = min(s.starts_at for s in spans), max(s.ends_at for s in spans)
    live = list(
        Appointment.objects.filter(LIVE_APPOINTMENT, mediator=mediator)
        .filter(starts_at__lt=last + buffer, ends_at__gt=first - buffer)
        .exclude(pk__in=ignore_ids)
        .order_by("starts_at", "pk")
    )
    absences = list(
        Absence.objects.filter(
            mediator=mediator,
            start_date__lte=timezone.localdate(last),
            end_date__gte=timezone.localdate(first),
        )
    )
    place = place.strip().casefold()
    found = []
    for span in spans:
        reason = _clash(
            mediator=mediator, span=span, live=live, absences=absences, place=place, mode=mode, buffer=buffer
        )
        if reason:
            found.append(Conflict(span.starts_at, span.ends_at, reason))
    return found


def _clash(*, mediator, span: Span, live, absences, place: str, mode: str, buffer: timedelta) -> str:
    for other in live:
        if other.starts_at < span.ends_at and other.ends_at > span.starts_at:
            return _("%(name)s already has an appointment from %(start)s to %(end)s.") % {
                "name": mediator.full_name,
                "start": _when(other.starts_at),
                "end": format_time(other.ends_at),
            }
    if mode == "in_person":
        for other in live:
            if (
                other.mode == "in_person"
                and other.starts_at < span.ends_at + buffer
                and other.ends_at > span.starts_at - buffer
                and other.place.strip().casefold() != place
            ):
                return _(
                    "%(name)s needs %(minutes)s minutes to travel from or to the appointment at %(time)s in %(place)s."
                ) % {
                    "name": mediator.full_name,
                    "minutes": settings.TRAVEL_BUFFER_MINUTES,
                    "time": format_time(other.starts_at),
                    "place": other.place or _("another place"),
                }
    first_day, last_day = timezone.localdate(span.starts_at), timezone.localdate(span.ends_at)
    for absence in absences:
        if absence.start_date <= last_day and absence.end_date >= first_day:
            return _("%(name)s is absent from %(start)s to %(end)s.") % {
                "name": mediator.full_name,
                "start": format_date_short(absence.start_date),
                "end": format_date_short(absence.end_date),
            }
    return ""


def shifted(appointment: Appointment, *, day_delta: timedelta, at: time, duration: timedelta) -> Span:
    """Where an occurrence goes when the series moves: the same number of days, the new local time and length."""
    start = local_combine(timezone.localtime(appointment.starts_at, ROME).date() + day_delta, at)
    return Span(start, start + duration)
