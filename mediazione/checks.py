"""System checks that turn a misconfigured environment into sentences (``manage.py check``)."""

import importlib.util
import os
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


def configuration_errors() -> list[str]:
    """The problems of ``settings.CONFIG_ERRORS``, plus those that need the apps loaded to be seen."""
    from .mfa import role_values, unknown_required_roles

    problems = list(getattr(settings, "CONFIG_ERRORS", []))
    unknown = unknown_required_roles()
    if unknown:
        problems.append(
            f"MFA_REQUIRED_ROLES names {', '.join(repr(name) for name in unknown)}, which "
            f"{'is not a role' if len(unknown) == 1 else 'are not roles'}: use a comma-separated list of "
            f"{', '.join(role_values())} (or leave it empty)."
        )
    if getattr(settings, "STORAGE_BACKEND", "") == "s3" and not all(
        importlib.util.find_spec(module) for module in ("storages", "boto3")
    ):
        problems.append(
            "STORAGE_BACKEND=s3 needs django-storages and boto3, which are not installed: "
            "install the locked requirements (requirements.txt)."
        )
    return problems


def media_root_unwritable() -> str | None:
    """With files in a folder: the folder (or the first existing one above it) this process cannot write to."""
    if getattr(settings, "STORAGE_BACKEND", "filesystem") != "filesystem":
        return None
    folder = Path(settings.MEDIA_ROOT)
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return None if os.access(folder, os.W_OK | os.X_OK) else str(folder)


@register(Tags.compatibility, deploy=False)
def check_environment(app_configs=None, **kwargs):
    errors = [
        Error(message, hint="See the Configuration section of README.md.", id="mediazione.E001")
        for message in configuration_errors()
    ]
    if not settings.DEBUG and settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        errors.append(
            Warning(
                "E-mails are printed on the console, not sent: invitations and password resets will not arrive.",
                hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST.",
                id="mediazione.W001",
            )
        )
    unwritable = media_root_unwritable()
    if unwritable:
        errors.append(
            Warning(
                f"MEDIA_ROOT ({settings.MEDIA_ROOT}) cannot be written by this process ({unwritable} is not "
                "writable): report files and roster uploads will fail.",
                hint="Give the portal's user the folder (with several hosts, a volume they all mount), or set "
                "STORAGE_BACKEND=s3.",
                id="mediazione.W002",
            )
        )
    return errors


def refuse_misconfigured_start() -> None:
    """A production server (gunicorn) runs no system checks: refuse to serve with a broken configuration."""
    from django.core.exceptions import ImproperlyConfigured

    problems = configuration_errors()
    if problems and not settings.DEBUG:
        raise ImproperlyConfigured("Mediazione is misconfigured:\n- " + "\n- ".join(problems))


@register(Tags.database)
def check_database_made_before_the_rooms(app_configs=None, databases=None, **kwargs):
    """A database migrated before requests_app was split into rooms (issue #15) cannot follow the new migrations: say
    so before ``migrate`` runs (it runs the database checks), instead of failing half-way."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    errors = []
    for alias in databases or []:
        recorder = MigrationRecorder(connections[alias])
        if recorder.has_table() and recorder.migration_qs.filter(app="requests_app", name="0007_notification_details"):
            errors.append(
                Error(
                    "This database was made before the portal's apps were split (see docs/architecture.md, "
                    "Migrations): make it again.",
                    hint="For the demo: delete db.sqlite3, then run make demo.",
                    id="mediazione.E002",
                )
            )
    return errors
