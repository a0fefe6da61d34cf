"""The course's calendar as ICS (attached to the invitation e-mail): one event per session, with a stable UID so
that a calendar updates an event sent again instead of adding a copy (as scheduling's personal feed does)."""

from __future__ import annotations

from datetime import UTC

from django.utils import timezone
from icalendar import Calendar, Event

from .models import Course, Session


def course_ics(course: Course, sessions: list[Session]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Mediazione//Corso di formazione//IT")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", course.title)
    stamp = timezone.now().astimezone(UTC)
    for session in sessions:
        event = Event()
        event.add("uid", f"training-session-{session.pk}@mediazione")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("dtend", session.ends_at.astimezone(UTC))
        summary = course.title if session.module is None else f"{course.title} · {session.module.title}"
        event.add("summary", summary)
        location = session.place or session.online_url
        if location:
            event.add("location", location)
        description = [f"Docente: {session.trainer}"]
        if session.online_url:
            description.append(f"Collegamento: {session.online_url}")
            event.add("url", session.online_url)
        event.add("description", "\n".join(description))
        calendar.add_component(event)
    return calendar.to_ical()
