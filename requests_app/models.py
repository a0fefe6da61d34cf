"""Mediation requests and their life: what an office asks for, who decided what, and what was said about it.

A family is never named: the office chooses a pseudonymous case code; the household is counted, not listed.
"""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.identity import EMAIL, PHONE, TAX_CODE
from core.urls import pk_url
from mediators.models import Gender, Mode, Setting, language_name, validate_country_code, validate_language_code

# What a case code must not look like: it is a pseudonym, never an identity (the patterns are shared with the
# operators' questions: core/identity.py).
_TAX_CODE, _EMAIL, _PHONE = TAX_CODE, EMAIL, PHONE


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
# The coordinators' queue: what the district still works on, from the decision to the sessions. A completed request
# waits for the office's evaluation, an evaluated one only to be closed (the home page's "Mediations to close" and
# the queue's "To close" phase): neither is work in progress, and over the years they would fill the queue.
QUEUE_STATUSES = (Status.SUBMITTED, Status.MATCHING, Status.ASSIGNED, Status.SCHEDULED)

# The sort keys of the lists, never NULL: pages are found by comparing them as one row (core.pagination), and an
# index on the same expressions serves each list in its order (Meta.indexes below).
NO_DEADLINE = date(9999, 12, 31)


def urgency_rank():
    """0 for urgent requests, 1 for the others: the queue puts urgent ones first."""
    return Case(When(urgency="urgent", then=Value(0)), default=Value(1), output_field=models.IntegerField())


def deadline_key():
    """The date a request is needed by; one with none comes after every date."""
    return Coalesce("deadline", Value(NO_DEADLINE), output_field=models.DateField())


def request_date():
    """A request's date: when it was submitted, or created for one never submitted (a draft, a cancelled draft)."""
    return Coalesce("submitted_at", "created_at", output_field=models.DateTimeField())


QUEUE_ORDER = (urgency_rank, deadline_key, request_date)


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
            # The lists read each office of their scope in its order, from these indexes, and keep the first rows of
            # all of them (core.pagination, partitioned by office): a page costs the same wherever the scope's rows
            # lie among the region's. The office's list: newest first.
            models.Index(fields=["office", "-created_at", "-id"], name="request_office_created_idx"),
            # The province's list: the most recent first.
            models.Index(F("office"), request_date(), F("id"), name="request_office_date_idx"),
            # The coordinators' queue: urgent first, then the nearest deadline, then the oldest; for the work in
            # progress (the default), and for any other status they ask for.
            models.Index(
                F("office"),
                urgency_rank(),
                deadline_key(),
                request_date(),
                F("id"),
                name="request_office_queue_idx",
                condition=Q(status__in=QUEUE_STATUSES),
            ),
            models.Index(
                F("office"), urgency_rank(), deadline_key(), request_date(), F("id"), name="request_office_order_idx"
            ),
        ]

    def __str__(self):
        return f"{self.case_code} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return pk_url("requests:detail", self.pk)

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


class OfficeLanguage(models.Model):
    """A language an office's requests have asked for: the lists' language menu reads these few rows instead of every
    request of the scope (issue #17: that scan read over a million request languages at a region's scale).

    ``submitted`` rows are the languages of requests past their draft (what the district and the province see);
    the others, of drafts (the office's own). Rows are only added, by the services and by saving a
    :class:`RequestLanguage`; a language no request asks for any more stays in the menu (it then finds nothing)
    until :func:`requests_app.services.office_languages_rebuild` (nightly, and after a bulk load) writes the table
    again from the requests."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+", db_index=False)
    submitted = models.BooleanField()
    code = models.CharField(max_length=3)

    class Meta:
        verbose_name = _("language of an office's requests")
        verbose_name_plural = _("languages of an office's requests")
        constraints = [
            models.UniqueConstraint(fields=["office", "submitted", "code"], name="officelanguage_unique"),
        ]

    def __str__(self):
        return f"{self.office_id} {self.code}{'' if self.submitted else ' (draft)'}"


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
