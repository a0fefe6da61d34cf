from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimesheetsConfig(AppConfig):
    name = "timesheets"
    label = "timesheets"
    verbose_name = _("Rates and timesheets")

    def ready(self):
        from sessions_app import locks

        from .months import why_locked

        import_module(f"{self.name}.rules")  # who sees what: registered with accounts.scoping
        locks.register(why_locked)  # an approved timesheet locks its month's session reports
