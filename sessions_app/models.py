"""Sessions: what happened at each appointment (the session report) and how the mediation went (the evaluations)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.urls import pk_url
from mediators.models import Mode, language_name, validate_language_code


class SessionReport(models.Model):
    """What happened at one appointment: written by its mediator (or a district coordinator on their behalf) after
    it started, confirmed by the requesting office, validated by the district's coordinators or sent back with a
    reason. A validated report is locked: it feeds timesheets, costs and the reports to the funder.

    Written only by ``sessions_app.services``; the sensitive notes follow the request's rule (the requesting
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
        "scheduling.Appointment", verbose_name=_("appointment"), on_delete=models.PROTECT, related_name="report"
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
        indexes = [
            models.Index(fields=["status", "started_at"], name="report_status_start_idx"),
            # "Recently validated" on the reports page: the latest first.
            models.Index(
                fields=["-validated_at", "-id"], name="report_validated_idx", condition=models.Q(status="validated")
            ),
            # The reports waiting for the office's confirmation or the district's validation, the longest waiting
            # first (the homes' work lists, sessions_app.selectors.reports_to_confirm and reports_to_validate).
            models.Index(
                fields=["submitted_at", "id"],
                name="report_waiting_idx",
                condition=models.Q(status__in=["submitted", "confirmed"]),
            ),
            # The reports to write that are drafts or were sent back (sessions_app.selectors._missing_ids).
            models.Index(
                fields=["appointment"],
                name="report_editable_idx",
                condition=models.Q(status__in=["draft", "sent_back"]),
            ),
        ]

    def __str__(self):
        return f"{self.appointment} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return pk_url("sessions:report", self.pk)

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

    request = models.ForeignKey("requests_app.MediationRequest", on_delete=models.CASCADE, related_name="evaluations")
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
        return pk_url("sessions:evaluate", self.request_id) + f"?lato={self.side}"


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


class MediatorRating(models.Model):
    """The requesting offices' scores of a mediator, added up: what the ranking of candidates reads
    (sessions_app.ratings) instead of every score of every evaluation of each candidate (issue #17: at a region's
    scale a mediator gathers hundreds of evaluations, and the candidates page read them all for each candidate).

    Kept by the services and by saving or deleting an evaluation or a score one by one (sessions_app.signals), each
    change writing its mediator's row again from the scores; written again whole every night and after a bulk load
    (``services.ratings_rebuild``), which ``ratings_check`` compares with a full recomputation. No row: no score."""

    mediator = models.OneToOneField(
        "mediators.Mediator", primary_key=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("mediator")
    )
    evaluations = models.PositiveIntegerField(_("evaluations"))
    scores = models.PositiveIntegerField(_("scores"))
    score_total = models.PositiveIntegerField(_("sum of the scores"))

    class Meta:
        verbose_name = _("rating of a mediator")
        verbose_name_plural = _("ratings of the mediators")

    def __str__(self):
        return f"{self.mediator_id}: {self.score_total}/{self.scores} ({self.evaluations})"
