"""python manage.py accountability_report --province cremona --year 2025 --format pdf --output report.pdf"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Province
from reporting.indicators import Scope
from reporting.models import Project, ReportJob
from reporting.services import report_write


class Command(BaseCommand):
    help = (
        "Write the accountability report of a province for a year (or a period): PDF, or CSV/XLSX of every session. "
        "The same report as the portal's report jobs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", required=True, help="The province's short name, e.g. cremona.")
        parser.add_argument("--year", type=int, help="The calendar year (else --from and --to).")
        parser.add_argument("--from", dest="date_from", type=dt.date.fromisoformat, help="First day, YYYY-MM-DD.")
        parser.add_argument("--to", dest="date_to", type=dt.date.fromisoformat, help="Last day, YYYY-MM-DD.")
        parser.add_argument("--format", choices=ReportJob.Format.values, default="pdf")
        parser.add_argument("--project", type=int, help="Only the requests charged to this project (its number).")
        parser.add_argument("--funder", action="store_true", help="The funder's version: counts below 3 hidden.")
        parser.add_argument("--output", required=True, help="The file to write.")

    def handle(self, *args, province, year, date_from, date_to, format, project, funder, output, **options):
        found = Province.objects.filter(slug=province).first()
        if found is None:
            known = ", ".join(Province.objects.order_by("slug").values_list("slug", flat=True)) or "none"
            raise CommandError(f"No province '{province}'. Known: {known}.")
        if year:
            date_from, date_to = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if not (date_from and date_to) or date_to < date_from:
            raise CommandError("Give --year, or --from and --to (the first not after the second).")
        chosen = None
        if project is not None:
            chosen = Project.objects.filter(pk=project, lead_province=found).first()
            if chosen is None:
                raise CommandError(f"Project {project} is not led by {found.name}.")
        scope = Scope(province=found, date_from=date_from, date_to=date_to, project=chosen, suppress=funder)
        if format == "csv":
            with open(output, "w", encoding="utf-8-sig", newline="") as stream:
                report_write(scope=scope, format=format, stream=stream)
        else:
            with open(output, "wb") as stream:
                report_write(scope=scope, format=format, stream=stream)
        self.stdout.write(self.style.SUCCESS(f"Written {output}"))
