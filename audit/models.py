"""What the portal remembers about reads and forgetting: the read audit, and which rows were anonymised or erased.

The read audit is append-only: a row is written once by :func:`audit.services.record_read` and never changed or
deleted, by the ORM (``save()``, ``delete()`` and the queryset refuse) nor, on PostgreSQL, by SQL (a trigger,
migration 0002). It holds ids, a role, a kind and a keyed hash of the address, never free text, so that forgetting a
family (retention) or a mediator (erasure) never needs to edit it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


class AuditIsAppendOnly(Exception):
    """Someone tried to change or delete a row of the read audit."""


class ReadEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditIsAppendOnly("The read audit is append-only: its rows are never updated.")

    def delete(self):
        raise AuditIsAppendOnly("The read audit is append-only: its rows are never deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditIsAppendOnly("The read audit is append-only: its rows are never updated.")

    def update_or_create(self, defaults=None, **kwargs):
        raise AuditIsAppendOnly("The read audit is append-only: its rows are never updated.")


class ReadEvent(models.Model):
    """Someone opened a page about a person or a family, or downloaded an export: who, in which role, what, when."""

    class Kind(models.TextChoices):
        REQUEST = "request", _("Request page")
        APPOINTMENT = "appointment", _("Appointment page")
        SERIES = "series", _("Recurring appointments page")
        SESSION_REPORT = "session_report", _("Session report page")
        EXPORT = "export", _("Export download")
        OWN_DATA = "own_data", _("Own data download")
        ERASURE = "erasure", _("Erasure of a mediator's data")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # Users are deactivated, never deleted (an erased mediator's account too): PROTECT keeps every row's author.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("in the role of"), max_length=32, choices=Role.choices, blank=True)
    kind = models.CharField(_("what kind"), max_length=16, choices=Kind.choices)
    # The model's label (requests_app.mediationrequest) and the row's id: no ContentType lookup, so recording a read
    # costs exactly one INSERT whatever the state of Django's content-type cache.
    object_type = models.CharField(_("type of object"), max_length=100, blank=True)
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    what = models.CharField(_("export"), max_length=100, blank=True, help_text=_("The name of an export."))
    # The province the object belongs to (or, for an export, the province of the role): the audit page of province
    # staff shows their province's rows. Empty for an administrator's export across provinces.
    province = models.ForeignKey(
        "accounts.Province", verbose_name=_("province"), on_delete=models.PROTECT, null=True, blank=True
    )
    path_hash = models.CharField(
        _("address (keyed hash)"),
        max_length=64,
        help_text=_("HMAC-SHA256 of the full address, query string included, keyed from SECRET_KEY."),
    )

    objects = ReadEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("read audit entry")
        verbose_name_plural = _("read audit")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["province", "-at"], name="audit_province_at_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} · {self.user_id} · {self.kind} {self.object_id or self.what}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditIsAppendOnly("The read audit is append-only: its rows are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditIsAppendOnly("The read audit is append-only: its rows are never deleted.")
