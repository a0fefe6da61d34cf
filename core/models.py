"""The outbox: a task to send to the broker, written in the same transaction as the change it belongs to."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingTask(models.Model):
    """A background task (an e-mail to send) not yet handed to the broker. Written with the change that needs it,
    deleted once the broker took it; the sweeper sends the ones the web process could not (Redis was down)."""

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(_("failed attempts to send"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("task waiting for the background service")
        verbose_name_plural = _("tasks waiting for the background service")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"
