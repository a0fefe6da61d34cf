"""The roles a person works in (their active memberships and what each reaches), kept in the shared cache
(``settings.CACHES["shared"]``: Redis) so that a page does not read them again: the scoping of every page starts from
them (``accounts.scoping.active_memberships``), and their query, with the organisations of each role, was the
costliest part of a light page (issue #17).

Each entry is stamped with two tokens: the person's and the organisations'. Any change to a membership (saved,
deleted, its districts changed) gives its person a new token; any change to an office, district, province, provider
or funder (a name in the header, a district moved, a province funded) gives every entry a new one. The tokens change
at once and again once the transaction commits, so a page that read the old rows meanwhile stores them under a token
already out of date: the next page reads the rows again. A token that Redis lost (restarted, or down when it
changed: the resilient cache then forgets it once Redis answers) is replaced by a new one, and the entries stamped
with the old one are read again. The entries also expire after ``TIMEOUT`` seconds. Without Redis, or while it is
down, nothing is kept: every page reads the memberships (one query), as before.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable

from django.core.cache import caches
from django.db import transaction

TIMEOUT = 600
ORGANISATIONS = "roles:token:organisations"


def _person_token_key(user_id: int) -> str:
    return f"roles:token:{user_id}"


def _entry_key(user) -> str:
    # The date the account was made tells apart two accounts that had the same id (a database emptied and filled).
    joined = int(user.date_joined.timestamp() * 1_000_000) if user.date_joined else 0
    return f"roles:{user.pk}:{joined}"


def memberships_of(user, load: Callable[[], list]) -> list:
    """The memberships kept for ``user`` under the current tokens, or ``load()`` (then kept)."""
    cache = caches["shared"]
    person_key, entry_key = _person_token_key(user.pk), _entry_key(user)
    found = cache.get_many([entry_key, person_key, ORGANISATIONS])
    tokens = (found.get(person_key), found.get(ORGANISATIONS))
    entry = found.get(entry_key)
    if entry is not None and None not in tokens and entry[0] == tokens:
        return entry[1]
    if None in tokens:
        # A token missing: make one (or read the one another process made first) before reading the rows.
        if tokens[0] is None:
            cache.add(person_key, uuid.uuid4().hex, None)
        if tokens[1] is None:
            cache.add(ORGANISATIONS, uuid.uuid4().hex, None)
        found = cache.get_many([person_key, ORGANISATIONS])
        tokens = (found.get(person_key), found.get(ORGANISATIONS))
    memberships = load()
    if None not in tokens:
        cache.set(entry_key, (tokens, [_without_person(membership) for membership in memberships]), TIMEOUT)
    return memberships


def _without_person(membership):
    """A copy to keep, without the user it was read through: no password hash in the cache, and no stale copy of
    the person (``accounts.scoping`` gives each membership the user of the request)."""
    kept = copy.copy(membership)
    kept._state = copy.copy(membership._state)
    kept._state.fields_cache = {name: value for name, value in membership._state.fields_cache.items() if name != "user"}
    return kept


def _renew(key: str) -> None:
    def renew():
        caches["shared"].set(key, uuid.uuid4().hex, None)

    # At once (this transaction's own next read, a test) and again once committed (what another process read
    # meanwhile, from the rows before the change, is stamped with the token of before).
    renew()
    transaction.on_commit(renew)


def forget_person(user_id: int) -> None:
    """This person's roles changed: read them again on their next page (once the change is committed)."""
    _renew(_person_token_key(user_id))


def forget_everyone() -> None:
    """An organisation changed: everyone's roles are read again on their next page (once it is committed)."""
    _renew(ORGANISATIONS)
