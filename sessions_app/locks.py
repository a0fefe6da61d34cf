"""What locks a session report from the rooms above, without this room importing them.

An approved timesheet locks its month's session reports, but timesheets stand above sessions (they are made of
session reports). So timesheets registers its check here when the app is ready, and sessions asks this module:
``why_locked(appointment=...)`` is the first reason a registered lock gives, or "" when nothing locks it.
"""

from __future__ import annotations

from collections.abc import Callable

Lock = Callable[..., str]
_LOCKS: list[Lock] = []


def register(lock: Lock) -> Lock:
    """Add a lock: a function ``(*, appointment) -> str`` returning why the appointment's report is locked, or ""."""
    if lock not in _LOCKS:
        _LOCKS.append(lock)
    return lock


def why_locked(*, appointment) -> str:
    for lock in _LOCKS:
        if reason := lock(appointment=appointment):
            return reason
    return ""
