"""Small answers kept in the cache per organisation, such as the languages an office's requests ask for.

A list's filter menu must not read every row of the list to learn which languages to offer: the answer is computed
once per organisation (an office, a district, a province), kept for ``TIMEOUT`` seconds, and forgotten by the
services that change it. A page asks for the organisations it covers in one round trip (``get_many``); only those
missing are computed, in one query for all of them.

What is cached is never a permission: the page still filters its rows through ``accounts.scoping``. A stale answer
(a write that bypassed the services, such as the admin site or a bulk load) only offers a language too many or one
too few, until the entry expires.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache

TIMEOUT = 60 * 60

V = TypeVar("V")


def _key(prefix: str, pk) -> str:
    return f"{prefix}:{pk}"


def get_per_id(prefix: str, ids: Iterable, compute: Callable[[list], dict], *, default: V) -> dict:
    """``{id: value}`` for every id, from the cache or, for the ids it lacks, from ``compute(missing_ids)``."""
    keys = {_key(prefix, pk): pk for pk in ids}
    if not keys:
        return {}
    found = cache.get_many(list(keys))
    values = {keys[key]: value for key, value in found.items()}
    missing = [pk for key, pk in keys.items() if key not in found]
    if missing:
        computed = compute(missing)
        fresh = {pk: computed.get(pk, default) for pk in missing}
        cache.set_many({_key(prefix, pk): value for pk, value in fresh.items()}, TIMEOUT)
        values.update(fresh)
    return values


def forget(prefix: str, ids: Iterable) -> None:
    """Forget the answers of these ids: the next page computes them again. (A page that computes one in the few
    milliseconds before the writer's transaction commits keeps the old answer until it expires: a menu a language
    short, never a row shown to someone who may not see it.)"""
    keys = [_key(prefix, pk) for pk in set(ids)]
    if keys:
        cache.delete_many(keys)


def peek(prefix: str, pk) -> object | None:
    """The cached answer of one id, or None: for a page that reads the missing answer in a query of its own (one
    that counts several things at once, core.summaries.counts) and then ``keep()``s it."""
    return cache.get(_key(prefix, pk))


def keep(prefix: str, pk, value) -> None:
    cache.set(_key(prefix, pk), value, TIMEOUT)
