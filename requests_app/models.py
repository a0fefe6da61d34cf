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
from django.utils.translation import pgettext_lazy

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
    # What happened, as it was when it happened (day, time, place, mediator…): the appointment may move again
    # later, but this notification keeps telling what it told. Read by ``requests_app.notification_text``.
    details = models.JSONField(_("details"), default=dict, blank=True, editable=False)
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
        # Italian agrees with "offerta" (feminine): a context keeps these apart from the invitations' "Accepted".
        ACCEPTED = "accepted", pgettext_lazy("offer", "Accepted")
        DECLINED = "declined", pgettext_lazy("offer", "Declined")
        EXPIRED = "expired", pgettext_lazy("offer", "Expired")
        WITHDRAWN = "withdrawn", pgettext_lazy("offer", "Withdrawn")

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


# --- Session reports and evaluations ----------------------------------------------------------------------------------


class SessionReport(models.Model):
    """What happened at one appointment: written by its mediator (or a district coordinator on their behalf) after
    it started, confirmed by the requesting office, validated by the district's coordinators or sent back with a
    reason. A validated report is locked: it feeds timesheets, costs and the reports to the funder.

    Written only by ``requests_app.report_services``; the sensitive notes follow the request's rule (the requesting
    office and the mediator) and never reach lists of the province, reports or exports."""

    class Outcome(models.TextChoices):
        HELD = "held", _("Held")
        PARTLY = "partly", _("Partly held")
        FAMILY_ABSENT = "family_absent", _("The family did not come")
        MEDIATOR_ABSENT = "mediator_absent", _("The mediator did not come")
        CANCELLED_LATE = "cancelled_late", _("Cancelled late")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        CONFIRMED = "confirmed", _("Confirmed by the office")
        VALIDATED = "validated", _("Validated")
        SENT_BACK = "sent_back", _("Sent back")

    appointment = models.OneToOneField(
        Appointment, verbose_name=_("appointment"), on_delete=models.PROTECT, related_name="report"
    )
    started_at = models.DateTimeField(_("actual start"))
    ended_at = models.DateTimeField(_("actual end"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    adults_present = models.PositiveSmallIntegerField(
        _("adults present"), default=0, validators=[MaxValueValidator(30)]
    )
    minors_present = models.PositiveSmallIntegerField(
        _("minors present"), default=0, validators=[MaxValueValidator(30)]
    )
    operators_present = models.PositiveSmallIntegerField(
        _("operators present"),
        default=1,
        validators=[MaxValueValidator(30)],
        help_text=_("Social workers, educators, teachers… not counting the mediator."),
    )
    language = models.CharField(
        _("language used (ISO 639-3)"), max_length=3, blank=True, validators=[validate_language_code]
    )
    language_variant = models.CharField(_("variant or dialect used"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.HELD)
    outcome_reason = models.CharField(
        _("what happened"),
        max_length=300,
        blank=True,
        help_text=_("Required when the session was not fully held: who did not come, or why it was cancelled."),
    )
    travel_km = models.DecimalField(
        _("travel (km)"),
        max_digits=6,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(2000)],
    )
    travel_minutes = models.PositiveSmallIntegerField(
        _("travel time (minutes)"), default=0, validators=[MaxValueValidator(1440)]
    )
    expenses = models.DecimalField(
        _("expenses (euro)"),
        max_digits=8,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(10000)],
        help_text=_("Tickets, parking and the like, in euro."),
    )
    expenses_note = models.CharField(_("what the expenses were"), max_length=200, blank=True)
    sensitive_notes = models.TextField(
        _("sensitive notes"),
        blank=True,
        max_length=4000,
        help_text=_("Read only by the requesting office and the mediator. Never in reports or exports."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
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
        verbose_name = _("session report")
        verbose_name_plural = _("session reports")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__gt=F("started_at")), name="report_ends_after_start"),
            models.CheckConstraint(
                condition=Q(travel_km__gte=0) & Q(expenses__gte=0), name="report_travel_and_expenses_not_negative"
            ),
            models.CheckConstraint(
                condition=~Q(status="validated") | Q(validated_at__isnull=False, validated_by__isnull=False),
                name="report_validated_says_who_and_when",
            ),
        ]
        indexes = [models.Index(fields=["status", "started_at"], name="report_status_start_idx")]

    def __str__(self):
        return f"{self.appointment} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("requests:report", args=[self.pk])

    @property
    def locked(self) -> bool:
        """A validated report cannot change any more (a later capability also locks the reports of an approved
        monthly timesheet)."""
        return self.status == self.Status.VALIDATED

    @property
    def minutes(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds() // 60)

    @property
    def language_label(self) -> str:
        if not self.language:
            return ""
        name = language_name(self.language)
        return f"{name} ({self.language_variant})" if self.language_variant else name


class EvaluationCriterion(models.Model):
    """One of the shared criteria a province evaluates mediations against (data, not code)."""

    province = models.ForeignKey(
        "accounts.Province", verbose_name=_("province"), on_delete=models.CASCADE, related_name="evaluation_criteria"
    )
    key = models.SlugField(_("key"), max_length=40, help_text=_("A short name that never changes, e.g. neutrality."))
    label_it = models.CharField(_("label in Italian"), max_length=200)
    label_en = models.CharField(_("label in English"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        ordering = ["province", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["province", "key"], name="criterion_key_unique_per_province")]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        return self.label_en if (get_language() or "it").startswith("en") else self.label_it


class Evaluation(models.Model):
    """How well a mediation worked, seen from one side: the requesting office, or the mediator. One per side."""

    class Side(models.TextChoices):
        REQUESTER = "requester", _("Requesting office")
        MEDIATOR = "mediator", _("Mediator")

    request = models.ForeignKey(MediationRequest, on_delete=models.CASCADE, related_name="evaluations")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    mediator = models.ForeignKey(
        "mediators.Mediator",
        verbose_name=_("mediator"),
        on_delete=models.PROTECT,
        related_name="evaluations",
        help_text=_("The mediator of the request when it was evaluated."),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("evaluated by"), on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("overall comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["request", "side"], name="evaluation_once_per_side")]

    def __str__(self):
        return f"{self.request.case_code} · {self.get_side_display()}"

    def get_absolute_url(self) -> str:
        return reverse("requests:evaluate", args=[self.request_id]) + f"?lato={self.side}"


class EvaluationScore(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        EvaluationCriterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="scores"
    )
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["criterion__order", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="score_once_per_criterion"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="score_from_1_to_5"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.score}"
