"""``manage.py import_mediators FILE [--as EMAIL]``: the roster import from the command line (all or nothing)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.scoping import actor_for
from core.errors import DomainError
from mediators import importing


class Command(BaseCommand):
    help = (
        "Import mediators from a CSV or XLSX file (columns: see the README). Every row is checked first: if any "
        "row is wrong nothing is imported. Mediators already on the roster (same e-mail) are updated."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .csv (UTF-8, comma or semicolon) or .xlsx file.")
        parser.add_argument(
            "--as",
            dest="as_email",
            metavar="EMAIL",
            help="Import as this user, within their current role's area (default: as an administrator, everywhere).",
        )

    def handle(self, *args, file, as_email=None, **options):
        # Whoever runs the command reads the installation's language, Italian unless configured otherwise.
        with translation.override(settings.LANGUAGE_CODE):
            self._import(Path(file), as_email)

    def _import(self, path: Path, as_email: str | None) -> None:
        actor = self._actor(as_email)
        try:
            data = path.read_bytes()
        except OSError:
            raise CommandError(_("Cannot read the file %(path)s.") % {"path": path}) from None
        try:
            rows = importing.parse_file(filename=path.name, data=data)
            result = importing.mediators_import(actor=actor, rows=rows)
        except importing.ImportErrors as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(exc.message) from None
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Roster imported. Mediators created: %(created)d; updated: %(updated)d.")
                % {"created": result.created, "updated": result.updated}
            )
        )

    def _actor(self, as_email: str | None):
        if not as_email:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "No --as given: importing as an administrator, with every province, district and provider "
                        "in reach."
                    )
                )
            )
            return importing.administrator_actor()
        user = User.objects.filter(email__iexact=as_email.strip(), is_active=True).first()
        if user is None:
            raise CommandError(_("No active user has the e-mail %(email)s.") % {"email": as_email})
        actor = actor_for(user)
        if not importing.can_import(actor):
            raise CommandError(
                _("%(email)s cannot import the roster: only coordinators and province staff can.")
                % {"email": user.email}
            )
        self.stdout.write(_("Importing as %(user)s (%(role)s).") % {"user": user.email, "role": Role(actor.role).label})
        return actor
