"""The public seminar "on the condition of immigrant families": the event a province organises, and the people who
register to it from the public page (double opt-in, capacity, waiting list, check-in on the day)."""

from __future__ import annotations

import uuid

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Seminar(models.Model):
    province = models.ForeignKey(
        "accounts.Province", verbose_name=_("province"), on_delete=models.PROTECT, related_name="seminars"
    )
    slug = models.SlugField(_("short name"), unique=True, help_text=_("Used in the public address: seminario-2027."))
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=250)
    address = models.CharField(_("address"), max_length=250)
    programme = models.TextField(_("programme"), blank=True)
    speakers = models.TextField(_("speakers"), blank=True)
    accessibility = models.TextField(_("accessibility notes"), blank=True)
    capacity = models.PositiveIntegerField(_("places"))
    registration_open = models.BooleanField(_("registration open"), default=True)

    class Meta:
        verbose_name = _("seminar")
        verbose_name_plural = _("seminars")
        ordering = ["-starts_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("seminar:detail", args=[self.pk])

    def get_public_url(self):
        return reverse("seminar_public:event", args=[self.slug])


class Registration(models.Model):
    class Role(models.TextChoices):
        SOCIAL_WORKER = "social_worker", _("Social worker")
        TEACHER = "teacher", _("Teacher or educator")
        HEALTH = "health", _("Health worker")
        MEDIATOR = "mediator", _("Cultural mediator")
        ASSOCIATION = "association", _("Association or volunteer")
        CITIZEN = "citizen", _("Citizen")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Waiting for the e-mail confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    seminar = models.ForeignKey(Seminar, on_delete=models.CASCADE, related_name="registrations")
    # The key of the e-mail links (confirm, cancel): signed with it, never the row's id.
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name and surname"), max_length=150)
    email = models.EmailField(_("e-mail"))
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    role_other = models.CharField(_("other role"), max_length=100, blank=True)
    # The language the page was read in: the e-mails are written in it.
    language = models.CharField(max_length=8, default="it")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UNCONFIRMED)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["confirmed_at", "pk"]
        indexes = [models.Index(fields=["seminar", "status", "confirmed_at"])]

    def __str__(self):
        return self.name
