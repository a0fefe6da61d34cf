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


class PerAddress(SimpleRateThrottle):
    """The public guide's calls, which carry no token: counted per client address, read as the login limits read it
    (behind a proxy, the entry TRUSTED_PROXY_COUNT from the right of X-Forwarded-For, never what a client wrote
    itself), at API_PUBLIC_RATE."""

    scope = "api-public"

    def get_rate(self):
        return settings.API_PUBLIC_RATE

    def get_cache_key(self, request, view):
        from allauth.account.adapter import get_adapter
        from django.core.exceptions import PermissionDenied

        try:
            address = get_adapter(request._request).get_client_ip(request._request)
        except PermissionDenied:  # no address at all (a test client without REMOTE_ADDR): one shared count
            address = "unknown"
        return self.cache_format % {"scope": self.scope, "ident": address}
