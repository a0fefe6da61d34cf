"""Scheduling: offers of a request to mediators, appointments and recurring series of appointments.

A mediator is never in two appointments at once (on PostgreSQL an exclusion constraint says so too).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.urls import pk_url
from mediators.models import Mode
from requests_app.models import MediationRequest

# The offers still in play: waiting for their turn, waiting for an answer, or accepted.
LIVE_OFFER_STATUSES = ("queued", "open", "accepted")


class Offer(models.Model):
    """A request proposed to one mediator. Never a booking: only an accepted offer leads to appointments.

    Offers may be released in tiers: a later tier stays ``queued`` until ``release_at``. Silence never counts as
    acceptance: an open offer past ``expires_at`` expires.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for its turn")
        OPEN = "open", _("Waiting for an answer")
        # Italian agrees with "offerta" (feminine): a context keeps these apart from the invitations' "Accepted".
        ACCEPTED = "accepted", pgettext_lazy("offer", "Accepted")
        DECLINED = "declined", pgettext_lazy("offer", "Declined")
        EXPIRED = "expired", pgettext_lazy("offer", "Expired")
        WITHDRAWN = "withdrawn", pgettext_lazy("offer", "Withdrawn")

    request = models.ForeignKey("requests_app.MediationRequest", on_delete=models.CASCADE, related_name="offers")
    mediator = models.ForeignKey(
        "mediators.Mediator", verbose_name=_("mediator"), on_delete=models.PROTECT, related_name="offers"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    tier = models.PositiveSmallIntegerField(_("tier"), default=1)
    release_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("answer by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=300, blank=True)
    by_phone = models.BooleanField(_("accepted by phone"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("offered by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The e-mail links carry a signed token naming this nonce; answering clears it, so each link works once.
    link_nonce = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["tier", "release_at", "pk"]
        constraints = [
            # One live offer per mediator and request; once declined, expired or withdrawn the mediator may be
            # asked again (a new row: the old one stays in the history).
            models.UniqueConstraint(
                fields=["request", "mediator"],
                condition=Q(status__in=LIVE_OFFER_STATUSES),
                name="offer_live_once_per_mediator",
            ),
            # The database itself refuses a second accepted offer for one request.
            models.UniqueConstraint(
                fields=["request"], condition=Q(status="accepted"), name="offer_one_accepted_per_request"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="offer_status_expiry_idx")]

    def __str__(self):
        return f"{self.request.case_code} → {self.mediator} ({self.get_status_display()})"


class AppointmentSeries(models.Model):
    """Recurring appointments of a request: every ``interval_weeks`` weeks at the same Italian time, from the first
    occurrence until ``until``. The occurrences are ordinary appointments that point here, each obeying the
    no-overlap rule; moving or cancelling one, the following ones or all of them goes through the services."""

    request = models.ForeignKey("requests_app.MediationRequest", on_delete=models.CASCADE, related_name="series")
    mediator = models.ForeignKey(
        "mediators.Mediator",
        verbose_name=_("mediator"),
        on_delete=models.PROTECT,
        related_name="appointment_series",
        help_text=_("Who does the occurrences still to come."),
    )
    interval_weeks = models.PositiveSmallIntegerField(
        _("every how many weeks"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    first_starts_at = models.DateTimeField(_("first occurrence"))
    until = models.DateField(_("until (included)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recurring appointments")
        verbose_name_plural = _("recurring appointments")
        ordering = ["first_starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_weeks__gte=1, interval_weeks__lte=4), name="series_interval_1_to_4_weeks"
            ),
        ]

    def __str__(self):
        return f"{self.request.case_code} · {self.first_starts_at:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return pk_url("scheduling:series", self.pk)


class AppointmentQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Fills the district of the appointments that lack it from their requests, in one query."""
        objs = list(objs)
        missing = {obj.request_id for obj in objs if obj.district_id is None}
        if missing:
            districts = dict(MediationRequest.objects.filter(pk__in=missing).values_list("pk", "office__district_id"))
            for obj in objs:
                if obj.district_id is None:
                    obj.district_id = districts.get(obj.request_id)
        return super().bulk_create(objs, *args, **kwargs)


class Appointment(models.Model):
    """A session of a mediator for a request. A mediator is never in two live appointments at once: the service
    checks first, and on PostgreSQL an exclusion constraint (migration 0002) makes the database refuse it too.

    ``district`` is the district of the request's office, kept on the appointment so that a district's month is read
    from an index (the timesheets, the calendars) rather than from the region's month joined to the requests. A
    request never changes office; ``save`` and ``bulk_create`` fill it when the caller has not."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("Did not take place (no-show)")
        VOID = "void", _("Void (entered by mistake)")

    request = models.ForeignKey("requests_app.MediationRequest", on_delete=models.CASCADE, related_name="appointments")
    district = models.ForeignKey(
        "accounts.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # appointment_district_time_idx leads with it
    )
    mediator = models.ForeignKey(
        "mediators.Mediator", verbose_name=_("mediator"), on_delete=models.PROTECT, related_name="appointments"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    series = models.ForeignKey(
        AppointmentSeries,
        verbose_name=_("recurring appointments"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="occurrences",
    )
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    late_cancellation = models.BooleanField(
        _("cancelled late"), default=False, help_text=_("Cancelled less than 24 hours before: owed by the rule.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["mediator", "starts_at"], name="appointment_mediator_time_idx"),
            # The calendars read a period of a province or of a mediator's districts
            # (calendar_selectors.calendar_appointments).
            models.Index(fields=["starts_at"], name="appointment_starts_at_idx"),
            # A district's month of timesheets (timesheets.selectors), without the region's month: what the month's
            # sums need is in the index (PostgreSQL reads it alone, and prefers it to the start's index).
            models.Index(
                fields=["district", "starts_at"],
                include=["id", "mediator", "ends_at", "status", "late_cancellation"],
                name="appointment_district_time_idx",
            ),
            # The reports to write of a district or more (sessions_app.selectors._missing_ids): the appointments
            # still planned and those cancelled late, oldest first, read from the index alone (id and request in it).
            models.Index(
                fields=["starts_at", "id", "request"],
                name="appointment_planned_idx",
                condition=Q(status="planned"),
            ),
            models.Index(
                fields=["starts_at", "id", "request"],
                name="appointment_late_cancel_idx",
                condition=Q(status="cancelled", late_cancellation=True),
            ),
        ]

    def __str__(self):
        return f"{self.request.case_code} · {self.starts_at:%d/%m/%Y %H:%M}"

    def save(self, *args, **kwargs):
        if self.district_id is None and self.request_id is not None:
            self.district_id = self.request.office.district_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return pk_url("scheduling:appointment", self.pk)

    @property
    def is_live(self) -> bool:
        return self.status not in (self.Status.CANCELLED, self.Status.VOID)


LIVE_APPOINTMENT = ~Q(status__in=["cancelled", "void"])
