from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Organisations and users")

    def ready(self):
        import_module(f"{self.name}.rules")  # who sees what: registered with accounts.scoping
        import_module(f"{self.name}.signals").connect()  # the cached roles forgotten when they change
