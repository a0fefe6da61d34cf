"""Mediation requests and their life: what an office asks for, who decided what, and what was said about it.

A family is never named: the office chooses a pseudonymous case code; the household is counted, not listed.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mediators.models import Gender, Mode, Setting, language_name, validate_country_code, validate_language_code

# What a case code must not look like: it is a pseudonym, never an identity.
_TAX_CODE = re.compile(r"[A-Z]{6}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z]", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"(?:\+|00)?\d[\d\s./-]{7,}\d")


def validate_case_code(value: str) -> None:
    """A pseudonym chosen by the office: letters, digits, dashes, slashes; never a tax code, e-mail or phone."""
    compact = re.sub(r"[\s.-]", "", value)
    if _TAX_CODE.search(compact):
        raise ValidationError(
            _("This looks like a tax code (codice fiscale): use a pseudonymous case code, never an identity."),
            code="tax_code",
        )
    if _EMAIL.search(value):
        raise ValidationError(_("This looks like an e-mail address: use a pseudonymous case code."), code="email")
    if _PHONE.fullmatch(value.strip()) or re.search(r"\d{9,}", compact):
        raise ValidationError(_("This looks like a phone number: use a pseudonymous case code."), code="phone")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9/_-]{1,29}", value):
        raise ValidationError(
            _("Use 2 to 30 letters, digits, dashes, slashes or underscores, e.g. TM-2025-014."), code="format"
        )


class ServiceKind(models.TextChoices):
    INTERPRETING = "interpreting", _("Interpreting")
    CULTURAL_MEDIATION = "cultural_mediation", _("Cultural mediation")
    WRITTEN_TRANSLATION = "written_translation", _("Written translation")
    ACCOMPANIMENT = "accompaniment", _("Accompaniment")


class Urgency(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary")
    URGENT = "urgent", _("Urgent")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REJECTED = "rejected", _("Rejected")
    MATCHING = "matching", _("Looking for a mediator")
    ASSIGNED = "assigned", _("Mediator assigned")
    SCHEDULED = "scheduled", _("Scheduled")
    COMPLETED = "completed", _("Completed")
    EVALUATED = "evaluated", _("Evaluated")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# Requests still waiting for something to happen; everything else is finished.
OPEN_STATUSES = (
    Status.SUBMITTED,
    Status.MATCHING,
    Status.ASSIGNED,
    Status.SCHEDULED,
    Status.COMPLETED,
    Status.EVALUATED,
)
FINISHED_STATUSES = (Status.REJECTED, Status.CLOSED, Status.CANCELLED)


class MediationRequest(models.Model):
    office = models.ForeignKey(
        "accounts.Office", verbose_name=_("requesting office"), on_delete=models.PROTECT, related_name="requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requester"), on_delete=models.PROTECT, related_name="requests"
    )
    case_code = models.CharField(
        _("case code"),
        max_length=30,
        validators=[validate_case_code],
        help_text=_("A pseudonym chosen by your office, e.g. TM-2025-014. Never a name, tax code, e-mail or phone."),
    )
    service_kind = models.CharField(_("service"), max_length=24, choices=ServiceKind.choices)
    setting = models.CharField(_("setting"), max_length=24, choices=Setting.choices)
    preferred_gender = models.CharField(
        _("preferred mediator gender"), max_length=10, choices=Gender.choices, blank=True
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ORDINARY)
    deadline = models.DateField(_("needed by"), null=True, blank=True)
    adults = models.PositiveSmallIntegerField(
        _("adults in the household"), default=1, validators=[MaxValueValidator(30)]
    )
    minors = models.PositiveSmallIntegerField(
        _("minors in the household"), default=0, validators=[MaxValueValidator(30)]
    )
    goal = models.TextField(_("goal of the mediation"), max_length=2000)
    expected_sessions = models.PositiveSmallIntegerField(
        _("expected sessions"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    session_minutes = models.PositiveSmallIntegerField(
        _("length of a session (minutes)"), default=60, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("Where the sessions happen, e.g. the office's address.")
    )
    sensitive_notes = models.TextField(
        _("sensitive notes"),
        blank=True,
        max_length=4000,
        help_text=_("Seen only by your office and, once assigned, by the mediator. Never in reports or exports."),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    assigned_mediator = models.ForeignKey(
        "mediators.Mediator",
        verbose_name=_("assigned mediator"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_requests",
    )
    copied_from = models.ForeignKey(
        "self", verbose_name=_("copied from"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mediation request")
        verbose_name_plural = _("mediation requests")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["office", "case_code"], name="request_case_code_unique_per_office"),
            models.CheckConstraint(
                condition=~Q(urgency="urgent") | Q(deadline__isnull=False),
                name="request_urgent_has_deadline",
                violation_error_message=_("An urgent request needs the date it is needed by."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "urgency", "submitted_at"], name="request_queue_idx"),
            models.Index(fields=["office", "status"], name="request_office_status_idx"),
        ]

    def __str__(self):
        return f"{self.case_code} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("requests:detail", args=[self.pk])

    @property
    def is_urgent(self) -> bool:
        return self.urgency == Urgency.URGENT


class RequestLanguage(models.Model):
    request = models.ForeignKey(MediationRequest, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(_("language (ISO 639-3)"), max_length=3, validators=[validate_language_code])
    variant = models.CharField(_("variant or dialect"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["pk"]
        indexes = [models.Index(fields=["code"], name="requestlanguage_code_idx")]

    def __str__(self):
        return f"{self.name} ({self.variant})" if self.variant else self.name

    @property
    def name(self) -> str:
        return language_name(self.code)


class RequestCountry(models.Model):
    request = models.ForeignKey(MediationRequest, on_delete=models.CASCADE, related_name="countries")
    code = models.CharField(_("country of origin (ISO 3166)"), max_length=2, validators=[validate_country_code])

    class Meta:
        verbose_name = _("country of origin")
        verbose_name_plural = _("countries of origin")
        ordering = ["code"]

    def __str__(self):
        from mediators.models import country_name

        return country_name(self.code)


class ProposedSlot(models.Model):
    """A time the office proposes for a session (stored in UTC, shown in Europe/Rome)."""

    request = models.ForeignKey(MediationRequest, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))

    class Meta:
        verbose_name = _("proposed time")
        verbose_name_plural = _("proposed times")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_proposed_ends_after_start")
        ]

    def __str__(self):
        return f"{self.starts_at:%d/%m/%Y %H:%M}"


class StatusChange(models.Model):
    """One step of a request's life: from, to, who, when and why. Written only by the transition services."""

    request = models.ForeignKey(MediationRequest, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(_("from"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status or '—'} → {self.to_status}"


class Comment(models.Model):
    """A message between the requesting office and the district's coordinators about one request."""

    request = models.ForeignKey(MediationRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.author} · {self.created_at:%d/%m/%Y %H:%M}"


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

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    request = models.ForeignKey(
        MediationRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    offer = models.ForeignKey(
        "Offer", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications", editable=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient}"


# --- Matching, offers and scheduling ----------------------------------------------------------------------------------


class Offer(models.Model):
    """A request proposed to one mediator. Never a booking: only an accepted offer leads to appointments.

    Offers may be released in tiers: a later tier stays ``queued`` until ``release_at``. Silence never counts as
    acceptance: an open offer past ``expires_at`` expires.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for its turn")
        OPEN = "open", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    request = models.ForeignKey(MediationRequest, on_delete=models.CASCADE, related_name="offers")
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
            models.UniqueConstraint(fields=["request", "mediator"], name="offer_once_per_mediator"),
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

    request = models.ForeignKey(MediationRequest, on_delete=models.CASCADE, related_name="series")
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
        return reverse("requests:series", args=[self.pk])


class Appointment(models.Model):
    """A session of a mediator for a request. A mediator is never in two live appointments at once: the service
    checks first, and on PostgreSQL an exclusion constraint (migration 0002) makes the database refuse it too."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("Did not take place (no-show)")
        VOID = "void", _("Void (entered by mistake)")

    request = models.ForeignKey(MediationRequest, on_delete=models.CASCADE, related_name="appointments")
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

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appointment_ends_after_start"),
        ]
        indexes = [models.Index(fields=["mediator", "starts_at"], name="appointment_mediator_time_idx")]

    def __str__(self):
        return f"{self.request.case_code} · {self.starts_at:%d/%m/%Y %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("requests:appointment", args=[self.pk])

    @property
    def is_live(self) -> bool:
        return self.status not in (self.Status.CANCELLED, self.Status.VOID)


LIVE_APPOINTMENT = ~Q(status__in=["cancelled", "void"])
