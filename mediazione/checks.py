"""System checks that turn a misconfigured environment into sentences (``manage.py check``)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.compatibility, deploy=False)
def check_environment(app_configs=None, **kwargs):
    errors = [
        Error(message, hint="See the Configuration section of README.md.", id="mediazione.E001")
        for message in getattr(settings, "CONFIG_ERRORS", [])
    ]
    if not settings.DEBUG and settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        errors.append(
            Warning(
                "E-mails are printed on the console, not sent: invitations and password resets will not arrive.",
                hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST.",
                id="mediazione.W001",
            )
        )
    return errors


def refuse_misconfigured_start() -> None:
    """A production server (gunicorn) runs no system checks: refuse to serve with a broken configuration."""
    from django.core.exceptions import ImproperlyConfigured

    if settings.CONFIG_ERRORS and not settings.DEBUG:
        raise ImproperlyConfigured("Mediazione is misconfigured:\n- " + "\n- ".join(settings.CONFIG_ERRORS))
