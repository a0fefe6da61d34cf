from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training course")

    def ready(self):
        import_module(f"{self.name}.rules")  # who sees what: registered with accounts.scoping
