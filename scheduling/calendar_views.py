"""Calendars: a mediator's agenda, the district and province calendars, and the personal ICS feed.

One page, /calendario/, shows what the user's role reaches (through the scoping rule of appointments): a mediator
their own appointments, a social worker her office's requests' (read-only, no notes), a coordinator their
district's, province staff their province's. Week view by default,
month view with ``?vista=mese``; ``?data=YYYY-MM-DD`` picks the week or month (a bad date means today).
Cancelled appointments are shown struck through; void ones (entered by mistake) are left out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from accounts.models import Role
from accounts.scoping import actor_for, get_for_user_or_404, visible
from core.errors import NotAllowed
from mediators import services as mediator_services
from mediators.models import Mediator

from .models import Appointment

ROME = ZoneInfo("Europe/Rome")
CALENDAR_ROLES = (Role.MEDIATOR, Role.SOCIAL_WORKER, Role.COORDINATOR, Role.PROVINCE_STAFF, Role.ADMINISTRATOR)
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

    appointments = (
        visible(request.user, Appointment)
        .filter(starts_at__lt=_aware(end), ends_at__gt=_aware(start))
        .exclude(status=Appointment.Status.VOID)
        .select_related("request__office", "mediator")
        .prefetch_related("request__languages")
        .order_by("starts_at", "pk")
    )

    profile = None
    mediators: list[Mediator] = []
    chosen: Mediator | None = None
    if actor.role == Role.MEDIATOR:
        profile = Mediator.objects.filter(user=request.user).first()
    elif actor.role == Role.SOCIAL_WORKER:
        pass  # the office's own requests (the appointments' rule): no roster to filter by
    else:
        mediators = list(visible(request.user, Mediator).order_by("last_name", "first_name", "pk"))
        wanted = request.GET.get("mediatore", "")
        chosen = next((m for m in mediators if str(m.pk) == wanted), None)
        if chosen is not None:
            appointments = appointments.filter(mediator=chosen)

    by_day: dict[date, list[Appointment]] = {}
    for appointment in appointments:
        appointment.languages_label = _languages(appointment)
        local_day = timezone.localtime(appointment.starts_at, ROME).date()
        by_day.setdefault(max(local_day, start), []).append(appointment)

    days = []
    current = start
    while current < end:
        days.append(
            {
                "date": current,
                "is_today": current == today,
                "in_month": current.month == day.month,
                "appointments": by_day.get(current, []),
            }
        )
        current += timedelta(days=1)
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]

    feed_url = None
    if profile is not None and profile.calendar_token:
        feed_url = request.build_absolute_uri(reverse("scheduling:calendar_feed", args=[profile.calendar_token]))
    return render(
        request,
        "scheduling/calendar.html",
        {
            "month_view": month_view,
            "day": day,
            "week_start": start,
            "week_end": end - timedelta(days=1),
            "today": today,
            "weeks": weeks,
            "previous_day": previous_day,
            "next_day": next_day,
            "is_mediator": actor.role == Role.MEDIATOR,
            "is_office": actor.role == Role.SOCIAL_WORKER,
            "profile": profile,
            "feed_url": feed_url,
            "mediators": mediators,
            "chosen": chosen,
            "can_reset_chosen": chosen is not None
            and mediator_services.can_reset_calendar_token(user=request.user, mediator=chosen),
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
