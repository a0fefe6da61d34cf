"""Reads of the audit app: the read audit, by scope."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.scoping import visible

from .models import ReadEvent

# --- The read audit ---------------------------------------------------------------------------------------------------


def read_events(*, user) -> QuerySet[ReadEvent]:
    """The audit rows the user may see (accounts.scoping: province staff their province's, administrators all)."""
    return visible(user, ReadEvent).select_related("user", "province").order_by("-at", "-pk")
