"""Rates, monthly timesheets and the reminders already sent.

What a session costs comes from its provider's :class:`Rate` valid on the session's day (``timesheets.costs``);
the months of a mediator's work in a district are :class:`Timesheet` rows once submitted. Written only by
``timesheets.services``.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.urls import marked_url


class Rate(models.Model):
    """What a provider is paid for its mediators' sessions from ``valid_from`` (until ``valid_until``, included, or
    open-ended). On a given day the rate with the latest ``valid_from`` still valid that day applies: a new rate is
    added from a date, never edited in place, so that months already approved keep their costs."""

    provider = models.ForeignKey(
        "accounts.Provider", verbose_name=_("provider"), on_delete=models.PROTECT, related_name="rates"
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until (included)"), null=True, blank=True)
    hourly_rate = models.DecimalField(
        _("hourly rate (€)"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    km_rate = models.DecimalField(
        _("travel rate (€/km)"), max_digits=5, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    travel_hourly_rate = models.DecimalField(
        _("travel time rate (€/hour)"),
        max_digits=6,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("0 when the time spent travelling is not paid."),
    )
    late_cancellation_percent = models.PositiveSmallIntegerField(
        _("late cancellation owed (%)"),
        default=100,
        validators=[MaxValueValidator(100)],
        help_text=_("Share of the planned duration paid for a cancellation less than 24 hours before."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rate")
        verbose_name_plural = _("rates")
        ordering = ["provider", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "valid_from"], name="rate_one_per_provider_and_day"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="rate_valid_until_after_from",
            ),
            models.CheckConstraint(
                condition=Q(hourly_rate__gte=0, km_rate__gte=0, travel_hourly_rate__gte=0)
                & Q(late_cancellation_percent__lte=100),
                name="rate_values_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.provider} · {self.valid_from:%d/%m/%Y}"


class ProvinceTimesheetSettings(models.Model):
    """What a province's timesheets count besides the sessions (in /admin/). Without a row: nothing more."""

    province = models.OneToOneField(
        "accounts.Province", verbose_name=_("province"), on_delete=models.CASCADE, related_name="+"
    )
    counts_translation_work = models.BooleanField(
        _("count the mini-guide's translations as hours"),
        default=False,
        help_text=_(
            "The approved translation tasks of the month appear in the mediator's timesheet with the hours spent, at "
            "the provider's hourly rate."
        ),
    )

    # The provinces that count translation work, kept in the shared cache (timesheets.translation_work): forgotten
    # whenever a setting is saved or removed, here or in the admin.
    COUNTING_KEY = "timesheets:translation-work:provinces:v1"

    class Meta:
        verbose_name = _("timesheet settings of a province")
        verbose_name_plural = _("timesheet settings of the provinces")

    def __str__(self):
        return str(self.province)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _forget_counting()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        _forget_counting()
        return result


def _forget_counting() -> None:
    from django.core.cache import caches
    from django.db import transaction

    transaction.on_commit(lambda: caches["shared"].delete(ProvinceTimesheetSettings.COUNTING_KEY))
    caches["shared"].delete(ProvinceTimesheetSettings.COUNTING_KEY)


class Timesheet(models.Model):
    """A mediator's month of work in one district (each district pays for its own sessions and its coordinators
    approve them). The lines are the month's appointments, costed live from their reports; a row exists from the
    first submission on (before that the month is a draft)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        SENT_BACK = "sent_back", _("Sent back")

    mediator = models.ForeignKey(
        "mediators.Mediator", verbose_name=_("mediator"), on_delete=models.PROTECT, related_name="timesheets"
    )
    district = models.ForeignKey(
        "accounts.District", verbose_name=_("district"), on_delete=models.PROTECT, related_name="timesheets"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent back by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_back_at = models.DateTimeField(_("sent back at"), null=True, blank=True)
    send_back_reason = models.CharField(_("why it was sent back"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("timesheet")
        verbose_name_plural = _("timesheets")
        ordering = ["-month", "mediator__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["mediator", "district", "month"], name="timesheet_one_per_month"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False, approved_by__isnull=False),
                name="timesheet_approved_says_who_and_when",
            ),
        ]
        indexes = [models.Index(fields=["district", "month"], name="timesheet_district_month_idx")]

    def __str__(self):
        return f"{self.mediator} · {self.district} · {self.month:%m/%Y}"

    def get_absolute_url(self) -> str:
        return sheet_url(self.mediator_id, self.district_id, self.month)


# A sheet's addresses (its page, its actions, its exports) without Django's reverse() at every row (core.urls): each
# name is reversed once with markers for the mediator, the district and the month, put in their places after (issue
# #17: a district's month drew 25 sheet links and 40 action forms, a mediator's history 36 links). The action or
# format is its own marker and value. tests/test_fast_rows.py holds them equal to reverse().
_MARKERS = ("987654321987", "987654321988", "2099-12")


def sheet_url(mediator_id: int, district_id: int, month: date, name: str = "sheet", *extra: str) -> str:
    """``reverse(f"timesheets:{name}", args=[mediator_id, district_id, month, *extra])``: a sheet's page ("sheet"),
    one of its actions ("act", "approve") or an export ("export", "csv")."""
    return marked_url(
        f"timesheets:{name}",
        (*_MARKERS, *extra),
        (str(int(mediator_id)), str(int(district_id)), f"{month:%Y-%m}", *extra),
    )


class Reminder(models.Model):
    """A reminder e-mail already sent, so that it is sent once: per appointment for a missing report, per person
    and day for the social workers' digest."""

    class Kind(models.TextChoices):
        MISSING_REPORT = "missing_report", _("Report missing")
        DIGEST = "digest", _("Confirmations and evaluations pending")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        verbose_name=_("appointment"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_on = models.DateField(_("sent on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "appointment"],
                condition=Q(appointment__isnull=False),
                name="reminder_once_per_appointment",
            ),
            models.UniqueConstraint(
                fields=["kind", "recipient", "sent_on"],
                condition=Q(kind="digest"),
                name="reminder_digest_once_a_day",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.recipient} · {self.sent_on}"
