"""Notifications: something a person should know about a request, shown in the header's counter and list, and
e-mailed in the recipient's language.

A notification points at its request (and its offer) by app label: this room stands below the rooms that notify and
imports none of them; they hand it the facts (``details``) it tells.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Delivery(models.TextChoices):
    """How a person wants to hear of one kind of notification."""

    IMMEDIATE = "immediate", _("E-mail at once")
    DIGEST = "digest", _("Daily summary")
    IN_APP = "in_app", _("In the portal only")


class Notification(models.Model):
    """Something a person should know about a request: shown in the header's counter and list, also e-mailed."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("New request")
        REJECTED = "rejected", _("Request rejected")
        ACCEPTED = "accepted", _("Request taken in charge")
        CANCELLED = "cancelled", _("Request cancelled")
        CLOSED = "closed", _("Request closed")
        COMMENT = "comment", _("New comment")
        OFFER = "offer", _("New offer of work")
        OFFER_CONFIRMED = "offer_confirmed", _("Offer confirmed: the request is yours")
        OFFER_TAKEN = "offer_taken", _("Offer taken by another mediator")
        OFFER_WITHDRAWN = "offer_withdrawn", _("Offer withdrawn")
        OFFER_EXPIRED = "offer_expired", _("Offer expired without an answer")
        OFFER_DECLINED = "offer_declined", _("Offer declined")
        ASSIGNED = "assigned", _("Mediator assigned")
        APPOINTMENT = "appointment", _("Appointment planned")
        APPOINTMENT_MOVED = "appointment_moved", _("Appointment moved")
        APPOINTMENT_CANCELLED = "appointment_cancelled", _("Appointment cancelled")
        SERIES = "series", _("Recurring appointments planned")
        SERIES_MOVED = "series_moved", _("Recurring appointments moved")
        SERIES_CANCELLED = "series_cancelled", _("Recurring appointments cancelled")
        MEDIATOR_CHANGED = "mediator_changed", _("Mediator changed")
        REPORT_SUBMITTED = "report_submitted", _("Session report to confirm")
        REPORT_CONFIRMED = "report_confirmed", _("Session report to validate")
        REPORT_VALIDATED = "report_validated", _("Session report validated")
        REPORT_SENT_BACK = "report_sent_back", _("Session report sent back")
        COMPLETED = "completed", _("Mediation completed: to evaluate")
        EVALUATED = "evaluated", _("Mediation evaluated: to close")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    request = models.ForeignKey(
        "requests_app.MediationRequest", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    offer = models.ForeignKey(
        "scheduling.Offer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        editable=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # What happened, as it was when it happened (day, time, place, mediator…): the appointment may move again
    # later, but this notification keeps telling what it told. Read by ``notifications.text``.
    details = models.JSONField(_("details"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    # How its recipient wanted it, decided when its e-mail task ran (empty until then): e-mailed at once, kept for
    # the next morning's digest, or shown in the portal only. The digest sends the "digest" ones not yet e-mailed.
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
            # The list at /notifiche/: a person's latest first, a page at a time (core.pagination).
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_latest_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"


class NotificationPreference(models.Model):
    """How one person wants to hear of one kind of notification. Only a choice that differs from their role's
    default is stored (``notifications.preferences``): a person who never chose follows the defaults."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Notification.Kind.choices)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()} · {self.get_delivery_display()}"
