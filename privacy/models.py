"""The marks of privacy acts: a request anonymised after retention, a mediator's personal data erased."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Anonymisation(models.Model):
    """A request whose free text was erased and case code replaced after the retention period (requests_app's
    models stay as they are: the mark lives here). One per request: running the job again finds nothing to do."""

    request = models.OneToOneField(
        "requests_app.MediationRequest",
        verbose_name=_("request"),
        # A deleted request (demo data rebuilt) has nothing left to mark.
        on_delete=models.CASCADE,
        related_name="anonymisation",
    )
    at = models.DateTimeField(_("anonymised at"), default=timezone.now)

    class Meta:
        verbose_name = _("anonymised request")
        verbose_name_plural = _("anonymised requests")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.request_id} · {self.at:%Y-%m-%d}"


class MediatorErasure(models.Model):
    """A mediator whose personal data an administrator erased; the counts (appointments, hours, languages) stay."""

    mediator = models.OneToOneField(
        "mediators.Mediator", verbose_name=_("mediator"), on_delete=models.CASCADE, related_name="erasure"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("erased by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("erased at"), default=timezone.now)

    class Meta:
        verbose_name = _("erased mediator")
        verbose_name_plural = _("erased mediators")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.mediator_id} · {self.at:%Y-%m-%d}"
