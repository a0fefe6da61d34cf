"""Calendars: a mediator's agenda, the district and province calendars, and the personal ICS feed.

One page, /calendario/, shows what the user's role reaches (through the scoping rule of appointments): a mediator
their own appointments, a social worker her office's requests' (read-only, no notes), a coordinator their
district's, province staff their province's. Week view by default,
month view with ``?vista=mese``; ``?data=YYYY-MM-DD`` picks the week or month (a bad date means today).
Cancelled appointments are shown struck through; void ones (entered by mistake) are left out.

Bounded (issue #17): a scope that spans districts, or a period with many appointments, is a summary per district and
day; each of its cells opens the district's day (/calendario/ambiti/<district>/<day>/, a page at a time); a detailed
calendar shows the first few appointments of each day. The bounds are the constants below.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import npgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from accounts.models import District, Role
from accounts.scoping import actor_for, get_for_user_or_404
from core.errors import NotAllowed
from mediators import services as mediator_services
from mediators.models import Mediator

from . import calendar_selectors, selectors
from .models import Appointment

ROME = ZoneInfo("Europe/Rome")
CALENDAR_ROLES = (Role.MEDIATOR, Role.SOCIAL_WORKER, Role.COORDINATOR, Role.PROVINCE_STAFF, Role.ADMINISTRATOR)
# The bounds of a calendar page (docs/performance.md, "Calendars"). A period with more appointments than
# SUMMARY_ABOVE, and any period of a scope that spans districts (province staff, administrators) with no mediator
# chosen, is a summary: per district and day, the counts by status. A detailed calendar shows at most MONTH_PER_DAY
# (month) or WEEK_PER_DAY (week) appointments a day, and says how many more the day has.
SUMMARY_ABOVE = 300
MONTH_PER_DAY = 4
WEEK_PER_DAY = 25
MENU_LIMIT = 50  # mediators in the calendar's menu; a search finds the others
DAY_PAGE_SIZE = 50  # appointments per page of a district's day
# The feed carries what a phone calendar needs around today, not the whole history.
FEED_PAST = timedelta(days=30)
FEED_FUTURE = timedelta(days=365)


def _parse_day(value: str | None, today: date) -> date:
    """The day of ``?data=``; anything that is not a plausible ISO date means today (never a 500)."""
    try:
        day = date.fromisoformat(value or "")
    except (TypeError, ValueError):
        return today
    # Far-away years would overflow the navigation arithmetic and mean nothing here.
    if not 2000 <= day.year <= 2100:
        return today
    return day


def _bounds(day: date, month_view: bool) -> tuple[date, date, date, date]:
    """First and last+1 day of the grid, and the days of the previous and next page."""
    if month_view:
        first = day.replace(day=1)
        next_month = (first + timedelta(days=32)).replace(day=1)
        last = next_month - timedelta(days=1)
        start = first - timedelta(days=first.weekday())
        end = last + timedelta(days=7 - last.weekday())
        return start, end, (first - timedelta(days=1)).replace(day=1), next_month
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=7), day - timedelta(days=7), day + timedelta(days=7)


def _aware(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ROME)


def _languages(appointment: Appointment) -> str:
    return ", ".join(
        f"{language.name} ({language.variant})" if language.variant else language.name
        for language in appointment.request.languages.all()
    )


@login_required
def agenda(request):
    actor = actor_for(request.user)
    if actor.role not in CALENDAR_ROLES:
        raise PermissionDenied
    today = timezone.localdate(timezone=ROME)
    day = _parse_day(request.GET.get("data"), today)
    month_view = request.GET.get("vista") == "mese"
    start, end, previous_day, next_day = _bounds(day, month_view)
    appointments = calendar_selectors.calendar_appointments(user=request.user, start=_aware(start), end=_aware(end))

    profile = None
    menu: list[Mediator] = []
    chosen: Mediator | None = None
    search = ""
    if actor.role == Role.MEDIATOR:
        # What the page needs of the profile: its feed's address and the form that replaces it (issue #17).
        profile = Mediator.objects.filter(user=request.user).only("calendar_token").first()
    elif actor.role != Role.SOCIAL_WORKER:  # the office has no roster to filter by
        search = request.GET.get("cerca", "").strip()[:100]
        if request.GET.get("mediatore"):
            chosen = selectors.visible_mediator(user=request.user, pk=request.GET["mediatore"])
        menu = calendar_selectors.calendar_menu(
            user=request.user, start=_aware(start), end=_aware(end), search=search, limit=MENU_LIMIT
        )
        if chosen is None and search and len(menu) == 1:
            chosen = menu[0]  # the only mediator found: shown at once
        if chosen is not None:
            appointments = appointments.filter(mediator=chosen)

    # A scope that spans districts is summed up at once; any other reads its first appointments of each day (with
    # the days' and the period's totals) and is summed up instead when the period holds too many.
    items: list[Appointment] = []
    summary = chosen is None and actor.role in (Role.PROVINCE_STAFF, Role.ADMINISTRATOR)
    if not summary:
        items = calendar_selectors.calendar_items(
            appointments,
            per_day=MONTH_PER_DAY if month_view else WEEK_PER_DAY,
            with_mediator=actor.role != Role.MEDIATOR,  # a mediator's calendar shows their own: no name
        )
        summary = bool(items) and items[0].period_total > SUMMARY_ABOVE
    context = {
        "month_view": month_view,
        "day": day,
        "week_start": start,
        "week_end": end - timedelta(days=1),
        "today": today,
        "previous_day": previous_day,
        "next_day": next_day,
        "is_mediator": actor.role == Role.MEDIATOR,
        "is_office": actor.role == Role.SOCIAL_WORKER,
        "profile": profile,
        "mediators": menu[:MENU_LIMIT],
        "menu_more": len(menu) > MENU_LIMIT,
        "search": search,
        "chosen": chosen,
        "summary": summary,
    }
    if summary:
        days = [start + timedelta(days=n) for n in range((end - start).days)]
        if month_view:
            days = [d for d in days if d.month == day.month]
        context.update(_summary(calendar_selectors.calendar_counts(appointments), days, today))
    else:
        context["weeks"] = _grid(actor, items, start=start, end=end, day=day, today=today, chosen=chosen)
    if profile is not None and profile.calendar_token:
        context["feed_url"] = request.build_absolute_uri(
            reverse("scheduling:calendar_feed", args=[profile.calendar_token])
        )
    context["can_reset_chosen"] = chosen is not None and mediator_services.can_reset_calendar_token(
        user=request.user, mediator=chosen
    )
    return render(request, "scheduling/calendar.html", context)


def _grid(actor, items: list[Appointment], *, start, end, day, today, chosen) -> list[list[dict]]:
    """The weeks of a detailed calendar: each day its first appointments (``items``) and how many more it has."""
    month_view = (end - start).days > 7
    by_day: dict[date, list[Appointment]] = {}
    day_totals: dict[date, int] = {}
    counted: set[date] = set()
    for appointment in items:
        appointment.languages_label = _languages(appointment)
        local_day = timezone.localtime(appointment.starts_at, ROME).date()
        key = max(local_day, start)  # one that started the evening before the first day shows on it
        by_day.setdefault(key, []).append(appointment)
        if local_day not in counted:
            counted.add(local_day)
            day_totals[key] = day_totals.get(key, 0) + appointment.day_total
    # "N more": a district's day when the user reaches one district and looks at all of it; else the week.
    district_id = next(iter(actor.district_ids)) if len(actor.district_ids) == 1 and chosen is None else None
    if actor.role == Role.MEDIATOR:
        district_id = None
    days = []
    current = start
    while current < end:
        shown = by_day.get(current, [])
        more = day_totals.get(current, 0) - len(shown)
        more_url = None
        if more > 0 and district_id is not None:
            more_url = reverse("scheduling:calendar_day", args=[district_id, current.isoformat()])
        elif more > 0 and month_view:
            more_url = f"?data={current.isoformat()}" + (f"&mediatore={chosen.pk}" if chosen else "")
        days.append(
            {
                "date": current,
                "is_today": current == today,
                "in_month": current.month == day.month,
                "appointments": shown,
                "more": max(more, 0),
                "more_url": more_url,
            }
        )
        current += timedelta(days=1)
    return [days[i : i + 7] for i in range(0, len(days), 7)]


STATUS_ORDER = (
    Appointment.Status.PLANNED,
    Appointment.Status.HELD,
    Appointment.Status.NO_SHOW,
    Appointment.Status.CANCELLED,
)
# Short class names: a province's month has a few hundred cells (templates/scheduling/_calendar_styles.html).
STATUS_CSS = {
    Appointment.Status.PLANNED: "p",
    Appointment.Status.HELD: "h",
    Appointment.Status.NO_SHOW: "n",
    Appointment.Status.CANCELLED: "c",
}


def _status_counts(by_status: dict[str, int]) -> list[dict]:
    labels = {
        Appointment.Status.PLANNED: lambda n: npgettext("calendar count", "planned", "planned", n),
        Appointment.Status.HELD: lambda n: npgettext("calendar count", "held", "held", n),
        Appointment.Status.NO_SHOW: lambda n: npgettext("calendar count", "no-show", "no-shows", n),
        Appointment.Status.CANCELLED: lambda n: npgettext("calendar count", "cancelled", "cancelled", n),
    }
    return [
        {"css": STATUS_CSS[status], "count": by_status[status], "label": labels[status](by_status[status])}
        for status in STATUS_ORDER
        if by_status.get(status)
    ]


def _summary(counts, days: list[date], today: date) -> dict:
    """The summary of a period: a row per district, a cell per day with its counts by status, linking to the
    district's day; the days' totals below."""
    shown = set(days)
    cells: dict[int, dict[date, dict[str, int]]] = {}
    names: dict[int, str] = {}
    for row in counts:
        if row.day in shown:
            names[row.district_id] = row.district
            cell = cells.setdefault(row.district_id, {}).setdefault(row.day, {})
            cell[row.status] = cell.get(row.status, 0) + row.count
    classes = [("we " if d.weekday() >= 5 else "") + ("td" if d == today else "") for d in days]
    rows = []
    for district_id in sorted(names, key=lambda pk: (names[pk].casefold(), pk)):
        row_cells, district_total = [], {}
        for d, css in zip(days, classes, strict=True):
            by_status = cells[district_id].get(d, {})
            for status, n in by_status.items():
                district_total[status] = district_total.get(status, 0) + n
            row_cells.append(
                {
                    "css": css.strip(),
                    "total": sum(by_status.values()),
                    "counts": _status_counts(by_status),
                    "url": reverse("scheduling:calendar_day", args=[district_id, d.isoformat()]) if by_status else "",
                }
            )
        rows.append(
            {
                "district": names[district_id],
                "cells": row_cells,
                "total": sum(district_total.values()),
                "counts": _status_counts(district_total),
            }
        )
    day_totals = [sum(sum(cells[pk].get(d, {}).values()) for pk in cells) for d in days]
    return {
        "summary_days": [{"date": d, "css": css.strip()} for d, css in zip(days, classes, strict=True)],
        "summary_rows": rows,
        "summary_totals": day_totals,
        "summary_total": sum(day_totals),
    }


@login_required
def district_day(request, pk: int, day: str):
    """A district's appointments of one day that the user sees, a page at a time: where the summary's cells and the
    calendar's "N more" lead. 404 for a district outside the user's reach."""
    actor = actor_for(request.user)
    if actor.role not in CALENDAR_ROLES:
        raise PermissionDenied
    district = get_for_user_or_404(request.user, District, pk=pk)
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    if not 2000 <= wanted.year <= 2100:
        raise Http404
    counts, appointments = calendar_selectors.district_day(user=request.user, district=district, day=wanted)
    by_status = {row.status: row.count for row in counts}
    paginator = Paginator(appointments, DAY_PAGE_SIZE)
    paginator.count = sum(by_status.values())  # known from the counts: no second count query
    page = paginator.get_page(request.GET.get("page"))
    for appointment in page:
        appointment.languages_label = _languages(appointment)
    return render(
        request,
        "scheduling/calendar_day.html",
        {
            "district": district,
            "day": wanted,
            "page": page,
            "counts": _status_counts(by_status),
            "total": paginator.count,
            "is_mediator": actor.role == Role.MEDIATOR,
            "previous_day": wanted - timedelta(days=1),
            "next_day": wanted + timedelta(days=1),
        },
    )


@login_required
@require_POST
def calendar_token_reset(request, pk: int):
    """A new secret address for a mediator's feed: the old one stops working (revocation)."""
    mediator = get_for_user_or_404(request.user, Mediator, pk=pk)
    try:
        mediator_services.mediator_calendar_token_reset(actor=actor_for(request.user), mediator=mediator)
    except NotAllowed:
        raise PermissionDenied from None
    if mediator.user_id == request.user.pk:
        messages.success(request, _("Your new calendar address is ready. The old one no longer works."))
        return redirect("scheduling:calendar")
    messages.success(request, _("The mediator's calendar address was replaced. The old one no longer works."))
    return redirect(f"{reverse('scheduling:calendar')}?mediatore={mediator.pk}")


