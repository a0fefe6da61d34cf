from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediazioneConfig(AppConfig):
    name = "mediazione"
    verbose_name = _("Portal")

    def ready(self):
        import_module("mediazione.checks")  # registers the configuration checks
