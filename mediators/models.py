"""The roster of linguistic-cultural mediators: who they are, what they speak, where and when they work."""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.urls import pk_url

# The one place naming languages (CLDR through Babel, pycountry as fallback); imported here by the rest of the code.
from .languages import language_name


@lru_cache(maxsize=8)
def _pycountry_catalog(domain: str, language: str):
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def country_name(code: str, language: str | None = None) -> str:
    return _country_name(code, (language or translation.get_language() or settings.LANGUAGE_CODE)[:2])


@lru_cache(maxsize=4096)
def _country_name(code: str, language: str) -> str:
    record = pycountry.countries.get(alpha_2=code)
    if record is None:
        return code
    return _pycountry_catalog("iso3166-1", language).gettext(record.name)


def validate_language_code(value: str) -> None:
    if not value or pycountry.languages.get(alpha_3=value.lower()) is None:
        raise ValidationError(_("%(code)s is not an ISO 639-3 language code."), params={"code": value})


def validate_country_code(value: str) -> None:
    if not value or pycountry.countries.get(alpha_2=value.upper()) is None:
        raise ValidationError(_("%(code)s is not an ISO 3166 country code."), params={"code": value})


class Gender(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    OTHER = "other", _("Other")


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video call")


_MODE_LABELS = {mode.value: mode.label for mode in Mode}  # lazy: each in the language of the request


class Setting(models.TextChoices):
    """Where a mediation happens. Shared with requests (issue: request intake)."""

    CHILD_PROTECTION = "child_protection", _("Child protection")
    JUDICIAL = "judicial", _("Judicial measure")
    SCHOOL = "school", _("School")
    HEALTH = "health", _("Health")
    BASIC_SOCIAL_SERVICE = "basic_social_service", _("Basic social service")


class Mediator(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mediator_profile",
        help_text=_("Empty while the mediator is on the roster without an account."),
    )
    provider = models.ForeignKey(
        "accounts.Provider", verbose_name=_("provider"), on_delete=models.PROTECT, related_name="mediators"
    )
    districts = models.ManyToManyField(
        "accounts.District", verbose_name=_("districts served"), related_name="mediators"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices)
    email = models.EmailField(_("e-mail address"), unique=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Modes offered and settings of experience are few and fixed: one column each keeps filters simple and indexable.
    mode_in_person = models.BooleanField(_("in person"), default=True)
    mode_phone = models.BooleanField(_("by phone"), default=False)
    mode_video = models.BooleanField(_("by video call"), default=False)
    exp_child_protection = models.BooleanField(_("child protection"), default=False)
    exp_judicial = models.BooleanField(_("judicial measures"), default=False)
    exp_school = models.BooleanField(_("school"), default=False)
    exp_health = models.BooleanField(_("health"), default=False)
    exp_basic_social_service = models.BooleanField(_("basic social service"), default=False)
    cultural_areas = models.CharField(
        _("cultural areas"), max_length=250, blank=True, help_text=_("e.g. Maghreb, West Africa, Indian subcontinent")
    )
    max_weekly_hours = models.PositiveSmallIntegerField(
        _("maximum hours a week"), default=20, validators=[MaxValueValidator(60)]
    )
    hourly_rate = models.DecimalField(
        _("hourly rate (€)"), max_digits=6, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    travel_rate = models.DecimalField(
        _("travel rate (€/km)"), max_digits=5, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    is_active = models.BooleanField(_("active"), default=True)
    coordinator_notes = models.TextField(
        _("coordinators' notes"), blank=True, help_text=_("Seen only by coordinators and province staff.")
    )
    # The secret of the personal calendar feed (/calendario/<token>.ics). Empty until the mediator asks for the
    # address; replacing it revokes the old address at once.
    calendar_token = models.CharField(
        _("calendar feed secret"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="mediator_name_idx"),
            models.Index(fields=["is_active"], name="mediator_active_idx"),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self) -> str:
        return pk_url("mediators:detail", self.pk)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def modes(self) -> list[str]:
        return [mode for mode in _MODE_LABELS if getattr(self, f"mode_{mode}")]

    def get_modes_display(self) -> list[str]:
        return [str(_MODE_LABELS[mode]) for mode in self.modes()]

    def settings(self) -> list[str]:
        return [setting for setting in Setting.values if getattr(self, f"exp_{setting}")]

    def get_settings_display(self) -> list[str]:
        return [str(Setting(setting).label) for setting in self.settings()]


class LanguageLevel(models.TextChoices):
    MOTHER_TONGUE = "mother_tongue", _("Mother tongue")
    FLUENT = "fluent", _("Fluent")
    WORKING = "working", _("Working knowledge")


class MediatorLanguage(models.Model):
    mediator = models.ForeignKey(Mediator, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(_("language (ISO 639-3)"), max_length=3, validators=[validate_language_code])
    variant = models.CharField(
        _("variant or dialect"), max_length=100, blank=True, help_text=_("e.g. Moroccan Darija, Wenzhounese")
    )
    level = models.CharField(_("level"), max_length=16, choices=LanguageLevel.choices, default=LanguageLevel.FLUENT)
    written_translation = models.BooleanField(_("also translates in writing"), default=False)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["mediator", "code", "variant"]
        indexes = [models.Index(fields=["code"], name="mediatorlanguage_code_idx")]
        constraints = [
            models.UniqueConstraint(fields=["mediator", "code", "variant"], name="mediatorlanguage_unique"),
        ]

    def __str__(self):
        return f"{self.name} ({self.variant})" if self.variant else self.name

    @property
    def name(self) -> str:
        return language_name(self.code)


class MediatorCountry(models.Model):
    """A country of origin or culture the mediator knows (ISO 3166-1 alpha-2)."""

    mediator = models.ForeignKey(Mediator, on_delete=models.CASCADE, related_name="countries")
    code = models.CharField(_("country (ISO 3166)"), max_length=2, validators=[validate_country_code])

    class Meta:
        verbose_name = _("country known")
        verbose_name_plural = _("countries known")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["mediator", "code"], name="mediatorcountry_unique")]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return country_name(self.code)


class Training(models.Model):
    mediator = models.ForeignKey(Mediator, on_delete=models.CASCADE, related_name="trainings")
    title = models.CharField(_("title"), max_length=200)
    body = models.CharField(_("organised by"), max_length=200, blank=True)
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-date"]

    def __str__(self):
        return self.title


class Qualification(models.Model):
    mediator = models.ForeignKey(Mediator, on_delete=models.CASCADE, related_name="qualifications")
    title = models.CharField(_("title"), max_length=200)
    issued_by = models.CharField(_("issued by"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["expires_on", "title"]
        indexes = [models.Index(fields=["expires_on"], name="qualification_expiry_idx")]

    def __str__(self):
        return self.title


class QualificationExpiryNotice(models.Model):
    """The coordinators of a district were told that this qualification expires soon: once per district, so that
    a mediator serving several districts is announced to each of them, and to none twice."""

    qualification = models.ForeignKey(Qualification, on_delete=models.CASCADE, related_name="expiry_notices")
    district = models.ForeignKey("accounts.District", on_delete=models.CASCADE, related_name="+")
    notified_on = models.DateField()

    class Meta:
        verbose_name = _("notice of an expiring qualification")
        verbose_name_plural = _("notices of expiring qualifications")
        constraints = [
            models.UniqueConstraint(fields=["qualification", "district"], name="qualification_notice_once_per_district")
        ]

    def __str__(self):
        return f"{self.qualification} → {self.district}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class AvailabilitySlot(models.Model):
    """A weekly recurring time the mediator can work, in local time (Europe/Rome)."""

    mediator = models.ForeignKey(Mediator, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("to"))

    class Meta:
        verbose_name = _("weekly availability")
        verbose_name_plural = _("weekly availability")
        ordering = ["weekday", "start_time"]
        indexes = [models.Index(fields=["weekday", "mediator"], name="slot_weekday_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="slot_ends_after_start",
                violation_error_message=_("The end must come after the start."),
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class Absence(models.Model):
    mediator = models.ForeignKey(Mediator, on_delete=models.CASCADE, related_name="absences")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to (included)"))
    reason = models.CharField(_("reason"), max_length=120, blank=True, help_text=_("Optional, e.g. holiday."))

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["start_date"]
        indexes = [models.Index(fields=["mediator", "start_date", "end_date"], name="absence_range_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="absence_ends_after_start",
                violation_error_message=_("The absence must end on or after its first day."),
            ),
        ]

    def __str__(self):
        return f"{self.start_date:%d/%m/%Y}–{self.end_date:%d/%m/%Y}"
