"""Offers of a request to mediators: made, answered (the first yes wins), withdrawn, released in tiers, expired."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.scoping import Actor, actor_for
from core import outbox
from core.errors import DomainError, NotAllowed
from core.figures import facts_changed
from mediators.models import Mediator
from notifications import text
from notifications.models import Delivery, Notification
from notifications.services import (
    notification_add,
    notification_offer_emailed,
    notification_route_offer_email,
    notify,
)
from requests_app.models import MediationRequest, Status, StatusChange
from requests_app.selectors import district_coordinators, is_district_coordinator

from ..models import LIVE_OFFER_STATUSES, Offer


def offer_send_email(*, offer_id: int, kind: str) -> bool:
    """Tell the mediator about their offer, in their language; an open offer carries the signed answer links, the
    others a link to the page that shows the outcome (the request once it is theirs, their offers otherwise)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from ..offer_links import make_token

    offer = (
        Offer.objects.select_related("request__office__district", "mediator__user")
        .prefetch_related("request__languages")
        .filter(pk=offer_id)
        .first()
    )
    if offer is None:
        return False
    if offer.mediator.user_id and (
        notification_route_offer_email(recipient=offer.mediator.user, offer_id=offer.pk, kind=kind)
        != Delivery.IMMEDIATE
    ):
        # The mediator chose to read it in the morning's summary, or in the portal only.
        return False
    language = offer.mediator.user.language if offer.mediator.user_id else settings.LANGUAGE_CODE
    links = {}
    if kind == Notification.Kind.OFFER and offer.status == Offer.Status.OPEN and offer.link_nonce:
        for action in ("accept", "decline"):
            links[action] = settings.PORTAL_BASE_URL + reverse(
                "scheduling:offer_link", args=[make_token(offer, action)]
            )
    request = offer.request
    if kind == Notification.Kind.OFFER_CONFIRMED and offer.mediator.user_id:
        url = settings.PORTAL_BASE_URL + request.get_absolute_url()
    elif offer.mediator.user_id:
        url = settings.PORTAL_BASE_URL + reverse("scheduling:offers")
    else:
        # No account: the e-mail links are the only way in, and only an open offer has them.
        url = ""
    with translation.override(language):
        subject = f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{Notification.Kind(kind).label} · {request.case_code}"
        body = render_to_string(
            "scheduling/email/offer.txt",
            {
                "offer": offer,
                "kind": kind,
                "links": links,
                "url": url,
                "request": request,
                "languages": ", ".join(str(language) for language in request.languages.all()),
                "place": text.where({"place": request.place, "mode": request.mode}),
                "sessions": ngettext(
                    "%(counter)s session of %(minutes)s minutes",
                    "%(counter)s sessions of %(minutes)s minutes",
                    request.expected_sessions,
                )
                % {"counter": request.expected_sessions, "minutes": request.session_minutes},
                "answer_by": text.when(offer.expires_at),
            },
        )
    send_mail(subject, body, None, [offer.mediator.email])
    if offer.mediator.user_id:
        notification_offer_emailed(recipient=offer.mediator.user, offer_id=offer.pk, kind=kind)
    return True


def _offer_notify(*, offer: Offer, kind: str, actor: User | None) -> None:
    """Offers are told to the mediator's account when there is one (the e-mail link works without it)."""
    if offer.mediator.user_id:
        notification_add(
            recipient_id=offer.mediator.user_id, request=offer.request, kind=kind, actor=actor, offer=offer
        )
    outbox.send_on_commit("scheduling.tasks.send_offer_email_task", offer.pk, kind)


