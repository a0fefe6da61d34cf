"""python manage.py reporting_aggregates --check | --rebuild [--province cremona]

The reporting dashboard reads monthly aggregates (reporting.models.MonthlyAggregate) that the services keep up to date
and a Celery task rebuilds every night. ``--check`` recomputes every month from the source tables and lists each
row that differs from the one kept (exit status 1 when any does); ``--rebuild`` recomputes and replaces them all.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Province
from reporting import services


class Command(BaseCommand):
    help = (
        "Check the reporting dashboard's monthly aggregates against a full recomputation from the source tables "
        "(--check, exit status 1 on any difference), or rebuild them (--rebuild)."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="Compare every row with a full recomputation.")
        action.add_argument("--rebuild", action="store_true", help="Recompute and replace every row.")
        parser.add_argument("--province", help="Only this province (its short name, e.g. cremona).")

    def handle(self, *args, check, rebuild, province, **options):
        found = None
        if province:
            found = Province.objects.filter(slug=province).first()
            if found is None:
                raise CommandError(f"No province '{province}'.")
        started = time.perf_counter()
        if rebuild:
            done = services.aggregates_rebuild(province=found)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Rebuilt {done['rows']} rows over {done['years']} years in {time.perf_counter() - started:.1f} s."
                )
            )
            return
        differences = services.aggregates_check(province=found)
        seconds = time.perf_counter() - started
        if differences:
            for line in differences:
                self.stdout.write(line)
            # Exit status 1: a script or a monitoring check sees it.
            raise CommandError(
                f"{len(differences)} differences between the aggregates and the source ({seconds:.1f} s): "
                "run reporting_aggregates --rebuild."
            )
        self.stdout.write(self.style.SUCCESS(f"The aggregates match the source ({seconds:.1f} s)."))
