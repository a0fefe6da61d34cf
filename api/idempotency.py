"""What the POSTs that take an ``Idempotency-Key`` share (requests, report jobs): reading the key, the race lost to
the same key, and answering again what was answered the first time (api.services keeps the answers)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.response import Response

from .errors import Invalid


class LostRace(Exception):
    """The same key, sent twice at once: the other call claimed it first."""


def idempotency_key(request) -> str:
    """The call's ``Idempotency-Key`` (empty without one); a 400 beyond 100 characters."""
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if len(key) > 100:
        raise Invalid(_("The Idempotency-Key is too long: at most 100 characters."))
    return key


def replay(earlier, fingerprint: str, *, headers: dict | None = None) -> Response:
    """The answer kept for a key, again; a 422 when the key comes back with another call."""
    if earlier.fingerprint != fingerprint:
        return Response(
            {
                "code": "idempotency_key_reused",
                "message": _("This Idempotency-Key was already used for another call: use a new key."),
            },
            status=422,
        )
    return Response(earlier.body, status=earlier.status, headers={"Idempotent-Replayed": "true", **(headers or {})})
