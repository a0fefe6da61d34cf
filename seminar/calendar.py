"""The seminar as a calendar file (icalendar), attached to the confirmation and the reminder."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event


def ics(seminar) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Mediazione//Seminario//IT")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"seminar-{seminar.pk}@{settings.PORTAL_BASE_URL.split('//')[-1]}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", seminar.starts_at)
    event.add("dtend", seminar.ends_at)
    event.add("summary", seminar.title)
    event.add("location", f"{seminar.place}, {seminar.address}")
    event.add("url", settings.PORTAL_BASE_URL + seminar.get_public_url())
    calendar.add_component(event)
    return calendar.to_ical()
