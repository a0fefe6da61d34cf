"""Funded projects and their budgets, the charge of a request to a project, and report jobs.

A project is what the province accounts for to its funder (the Cremona seed: call 2011 of ASL Cremona under law
40/98, three district partners). Requests are charged to one project at triage: the link lives here, in
:class:`ProjectCharge`, so that requests_app knows nothing about funding.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.urls import pk_url


class Action(models.TextChoices):
    """The actions of a funded project (the Cremona seed's list)."""

    COORDINATION = "coordination", _("Coordination, reporting and accounting")
    TRAINING = "training", _("Training course")
    MINI_GUIDE = "mini_guide", _("Multilingual mini-guide")
    SEMINAR = "seminar", _("Public seminar")
    FAQ = "faq", _("FAQ for operators")
    MEDIATION = "mediation", _("District mediation services")
    MAPPING = "mapping", _("Mapping of services")
    PUBLICITY = "publicity", _("Publicity of activities and results")


class Project(models.Model):
    title = models.CharField(_("title"), max_length=250)
    call = models.CharField(_("call"), max_length=200, help_text=_("e.g. Bando 2011 L. 40/98"))
    funder = models.ForeignKey(
        "accounts.Funder", verbose_name=_("funder"), on_delete=models.PROTECT, related_name="projects"
    )
    lead_province = models.ForeignKey(
        "accounts.Province", verbose_name=_("lead province"), on_delete=models.PROTECT, related_name="projects"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    hourly_rate = models.DecimalField(
        _("cost of an hour of mediation (€)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("25.00"),
        validators=[MinValueValidator(0)],
    )
    km_rate = models.DecimalField(
        _("travel refund per km (€)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("0.30"),
        validators=[MinValueValidator(0)],
    )
    # What the project promised the funder over its whole period (empty: no target); the province's home compares
    # the month with its share of them (reporting.selectors.projects_this_month).
    target_sessions = models.PositiveIntegerField(
        _("target: sessions held"), null=True, blank=True, help_text=_("Over the whole project period.")
    )
    target_hours = models.PositiveIntegerField(
        _("target: hours of mediation"), null=True, blank=True, help_text=_("Over the whole project period.")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("funded project")
        verbose_name_plural = _("funded projects")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="project_ends_after_it_starts",
                violation_error_message=_("A project cannot end before it starts."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return pk_url("reporting:project", self.pk)


class ProjectPartner(models.Model):
    """A partner of a project: a district's managing body, or another body (``district`` empty)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=250)
    district = models.ForeignKey(
        "accounts.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="project_partnerships",
        help_text=_("The district whose mediation services this partner runs; empty for the lead or another body."),
    )

    class Meta:
        verbose_name = _("project partner")
        verbose_name_plural = _("project partners")
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="partner_unique_name_in_project"),
            models.UniqueConstraint(fields=["project", "district"], name="partner_unique_district_in_project"),
        ]

    def __str__(self):
        return self.name


class BudgetLine(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="budget")
    partner = models.ForeignKey(
        ProjectPartner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    amount = models.DecimalField(_("budget (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["partner__name", "action"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "action"], name="budget_line_unique_action_per_partner")
        ]

    def __str__(self):
        return f"{self.partner} · {self.get_action_display()}"


class ProjectExpense(models.Model):
    """Spending on an action that is not a mediation session (a seminar's room, printing the mini-guide)."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="expenses")
    partner = models.ForeignKey(
        ProjectPartner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="expenses"
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    spent_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    description = models.CharField(_("what it was"), max_length=250)

    class Meta:
        verbose_name = _("project expense")
        verbose_name_plural = _("project expenses")
        ordering = ["-spent_on"]

    def __str__(self):
        return self.description


class ProjectCharge(models.Model):
    """The project a request is charged to, chosen at triage. At most one per request."""

    request = models.OneToOneField(
        "requests_app.MediationRequest",
        verbose_name=_("request"),
        on_delete=models.CASCADE,
        related_name="project_charge",
    )
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="charges")
    charged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("charged by"), on_delete=models.PROTECT, related_name="+"
    )
    charged_at = models.DateTimeField(_("charged at"), default=timezone.now)

    class Meta:
        verbose_name = _("charge to a project")
        verbose_name_plural = _("charges to a project")

    def __str__(self):
        return f"{self.request_id} → {self.project}"


class ReportJob(models.Model):
    """A report asked for: run in the background, kept as a file until it expires."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Audience(models.TextChoices):
        PROVINCE = "province", _("For the province (every figure)")
        FUNDER = "funder", _("For the funder (counts below 3 hidden)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_jobs",
        help_text=_("Empty for the quarterly reports the portal prepares by itself."),
    )
    province = models.ForeignKey(
        "accounts.Province", verbose_name=_("province"), on_delete=models.PROTECT, related_name="report_jobs"
    )
    district = models.ForeignKey(
        "accounts.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_jobs",
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, null=True, blank=True, related_name="report_jobs"
    )
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to (included)"))
    format = models.CharField(_("format"), max_length=4, choices=Format.choices, default=Format.PDF)
    audience = models.CharField(_("version"), max_length=10, choices=Audience.choices, default=Audience.PROVINCE)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True, max_length=300)
    error = models.TextField(_("what went wrong"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    heartbeat_at = models.DateTimeField(
        _("last sign of life"),
        null=True,
        blank=True,
        help_text=_("Written by the worker preparing the report; one silent for too long lost its worker."),
    )
    enqueued_at = models.DateTimeField(
        _("handed to the background service at"),
        null=True,
        blank=True,
        help_text=_("Empty while the background service has not taken the job yet (the sweeper sends it)."),
    )
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kept until"))

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=F("date_from")),
                name="report_job_period_in_order",
                violation_error_message=_("The period ends before it starts."),
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_job_progress_at_most_100"),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="report_job_expiry_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="report_job_heartbeat_idx"),
        ]

    def __str__(self):
        return f"{self.get_format_display()} {self.date_from}–{self.date_to}"

    def get_absolute_url(self) -> str:
        return reverse("reporting:job", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def max_attempts(self) -> int:
        return settings.REPORT_JOB_MAX_ATTEMPTS

    @property
    def is_stalled(self) -> bool:
        """Running, but its worker has not shown a sign of life for longer than the stale interval."""
        if self.status != self.Status.RUNNING:
            return False
        last = self.heartbeat_at or self.started_at
        return last is None or timezone.now() - last > dt.timedelta(seconds=settings.REPORT_JOB_STALE_SECONDS)

    @property
    def state(self) -> str:
        """What the page says: waiting for the background service, waiting, retrying, running, stalled, done,
        failed."""
        if self.status == self.Status.QUEUED:
            if self.attempts:
                return "retrying"
            return "waiting_service" if self.enqueued_at is None else "queued"
        if self.status == self.Status.RUNNING:
            return "stalled" if self.is_stalled else "running"
        return self.status

    @property
    def suppress_small_counts(self) -> bool:
        return self.audience == self.Audience.FUNDER

    @property
    def filename(self) -> str:
        scope = self.project_id and f"progetto-{self.project_id}" or (self.district_id and f"ambito-{self.district_id}")
        parts = ["rendicontazione", self.province.slug, scope or "", f"{self.date_from:%Y%m%d}-{self.date_to:%Y%m%d}"]
        return "-".join(p for p in parts if p) + f".{self.format}"


class MonthlyAggregate(models.Model):
    """The reporting dashboard's figures of one district in one month, for the requests charged to one project (or
    to none): kept by :mod:`reporting.aggregates` from the source tables, recomputed for the month whenever a service
    changes a fact of it, rebuilt every night, checked against a full recomputation by ``manage.py
    reporting_aggregates --check``. Never written by hand.

    Each fact is dated as the indicators date it (``reporting.indicators``): a request by its submission, an
    appointment by its start, an evaluation by the day it was written, all in Italian time. The row of a
    request's facts is its office's district and the project the request is charged to, whatever the month of the
    fact. Counts add up over rows; what cannot be added (the waiting times' percentiles, the families reached once
    over several months) is kept as the values or the set to merge.
    """

    # Indexed with the month (below): the dashboard reads a province's months.
    province = models.ForeignKey("accounts.Province", on_delete=models.CASCADE, related_name="+", db_index=False)
    district = models.ForeignKey("accounts.District", on_delete=models.CASCADE, related_name="+")
    # The project the requests are charged to (reporting.ProjectCharge); empty: requests charged to none.
    project = models.ForeignKey(Project, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    # The first day of the month.
    month = models.DateField()

    # Requests submitted in the month (drafts never count).
    requests = models.PositiveIntegerField(default=0)
    # ... of which a mediator was assigned at some time (their history holds a change to "assigned").
    fulfilled = models.PositiveIntegerField(default=0)
    # ... of which cancelled, and rejected, now.
    cancelled = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # ... by their office's kind ({"child_protection": 4, ...}) and by setting ({"school": 2, ...}).
    requests_by_kind = models.JSONField(default=dict)
    requests_by_setting = models.JSONField(default=dict)
    # ... by language, individual languages under their macrolanguage ({"ara": 3, ...}); a request asking for two
    # languages counts under each, once under a macrolanguage it asks for twice.
    requests_by_language = models.JSONField(default=dict)
    # ... the microseconds from submission to the first assignment of each one assigned, in order (the median and
    # 90th percentile of any period are read from them).
    waits = models.JSONField(default=list)

    # Appointments starting in the month (void ones never count): held, no-show, cancelled (late or not), of which
    # cancelled late, still planned.
    held = models.PositiveIntegerField(default=0)
    no_show = models.PositiveIntegerField(default=0)
    sessions_cancelled = models.PositiveIntegerField(default=0)
    late_cancellations = models.PositiveIntegerField(default=0)
    planned = models.PositiveIntegerField(default=0)
    # The duration of the sessions held: the report's actual times, else the planned ones.
    held_duration = models.DurationField(default=dt.timedelta)
    # The requests with a session held in the month: {"request id": [adults, minors, [language groups]]}. A family
    # reached in two months of a period is counted once, so the set is kept, not its size.
    reached = models.JSONField(default=dict)
    # What the month's sessions cost the project (0 without a project): the timesheets' rules at the provider's
    # rate, or held sessions at the project's rates when the provider has no rate that day.
    session_cost = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    # Evaluations written in the month about the district's requests: {"criterion id:side": [sum of scores, scores]}.
    scores = models.JSONField(default=dict)

    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("monthly aggregate")
        verbose_name_plural = _("monthly aggregates")
        constraints = [
            models.UniqueConstraint(
                fields=["district", "month", "project"],
                condition=Q(project__isnull=False),
                name="aggregate_one_per_district_month_project",
            ),
            models.UniqueConstraint(
                fields=["district", "month"],
                condition=Q(project__isnull=True),
                name="aggregate_one_per_district_month_unfunded",
            ),
        ]
        indexes = [models.Index(fields=["province", "month"], name="aggregate_province_month_idx")]

    def __str__(self):
        return f"{self.district_id} {self.month:%Y-%m} {self.project_id or '-'}"
