"""A Redis cache that degrades instead of breaking: when Redis does not answer, the portal keeps working.

The cache holds the login rate limits (allauth). With plain ``RedisCache`` a Redis outage turns every login into a
500. Here every call that fails on Redis is answered by a per-process in-memory cache instead (so rate limits still
count, per process: they fail safe, not open), a warning is logged, and Redis is left alone for
``RETRY_AFTER`` seconds so that each request does not wait for a connection time-out again.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

RETRY_AFTER = 15.0


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._fallback = LocMemCache(f"resilient-{server}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._down_until = 0.0

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _call(self, name: str, *args, **kwargs):
        if not self.is_down:
            try:
                return getattr(super(), name)(*args, **kwargs)
            except _redis_errors() as exc:
                self._down_until = time.monotonic() + RETRY_AFTER
                logger.warning(
                    "Cache unreachable (%s: %s): answering from the in-process cache for %.0f s",
                    exc.__class__.__name__,
                    exc,
                    RETRY_AFTER,
                )
        return getattr(self._fallback, name)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")

    def ping(self) -> str:
        """For /health/: "ok", or the error Redis answered with."""
        try:
            self._cache.get_client(write=False).ping()
        except _redis_errors() as exc:
            return f"error: {exc.__class__.__name__}"
        return "ok"
