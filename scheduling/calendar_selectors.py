"""Scoped reads of the calendars (scheduling.calendar_views): the appointments of a period, bounded; their counts per
district and day; a page of a day's items; the menu of mediators; a district's day. Split from scheduling.selectors,
whose other reads serve the request's matching and planning pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, F, OuterRef, Window
from django.db.models.functions import RowNumber, TruncDate

from accounts.scoping import visible
from mediators.models import Mediator

from .models import Appointment
from .selectors import mediators_named

# --- Calendars (scheduling.calendar_views) ---------------------------------------------------------------------------
# A calendar never loads a whole period: the counts come grouped by district, day and status from one query; the
# appointments themselves are read a few per day (a window function numbers them within their day), and a district's
# day page reads them a page at a time.

ROME = ZoneInfo("Europe/Rome")
# An appointment lasts less than a day (the planning form allows 10 hours): one that starts the day before the period
# is the earliest that can reach into it. The bound keeps the read on the index of the start time.
LONGEST_APPOINTMENT = timedelta(days=1)


def _local_day():
    return TruncDate("starts_at", tzinfo=ROME)


def calendar_appointments(*, user, start: datetime, end: datetime):
    """The appointments the user sees that overlap ``start``–``end`` (void ones left out): the base of a calendar."""
    return (
        visible(user, Appointment)
        .filter(starts_at__gte=start - LONGEST_APPOINTMENT, starts_at__lt=end, ends_at__gt=start)
        .exclude(status=Appointment.Status.VOID)
    )


@dataclass(frozen=True)
class DayCount:
    district_id: int
    district: str
    day: date
    status: str
    count: int


def calendar_counts(appointments) -> list[DayCount]:
    """How many appointments each district has on each (Italian) day, by status: one grouped query."""
    rows = (
        appointments.annotate(local_day=_local_day())
        .values("district_id", "district__name", "local_day", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return [
        DayCount(
            row["district_id"],
            row["district__name"],
            row["local_day"],
            row["status"],
            row["count"],
        )
        for row in rows
    ]


# What an appointment of a calendar shows (templates/scheduling/calendar_item.html): its times, state, place or mode,
# the request's case code and languages, and the mediator's name where the calendar names them.
CALENDAR_ITEM_FIELDS = ("starts_at", "ends_at", "place", "mode", "status", "request__case_code")


def calendar_items(appointments, *, per_day: int, with_mediator: bool = True) -> list[Appointment]:
    """The first ``per_day`` appointments of each day in time order, with their request's case code and languages
    and (``with_mediator``) their mediator's name, each with ``day_total`` (its day's appointments) and
    ``period_total`` (all of them): two queries, whatever their number.

    Only what a calendar shows is read: Django writes the columns of a query filtered on its window functions three
    times over (the inner query, its aliases, the outer one), and the request's thirty columns, its office's and the
    mediator's cost a mediator's month some 1.5 ms of Python (issue #17). A mediator's own calendar names nobody."""
    day = _local_day()
    numbered = appointments.annotate(
        day_number=Window(RowNumber(), partition_by=[day], order_by=[F("starts_at").asc(), F("pk").asc()]),
        day_total=Window(Count("pk"), partition_by=[day]),
        period_total=Window(Count("pk")),
    )
    fields, related = CALENDAR_ITEM_FIELDS, ["request"]
    if with_mediator:
        fields, related = (*fields, "mediator__first_name", "mediator__last_name"), ["request", "mediator"]
    return list(
        numbered.filter(day_number__lte=per_day)
        .select_related(*related)
        .only(*fields)
        .prefetch_related("request__languages")
        .order_by("starts_at", "pk")
    )


def calendar_menu(*, user, start: datetime, end: datetime, search: str = "", limit: int) -> list[Mediator]:
    """The mediators a calendar's menu offers, at most ``limit + 1`` (one more says that there are more): those
    whose name or e-mail contains ``search``, else those with an appointment the user sees in the period."""
    if search:
        return mediators_named(user=user, text=search, limit=limit)
    working = calendar_appointments(user=user, start=start, end=end).filter(mediator=OuterRef("pk"))
    return list(visible(user, Mediator).filter(Exists(working)).order_by("last_name", "first_name", "pk")[: limit + 1])


def district_day(*, user, district, day: date):
    """A district's appointments starting on one (Italian) day that the user sees (as the counts group them): their
    counts by status (one query) and the appointments in time order, with office, mediator and languages, for the
    caller to read a page at a time."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=ROME)
    appointments = (
        visible(user, Appointment)
        .filter(district=district, starts_at__gte=start, starts_at__lt=start + timedelta(days=1))
        .exclude(status=Appointment.Status.VOID)
    )
    return calendar_counts(appointments), (
        appointments.select_related("request__office", "mediator")
        .prefetch_related("request__languages")
        .order_by("starts_at", "pk")
    )
