from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The ground the apps stand on: domain errors, formatting, spreadsheets, form fields and the outbox. It knows no
    app of the portal."""

    name = "core"
    verbose_name = _("Portal")

    def ready(self):
        from .choices import keep_choice_labels

        keep_choice_labels()