@transaction.atomic
def offers_create(
    *,
    actor: Actor,
    request: MediationRequest,
    tiers: list[list[Mediator]],
    answer_within_hours: int = 24,
    next_tier_after_hours: int = 24,
) -> list[Offer]:
    """Offer a request in ``matching`` to mediators, tier by tier: the first tier now, each next one after a wait.

    Only candidates may be offered: mediators the coordinator sees who meet the hard conditions.
    """
    from ..matching import exclusions

    locked = MediationRequest.objects.select_for_update(of=("self",)).select_related("office").get(pk=request.pk)
    if locked.status != Status.MATCHING:
        raise DomainError(_("Only a request that is looking for a mediator can be offered."))
    if not is_district_coordinator(user=actor.user, request=locked) and not actor.is_admin:
        raise NotAllowed(_("Only the district's coordinators make offers."))
    tiers = [list(tier) for tier in tiers if tier]
    if not tiers:
        raise DomainError(_("Choose at least one mediator."), field="mediators")
    if not 1 <= answer_within_hours <= 24 * 14 or not 1 <= next_tier_after_hours <= 24 * 14:
        raise DomainError(_("Waits go from one hour to two weeks."), field="answer_within_hours")
    # A mediator with a live offer is not asked twice; one who declined, let it expire or saw it withdrawn may be
    # asked again (a new offer: the old one stays in the history).
    already = set(locked.offers.filter(status__in=LIVE_OFFER_STATUSES).values_list("mediator_id", flat=True))
    now = timezone.now()
    offers = []
    for number, tier in enumerate(tiers, start=1):
        release_at = now + timedelta(hours=next_tier_after_hours * (number - 1))
        for mediator in tier:
            if mediator.pk in already:
                raise DomainError(
                    _("%(name)s already has an offer for this request.") % {"name": mediator.full_name},
                    field="mediators",
                )
            reasons = exclusions(user=actor.user, request=locked, mediator=mediator)
            if reasons:
                raise DomainError(
                    _("%(name)s cannot take this request: %(reasons)s.")
                    % {"name": mediator.full_name, "reasons": "; ".join(reasons)},
                    field="mediators",
                )
            already.add(mediator.pk)
            offers.append(
                Offer(
                    request=locked,
                    mediator=mediator,
                    tier=number,
                    status=Offer.Status.OPEN if number == 1 else Offer.Status.QUEUED,
                    release_at=release_at,
                    expires_at=release_at + timedelta(hours=answer_within_hours),
                    created_by=actor.user,
                    link_nonce=secrets.token_hex(16),
                )
            )
    Offer.objects.bulk_create(offers)
    for offer in offers:
        if offer.status == Offer.Status.OPEN:
            _offer_notify(offer=offer, kind=Notification.Kind.OFFER, actor=actor.user)
    return offers


def _close_other_offers(request: MediationRequest, winner: Offer, actor: User | None) -> None:
    others = list(request.offers.filter(status__in=[Offer.Status.OPEN, Offer.Status.QUEUED]).exclude(pk=winner.pk))
    now = timezone.now()
    for offer in others:
        was_open = offer.status == Offer.Status.OPEN
        offer.status, offer.answered_at, offer.link_nonce = Offer.Status.WITHDRAWN, now, ""
        offer.save(update_fields=["status", "answered_at", "link_nonce"])
        if was_open:
            # Told: someone else took it. Queued offers were never sent, so there is nothing to tell.
            _offer_notify(offer=offer, kind=Notification.Kind.OFFER_TAKEN, actor=actor)


@transaction.atomic
def offer_accept(*, offer: Offer, by: User | None, by_phone: bool = False) -> Offer:
    """The mediator says yes. The first acceptance wins: the request's row is locked, so of twenty mediators
    pressing "accept" at the same instant exactly one is confirmed and the others are told it was taken.

    ``by`` is the mediator's account (or None when the signed e-mail link was used); with ``by_phone`` it is the
    coordinator recording an acceptance taken on the phone.
    """
    request = MediationRequest.objects.select_for_update(of=("self",)).select_related("office").get(pk=offer.request_id)
    offer = Offer.objects.select_for_update(of=("self",)).select_related("mediator").get(pk=offer.pk)
    if by_phone:
        if by is None or not (is_district_coordinator(user=by, request=request) or actor_for(by).is_admin):
            raise NotAllowed(_("Only the district's coordinators record an acceptance taken by phone."))
    elif by is not None and offer.mediator.user_id != by.pk:
        raise NotAllowed(_("This offer was made to another mediator."))
    if offer.status == Offer.Status.ACCEPTED:
        return offer
    if request.status != Status.MATCHING or request.assigned_mediator_id:
        raise DomainError(_("Someone else has already taken this request. Thank you all the same."))
    if offer.status != Offer.Status.OPEN or (offer.expires_at <= timezone.now() and not by_phone):
        raise DomainError(_("This offer is no longer open."))
    now = timezone.now()
    offer.status, offer.answered_at, offer.link_nonce = Offer.Status.ACCEPTED, now, ""
    offer.by_phone = by_phone
    offer.recorded_by = by if by_phone else None
    offer.save(update_fields=["status", "answered_at", "link_nonce", "by_phone", "recorded_by"])
    request.assigned_mediator = offer.mediator
    request.save(update_fields=["assigned_mediator", "updated_at"])
    previous, request.status = request.status, Status.ASSIGNED
    request.save(update_fields=["status", "updated_at"])
    # The history row once the request has its new state: who listens to the history (the API's webhooks) reads it.
    StatusChange.objects.create(
        request=request,
        from_status=previous,
        to_status=Status.ASSIGNED,
        by=by or offer.mediator.user or offer.created_by,
        reason=_("Offer accepted by phone") if by_phone else "",
    )
    facts_changed(request_id=request.pk)
    _close_other_offers(request, offer, by)
    _offer_notify(offer=offer, kind=Notification.Kind.OFFER_CONFIRMED, actor=by)
    # Who did it: the mediator (through the e-mail link ``by`` is None, yet it is still them), or the coordinator
    # who recorded a yes given on the phone. Never the coordinator who made the offer: they would not be told. The
    # one who made it is told even when no longer among the district's coordinators (an administrator, a role ended).
    notify(
        recipients=[request.requester, *district_coordinators(request=request), offer.created_by],
        request=request,
        kind=Notification.Kind.ASSIGNED,
        actor=by if by is not None else offer.mediator.user,
        details={"mediator": offer.mediator.full_name, "by_phone": by_phone},
    )
    return offer


