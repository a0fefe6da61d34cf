from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        import_module(f"{self.name}.rules")  # who sees what: registered with accounts.scoping
        from core import figures

        from .aggregates import facts_changed

        # The services below reporting tell core.figures what changed; the dashboard's aggregates follow.
        figures.register(facts_changed)
