"""python manage.py anonymise_expired [--dry-run]: the retention job by hand (the same service as the nightly task)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from privacy import selectors, services


class Command(BaseCommand):
    help = (
        "Anonymise closed and cancelled requests finished more than RETENTION_YEARS ago: free text erased, case code "
        "replaced by ANON-<id>, counts kept. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what would be anonymised; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        cutoff = selectors.retention_cutoff()
        ids = services.requests_anonymise_expired(dry_run=dry_run)
        years = settings.RETENTION_YEARS
        if dry_run:
            self.stdout.write(
                f"{len(ids)} request(s) finished before {cutoff:%Y-%m-%d} ({years} years) would be anonymised"
                + (f": ids {', '.join(map(str, ids))}." if ids else ".")
            )
            self.stdout.write("Dry run: nothing was changed.")
            return
        self.stdout.write(
            self.style.SUCCESS(f"{len(ids)} request(s) finished before {cutoff:%Y-%m-%d} ({years} years) anonymised.")
        )
