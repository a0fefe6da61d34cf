"""Protection of the public registration against automated sign-ups, without a third-party CAPTCHA: a limit of
registrations per address (IP) in the cache, a signed timestamp in the form (too fast: a robot; too late: a stale
page), and a honeypot field people never see. Each refuses with a message saying what to do."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

SALT = "seminar.form-started"


def form_stamp() -> str:
    """The signed moment the form was shown (a hidden field)."""
    return signing.dumps(int(timezone.now().timestamp()), salt=SALT)


def form_age(value: str) -> float | None:
    """Seconds since the form was shown; None when the stamp is missing, altered or older than
    SEMINAR_FORM_MAX_HOURS."""
    try:
        started = signing.loads(value or "", salt=SALT, max_age=settings.SEMINAR_FORM_MAX_HOURS * 3600)
    except signing.BadSignature:
        return None
    if not isinstance(started, int):
        return None
    return timezone.now().timestamp() - started


def client_ip(request) -> str:
    """The client's address as the login rate limits read it (allauth, behind TRUSTED_PROXY_COUNT proxies)."""
    from allauth.account.adapter import get_adapter

    return get_adapter(request).get_client_ip(request)


def rate_limited(request) -> bool:
    """Count one registration attempt from the client's address; True when it is over SEMINAR_RATE in the window."""
    key = f"seminar:register:{client_ip(request)}"
    window = settings.SEMINAR_RATE_WINDOW
    cache.add(key, 0, window)
    try:
        attempts = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        attempts = 1
    return attempts > settings.SEMINAR_RATE
