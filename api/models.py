"""The keys other systems use to call the API (issue #20).

A token acts as one role of one organisation, as the web pages' people do: an office's case-management system as that
office's social workers, a district's system as its coordinators, the funder's as the funder viewer. It does so
through a *system user*: an account nobody logs into (no usable password) with the one membership the token was
made for, so that every call goes through the same scoping rules (accounts.scoping), the same services and the same
audit trail as a person's page. A mediator's token acts as that mediator (their own account).

The key is shown once, when it is made; the database keeps its SHA-256 and its first characters (to recognise it in a
list), never the key.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Province, Role


class ApiToken(models.Model):
    name = models.CharField(_("name"), max_length=120, help_text=_("Which system uses it, e.g. Cartella sociale"))
    # The account the token acts as: a system user with one membership, or a mediator's own account.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acts as"), on_delete=models.PROTECT, related_name="api_tokens"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    # The organisation (or the mediator) as it was named when the token was made: shown in the list of tokens.
    acts_for = models.CharField(_("acts for"), max_length=250)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    prefix = models.CharField(_("key begins with"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class IdempotentCall(models.Model):
    """A write made with an ``Idempotency-Key`` header: the same key from the same caller (a token's account, or a
    person in the browsable documentation) gets the same answer and changes nothing the second time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotent_call_once")]

    def __str__(self):
        return f"{self.key} ({self.status})"


class Webhook(models.Model):
    """An address of another system, told when the requests its token sees change state or their appointments are
    planned, moved or cancelled. Registered through the API by the token's system; it sees the same requests as the
    token (the scoping rules of its account)."""

    class Event(models.TextChoices):
        REQUEST_STATUS = "request.status_changed", _("A request changed state")
        APPOINTMENT_PLANNED = "appointment.planned", _("An appointment was planned")
        APPOINTMENT_MOVED = "appointment.moved", _("An appointment was moved")
        APPOINTMENT_CANCELLED = "appointment.cancelled", _("An appointment was cancelled")

    token = models.ForeignKey(ApiToken, verbose_name=_("API token"), on_delete=models.CASCADE, related_name="webhooks")
    # The account whose view of the requests decides what the webhook is told (the token's).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    failures_in_a_row = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["pk"]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event told to one webhook: its body (ids and states, never notes), each attempt's outcome."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Given up")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=32, choices=Webhook.Event.choices)
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="api_delivery_due")]

    def __str__(self):
        return f"{self.event} → {self.webhook_id} ({self.state})"