@transaction.atomic
def offer_decline(*, offer: Offer, by: User | None, reason: str = "") -> Offer:
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("mediator__user", "request__office")
        .get(pk=offer.pk)
    )
    if by is not None and offer.mediator.user_id != by.pk:
        raise NotAllowed(_("This offer was made to another mediator."))
    if offer.status != Offer.Status.OPEN:
        raise DomainError(_("This offer is no longer open."))
    offer.status, offer.answered_at, offer.link_nonce = Offer.Status.DECLINED, timezone.now(), ""
    offer.decline_reason = (reason or "").strip()[:300]
    offer.save(update_fields=["status", "answered_at", "link_nonce", "decline_reason"])
    notify(
        recipients=district_coordinators(request=offer.request),
        request=offer.request,
        kind=Notification.Kind.OFFER_DECLINED,
        actor=by if by is not None else offer.mediator.user,
        details={"mediator": offer.mediator.full_name},
    )
    return offer


@transaction.atomic
def offer_withdraw(*, actor: Actor, offer: Offer) -> Offer:
    offer = Offer.objects.select_for_update(of=("self",)).select_related("request__office", "mediator").get(pk=offer.pk)
    if not (is_district_coordinator(user=actor.user, request=offer.request) or actor.is_admin):
        raise NotAllowed(_("Only the district's coordinators withdraw offers."))
    if offer.status not in (Offer.Status.OPEN, Offer.Status.QUEUED):
        raise DomainError(_("This offer is no longer open."))
    was_open = offer.status == Offer.Status.OPEN
    offer.status, offer.answered_at, offer.link_nonce = Offer.Status.WITHDRAWN, timezone.now(), ""
    offer.save(update_fields=["status", "answered_at", "link_nonce"])
    if was_open:
        _offer_notify(offer=offer, kind=Notification.Kind.OFFER_WITHDRAWN, actor=actor.user)
    return offer


def offers_tick(*, now: datetime | None = None) -> dict[str, int]:
    """The scheduled task: release the tiers whose wait is over, expire the offers nobody answered."""
    now = now or timezone.now()
    released = expired = 0
    for offer_id in Offer.objects.filter(status=Offer.Status.QUEUED, release_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            offer = Offer.objects.select_for_update(of=("self",)).select_related("request").get(pk=offer_id)
            if offer.status != Offer.Status.QUEUED:
                continue
            if offer.request.status != Status.MATCHING:
                offer.status = Offer.Status.WITHDRAWN
                offer.save(update_fields=["status"])
                continue
            offer.status = Offer.Status.OPEN
            offer.save(update_fields=["status"])
            _offer_notify(offer=offer, kind=Notification.Kind.OFFER, actor=offer.created_by)
            released += 1
    for offer_id in Offer.objects.filter(status=Offer.Status.OPEN, expires_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            offer = Offer.objects.select_for_update(of=("self",)).get(pk=offer_id)
            if offer.status != Offer.Status.OPEN:
                continue
            # Silence is never acceptance.
            offer.status, offer.link_nonce = Offer.Status.EXPIRED, ""
            offer.save(update_fields=["status", "link_nonce"])
            _offer_notify(offer=offer, kind=Notification.Kind.OFFER_EXPIRED, actor=None)
            expired += 1
    return {"released": released, "expired": expired}
