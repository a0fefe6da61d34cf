"""Calls per minute, per token (or per person in the browsable documentation): beyond the rate, 429 with
Retry-After. Counted in the cache the login limits use (Redis in production, shared by every process)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class PerCaller(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        return settings.API_RATE

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": f"user-{request.user.pk}"}
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
