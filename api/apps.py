from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API for other systems")

    def ready(self):
        import_module(f"{self.name}.rules")  # who sees the tokens: registered with accounts.scoping
