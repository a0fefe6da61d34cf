"""Reads that may lag a few seconds go to the read replica, inside an explicit scope; everything else to the primary.

With ``DATABASE_REPLICA_URL`` set, ``settings.DATABASES`` holds a second alias, ``replica`` (a streaming replica of
the primary). The router below sends a read there only inside ``reading_from_replica()``, the scope the dashboard
and the report jobs open around their computations: aggregates over a province-year that a few seconds of
replication lag do not change. Outside it, and whenever no replica is configured, every query goes to ``default``.

Inside the scope:
- every write goes to the primary (a replica is read-only);
- once the scope has written, its later reads go to the primary too (a read after a write must see it), and so do
  the reads of a transaction opened inside the scope (a transaction reads its own database);
- ``reading_from_primary()`` steps out for bookkeeping that the computation does not read (a report job's progress),
  so that writing it does not send the rest of the computation to the primary.

The scope is a context variable: it belongs to the request or task that opened it (a thread of its own, such as a
report job's heartbeat, starts outside it), and it ends with the ``with`` block.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"


@dataclass
class _Scope:
    # How deep the primary's transactions were when the scope opened: a deeper one was opened inside it.
    atomic_depth: int
    wrote: bool = False


_scope: ContextVar[_Scope | None] = ContextVar("replica_scope", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def reading_from_replica() -> Iterator[None]:
    """Send the reads of this block to the replica (if one is configured) until the block writes. Also a decorator
    (``@reading_from_replica()``). Use it only around reads that may be a few seconds old."""
    token = _scope.set(_Scope(atomic_depth=len(connections[DEFAULT_DB_ALIAS].atomic_blocks)))
    try:
        yield
    finally:
        _scope.reset(token)


@contextlib.contextmanager
def reading_from_primary() -> Iterator[None]:
    """Step out of an enclosing ``reading_from_replica()`` for this block: its reads and writes use the primary and
    leave the enclosing scope as it was."""
    token = _scope.set(None)
    try:
        yield
    finally:
        _scope.reset(token)


def _read_alias() -> str | None:
    scope = _scope.get()
    if scope is None or scope.wrote or not replica_configured():
        return None
    if len(connections[DEFAULT_DB_ALIAS].atomic_blocks) > scope.atomic_depth:
        return None
    return REPLICA


class ReplicaRouter:
    """``DATABASE_ROUTERS``: reads to the replica inside ``reading_from_replica()``, all else to the primary."""

    def db_for_read(self, model, **hints):
        return _read_alias() or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        scope = _scope.get()
        if scope is not None:
            scope.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read from either may point at one read from the other.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary's schema by replication; `migrate` runs on the primary only.
        return db == DEFAULT_DB_ALIAS
