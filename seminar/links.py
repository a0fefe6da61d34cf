"""The signed links of the registration e-mails (django.core.signing): confirm (expires after SEMINAR_CONFIRM_HOURS)
and cancel (valid until the event starts). They carry the registration's random key, never its id."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "seminar.registration"


def token(registration, action: str) -> str:
    return signing.dumps({"k": str(registration.key), "a": action}, salt=SALT, compress=True)


def url(registration, action: str) -> str:
    name = "seminar_public:confirm" if action == "confirm" else "seminar_public:cancel"
    return settings.PORTAL_BASE_URL + reverse(name, args=[token(registration, action)])


def key_of(value: str, action: str, *, max_age: int | None) -> str | None:
    """The registration key a link carries; None when the link was altered, expired, or is for another action."""
    try:
        data = signing.loads(value, salt=SALT, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one of them
        return None
    if not isinstance(data, dict) or data.get("a") != action or not isinstance(data.get("k"), str):
        return None
    return data["k"]
