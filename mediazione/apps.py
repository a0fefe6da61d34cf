from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediazioneConfig(AppConfig):
    name = "mediazione"
    verbose_name = _("Portal")

    def ready(self):
        from allauth.mfa.models import Authenticator
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save

        from .mfa import forget_authenticators
        from .middleware import session_renewed_at_login

        import_module("mediazione.checks")  # registers the configuration checks
        # The idle time of a session counts from its login (mediazione.middleware.SessionIdleMiddleware).
        user_logged_in.connect(session_renewed_at_login, dispatch_uid="mediazione.session_renewed_at_login")
        # "Has an authenticator?" is cached (mediazione.mfa.has_authenticator): forgotten whenever one changes.
        post_save.connect(forget_authenticators, sender=Authenticator, dispatch_uid="mediazione.mfa_saved")
        post_delete.connect(forget_authenticators, sender=Authenticator, dispatch_uid="mediazione.mfa_deleted")
