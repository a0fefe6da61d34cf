"""A Redis cache that degrades instead of breaking: when Redis does not answer, the portal keeps working.

Two caches use it (``settings.CACHES``):

- ``default`` holds the login rate limits (allauth). With plain ``RedisCache`` a Redis outage turns every login into
  a 500. Here every call that fails on Redis is answered by a per-process in-memory cache instead (so rate limits
  still count, per process: they fail safe, not open).
- ``shared`` holds what every process must see alike or not at all: the sessions (``cached_db``: the database keeps
  them, Redis saves the read) and the header's counters. Its fallback (``"FALLBACK": "none"``) caches nothing, so
  while Redis is down every read goes to the database: slower, never stale (a per-process copy of a session would
  outlive its logout in the other processes).

Either way a warning is logged and Redis is left alone for ``RETRY_AFTER`` seconds, so that each request does not
wait for a connection time-out again. The keys written or deleted while Redis was down are remembered, and deleted
from Redis as soon as it answers again: Redis never serves an older value than what was written meanwhile (a session
ended, a counter changed). A process that stops before Redis comes back forgets its list; the entries' own time-outs
(a session's idle time, a counter's minutes) bound what it leaves behind.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

RETRY_AFTER = 15.0
# At most this many keys are remembered per process while Redis is down (a few MB); beyond it, the time-outs.
MAX_MISSED = 50_000


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class ReusedClient(RedisCacheClient):
    """Django's client makes a new ``redis.Redis`` for every call, and each one builds its table of some 170 reply
    callbacks: about 2,000 Python calls on a page of the portal that reads the cache a few times (issue #17). One
    client per connection pool serves every call, as redis-py intends (the pool is thread-safe)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClient
        if params.get("FALLBACK", "local") == "none":
            self._fallback = DummyCache(f"resilient-{server}", {})
            self._meanwhile = "caching nothing (reading the database)"
        else:
            self._fallback = LocMemCache(f"resilient-{server}", {"TIMEOUT": params.get("TIMEOUT", 300)})
            self._meanwhile = "answering from the in-process cache"
        self._down_until = 0.0
        # Redis's own keys (made with the prefix and version) written or deleted while it was down.
        self._missed: set[str] = set()

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _call(self, name: str, *args, written=(), version=None, **kwargs):
        if version is not None:
            kwargs["version"] = version
        if not self.is_down:
            try:
                self._repair()
                return getattr(super(), name)(*args, **kwargs)
            except _redis_errors() as exc:
                self._down_until = time.monotonic() + RETRY_AFTER
                logger.warning(
                    "Cache unreachable (%s: %s): %s for %.0f s",
                    exc.__class__.__name__,
                    exc,
                    self._meanwhile,
                    RETRY_AFTER,
                )
        self._remember(written, version)
        return getattr(self._fallback, name)(*args, **kwargs)

    def _remember(self, keys, version) -> None:
        for key in keys:
            if len(self._missed) >= MAX_MISSED:
                logger.error("Cache unreachable for long: more than %s keys changed meanwhile", MAX_MISSED)
                return
            self._missed.add(self.make_key(key, version=version))

    def _repair(self) -> None:
        """Redis answers again: delete what changed while it did not (raises if it still does not answer)."""
        if self._missed:
            keys = list(self._missed)
            self._cache.delete_many(keys)
            self._missed.difference_update(keys)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, written=[key], version=version)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, written=[key], version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, written=[key], version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, written=[key], version=version)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, written=[key], version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, written=list(data), version=version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._call("delete_many", keys, written=keys, version=version)

    def clear(self):
        return self._call("clear")

    def ping(self) -> str:
        """For /health/: "ok", or the error Redis answered with."""
        try:
            self._cache.get_client(write=False).ping()
        except _redis_errors() as exc:
            return f"error: {exc.__class__.__name__}"
        return "ok"
