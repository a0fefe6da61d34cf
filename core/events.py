"""Telling whoever listens that an appointment was planned, moved or cancelled, without knowing who listens.

The API's webhooks (api/webhooks.py) tell other systems about these events; the services that plan and change
appointments live in a room below the API (scheduling) and may not import it. So each service calls
:func:`appointments_changed` inside its transaction, and the API registers a listener when its app is ready (it
writes its deliveries to the outbox: sent once the transaction commits, never if it rolls back). A request's change of
state needs no call: every one is a ``StatusChange`` row, which the API listens to itself. With no listener
registered, nothing happens.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

PLANNED, MOVED, CANCELLED = "planned", "moved", "cancelled"

Listener = Callable[..., None]
_LISTENERS: list[Listener] = []


def register(listener: Listener) -> Listener:
    """Add a listener ``(*, kind: str, appointment_ids: list[int]) -> None`` (registering twice adds it once)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def appointments_changed(*, kind: str, appointment_ids: Iterable[int]) -> None:
    """Appointments were ``kind`` (planned, moved, cancelled: a voided one is cancelled too)."""
    ids = sorted({int(pk) for pk in appointment_ids})
    if ids:
        for listener in _LISTENERS:
            listener(kind=kind, appointment_ids=ids)