@never_cache
def calendar_feed(request, token: str):
    """The personal ICS feed: no login, the secret address is the key. Only what a phone calendar needs: time,
    place, office, mode, language and case code; never the notes or the goal of the request."""
    mediator = get_object_or_404(Mediator, calendar_token=token)
    now = timezone.now()
    appointments = (
        Appointment.objects.filter(mediator=mediator, starts_at__gte=now - FEED_PAST, starts_at__lt=now + FEED_FUTURE)
        .exclude(status=Appointment.Status.VOID)
        .select_related("request__office")
        .prefetch_related("request__languages")
        .order_by("starts_at", "pk")
    )
    calendar = Calendar()
    calendar.add("prodid", "-//Mediazione//Calendar//IT")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Mediation appointments"))
    for appointment in appointments:
        event = Event()
        # Stable across edits, so that a phone updates the event instead of adding a copy.
        event.add("uid", f"appointment-{appointment.pk}@mediazione")
        event.add("dtstamp", appointment.updated_at.astimezone(UTC))
        event.add("dtstart", appointment.starts_at.astimezone(UTC))
        event.add("dtend", appointment.ends_at.astimezone(UTC))
        event.add(
            "summary",
            _("Mediation %(code)s · %(languages)s")
            % {"code": appointment.request.case_code, "languages": _languages(appointment)},
        )
        if appointment.place:
            event.add("location", appointment.place)
        event.add("description", f"{appointment.request.office.name} · {appointment.get_mode_display()}")
        event.add("status", "CANCELLED" if appointment.status == Appointment.Status.CANCELLED else "CONFIRMED")
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="mediazione.ics"'
    return response
