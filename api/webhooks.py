"""Webhooks: other systems told of what changed, signed, retried, and switched off when they stop answering.

Events are found where they happen: every change of a request's state is a ``StatusChange`` row (its post_save,
inside the service's transaction), appointments are announced by the scheduling services through
``core.events``. For each event, the webhooks of the province whose account sees the request get a delivery row, and
the delivery task goes to the outbox (sent once the transaction commits; nothing if it rolls back). The body carries
ids and states, never notes or names.

Each attempt is one POST (5 seconds at most, no redirects followed) signed with the webhook's secret:
``Mediazione-Signature: t=<unix time>,v1=<HMAC-SHA256 of "<t>.<body>">``. A 2xx answer delivers it; anything else is
tried again later (``webhook_retry_due``, every SWEEP_SECONDS, waiting 30 s, 1 min, 2 min… up to 6 hours), given up
after ``WEBHOOK_MAX_ATTEMPTS``; after ``WEBHOOK_DISABLE_AFTER`` failed attempts in a row the webhook is switched off
(the system registers it again once it answers).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scoping import Actor, visible
from core import outbox
from core.errors import DomainError, NotAllowed
from requests_app.models import MediationRequest, StatusChange
from scheduling.models import Appointment

from .models import ApiToken, Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

TASK = "api.tasks.webhook_deliver_task"
TIMEOUT_SECONDS = 5
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
MAX_WEBHOOKS_PER_TOKEN = 5


# --- Registering ------------------------------------------------------------------------------------------------------


def _check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if len(url) > 500 or not parts.hostname or parts.username or parts.password:
        raise DomainError(
            _("Give the full address of the endpoint, e.g. https://cartella.example.it/hooks/mediazione."), field="url"
        )
    host = parts.hostname.lower()
    if parts.scheme == "http" and host in settings.WEBHOOK_HTTP_HOSTS:
        return url
    if parts.scheme != "https":
        raise DomainError(_("The address must start with https://: deliveries are never sent in clear."), field="url")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if host == "localhost" or (address is not None and not address.is_global):
        raise DomainError(_("The address must be reachable on the internet, not a local or private one."), field="url")
    return url


def webhook_create(*, actor: Actor, token: ApiToken | None, url: str, events: list[str]) -> Webhook:
    """Register an endpoint for the token's system. Returns the webhook; its secret is shown once, in the answer."""
    if token is None:
        raise NotAllowed(_("Webhooks are registered with an API token, by the system that will receive them."))
    url = _check_url(url)
    events = sorted(set(events or Webhook.Event.values))
    if any(event not in Webhook.Event.values for event in events):
        raise DomainError(_("Choose the events among: %s.") % ", ".join(Webhook.Event.values), field="events")
    with transaction.atomic():
        if Webhook.objects.filter(token=token, disabled_at__isnull=True).count() >= MAX_WEBHOOKS_PER_TOKEN:
            raise DomainError(
                _("A token has at most %(n)s webhooks: remove one first.") % {"n": MAX_WEBHOOKS_PER_TOKEN}
            )
        _forget_listening()
        return Webhook.objects.create(
            token=token,
            user=actor.user,
            province=token.province,
            url=url,
            events=events,
            secret=secrets.token_hex(32),
        )


@transaction.atomic
def webhook_delete(*, webhook: Webhook) -> None:
    webhook.delete()
    _forget_listening()


# --- Finding who to tell ----------------------------------------------------------------------------------------------


def _subscribers(request_id: int, province_id: int, event: str) -> list[Webhook]:
    candidates = [
        hook
        for hook in Webhook.objects.filter(province_id=province_id, disabled_at__isnull=True).select_related("user")
        if event in hook.events and hook.user.is_active
    ]
    return [hook for hook in candidates if visible(hook.user, MediationRequest).filter(pk=request_id).exists()]


def _queue(hooks: list[Webhook], event: str, data: dict) -> None:
    if not hooks:
        return
    now = timezone.now()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            webhook=hook, event=event, payload={"event": event, "occurred_at": now.isoformat(), "data": data}
        )
        for hook in hooks
    )
    outbox.send_on_commit(TASK, [str(d.pk) for d in deliveries])


# Whether any webhook is registered at all, kept in the shared cache: the services that change requests and appointments
# ask on every change, and most installations have none (then nothing more is read). Forgotten when one is registered,
# removed or switched off.
LISTENING_KEY = "api:webhooks:listening:v1"
LISTENING_SECONDS = 300


def _listening() -> bool:
    from django.core.cache import caches

    cache = caches["shared"]
    found = cache.get(LISTENING_KEY)
    if found is None:
        found = Webhook.objects.filter(disabled_at__isnull=True).exists()
        cache.set(LISTENING_KEY, found, LISTENING_SECONDS)
    return found


