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

A replica that does not answer when a scope opens (down, restarting, its address wrong) is not a failed page: the
scope reads the primary, a warning is logged, and the process leaves the replica alone for REPLICA_RETRY_SECONDS
before trying it again (the replica's connections time out after a few seconds: settings.DATABASE_REPLICA_URL).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
REPLICA_RETRY_SECONDS = 30
# Until when (time.monotonic()) this process reads the primary because the replica did not answer.
_unreachable_until = 0.0


@dataclass
class _Scope:
    # How deep the primary's transactions were when the scope opened: a deeper one was opened inside it.
    atomic_depth: int
    wrote: bool = False
    replica: bool = True  # the replica answered when the scope opened


_scope: ContextVar[_Scope | None] = ContextVar("replica_scope", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def reading_from_replica() -> Iterator[None]:
    """Send the reads of this block to the replica (if one is configured) until the block writes. Also a decorator
    (``@reading_from_replica()``). Use it only around reads that may be a few seconds old."""
    scope = _Scope(atomic_depth=len(connections[DEFAULT_DB_ALIAS].atomic_blocks), replica=_replica_answers())
    token = _scope.set(scope)
    try:
        yield
    finally:
        _scope.reset(token)


def _replica_answers() -> bool:
    """Whether the replica is configured and can be connected to (a connection kept from before is checked by Django
    at the start of each request: CONN_HEALTH_CHECKS)."""
    global _unreachable_until
    if not replica_configured() or time.monotonic() < _unreachable_until:
        return False
    connection = connections[REPLICA]
    try:
        if connection.connection is None:
            connection.connect()
    except (DatabaseError, connection.Database.Error) as exc:  # the driver's own error: connect() does not wrap it
        _unreachable_until = time.monotonic() + REPLICA_RETRY_SECONDS
        logger.warning(
            "The read replica does not answer (%s): reading from the primary for the next %s s.",
            str(exc).strip() or type(exc).__name__,
            REPLICA_RETRY_SECONDS,
        )
        return False
    return True


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
    if scope is None or scope.wrote or not scope.replica:
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
