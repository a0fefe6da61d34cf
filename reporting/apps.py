from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        # Registers the visibility rules of projects and report jobs in accounts.scoping.
        from . import rules  # noqa: F401
