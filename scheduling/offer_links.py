"""Signed, single-use, expiring links to accept or decline an offer from the e-mail, without logging in.

The token signs (offer id, action, nonce). Answering the offer clears its nonce, so a link works once; the
signature expires after OFFER_LINK_MAX_DAYS, and an offer that is no longer open refuses it anyway.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from .models import Offer

SALT = "mediazione.offer-answer"
ACTIONS = ("accept", "decline")


def make_token(offer: Offer, action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(action)
    return signing.dumps({"o": offer.pk, "a": action, "n": offer.link_nonce}, salt=SALT, compress=True)


def read_token(token: str) -> tuple[Offer, str] | None:
    """The offer and action a token names, or None when it is forged, expired, already used or unknown."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.OFFER_LINK_MAX_DAYS * 24 * 3600)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") not in ACTIONS:
        return None
    offer = Offer.objects.select_related("request__office__district", "mediator").filter(pk=data.get("o")).first()
    if offer is None or not offer.link_nonce or offer.link_nonce != data.get("n"):
        return None
    return offer, data["a"]
