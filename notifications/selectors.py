"""Scoped reads of notifications: one's own, never another person's (accounts.scoping: a personal model)."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.scoping import actor_for, visible

from . import counters, preferences
from .models import Notification, NotificationPreference


def unread_notification_count(*, user) -> int:
    """The header's counter: from the shared cache (``notifications.counters``), counted on a miss."""
    if actor_for(user).role is None:
        return 0  # sees no notification at all (visible() is empty)
    return counters.unread_count(user.pk, lambda: visible(user, Notification).filter(read_at__isnull=True).count())


# What a notification's line shows (notifications.text): its own fields, the request's case code and office, the
# district's name, who did it. Reading only these (not the request's 30 columns, the user's password...) halves
# what a page of 25 costs Django to build (issue #17).
LIST_FIELDS = (
    *(f.name for f in Notification._meta.concrete_fields),
    "request__case_code",
    "request__office__name",
    "request__office__district__name",
    "actor__email",
    "actor__first_name",
    "actor__last_name",
)


def notification_list(*, user) -> QuerySet[Notification]:
    return visible(user, Notification).select_related("request__office__district", "actor").only(*LIST_FIELDS)


def reachable_request_ids(*, user, notifications) -> set[int]:
    """Which of the notifications' requests the user may still open (a notification outlives the user's scope)."""
    ids = {n.request_id for n in notifications if n.request_id is not None}
    if not ids:
        return set()
    requests = Notification._meta.get_field("request").related_model
    return set(visible(user, requests).filter(pk__in=ids).values_list("pk", flat=True))


def preference_rows(*, user) -> list[dict]:
    """One row per kind the user's current role receives: its name, the role's default and the user's choice (the
    default when they never chose). One query: the user's own choices."""
    defaults = preferences.kinds_for(actor_for(user).role)
    if not defaults:
        return []
    chosen = dict(visible(user, NotificationPreference).values_list("kind", "delivery"))
    return [
        {
            "kind": kind,
            "label": Notification.Kind(kind).label,
            "default": default,
            "delivery": chosen.get(kind, default),
        }
        for kind, default in defaults.items()
    ]
