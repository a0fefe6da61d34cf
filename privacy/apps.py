from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """A mediator's own data, the erasure of a mediator, the anonymisation of requests past retention."""

    name = "privacy"
    verbose_name = _("Privacy")
