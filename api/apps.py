from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API for other systems")

    def ready(self):
        import_module(f"{self.name}.rules")  # who sees the tokens: registered with accounts.scoping
        from django.db.models.signals import post_save

        from core import events
        from requests_app.models import StatusChange

        from . import webhooks

        # Other systems are told what changed (api/webhooks.py): a request's new state, its appointments.
        post_save.connect(_status_changed, sender=StatusChange, dispatch_uid="api.webhooks.status")
        events.register(webhooks.appointments_changed)


def _status_changed(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from . import webhooks

        webhooks.request_changed(instance)
