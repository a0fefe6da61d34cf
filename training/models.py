"""The training course of the province ("Famiglie immigrate e modelli familiari"): modules and sessions, the
professionals each district nominates within its places, the province's confirmation, attendance per session and the
certificate of attendance for those at or above the course's threshold (README, "Corso di formazione").

A nominee is a user of the portal (a social worker, coordinator or mediator of the district) or an external person
(name, organisation, e-mail). Hours attended are computed from the attendance registers, never typed.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Course(models.Model):
    province = models.ForeignKey("accounts.Province", verbose_name=_("province"), on_delete=models.PROTECT)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    for_social_workers = models.BooleanField(_("social workers"), default=True)
    for_coordinators = models.BooleanField(_("coordinators"), default=True)
    for_mediators = models.BooleanField(_("mediators"), default=True)
    for_others = models.BooleanField(_("other professionals of the district"), default=True)
    places_per_district = models.PositiveSmallIntegerField(
        _("places per district"), default=10, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    threshold_percent = models.PositiveSmallIntegerField(
        _("attendance needed for the certificate (%)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    signed_by = models.CharField(_("certificate signed by"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("training:detail", args=[self.pk])

    def target_roles(self) -> set[str]:
        """The nominee roles the course is for (Nomination.Kind values)."""
        flags = {
            Nomination.Kind.SOCIAL_WORKER: self.for_social_workers,
            Nomination.Kind.COORDINATOR: self.for_coordinators,
            Nomination.Kind.MEDIATOR: self.for_mediators,
            Nomination.Kind.OTHER: self.for_others,
        }
        return {kind for kind, on in flags.items() if on}


class Module(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    title = models.CharField(_("title"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class Session(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    module = models.ForeignKey(
        Module, verbose_name=_("module"), on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=250, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    trainer = models.CharField(_("trainer"), max_length=200)
    trainer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainer's account (marks presence)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_sessions",
    )
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )

    class Meta:
        verbose_name = _("course session")
        verbose_name_plural = _("course sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="training_session_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.course} · {self.starts_at:%d/%m/%Y}"


class Nomination(models.Model):
    class Kind(models.TextChoices):
        SOCIAL_WORKER = "social_worker", _("Social worker")
        COORDINATOR = "coordinator", _("Coordinator")
        MEDIATOR = "mediator", _("Mediator")
        OTHER = "other", _("Other professional of the district")

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("Nominated, waiting for the province")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The statuses that take one of the district's places.
    HOLDING = (Status.NOMINATED, Status.CONFIRMED)

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="nominations")
    district = models.ForeignKey("accounts.District", verbose_name=_("district"), on_delete=models.PROTECT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_nominations",
    )
    full_name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))
    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOMINATED)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    nominated_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    certificate_issued_at = models.DateTimeField(_("certificate issued on"), null=True, blank=True)
    certificate_hours = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    # The line of the mediator's registry profile written when the certificate was issued (updated, never doubled).
    registry_training = models.ForeignKey(
        "mediators.Training", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["district__name", "full_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "email"], name="training_nomination_email_once"),
            models.UniqueConstraint(
                fields=["course", "user"], condition=Q(user__isnull=False), name="training_nomination_user_once"
            ),
        ]

    def __str__(self):
        return f"{self.full_name} · {self.course}"


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="attendances")
    present = models.BooleanField(default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["session", "nomination"], name="training_attendance_once")]

    def __str__(self):
        return f"{self.nomination} · {self.session}"
