"""The facts an appointment's notification keeps (day, time, place, mediator), written when it happens: the
appointment may move again later, but the notification keeps telling what it told (notifications.text reads them)."""

from __future__ import annotations

from .models import Appointment


def facts_of_appointment(appointment: Appointment) -> dict:
    return {
        "appointment": appointment.pk,
        "series": appointment.series_id,
        "starts_at": appointment.starts_at.isoformat(),
        "ends_at": appointment.ends_at.isoformat(),
        "place": appointment.place,
        "mode": appointment.mode,
        "mediator": appointment.mediator.full_name,
    }


def facts_of_occurrences(targets: list[Appointment]) -> dict:
    """A series' occurrences changed at once: how many, the first (with its place and mediator) and the last."""
    first, last = targets[0], targets[-1]
    return {**facts_of_appointment(first), "count": len(targets), "last_starts_at": last.starts_at.isoformat()}
