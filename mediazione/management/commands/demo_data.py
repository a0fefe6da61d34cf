from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts import demo as accounts_demo
from faq import demo as faq_demo
from guide import demo as guide_demo
from mediators import demo as mediators_demo
from reporting import demo as reporting_demo
from scheduling import demo as requests_demo
from seminar import demo as seminar_demo
from sessions_app import demo as demo_reports
from timesheets import demo as timesheets_demo
from training import demo as training_demo

# Each capability adds its own builder here, after the ones it depends on. The reports let go of the demo's
# appointments before the requests' builder may replace them (a report protects its appointment).
BUILDERS = [
    accounts_demo.build,
    mediators_demo.build,
    demo_reports.release,
    requests_demo.build,
    demo_reports.build,
]
# Reporting comes last: it charges the demo requests to the Cremona project and prepares a report of them.
BUILDERS += [reporting_demo.build]
# Timesheets after the session reports they are made of.
BUILDERS += [timesheets_demo.build]
# The mini-guide's directory, after the mediators (a translation task is given to the demo mediator of Cremona).
BUILDERS += [guide_demo.build]
# Two printed booklets of the guide (Cremona, Arabic and Italian), built from the published entries just written.
# PDFs that hold no date of the clock's: the suite's loads of the demo at many moments (tests/test_any_day.py) leave
# them out; tests/test_guide_demo.py builds them.
PRINTED = [guide_demo.build_editions]
BUILDERS += PRINTED
# The operators' FAQ, after the guide (its answers link to the guide's entries).
BUILDERS += [faq_demo.build]
# The training course of Cremona, after the mediators (a certificate adds the course to a mediator's profile).
BUILDERS += [training_demo.build]
# The public seminar of Cremona: this year's edition (registrations, a waiting list) and last year's, with check-ins.
BUILDERS += [seminar_demo.build]
# The reporting dashboard's monthly aggregates, last: the builders wrote their rows behind the services' backs.
BUILDERS += [reporting_demo.build_aggregates]


class Command(BaseCommand):
    help = "Load the demo organisations and users (idempotent: running it twice gives the same rows)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never on a real installation)."
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "DEBUG is off: this looks like a real installation. Demo data would add fake people to it; "
                    "use --force only if you are sure."
                )
            )
        for builder in BUILDERS:
            builder()
        users = ", ".join(f"{name}@{accounts_demo.DEMO_DOMAIN}" for name in accounts_demo.USERS)
        self.stdout.write(self.style.SUCCESS(_("Demo data ready. Users: %(users)s") % {"users": users}))
        self.stdout.write(_("Password of every demo user: %(password)s") % {"password": accounts_demo.DEMO_PASSWORD})
