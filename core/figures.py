"""Telling whoever keeps figures that the facts behind them changed, without knowing who keeps them.

The reporting dashboard reads monthly aggregates that must follow every change of a request, its appointments, their
reports and its evaluations. Those changes are written by rooms below reporting (requests_app, scheduling,
sessions_app), which may not import it. So each of their services calls :func:`facts_changed` inside its
transaction, and reporting registers a listener here when its app is ready (it writes its refresh task to the outbox:
sent once the transaction commits, never lost, nothing sent if it rolls back). With no listener registered, nothing
happens.

What a service says: which request, and the moments of the facts that changed besides the request itself: an
appointment's start (its old one too when it moved), an evaluation's date. The listener decides which figures those
touch (reporting: the months of those moments and of the request's submission).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

Listener = Callable[..., None]
_LISTENERS: list[Listener] = []


def register(listener: Listener) -> Listener:
    """Add a listener ``(*, request_id: int, at: list[datetime]) -> None`` (idempotent: registering twice adds it
    once). It is called inside the caller's transaction: it should only write what belongs to it (an outbox row)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def facts_changed(*, request_id: int, at: Iterable[datetime | None] = ()) -> None:
    """A request, or something dated ``at`` hanging from it (appointments, reports, evaluations), changed."""
    moments = sorted({moment for moment in at if moment is not None})
    for listener in _LISTENERS:
        listener(request_id=request_id, at=moments)
