from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediatorsConfig(AppConfig):
    name = "mediators"
    verbose_name = _("Mediators")

    def ready(self):
        import_module(f"{self.name}.rules")  # who sees what: registered with accounts.scoping
