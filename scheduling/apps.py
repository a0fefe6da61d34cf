from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulingConfig(AppConfig):
    """Matching, offers, appointments, recurring series, calendars and the ICS feed."""

    name = "scheduling"
    verbose_name = _("Offers and appointments")

    def ready(self):
        from requests_app import panels

        from .panels import queue_annotation, request_panel

        import_module(f"{self.name}.rules")  # who sees what: registered with accounts.scoping
        panels.register(request_panel)  # offers and appointments on a request's page
        panels.register_list_annotation(queue_annotation)  # offers sent and answered in the request lists