def _forget_listening() -> None:
    from django.core.cache import caches

    transaction.on_commit(lambda: caches["shared"].delete(LISTENING_KEY))


def request_changed(change: StatusChange) -> None:
    if not _listening():
        return
    request = MediationRequest.objects.select_related("office__district").get(pk=change.request_id)
    event = Webhook.Event.REQUEST_STATUS
    hooks = _subscribers(request.pk, request.office.district.province_id, event)
    _queue(
        hooks,
        event,
        {
            "request": request.pk,
            "office": request.office_id,
            "status": change.to_status,
            "previous_status": change.from_status or None,
        },
    )


def appointments_changed(*, kind: str, appointment_ids: list[int]) -> None:
    if not _listening():
        return
    event = f"appointment.{kind}"
    rows = (
        Appointment.objects.filter(pk__in=appointment_ids)
        .select_related("request__office__district")
        .order_by("starts_at")
    )
    by_request: dict[int, list[Appointment]] = {}
    for appointment in rows:
        by_request.setdefault(appointment.request_id, []).append(appointment)
    for request_id, appointments in by_request.items():
        province_id = appointments[0].request.office.district.province_id
        hooks = _subscribers(request_id, province_id, event)
        for appointment in appointments:
            _queue(
                hooks,
                event,
                {
                    "appointment": appointment.pk,
                    "request": request_id,
                    "series": appointment.series_id,
                    "status": appointment.status,
                    "starts_at": appointment.starts_at.isoformat(),
                    "ends_at": appointment.ends_at.isoformat(),
                },
            )


# --- Delivering -------------------------------------------------------------------------------------------------------


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict) -> int:
    if urlsplit(url).scheme not in ("https", "http"):  # checked at registration (http only for WEBHOOK_HTTP_HOSTS)
        raise ValueError("not an http(s) address")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (scheme checked)
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait(attempts: int) -> timedelta:
    return min(LONGEST_WAIT, FIRST_WAIT * 2 ** max(0, attempts - 1))


def webhook_deliver(*, delivery_id) -> str:
    """Make one attempt at a delivery still pending and due; returns its state after it. Safe to run twice: the row
    is locked, and a delivered or given-up one is left alone."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("webhook")
            .filter(pk=delivery_id, state=WebhookDelivery.State.PENDING)
            .first()
        )
        if delivery is None:
            return "skipped"
        hook = delivery.webhook
        if hook.disabled_at is not None:
            delivery.state = WebhookDelivery.State.FAILED
            delivery.last_error = "webhook disabled"
            delivery.save(update_fields=["state", "last_error"])
            return delivery.state
        body = json.dumps({"id": str(delivery.pk), **delivery.payload}, separators=(",", ":")).encode()
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Mediazione-Webhooks/1",
            "Mediazione-Event": delivery.event,
            "Mediazione-Delivery": str(delivery.pk),
            "Mediazione-Signature": f"t={timestamp},v1={signature(hook.secret, timestamp, body)}",
        }
        delivery.attempts += 1
        try:
            status = _post(hook.url, body, headers)
            error = "" if 200 <= status < 300 else f"HTTP {status}"
        except (OSError, ValueError, http.client.HTTPException) as exc:
            status, error = None, (str(getattr(exc, "reason", exc)) or type(exc).__name__)[:300]
        now = timezone.now()
        delivery.last_status, delivery.last_error = status, error
        if not error:
            delivery.state, delivery.delivered_at = WebhookDelivery.State.DELIVERED, now
            Webhook.objects.filter(pk=hook.pk).update(failures_in_a_row=0)
        else:
            failures = hook.failures_in_a_row + 1
            disable = failures >= settings.WEBHOOK_DISABLE_AFTER
            Webhook.objects.filter(pk=hook.pk).update(
                failures_in_a_row=failures, **({"disabled_at": now} if disable else {})
            )
            if disable:
                _forget_listening()
            if disable or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
                delivery.state = WebhookDelivery.State.FAILED
            else:
                delivery.next_attempt_at = now + _wait(delivery.attempts)
            logger.warning("Webhook %s: delivery %s failed (%s)", hook.pk, delivery.pk, error)
        delivery.save(
            update_fields=["attempts", "last_status", "last_error", "state", "delivered_at", "next_attempt_at"]
        )
        return delivery.state


def webhook_retry_due(*, now=None, limit: int = 200) -> int:
    """The deliveries whose next attempt is due (failed before): tried again now. Returns how many were tried."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING, attempts__gt=0, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        webhook_deliver(delivery_id=pk)
    return len(due)
