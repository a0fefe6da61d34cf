from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsConfig(AppConfig):
    """Session reports and evaluations: what happened at each appointment, and how it went."""

    name = "sessions_app"
    verbose_name = _("Session reports and evaluations")

    def ready(self):
        from scheduling import ratings

        from .ratings import office_ratings

        import_module(f"{self.name}.rules")  # who sees what: registered with accounts.scoping
        import_module(f"{self.name}.signals")  # the mediators' ratings (models.MediatorRating)
        ratings.register(office_ratings)  # the offices' ratings rank the candidates of a request
