from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """What a person should know about a request: rows, e-mails."""

    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        import_module(f"{self.name}.rules")  # who sees what: registered with accounts.scoping
