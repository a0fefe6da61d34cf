from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    label = "requests_app"
    verbose_name = _("Mediation requests")

    def ready(self):
        import_module(f"{self.name}.rules")  # who sees what: registered with accounts.scoping
        import_module(f"{self.name}.signals")  # the lists' language menus (models.OfficeLanguage)
