"""The header's counter of unread notifications, kept in the shared cache (``settings.CACHES["shared"]``: Redis) so
that a page does not count them again.

One entry per person, written by the first page that needs it and deleted by the services whenever that person's
notifications change (written, read): at once and again once the transaction commits, so that a page that counted
meanwhile cannot leave the old number behind. The entry also expires after ``TIMEOUT`` seconds, which bounds what a
change made outside the services (the admin site, a deleted request) leaves. Without Redis, or while it is down,
nothing is kept: every page counts (one query).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.cache import caches
from django.db import transaction

TIMEOUT = 300


def _key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user_id: int, count: Callable[[], int]) -> int:
    """The number kept for ``user_id``, or ``count()`` (then kept)."""
    cache = caches["shared"]
    value = cache.get(_key(user_id))
    if value is None:
        value = count()
        cache.set(_key(user_id), value, TIMEOUT)
    return value


def forget(user_ids: Iterable[int]) -> None:
    """These people's counters changed: count them again on their next page."""
    keys = [_key(user_id) for user_id in set(user_ids)]
    if not keys:
        return
    caches["shared"].delete_many(keys)
    transaction.on_commit(lambda: caches["shared"].delete_many(keys))
