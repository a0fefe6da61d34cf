"""The permission matrix: every URL × anonymous, each demo role, a user of another district, of another province.

Every new URL joins ``MATRIX`` the day it is added. Statuses: 200 page, 302 redirect (anonymous → login, or after a
successful action), 403 page not part of this role's work, 404 object outside the user's scope (never leaked).

Actions on a request (POST) answer 404 to whoever cannot see the request, mediators and funders included (the
request's existence is not leaked; mediators will see the requests they are assigned to). Whoever sees it gets a
302 back to the request page: with the change when allowed, or with an error message and nothing changed when not
(see ``test_a_refused_action_on_a_request_is_a_message_and_changes_nothing``).
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts import demo
from accounts.models import Invitation, Membership, Provider, Role
from accounts.scoping import actor_for
from accounts.services import invitation_create
from api import services as api_services
from faq.models import Expert as FaqExpert
from guide import services as guide_services
from mediators.services import mediator_calendar_token_reset
from requests_app import services as request_services
from requests_app.models import MediationRequest, StatusChange
from requests_app.transitions import MANUAL, TRANSITIONS
from scheduling import services as scheduling_services
from scheduling.models import Appointment
from scheduling.offer_links import make_token
from seminar import links as seminar_links
from sessions_app import services as report_services
from training import services as training_services

from . import factories as f
from . import faq_factories, guide_factories, seminar_factories, training_factories
from .conftest import login_client, shared_world
from .report_factories import report_fields
from .test_guide_booklet import cremona_booklet
from .test_reporting_pages import cremona_reporting

# The people of the matrix: demo users, plus outsiders of another district (Crema) and another province (Bergamo).
ANON = "anonymous"
WHO = [
    ANON,
    "assistente.cremona",
    "coordinatore.cremona",
    "mediatore.cremona",
    "provincia.cremona",
    "asl.cremona",
    "admin",
    "assistente.crema",  # another district of the same province
    "coordinatore.crema",
    "mediatore.crema",
    "assistente.bergamo",  # another province
    "coordinatore.bergamo",
    "mediatore.bergamo",
    "provincia.bergamo",
]

LOGGED_IN = [w for w in WHO if w != ANON]
MANAGERS_HERE = {"coordinatore.cremona", "provincia.cremona", "admin"}
MANAGERS_ELSEWHERE = {"coordinatore.crema", "coordinatore.bergamo", "provincia.bergamo"}
NOT_MANAGERS = set(LOGGED_IN) - MANAGERS_HERE - MANAGERS_ELSEWHERE


def expect(anonymous=302, **by_user):
    """Statuses by group of users (see GROUPS) or by single user; later keys override earlier ones."""
    table = {ANON: anonymous}
    for group, status in by_user.items():
        for who in GROUPS.get(group, [group]):
            table[who] = status
    return table


GROUPS = {
    "everyone": LOGGED_IN,
    "managers_here": MANAGERS_HERE,
    "managers_elsewhere": MANAGERS_ELSEWHERE,
    "not_managers": NOT_MANAGERS,
    "admin_only": {"admin"},
    "roster_here": {"coordinatore.cremona", "provincia.cremona", "admin"},
    "nobody": set(LOGGED_IN),
    "not_admin": set(LOGGED_IN) - {"admin"},
    # Who sees a submitted request of assistente.cremona's office (the access sentence).
    "request_here": {"assistente.cremona", "coordinatore.cremona", "provincia.cremona", "admin"},
    "request_roles": {
        "assistente.cremona",
        "assistente.crema",
        "assistente.bergamo",
        "coordinatore.cremona",
        "coordinatore.crema",
        "coordinatore.bergamo",
        "provincia.cremona",
        "provincia.bergamo",
        "admin",
    },
    "social_workers": {"assistente.cremona", "assistente.crema", "assistente.bergamo", "admin"},
}

ROSTER_PAGE = expect(managers_here=200, managers_elsewhere=200, not_managers=403)
CREMONA_MEDIATOR = expect(nobody=404, roster_here=200)
# A submitted request of assistente.cremona: 200 to its office, coordinatore.cremona and provincia.cremona; 404 to
# everyone else (another district, another province, mediators, the funder).
CREMONA_REQUEST = expect(nobody=404, request_here=200)
ACT_ON_CREMONA_REQUEST = expect(nobody=404, request_here=302)
REQUEST_PAGES = expect(nobody=403, request_roles=200)
FORM_PAGES = expect(nobody=403, social_workers=200)
OWN_PROFILE = expect(nobody=404, roster_here=200, **{"mediatore.cremona": 200})
READ_AUDIT = expect(nobody=403, **{"provincia.cremona": 200, "provincia.bergamo": 200, "admin": 200})
TIMESHEETS_MINE = expect(
    nobody=403, **{"mediatore.cremona": 200, "mediatore.crema": 200, "mediatore.bergamo": 200, "admin": 200}
)
TIMESHEET_LISTS = expect(nobody=403, managers_here=200, managers_elsewhere=200)
CREMONA_TIMESHEET = expect(
    nobody=404,
    **{"mediatore.cremona": 200, "coordinatore.cremona": 200, "provincia.cremona": 200, "admin": 200},
)


def _sheet(o, name, *extra):
    """A month of mediatore.cremona's work in the district of Cremona."""
    return reverse(
        f"timesheets:{name}", args=[o["own"].pk, o["appointment"].request.office.district_id, "2026-01", *extra]
    )


def _foreign_sheet(o, name, *extra):
    """A Bergamo mediator's month put in the address of the district of Cremona: no such sheet, for anyone (the
    district alone must not open a sheet of a mediator who never worked there)."""
    return reverse(
        f"timesheets:{name}", args=[o["foreign"].pk, o["appointment"].request.office.district_id, "2026-01", *extra]
    )


def _foreign_sheet_at_home(o, name, *extra):
    """The same Bergamo mediator's month in their own district: Bergamo's coordinator and staff only."""
    return reverse(f"timesheets:{name}", args=[o["foreign"].pk, o["foreign_district"].pk, "2026-01", *extra])


# Batches (several reports or timesheets at once): for the role that acts, a redirect back to the list with a summary;
# 403 for other roles; 405 for anything but POST, whoever asks.
BATCH_CONFIRM = expect(nobody=403, social_workers=302)
BATCH_BY_COORDINATORS = expect(
    nobody=403, **{"coordinatore.cremona": 302, "coordinatore.crema": 302, "coordinatore.bergamo": 302, "admin": 302}
)
ONLY_POST = expect(anonymous=405, everyone=405)
BERGAMO_TIMESHEET = expect(nobody=404, **{"coordinatore.bergamo": 200, "provincia.bergamo": 200, "admin": 200})


# Every role has a calendar of what it reaches (a social worker: her office's requests), except the funder.
CALENDAR_PAGE = expect(nobody=200, **{"asl.cremona": 403})

REPORTING_ROLES = {
    "coordinatore.cremona",
    "coordinatore.crema",
    "coordinatore.bergamo",
    "provincia.cremona",
    "provincia.bergamo",
    "asl.cremona",
    "admin",
}
GROUPS["reporting"] = REPORTING_ROLES
REPORTING = expect(nobody=403, reporting=200)
# A report asked for by provincia.cremona: its province's staff and administrators; 404 to the other reporting
# roles (a coordinator or the funder sees only the reports they asked for).
CREMONA_REPORT = expect(nobody=403, reporting=404, **{"provincia.cremona": 200, "admin": 200})

# The mini-guide: the mapping is for coordinators and province staff (their district's or province's entries; 404
# elsewhere); a translation task of Cremona for its coordinator, its province, and the mediator who translates it.
GUIDE_MAPPERS = expect(nobody=403, managers_here=200, managers_elsewhere=200)
GUIDE_ENTRY = expect(nobody=403, managers_here=200, managers_elsewhere=404)
GUIDE_TASK = expect(
    nobody=403,
    managers_here=200,
    managers_elsewhere=404,
    **{"mediatore.cremona": 200, "mediatore.crema": 404, "mediatore.bergamo": 404},
)

# The operators' FAQ (faq/): every operator of a province reads its answers and asks; the funder viewer never (403).
# A published answer of Cremona: its province's operators, 404 in Bergamo. A question of assistente.cremona still
# waiting: she, the province's staff and administrators; 404 for the other operators. Answering: the province's staff
# (and the experts they designate: none here), 403 for the other roles, 404 for another province's staff.
CREMONA_PEOPLE = {
    "assistente.cremona", "coordinatore.cremona", "mediatore.cremona", "provincia.cremona", "admin",
    "assistente.crema", "coordinatore.crema", "mediatore.crema",
}  # fmt: skip
FAQ_PAGES = expect(everyone=200, **{"asl.cremona": 403})
FAQ_PUBLISHED = expect(nobody=404, **{who: 200 for who in CREMONA_PEOPLE}, **{"asl.cremona": 403})
FAQ_WAITING_QUESTION = expect(
    nobody=404, **{"assistente.cremona": 200, "provincia.cremona": 200, "admin": 200, "asl.cremona": 403}
)
FAQ_ANSWERERS = expect(nobody=403, **{"provincia.cremona": 200, "admin": 200, "provincia.bergamo": 404})

# The public seminar (seminar/): managed by province staff (their province's seminars; another province's is 404),
# 403 for every other role. The event page, its privacy notice and the e-mail links are public.
SEMINAR_STAFF = expect(nobody=403, **{"provincia.cremona": 200, "provincia.bergamo": 200, "admin": 200})
CREMONA_SEMINAR = expect(nobody=403, **{"provincia.cremona": 200, "admin": 200, "provincia.bergamo": 404})
PUBLIC = expect(anonymous=200, everyone=200)
# The training course (training/): a course of the province of Cremona. Its list for coordinators and province staff;
# its page for them (of the province) and for assistente.cremona, nominated to it; 404 to other operators. The
# registers and sign-in sheets: the province's staff (or the session's trainer: none here). The funder: 403.
TRAINING_MANAGERS = expect(nobody=403, managers_here=200, managers_elsewhere=200)
TRAINING_STAFF = expect(nobody=403, **{"provincia.cremona": 200, "provincia.bergamo": 200, "admin": 200})
TRAINING_COURSE = expect(
    nobody=404,
    **{who: 200 for who in ("coordinatore.cremona", "coordinatore.crema", "provincia.cremona", "admin")},
    **{"assistente.cremona": 200, "asl.cremona": 403},
)
TRAINING_REGISTER = expect(nobody=404, **{"provincia.cremona": 200, "admin": 200, "asl.cremona": 403})
TRAINING_STAFF_ACTION = {
    **expect(nobody=403, **{"provincia.cremona": 302, "admin": 302, "provincia.bergamo": 404}),
}

# (name, method, url builder, expected status by user). Objects used are in the district of Cremona.
MATRIX = [
    # With a project of ASL Cremona, its funder viewer goes straight to the reporting dashboard.
    ("home", "get", lambda o: cremona_reporting(o) and reverse("home"), expect(everyone=200, **{"asl.cremona": 302})),
    ("health", "get", lambda o: reverse("health"), expect(anonymous=200, everyone=200)),
    # The installable app (mediazione/pwa.py): public, they hold nobody's data.
    ("web manifest", "get", lambda o: reverse("manifest"), expect(anonymous=200, everyone=200)),
    ("service worker", "get", lambda o: reverse("service_worker"), expect(anonymous=200, everyone=200)),
    ("offline page", "get", lambda o: reverse("offline"), expect(anonymous=200, everyone=200)),
    ("favicon", "get", lambda o: reverse("favicon"), expect(anonymous=301, everyone=301)),
    ("login", "get", lambda o: reverse("account_login"), expect(anonymous=200, everyone=302)),
    ("signup is closed", "get", lambda o: "/accounts/signup/", expect(anonymous=404, everyone=404)),
    ("password reset", "get", lambda o: reverse("account_reset_password"), expect(anonymous=200, everyone=200)),
    ("logout", "post", lambda o: reverse("account_logout"), expect(everyone=302)),
    ("organisations", "get", lambda o: reverse("accounts:organisations"), expect(everyone=200)),
    (
        "people",
        "get",
        lambda o: reverse("accounts:people"),
        expect(managers_here=200, managers_elsewhere=200, not_managers=403),
    ),
    (
        "invite",
        "get",
        lambda o: reverse("accounts:invite"),
        expect(managers_here=200, managers_elsewhere=200, not_managers=403),
    ),
    (
        "resend an invitation",
        "post",
        lambda o: reverse("accounts:invitation_resend", args=[o["invitation"].pk]),
        expect(managers_here=302, managers_elsewhere=404, not_managers=403),
    ),
    (
        "withdraw an invitation",
        "post",
        lambda o: reverse("accounts:invitation_revoke", args=[o["invitation"].pk]),
        expect(managers_here=302, managers_elsewhere=404, not_managers=403),
    ),
    (
        "end a role",
        "post",
        lambda o: reverse("accounts:membership_deactivate", args=[o["membership"].pk]),
        expect(managers_here=302, managers_elsewhere=404, not_managers=403),
    ),
    ("switch role", "post", lambda o: reverse("accounts:switch_role"), expect(everyone=302)),
    ("switch language", "post", lambda o: reverse("accounts:set_language"), expect(anonymous=302, everyone=302)),
    (
        "accept an invitation",
        "get",
        lambda o: reverse("accounts:invitation_accept", args=[o["invitation"].key]),
        expect(anonymous=200, everyone=200),
    ),
    (
        "an unknown invitation",
        "get",
        lambda o: reverse("accounts:invitation_accept", args=["no-such-key"]),
        expect(anonymous=404, everyone=404),
    ),
    ("admin", "get", lambda o: reverse("admin:index"), expect(admin_only=200, not_admin=302)),
    # An appointment: its mediator, the requesting office, the district's coordinators, the province staff.
    (
        "an appointment in Cremona",
        "get",
        lambda o: o["appointment"].get_absolute_url(),
        expect(
            nobody=404,
            **{
                "assistente.cremona": 200,
                "coordinatore.cremona": 200,
                "provincia.cremona": 200,
                "admin": 200,
                "mediatore.cremona": 200,
            },
        ),
    ),
    # Recurring appointments: seen like their occurrences; only the district's coordinators (and administrators)
    # change them.
    (
        "a series in Cremona",
        "get",
        lambda o: o["series"].get_absolute_url(),
        expect(
            nobody=404,
            **{
                "assistente.cremona": 200,
                "coordinatore.cremona": 200,
                "provincia.cremona": 200,
                "admin": 200,
                "mediatore.cremona": 200,
            },
        ),
    ),
    (
        "the menu of who takes a series over",
        "get",
        lambda o: reverse("scheduling:series_mediator", args=[o["series"].pk]),
        expect(
            nobody=404,
            **{
                "assistente.cremona": 403,
                "coordinatore.cremona": 200,
                "provincia.cremona": 403,
                "admin": 200,
                "mediatore.cremona": 403,
            },
        ),
    ),
    (
        "an empty change of a series",
        "post",
        lambda o: o["series"].get_absolute_url(),
        expect(
            nobody=404,
            **{
                "assistente.cremona": 403,
                "coordinatore.cremona": 400,
                "provincia.cremona": 403,
                "admin": 400,
                "mediatore.cremona": 403,
            },
        ),
    ),
    # The signed link of an offer e-mail answers whoever holds it (no login): 200 while valid, 410 when not.
    (
        "the e-mail link of an offer",
        "get",
        lambda o: reverse("scheduling:offer_link", args=[make_token(o["offer"], "accept")]),
        expect(anonymous=200, everyone=200),
    ),
    (
        "a forged offer link",
        "get",
        lambda o: reverse("scheduling:offer_link", args=["forged"]),
        expect(anonymous=410, everyone=410),
    ),
    # --- Matching and scheduling: the district's coordinators (and administrators) work on a request's offers and
    # appointments; whoever else sees the request gets 403, everyone else 404. Mediators answer their own offers.
    (
        "candidates of a request in matching",
        "get",
        lambda o: reverse("scheduling:candidates", args=[o["matching"].pk]),
        expect(nobody=404, request_here=403, **{"coordinatore.cremona": 200, "admin": 200}),
    ),
    (
        "a refused offer action",
        "post",
        lambda o: reverse("scheduling:candidates", args=[o["matching"].pk]),
        expect(nobody=404, request_here=403, **{"coordinatore.cremona": 400, "admin": 400}),
    ),
    (
        "appointments of a scheduled request",
        "get",
        lambda o: reverse("scheduling:plan", args=[o["appointment"].request_id]),
        expect(nobody=404, request_here=403, **{"coordinatore.cremona": 200, "admin": 200, "mediatore.cremona": 403}),
    ),
    (
        "my offers",
        "get",
        lambda o: reverse("scheduling:offers"),
        expect(
            nobody=403, **{"mediatore.cremona": 200, "mediatore.crema": 200, "mediatore.bergamo": 200, "admin": 200}
        ),
    ),
    (
        "an empty answer to an offer",
        "post",
        lambda o: reverse("scheduling:offers"),
        expect(
            nobody=403, **{"mediatore.cremona": 404, "mediatore.crema": 404, "mediatore.bergamo": 404, "admin": 404}
        ),
    ),
    (
        "an empty change of an appointment",
        "post",
        lambda o: o["appointment"].get_absolute_url(),
        expect(
            nobody=404,
            **{
                "assistente.cremona": 403,
                "coordinatore.cremona": 400,
                "provincia.cremona": 403,
                "admin": 400,
                "mediatore.cremona": 403,
            },
        ),
    ),
    # --- Mediator registry: coordinators see mediators serving their district, province staff their province's,
    # a mediator their own profile; social workers and funders no roster.
    ("roster", "get", lambda o: reverse("mediators:list"), ROSTER_PAGE),
    (
        "roster filtered",
        "get",
        lambda o: reverse("mediators:list") + "?language=ara&available_on=2026-01-12",
        ROSTER_PAGE,
    ),
    ("roster as CSV", "get", lambda o: reverse("mediators:export_csv"), ROSTER_PAGE),
    ("roster as XLSX", "get", lambda o: reverse("mediators:export_xlsx"), ROSTER_PAGE),
    ("add a mediator", "get", lambda o: reverse("mediators:create"), ROSTER_PAGE),
    ("import a roster", "get", lambda o: reverse("mediators:import"), ROSTER_PAGE),
    (
        "confirm an import",
        "post",
        lambda o: reverse("mediators:import_confirm"),
        expect(managers_here=302, managers_elsewhere=302, not_managers=403),
    ),
    ("a mediator of Cremona", "get", lambda o: o["mediator"].get_absolute_url(), CREMONA_MEDIATOR),
    ("edit a mediator", "get", lambda o: reverse("mediators:edit", args=[o["mediator"].pk]), CREMONA_MEDIATOR),
    (
        "availability of a mediator",
        "get",
        lambda o: reverse("mediators:availability", args=[o["mediator"].pk]),
        CREMONA_MEDIATOR,
    ),
    (
        "contacts of a mediator",
        "get",
        lambda o: reverse("mediators:contacts", args=[o["mediator"].pk]),
        CREMONA_MEDIATOR,
    ),
    ("own profile", "get", lambda o: o["own"].get_absolute_url(), OWN_PROFILE),
    ("own availability", "get", lambda o: reverse("mediators:availability", args=[o["own"].pk]), OWN_PROFILE),
    ("own contacts", "get", lambda o: reverse("mediators:contacts", args=[o["own"].pk]), OWN_PROFILE),
    (
        "edit own full profile",
        "get",
        lambda o: reverse("mediators:edit", args=[o["own"].pk]),
        expect(nobody=404, roster_here=200, **{"mediatore.cremona": 403}),
    ),
    ("my profile", "get", lambda o: reverse("mediators:me"), expect(nobody=404, **{"mediatore.cremona": 302})),
    # --- Requests: social workers see their office's, coordinators their district's, province staff their
    # province's; mediators and funders have no request pages (403 on the lists, 404 on a request).
    ("requests", "get", lambda o: reverse("requests:list"), REQUEST_PAGES),
    (
        "requests filtered",
        "get",
        lambda o: reverse("requests:list") + "?status=open&language=ara&date_from=2025-01-01&page=abc",
        REQUEST_PAGES,
    ),
    ("a submitted request of Cremona", "get", lambda o: o["submitted"].get_absolute_url(), CREMONA_REQUEST),
    (
        "a draft of Cremona",
        "get",
        lambda o: o["draft"].get_absolute_url(),
        expect(nobody=404, admin_only=200, **{"assistente.cremona": 200}),
    ),
    ("new request", "get", lambda o: reverse("requests:create"), FORM_PAGES),
    (
        "edit a draft",
        "get",
        lambda o: reverse("requests:edit", args=[o["draft"].pk]),
        expect(nobody=404, admin_only=200, **{"assistente.cremona": 200}),
    ),
    (
        "edit a submitted request",
        "get",
        lambda o: reverse("requests:edit", args=[o["submitted"].pk]),
        expect(nobody=404, request_here=403),
    ),
    ("search a language", "get", lambda o: reverse("requests:language_search") + "?q=arab&row=0", FORM_PAGES),
    ("one more proposed time", "get", lambda o: reverse("requests:slot_row") + "?index=1", FORM_PAGES),
    *[
        (
            f"{action} a submitted request",
            "post",
            lambda o, action=action: reverse("requests:transition", args=[o["submitted"].pk, action]),
            ACT_ON_CREMONA_REQUEST,
        )
        for action in MANUAL
    ],
    *[
        (
            f"{action} through the request page",
            "post",
            lambda o, action=action: reverse("requests:transition", args=[o["submitted"].pk, action]),
            expect(nobody=404),
        )
        for action in sorted(set(TRANSITIONS) - set(MANUAL))
    ],
    (
        "an unknown action on a request",
        "post",
        lambda o: reverse("requests:transition", args=[o["submitted"].pk, "explode"]),
        expect(nobody=404),
    ),
    (
        "comment on a request",
        "post",
        lambda o: reverse("requests:comment", args=[o["submitted"].pk]),
        ACT_ON_CREMONA_REQUEST,
    ),
    ("request again", "post", lambda o: reverse("requests:copy", args=[o["submitted"].pk]), ACT_ON_CREMONA_REQUEST),
    # --- Calendars: mediators their own, coordinators their district's, province staff their province's; the feed
    # answers its secret address without login; a new address is made by the mediator or their coordinators.
    ("calendar", "get", lambda o: reverse("scheduling:calendar"), CALENDAR_PAGE),
    (
        "calendar month, hostile date",
        "get",
        lambda o: reverse("scheduling:calendar") + "?vista=mese&data=2026-02-31&mediatore=abc",
        CALENDAR_PAGE,
    ),
    # A district's day (where a summary's cell leads): whoever has a calendar and reaches the district, each seeing
    # their own part of it (a mediator their appointments, an office its requests'); 404 for another district.
    (
        "a day of the district of Cremona",
        "get",
        lambda o: reverse("scheduling:calendar_day", args=[o["appointment"].request.office.district_id, "2026-03-02"]),
        expect(
            nobody=404,
            **{
                "assistente.cremona": 200,
                "coordinatore.cremona": 200,
                "mediatore.cremona": 200,
                "provincia.cremona": 200,
                "admin": 200,
                "asl.cremona": 403,
                "assistente.crema": 404,
                "coordinatore.crema": 404,
                "assistente.bergamo": 404,
                "coordinatore.bergamo": 404,
                "provincia.bergamo": 404,
            },
        ),
    ),
    (
        "a day of Cremona, hostile date",
        "get",
        lambda o: (
            reverse("scheduling:calendar_day", args=[o["appointment"].request.office.district_id, "2026-02-31"])
            + "?page=abc"
        ),
        expect(nobody=404, **{"asl.cremona": 403}),
    ),
    (
        "calendar feed",
        "get",
        lambda o: reverse("scheduling:calendar_feed", args=[o["feed_token"]]),
        expect(anonymous=200, everyone=200),
    ),
    (
        "an unknown calendar feed",
        "get",
        lambda o: reverse("scheduling:calendar_feed", args=["no-such-token"]),
        expect(anonymous=404, everyone=404),
    ),
    (
        "new calendar address",
        "post",
        lambda o: reverse("scheduling:calendar_token_reset", args=[o["own"].pk]),
        expect(
            nobody=404,
            **{"mediatore.cremona": 302, "coordinatore.cremona": 302, "admin": 302, "provincia.cremona": 403},
        ),
    ),
    # --- Session reports and evaluations: a report is seen like its appointment (its mediator, the requesting
    # office, the district's coordinators, the province staff); its mediator and the district's coordinators write
    # it; the lists of work are for every role but the funder's; averages for coordinators, province staff and
    # mediators (their own).
    (
        "a session report in Cremona",
        "get",
        lambda o: o["report"].get_absolute_url(),
        expect(nobody=404, request_here=200, **{"mediatore.cremona": 200}),
    ),
    (
        "an empty action on a session report",
        "post",
        lambda o: o["report"].get_absolute_url(),
        expect(nobody=404, request_here=302, **{"mediatore.cremona": 302}),
    ),
    (
        "write the report of a past appointment",
        "get",
        lambda o: reverse("sessions:report_write", args=[o["unreported"].pk]),
        expect(
            nobody=404,
            request_here=403,
            **{"coordinatore.cremona": 200, "admin": 200, "mediatore.cremona": 200},
        ),
    ),
    (
        "an empty report of a past appointment",
        "post",
        lambda o: reverse("sessions:report_write", args=[o["unreported"].pk]),
        expect(
            nobody=404,
            request_here=403,
            **{"coordinatore.cremona": 400, "admin": 400, "mediatore.cremona": 400},
        ),
    ),
    (
        "session reports",
        "get",
        lambda o: reverse("sessions:reports"),
        expect(everyone=200, **{"asl.cremona": 403}),
    ),
    # Batches from the list of reports: a social worker confirms, a coordinator validates, several at once; anything
    # but POST is 405. Whoever has the role gets a redirect to the list with a summary (an id outside their scope is
    # "not found" there: test_a_batch_acts_only_within_the_users_scope below).
    ("confirm several reports", "post", lambda o: reverse("sessions:reports_confirm"), BATCH_CONFIRM),
    ("confirm several reports by GET", "get", lambda o: reverse("sessions:reports_confirm"), ONLY_POST),
    ("validate several reports", "post", lambda o: reverse("sessions:reports_validate"), BATCH_BY_COORDINATORS),
    ("validate several reports by GET", "get", lambda o: reverse("sessions:reports_validate"), ONLY_POST),
    (
        "mark a scheduled request completed",
        "post",
        lambda o: reverse("sessions:request_complete", args=[o["report"].appointment.request_id]),
        expect(nobody=404, request_here=302, **{"mediatore.cremona": 302}),
    ),
    (
        "evaluations of a request",
        "get",
        lambda o: reverse("sessions:evaluate", args=[o["report"].appointment.request_id]),
        expect(nobody=404, request_here=200, **{"mediatore.cremona": 200}),
    ),
    (
        "an empty evaluation",
        "post",
        lambda o: reverse("sessions:evaluate", args=[o["report"].appointment.request_id]),
        expect(
            nobody=404,
            request_here=403,
            **{"assistente.cremona": 400, "admin": 400, "mediatore.cremona": 400},
        ),
    ),
    (
        "evaluation averages",
        "get",
        lambda o: reverse("sessions:evaluation_averages"),
        expect(
            nobody=403,
            managers_here=200,
            managers_elsewhere=200,
            **{"mediatore.cremona": 200, "mediatore.crema": 200, "mediatore.bergamo": 200},
        ),
    ),
    ("notifications", "get", lambda o: reverse("notifications:list"), expect(everyone=200)),
    ("mark notifications read", "post", lambda o: reverse("notifications:read"), expect(everyone=302)),
    # One's own choices only: every role opens its own page (province staff and the funder read that they receive
    # none); an empty form changes nothing and comes back to the page.
    ("notification preferences", "get", lambda o: reverse("notifications:preferences"), expect(everyone=200)),
    ("save notification preferences", "post", lambda o: reverse("notifications:preferences"), expect(everyone=302)),
    # --- Timesheets: a mediator's month in a district is seen by the mediator, the district's coordinators, the
    # province's staff (404 for anyone else); the lists are for managers (403 for other roles), "my timesheets" for
    # mediators. Actions answer whoever sees the sheet with a redirect (and a message when refused).
    ("my timesheets", "get", lambda o: reverse("timesheets:mine") + "?mese=2026-13", TIMESHEETS_MINE),
    ("timesheets of the district", "get", lambda o: reverse("timesheets:district"), TIMESHEET_LISTS),
    (
        "timesheets of the district, hostile month",
        "get",
        lambda o: reverse("timesheets:district") + "?mese=%3Cscript%3E&page=abc",
        TIMESHEET_LISTS,
    ),
    (
        "the month's timesheets as CSV",
        "get",
        lambda o: reverse("timesheets:month_export", args=["csv"]) + "?mese=2026-01",
        TIMESHEET_LISTS,
    ),
    (
        "the month's timesheets as XLSX",
        "get",
        lambda o: reverse("timesheets:month_export", args=["xlsx"]),
        TIMESHEET_LISTS,
    ),
    ("totals by provider", "get", lambda o: reverse("timesheets:providers") + "?mese=2026-01", TIMESHEET_LISTS),
    ("a timesheet of Cremona", "get", lambda o: _sheet(o, "sheet"), CREMONA_TIMESHEET),
    ("a timesheet of Cremona as XLSX", "get", lambda o: _sheet(o, "export", "xlsx"), CREMONA_TIMESHEET),
    ("a timesheet of Cremona as CSV", "get", lambda o: _sheet(o, "export", "csv"), CREMONA_TIMESHEET),
    (
        "submit a timesheet of Cremona",
        "post",
        lambda o: _sheet(o, "act", "submit"),
        expect(nobody=404, **{w: 302 for w in CREMONA_TIMESHEET if CREMONA_TIMESHEET[w] == 200}),
    ),
    (
        "approve a timesheet of Cremona",
        "post",
        lambda o: _sheet(o, "act", "approve"),
        expect(nobody=404, **{w: 302 for w in CREMONA_TIMESHEET if CREMONA_TIMESHEET[w] == 200}),
    ),
    (
        "send back a timesheet of Cremona",
        "post",
        lambda o: _sheet(o, "act", "send_back"),
        expect(nobody=404, **{w: 302 for w in CREMONA_TIMESHEET if CREMONA_TIMESHEET[w] == 200}),
    ),
    ("approve several timesheets", "post", lambda o: reverse("timesheets:approve_many"), BATCH_BY_COORDINATORS),
    ("approve several timesheets by GET", "get", lambda o: reverse("timesheets:approve_many"), ONLY_POST),
    ("an unknown action on a timesheet", "post", lambda o: _sheet(o, "act", "explode"), expect(nobody=404)),
    # A Bergamo mediator's id with the district of Cremona: 404 for the page, its exports and every action, whoever
    # asks (the coordinators and staff of Cremona included); in Bergamo, only Bergamo's managers see it.
    ("a Bergamo mediator in Cremona's timesheets", "get", lambda o: _foreign_sheet(o, "sheet"), expect(nobody=404)),
    *[
        (
            f"a Bergamo mediator in Cremona's timesheets as {fmt}",
            "get",
            lambda o, fmt=fmt: _foreign_sheet(o, "export", fmt),
            expect(nobody=404),
        )
        for fmt in ("csv", "xlsx")
    ],
    *[
        (
            f"{action} a Bergamo mediator's timesheet in Cremona",
            "post",
            lambda o, action=action: _foreign_sheet(o, "act", action),
            expect(nobody=404),
        )
        for action in ("submit", "approve", "send_back")
    ],
    ("a timesheet of Bergamo", "get", lambda o: _foreign_sheet_at_home(o, "sheet"), BERGAMO_TIMESHEET),
    ("a timesheet of Bergamo as CSV", "get", lambda o: _foreign_sheet_at_home(o, "export", "csv"), BERGAMO_TIMESHEET),
    # --- Reporting: the dashboard and reports for province staff, coordinators and the funder (403 to social
    # workers and mediators); a report is seen by its province's staff and whoever asked for it (404 otherwise);
    # charging a request to a project by whoever manages the request.
    ("reporting dashboard", "get", lambda o: cremona_reporting(o) and reverse("reporting:dashboard"), REPORTING),
    (
        "reporting dashboard, hostile filters",
        "get",
        lambda o: cremona_reporting(o) and reverse("reporting:dashboard") + "?dal=2025-02-31&ambito=x&progetto=0",
        REPORTING,
    ),
    ("reports prepared", "get", lambda o: cremona_reporting(o) and reverse("reporting:jobs"), REPORTING),
    (
        "ask for a report",
        "post",
        lambda o: cremona_reporting(o) and reverse("reporting:jobs"),
        expect(nobody=403, reporting=302),
    ),
    ("a report of Cremona", "get", lambda o: cremona_reporting(o)["report_job"].get_absolute_url(), CREMONA_REPORT),
    (
        "progress of a report of Cremona",
        "get",
        lambda o: reverse("reporting:job_status", args=[cremona_reporting(o)["report_job"].pk]),
        CREMONA_REPORT,
    ),
    (
        "download a report of Cremona",
        "get",
        lambda o: reverse("reporting:job_download", args=[cremona_reporting(o)["report_job"].pk]),
        CREMONA_REPORT,
    ),
    (
        "prepare a report of Cremona again",
        "post",
        lambda o: reverse("reporting:job_repeat", args=[cremona_reporting(o)["report_job"].pk]),
        expect(nobody=403, reporting=404, **{"provincia.cremona": 302, "admin": 302}),
    ),
    ("funded projects", "get", lambda o: cremona_reporting(o) and reverse("reporting:projects"), REPORTING),
    (
        "a funded project of Cremona",
        "get",
        lambda o: cremona_reporting(o)["project"].get_absolute_url(),
        expect(nobody=403, reporting=200, **{"coordinatore.bergamo": 404, "provincia.bergamo": 404}),
    ),
    (
        "the seminar's section of a funded project of Cremona",
        "get",
        lambda o: reverse("reporting:project_section", args=[cremona_reporting(o)["project"].pk, "seminario"]),
        expect(nobody=403, reporting=200, **{"coordinatore.bergamo": 404, "provincia.bergamo": 404}),
    ),
    (
        "a section a funded project of Cremona pays nothing for",
        "get",
        lambda o: reverse("reporting:project_section", args=[cremona_reporting(o)["project"].pk, "guida"]),
        expect(nobody=403, reporting=404),
    ),
    (
        "record an expense of a project of Cremona (empty form)",
        "post",
        lambda o: cremona_reporting(o)["project"].get_absolute_url(),
        expect(
            nobody=403,
            reporting=403,
            **{"provincia.cremona": 400, "admin": 400, "coordinatore.bergamo": 404, "provincia.bergamo": 404},
        ),
    ),
    (
        "charge a request to a project",
        "post",
        lambda o: reverse("reporting:charge", args=[o["matching"].pk]),
        expect(
            nobody=403,
            **{
                "coordinatore.cremona": 302,
                "provincia.cremona": 302,
                "admin": 302,
                "coordinatore.crema": 404,
                "coordinatore.bergamo": 404,
                "provincia.bergamo": 404,
            },
        ),
    ),
    # --- Privacy: the read audit for province staff (their province) and administrators; a mediator's own data for
    # mediators; erasing a mediator's personal data for administrators only.
    ("read audit", "get", lambda o: reverse("audit:list"), READ_AUDIT),
    (
        "read audit, hostile filters",
        "get",
        lambda o: reverse("audit:list") + "?kind=<script>&date_from=2026-02-31&who=%27&page=abc",
        READ_AUDIT,
    ),
    (
        "my data",
        "get",
        lambda o: reverse("privacy:my_data"),
        expect(nobody=403, **{"mediatore.cremona": 200, "mediatore.crema": 200, "mediatore.bergamo": 200}),
    ),
    (
        "erase a mediator's personal data",
        "get",
        lambda o: reverse("privacy:erase_mediator", args=[o["mediator"].pk]),
        expect(nobody=403, admin_only=200),
    ),
    (
        "an unconfirmed erasure",
        "post",
        lambda o: reverse("privacy:erase_mediator", args=[o["mediator"].pk]),
        expect(nobody=403, admin_only=400),
    ),
    # The mini-guide (guide/): mapping by coordinators and province staff, translations by mediators, public pages.
    ("guide mapping", "get", lambda o: reverse("guide:entries"), GUIDE_MAPPERS),
    ("add a guide entry", "get", lambda o: reverse("guide:entry_create"), GUIDE_MAPPERS),
    ("export the guide", "get", lambda o: reverse("guide:export"), GUIDE_MAPPERS),
    ("import the guide", "get", lambda o: reverse("guide:import"), GUIDE_MAPPERS),
    (
        "a draft guide entry of Cremona",
        "get",
        lambda o: reverse("guide:entry", args=[o["guide_draft"].pk]),
        GUIDE_ENTRY,
    ),
    (
        "edit a draft guide entry of Cremona",
        "get",
        lambda o: reverse("guide:entry_edit", args=[o["guide_draft"].pk]),
        GUIDE_ENTRY,
    ),
    (
        "submit a draft guide entry of Cremona",
        "post",
        lambda o: reverse("guide:entry_action", args=[o["guide_draft"].pk, "invia"]),
        expect(nobody=403, managers_here=302, managers_elsewhere=404),
    ),
    (
        "guide translations",
        "get",
        lambda o: reverse("guide:tasks"),
        expect(
            nobody=403,
            managers_here=200,
            managers_elsewhere=200,
            **{"mediatore.cremona": 200, "mediatore.crema": 200, "mediatore.bergamo": 200},
        ),
    ),
    ("ask for a guide translation", "get", lambda o: reverse("guide:task_create"), GUIDE_MAPPERS),
    (
        "a guide translation task of Cremona",
        "get",
        lambda o: reverse("guide:task", args=[o["guide_task"].pk]),
        GUIDE_TASK,
    ),
    (
        "approve a guide translation task of Cremona",
        "post",
        lambda o: reverse("guide:task_action", args=[o["guide_task"].pk, "approva"]),
        {**GUIDE_TASK, **{who: 302 for who, status in GUIDE_TASK.items() if status == 200}},
    ),
    # The guide's printed booklets: asked for and downloaded by coordinators (their district's) and province staff;
    # the ready editions of a published guide are public.
    ("guide booklets", "get", lambda o: reverse("guide:editions"), GUIDE_MAPPERS),
    (
        "ask for a guide booklet without choosing",
        "post",
        lambda o: reverse("guide:editions"),
        expect(nobody=403, managers_here=400, managers_elsewhere=400),
    ),
    (
        "download a guide booklet of Cremona",
        "get",
        lambda o: reverse("guide:edition_download", args=[cremona_booklet(o).pk]),
        GUIDE_ENTRY,
    ),
    (
        "the printable booklets of Cremona",
        "get",
        lambda o: reverse("guide_public:editions", args=["cremona"]),
        expect(anonymous=200, everyone=200),
    ),
    (
        "a printable booklet of Cremona",
        "get",
        lambda o: reverse("guide_public:edition_download", args=["cremona", cremona_booklet(o).pk]),
        expect(anonymous=200, everyone=200),
    ),
    # The API (api/): its documentation is public; its resources answer a person's session as they answer a token
    # (401 without one, 403 for a role that never uses them, 404 outside the scope); tokens are province staff's.
    ("API tokens", "get", lambda o: reverse("api_tokens:list"), READ_AUDIT),
    (
        "revoke an API token of Cremona",
        "post",
        lambda o: reverse("api_tokens:revoke", args=[o["api_token"].pk]),
        expect(nobody=403, **{"provincia.cremona": 302, "provincia.bergamo": 404, "admin": 302}),
    ),
    ("the API schema", "get", lambda o: reverse("api:schema"), expect(anonymous=200, everyone=200)),
    ("the API documentation", "get", lambda o: reverse("api:docs"), expect(anonymous=200, everyone=200)),
    (
        "the API's requests",
        "get",
        lambda o: reverse("api:requests"),
        expect(anonymous=401, everyone=200, **{"asl.cremona": 403}),
    ),
    (
        "a request of Cremona through the API",
        "get",
        lambda o: reverse("api:request", args=[o["submitted"].pk]),
        expect(anonymous=401, nobody=404, request_here=200, **{"asl.cremona": 403}),
    ),
    (
        "submit a draft of Cremona through the API",
        "post",
        lambda o: reverse("api:request_submit", args=[o["draft"].pk]),
        expect(
            anonymous=401,
            nobody=403,
            **{"assistente.cremona": 200, "assistente.crema": 404, "assistente.bergamo": 404, "admin": 200},
        ),
    ),
    (
        "cancel a request of Cremona through the API (a form post, not JSON)",
        "post",
        lambda o: reverse("api:request_cancel", args=[o["submitted"].pk]),
        expect(
            anonymous=401,
            nobody=403,
            **{
                "assistente.cremona": 415,
                "coordinatore.cremona": 415,
                "admin": 415,
                "assistente.crema": 404,
                "assistente.bergamo": 404,
                "coordinatore.crema": 404,
                "coordinatore.bergamo": 404,
            },
        ),
    ),
    # Webhooks are registered with a token: a person's session lists none and registers none (403 for the roles the
    # API serves, as for every role that never uses them); an unknown webhook is 404.
    (
        "the API's webhooks",
        "get",
        lambda o: reverse("api:webhooks"),
        expect(anonymous=401, everyone=200, **{"asl.cremona": 403}),
    ),
    (
        "a webhook through the API",
        "get",
        lambda o: reverse("api:webhook", args=[987654]),
        expect(anonymous=401, everyone=404, **{"asl.cremona": 403}),
    ),
    (
        "the deliveries of a webhook through the API",
        "get",
        lambda o: reverse("api:webhook_deliveries", args=[987654]),
        expect(anonymous=401, everyone=404, **{"asl.cremona": 403}),
    ),
    (
        "the API's appointments",
        "get",
        lambda o: reverse("api:appointments"),
        expect(anonymous=401, everyone=200, **{"asl.cremona": 403}),
    ),
    (
        "an appointment of Cremona through the API",
        "get",
        lambda o: reverse("api:appointment", args=[o["appointment"].pk]),
        expect(anonymous=401, nobody=404, request_here=200, **{"asl.cremona": 403, "mediatore.cremona": 200}),
    ),
    (
        "the API's session reports",
        "get",
        lambda o: reverse("api:session_reports"),
        expect(anonymous=401, everyone=200, **{"asl.cremona": 403}),
    ),
    (
        "a session report of Cremona through the API",
        "get",
        lambda o: reverse("api:session_report", args=[o["report"].pk]),
        expect(anonymous=401, nobody=404, request_here=200, **{"asl.cremona": 403, "mediatore.cremona": 200}),
    ),
    # Reports are written through the API by their mediator (and administrators); the other roles read them (403 on
    # writing). A form post is not JSON (415); the submitted report of Cremona cannot change any more (409).
    (
        "write a session report through the API (a form post, not JSON)",
        "post",
        lambda o: reverse("api:session_reports"),
        expect(
            anonymous=401,
            nobody=403,
            **{"mediatore.cremona": 415, "mediatore.crema": 415, "mediatore.bergamo": 415, "admin": 415},
        ),
    ),
    (
        "correct a submitted session report of Cremona through the API",
        "patch",
        lambda o: reverse("api:session_report", args=[o["report"].pk]),
        expect(
            anonymous=401,
            nobody=403,
            **{"mediatore.cremona": 409, "admin": 409, "mediatore.crema": 404, "mediatore.bergamo": 404},
        ),
    ),
    (
        "submit a submitted session report of Cremona again through the API",
        "post",
        lambda o: reverse("api:session_report_submit", args=[o["report"].pk]),
        expect(
            anonymous=401,
            nobody=403,
            **{"mediatore.cremona": 409, "admin": 409, "mediatore.crema": 404, "mediatore.bergamo": 404},
        ),
    ),
    (
        "the API's offers",
        "get",
        lambda o: reverse("api:offers"),
        expect(anonymous=401, nobody=200, social_workers=403, **{"asl.cremona": 403, "admin": 200}),
    ),
    (
        "the API's roster",
        "get",
        lambda o: reverse("api:mediators"),
        expect(anonymous=401, nobody=403, managers_here=200, managers_elsewhere=200),
    ),
    (
        "the API's indicators",
        "get",
        lambda o: reverse("api:indicators"),
        # The funder reads the projects it funds: in this world ASL Cremona has none yet (404).
        expect(anonymous=401, nobody=403, managers_here=200, managers_elsewhere=200, **{"asl.cremona": 404}),
    ),
    # Reports through the API: the reporting pages' roles and scope (a report of provincia.cremona for its staff and
    # administrators, 404 to the other reporting roles).
    (
        "the API's reports",
        "get",
        lambda o: cremona_reporting(o) and reverse("api:report_jobs"),
        expect(anonymous=401, nobody=403, reporting=200),
    ),
    (
        "ask for a report through the API (a form post, not JSON)",
        "post",
        lambda o: reverse("api:report_jobs"),
        expect(anonymous=401, nobody=403, reporting=415),
    ),
    (
        "a report of Cremona through the API",
        "get",
        lambda o: reverse("api:report_job", args=[cremona_reporting(o)["report_job"].pk]),
        {**CREMONA_REPORT, ANON: 401},
    ),
    (
        "download a report of Cremona through the API",
        "get",
        lambda o: reverse("api:report_job_download", args=[cremona_reporting(o)["report_job"].pk]),
        {**CREMONA_REPORT, ANON: 401},
    ),
    (
        "prepare a report of Cremona again through the API",
        "post",
        lambda o: reverse("api:report_job_repeat", args=[cremona_reporting(o)["report_job"].pk]),
        {**CREMONA_REPORT, ANON: 401, "provincia.cremona": 202, "admin": 202},
    ),
    # The published guide through the API is public: a session changes nothing; a draft does not exist for anyone.
    (
        "the published guide through the API",
        "get",
        lambda o: reverse("api:guide_services"),
        expect(anonymous=200, everyone=200),
    ),
    (
        "a published guide entry through the API",
        "get",
        lambda o: reverse("api:guide_service", args=[o["guide_published"].pk]),
        expect(anonymous=200, everyone=200),
    ),
    (
        "a draft guide entry through the API",
        "get",
        lambda o: reverse("api:guide_service", args=[o["guide_draft"].pk]),
        expect(anonymous=404, everyone=404),
    ),
    ("the public guide", "get", lambda o: reverse("guide_public:index"), expect(anonymous=200, everyone=200)),
    (
        "the public guide of Cremona",
        "get",
        lambda o: reverse("guide_public:province", args=["cremona"]),
        expect(anonymous=200, everyone=200),
    ),
    (
        "a published guide entry of Cremona",
        "get",
        lambda o: reverse("guide_public:entry", args=["cremona", o["guide_published"].pk]),
        expect(anonymous=200, everyone=200),
    ),
    (
        "a draft guide entry on the public page",
        "get",
        lambda o: reverse("guide_public:entry", args=["cremona", o["guide_draft"].pk]),
        expect(anonymous=404, everyone=404),
    ),
    # The operators' FAQ (faq/).
    ("frequently asked questions", "get", lambda o: reverse("faq:list"), FAQ_PAGES),
    (
        "search the frequently asked questions",
        "get",
        lambda o: reverse("faq:list") + "?q=richiesta%20urgente&categoria=<x>&tag=%27&da_rivedere=1",
        FAQ_PAGES,
    ),
    (
        "answers close to a question being typed",
        "get",
        lambda o: reverse("faq:suggest") + "?title=mediatore",
        FAQ_PAGES,
    ),
    ("ask a question", "get", lambda o: reverse("faq:ask"), FAQ_PAGES),
    (
        "questions waiting for an answer",
        "get",
        lambda o: reverse("faq:waiting"),
        expect(nobody=403, **{"provincia.cremona": 200, "provincia.bergamo": 200, "admin": 200}),
    ),
    ("an answer of Cremona", "get", lambda o: reverse("faq:detail", args=[o["faq_published"].pk]), FAQ_PUBLISHED),
    (
        "a question of Cremona waiting for an answer",
        "get",
        lambda o: reverse("faq:detail", args=[o["faq_waiting"].pk]),
        FAQ_WAITING_QUESTION,
    ),
    (
        "answer a question of Cremona",
        "get",
        lambda o: reverse("faq:answer", args=[o["faq_waiting"].pk]),
        FAQ_ANSWERERS,
    ),
    (
        "vote on an answer of Cremona",
        "post",
        lambda o: reverse("faq:vote", args=[o["faq_published"].pk]),
        {**FAQ_PUBLISHED, **{who: 302 for who in CREMONA_PEOPLE}},
    ),
    (
        "experts who answer the FAQ",
        "get",
        lambda o: reverse("faq:experts"),
        expect(nobody=403, **{"provincia.cremona": 200, "provincia.bergamo": 200, "admin": 200}),
    ),
    (
        "end an expert's designation in Cremona",
        "post",
        lambda o: reverse("faq:expert_remove", args=[o["faq_expert"].pk]),
        expect(nobody=403, **{"provincia.cremona": 302, "admin": 302, "provincia.bergamo": 404}),
    ),
    (
        "mark an answer of Cremona reviewed",
        "post",
        lambda o: reverse("faq:reviewed", args=[o["faq_published"].pk]),
        {**FAQ_ANSWERERS, "provincia.cremona": 302, "admin": 302},
    ),
    # The public seminar (seminar/).
    ("seminars", "get", lambda o: reverse("seminar:list"), SEMINAR_STAFF),
    ("new seminar", "get", lambda o: reverse("seminar:create"), SEMINAR_STAFF),
    ("the seminar of Cremona", "get", lambda o: reverse("seminar:detail", args=[o["seminar"].pk]), CREMONA_SEMINAR),
    ("edit the seminar of Cremona", "get", lambda o: reverse("seminar:edit", args=[o["seminar"].pk]), CREMONA_SEMINAR),
    (
        "check-in list of the seminar of Cremona",
        "get",
        lambda o: reverse("seminar:check_in_list", args=[o["seminar"].pk]),
        CREMONA_SEMINAR,
    ),
    (
        "check in a participant of the seminar of Cremona",
        "post",
        lambda o: reverse("seminar:check_in", args=[o["seminar"].pk, o["seminar_registration"].pk]),
        {**CREMONA_SEMINAR, "provincia.cremona": 302, "admin": 302},
    ),
    ("the seminar's public page", "get", lambda o: reverse("seminar_public:event", args=["seminario-cremona"]), PUBLIC),
    # An empty registration: the form's errors (400), for anyone; nothing saved.
    (
        "register to the seminar with an empty form",
        "post",
        lambda o: reverse("seminar_public:event", args=["seminario-cremona"]),
        expect(anonymous=400, everyone=400),
    ),
    (
        "the seminar's privacy notice",
        "get",
        lambda o: reverse("seminar_public:privacy", args=["seminario-cremona"]),
        PUBLIC,
    ),
    (
        "confirm a seminar registration from the e-mail",
        "get",
        lambda o: reverse("seminar_public:confirm", args=[seminar_links.token(o["seminar_registration"], "confirm")]),
        PUBLIC,
    ),
    (
        "cancel a seminar registration from the e-mail",
        "get",
        lambda o: reverse("seminar_public:cancel", args=[seminar_links.token(o["seminar_registration"], "cancel")]),
        PUBLIC,
    ),
    # The training course (training/).
    ("training courses", "get", lambda o: reverse("training:list"), TRAINING_MANAGERS),
    ("my training courses", "get", lambda o: reverse("training:mine"), FAQ_PAGES),
    ("new training course", "get", lambda o: reverse("training:create"), TRAINING_STAFF),
    (
        "a training course of Cremona",
        "get",
        lambda o: reverse("training:detail", args=[o["course"].pk]),
        TRAINING_COURSE,
    ),
    (
        "add a session to a course of Cremona",
        "get",
        lambda o: reverse("training:session_add", args=[o["course"].pk]),
        {**TRAINING_STAFF, "provincia.bergamo": 404},
    ),
    (
        "nominations to a course of Cremona",
        "get",
        lambda o: reverse("training:nominate", args=[o["course"].pk]),
        {**TRAINING_MANAGERS, "coordinatore.bergamo": 404, "provincia.bergamo": 404},
    ),
    (
        "issue the certificates of a course of Cremona",
        "post",
        lambda o: reverse("training:certificates_issue", args=[o["course"].pk]),
        TRAINING_STAFF_ACTION,
    ),
    (
        "confirm a nomination of Cremona",
        "post",
        lambda o: reverse("training:confirm", args=[o["nomination_waiting"].pk]),
        TRAINING_STAFF_ACTION,
    ),
    (
        "withdraw a nomination of Cremona",
        "post",
        lambda o: reverse("training:withdraw", args=[o["nomination_waiting"].pk]),
        expect(
            nobody=403,
            managers_here=302,
            **{"coordinatore.crema": 404, "coordinatore.bergamo": 404, "provincia.bergamo": 404},
        ),
    ),
    (
        "the training certificate of assistente.cremona",
        "get",
        lambda o: reverse("training:certificate", args=[o["nomination_certified"].pk]),
        expect(nobody=404, managers_here=200, **{"assistente.cremona": 200, "asl.cremona": 403}),
    ),
    (
        "the register of a course session of Cremona",
        "get",
        lambda o: reverse("training:attendance", args=[o["course_session"].pk]),
        TRAINING_REGISTER,
    ),
    (
        "the sign-in sheet of a course session of Cremona",
        "get",
        lambda o: reverse("training:sign_in_sheet", args=[o["course_session"].pk]),
        TRAINING_REGISTER,
    ),
    (
        "decline a training course by the e-mail's link",
        "get",
        lambda o: reverse("training:decline", args=[o["decline_token"]]),
        expect(anonymous=200, everyone=200),
    ),
]


@pytest.fixture(scope="module")
def _matrix_world(django_db_setup, django_db_blocker):
    """The demo world and the objects below, built once for the module (see conftest.shared_world)."""
    with shared_world(django_db_blocker):
        objects = build_objects(demo.build())
        # Each user signed in once, for the whole module: the matrix's ~3,000 cases reuse the session (a row of the
        # module's transaction, which no test's rollback undoes) instead of making one each (8 ms each).
        objects["sessions"] = {who: login_client(user).cookies[settings.SESSION_COOKIE_NAME].value
                               for who, user in objects["users"].items()}  # fmt: skip
        yield objects


@pytest.fixture
def objects(_matrix_world, db):
    """Each test sees the shared world through its own transaction, rolled back after it."""
    return _matrix_world


def build_objects(demo_world):
    """An invitation and a membership in the district of Cremona."""
    users = demo_world["users"]
    office = users["assistente.cremona"].memberships.get().office
    invitation = invitation_create(
        actor=actor_for(users["coordinatore.cremona"]),
        email="nuova.assistente@example.org",
        role=Role.SOCIAL_WORKER,
        office=office,
    )
    membership = Membership.objects.get(user=users["assistente.cremona"])
    cremona = office.district
    provider = Provider.objects.get(province=cremona.province)
    mediator = f.MediatorFactory(provider=provider, districts=[cremona], languages=["ara:Darija"])
    own = f.MediatorFactory(
        provider=provider,
        districts=[cremona],
        user=users["mediatore.cremona"],
        email="mediatore.cremona@example.org",
        languages=["ara"],
    )
    worker = actor_for(users["assistente.cremona"])
    submitted = request_services.request_submit(actor=worker, request=_draft(worker, office, "MATRICE-1"))
    matching = request_services.request_accept(
        actor=actor_for(users["coordinatore.cremona"]),
        request=request_services.request_submit(actor=worker, request=_draft(worker, office, "MATRICE-3")),
    )
    offer = scheduling_services.offers_create(
        actor=actor_for(users["coordinatore.cremona"]), request=matching, tiers=[[own]]
    )[0]
    assigned_request = request_services.request_accept(
        actor=actor_for(users["coordinatore.cremona"]),
        request=request_services.request_submit(actor=worker, request=_draft(worker, office, "MATRICE-4")),
    )
    scheduling_services.offer_accept(
        offer=scheduling_services.offers_create(
            actor=actor_for(users["coordinatore.cremona"]), request=assigned_request, tiers=[[own]]
        )[0],
        by=users["mediatore.cremona"],
    )
    start = timezone.now() + timedelta(days=3)
    appointment = scheduling_services.appointment_create(
        actor=actor_for(users["coordinatore.cremona"]),
        request=assigned_request,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        place="Via Dante 134, Cremona",
    )
    weekly, _skipped = scheduling_services.series_create(
        actor=actor_for(users["coordinatore.cremona"]),
        request=assigned_request,
        starts_at=start + timedelta(days=7),
        ends_at=start + timedelta(days=7, hours=1),
        interval_weeks=1,
        until=timezone.localdate(start + timedelta(days=28)),
        place="Via Dante 134, Cremona",
    )
    # A mediator of Bergamo who works only there (for the timesheet addresses that mix provinces).
    bergamo_office = users["assistente.bergamo"].memberships.get().office
    foreign = f.MediatorFactory(
        provider=Provider.objects.get(province=bergamo_office.district.province),
        districts=[bergamo_office.district],
        languages=["ukr"],
    )
    feed_token = mediator_calendar_token_reset(actor=actor_for(users["mediatore.cremona"]), mediator=own)
    # Two appointments of the past (the scheduling service refuses past times): one reported, one not yet.
    reported, unreported = (
        Appointment.objects.create(
            request=assigned_request,
            mediator=own,
            starts_at=timezone.now() - timedelta(days=days),
            ends_at=timezone.now() - timedelta(days=days, hours=-1),
            place="Via Dante 134, Cremona",
            created_by=users["coordinatore.cremona"],
        )
        for days in (4, 2)
    )
    report = report_services.report_save(
        actor=actor_for(users["mediatore.cremona"]),
        appointment=reported,
        fields=report_fields(reported, language="ara"),
        submit=True,
    )
    guide_draft = guide_factories.EntryFactory(district=cremona, province=cremona.province)
    guide_published = guide_factories.published_entry(district=cremona, province=cremona.province)
    guide_task = guide_services.translation_task_create(
        actor=actor_for(users["coordinatore.cremona"]),
        entry=guide_draft,
        language="ara",
        translator=own,
        deadline=timezone.localdate() + timedelta(days=10),
    )
    # Handed in, so that approving it is a real step (302 with the change for whoever may approve).
    guide_services.translation_save(
        actor=actor_for(users["mediatore.cremona"]),
        task=guide_task,
        texts={f"{k}:{i}:{n}": "ترجمة" for k, i, n, _s in guide_services.task_sources(guide_task)},
        submit=True,
        hours="2",
    )
    api_token, _key = api_services.token_create(
        actor=actor_for(users["provincia.cremona"]), name="Cartella sociale", role=Role.SOCIAL_WORKER, office=office
    )
    faq_published = faq_factories.answered(province=cremona.province, title="Come si chiede un mediatore?")
    faq_waiting = faq_factories.QuestionFactory(province=cremona.province, asked_by=users["assistente.cremona"])
    faq_expert = FaqExpert.objects.create(province=cremona.province, user=f.coordinator(district=cremona))
    seminar = seminar_factories.SeminarFactory(province=cremona.province, slug="seminario-cremona")
    course = training_factories.course_with_sessions(cremona.province, hours=(4, 4))
    nomination_certified = training_factories.NominationFactory(
        course=course,
        district=cremona,
        user=users["assistente.cremona"],
        full_name="Giulia Ferrari",
        email=users["assistente.cremona"].email,
        kind="social_worker",
        certificate_issued_at=timezone.now(),
        certificate_hours=8,
    )
    nomination_waiting = training_factories.NominationFactory(course=course, district=cremona, status="nominated")
    return {
        "seminar": seminar,
        "seminar_registration": seminar_factories.RegistrationFactory(seminar=seminar),
        "course": course,
        "course_session": course.sessions.first(),
        "nomination_certified": nomination_certified,
        "nomination_waiting": nomination_waiting,
        "decline_token": training_services.decline_token(nomination_certified),
        "api_token": api_token,
        "faq_expert": faq_expert,
        "faq_published": faq_published,
        "faq_waiting": faq_waiting,
        "guide_draft": guide_draft,
        "guide_published": guide_published,
        "guide_task": guide_task,
        "report": report,
        "unreported": unreported,
        "appointment": appointment,
        "series": weekly,
        "feed_token": feed_token,
        "invitation": invitation,
        "membership": membership,
        "users": users,
        "mediator": mediator,
        "own": own,
        "foreign": foreign,
        "foreign_district": bergamo_office.district,
        "submitted": submitted,
        "draft": _draft(worker, office, "MATRICE-2"),
        "matching": matching,
        "offer": offer,
    }


def _draft(actor, office, case_code) -> MediationRequest:
    return request_services.request_save_draft(
        actor=actor,
        office=office,
        fields={
            "case_code": case_code,
            "service_kind": "cultural_mediation",
            "setting": "child_protection",
            "goal": "Colloquio con la famiglia.",
            "sensitive_notes": "Nota riservata della matrice.",
        },
        languages=[{"code": "ara", "variant": "Darija"}],
    )


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("name", "method", "url", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_permission_matrix(objects, who, name, method, url, expected):
    from django.test import Client

    client = Client()
    if who != ANON:
        client.cookies[settings.SESSION_COOKIE_NAME] = objects["sessions"][who]
    response = getattr(client, method)(url(objects))
    assert response.status_code == expected[who], f"{name} as {who}: {response.status_code}"


def test_matrix_covers_every_url_of_the_portal():
    """A URL added without a row in the matrix fails here."""
    from django.urls import get_resolver

    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, ns)
            elif pattern.name:
                names.add(f"{namespace}{pattern.name}")

    resolver = get_resolver()
    walk(resolver.url_patterns)
    ours = {
        n
        for n in names
        if n.split(":")[0]
        in {
            "accounts",
            "audit",
            "mediators",
            "notifications",
            "requests",
            "scheduling",
            "sessions",
            "timesheets",
            "reporting",
            "privacy",
            "guide",
            "guide_public",
            "api",
            "api_tokens",
            "faq",
            "seminar",
            "seminar_public",
            "training",
        }
        or n in {"home", "health", "manifest", "service_worker", "offline", "favicon"}
    }
    matrix_urls = {row[0] for row in MATRIX}
    covered = {
        "home": "home",
        "health": "health",
        "manifest": "web manifest",
        "service_worker": "service worker",
        "offline": "offline page",
        "favicon": "favicon",
        "accounts:organisations": "organisations",
        "accounts:people": "people",
        "accounts:invite": "invite",
        "accounts:invitation_resend": "resend an invitation",
        "accounts:invitation_revoke": "withdraw an invitation",
        "accounts:membership_deactivate": "end a role",
        "accounts:switch_role": "switch role",
        "accounts:set_language": "switch language",
        "accounts:invitation_accept": "accept an invitation",
        "mediators:list": "roster",
        "mediators:export_csv": "roster as CSV",
        "mediators:export_xlsx": "roster as XLSX",
        "mediators:create": "add a mediator",
        "mediators:import": "import a roster",
        "mediators:import_confirm": "confirm an import",
        "mediators:detail": "a mediator of Cremona",
        "mediators:edit": "edit a mediator",
        "mediators:availability": "availability of a mediator",
        "mediators:contacts": "contacts of a mediator",
        "mediators:me": "my profile",
        "requests:list": "requests",
        "requests:detail": "a submitted request of Cremona",
        "requests:create": "new request",
        "requests:edit": "edit a draft",
        "requests:language_search": "search a language",
        "requests:slot_row": "one more proposed time",
        "requests:transition": "submit a submitted request",
        "requests:comment": "comment on a request",
        "requests:copy": "request again",
        "notifications:list": "notifications",
        "notifications:read": "mark notifications read",
        "notifications:preferences": "notification preferences",
        "scheduling:offer_link": "the e-mail link of an offer",
        "scheduling:appointment": "an appointment in Cremona",
        "scheduling:series": "a series in Cremona",
        "scheduling:series_mediator": "the menu of who takes a series over",
        "sessions:report": "a session report in Cremona",
        "sessions:report_write": "write the report of a past appointment",
        "sessions:reports": "session reports",
        "sessions:request_complete": "mark a scheduled request completed",
        "sessions:reports_confirm": "confirm several reports",
        "sessions:reports_validate": "validate several reports",
        "sessions:evaluate": "evaluations of a request",
        "sessions:evaluation_averages": "evaluation averages",
        "scheduling:calendar": "calendar",
        "scheduling:calendar_day": "a day of the district of Cremona",
        "scheduling:calendar_feed": "calendar feed",
        "scheduling:calendar_token_reset": "new calendar address",
        "scheduling:candidates": "candidates of a request in matching",
        "scheduling:plan": "appointments of a scheduled request",
        "scheduling:offers": "my offers",
        "timesheets:mine": "my timesheets",
        "timesheets:district": "timesheets of the district",
        "timesheets:month_export": "the month's timesheets as CSV",
        "timesheets:providers": "totals by provider",
        "timesheets:sheet": "a timesheet of Cremona",
        "timesheets:export": "a timesheet of Cremona as XLSX",
        "timesheets:act": "submit a timesheet of Cremona",
        "timesheets:approve_many": "approve several timesheets",
        "audit:list": "read audit",
        "privacy:my_data": "my data",
        "privacy:erase_mediator": "erase a mediator's personal data",
        "reporting:dashboard": "reporting dashboard",
        "reporting:jobs": "reports prepared",
        "reporting:job": "a report of Cremona",
        "reporting:job_status": "progress of a report of Cremona",
        "reporting:job_download": "download a report of Cremona",
        "reporting:job_repeat": "prepare a report of Cremona again",
        "reporting:charge": "charge a request to a project",
        "reporting:projects": "funded projects",
        "reporting:project": "a funded project of Cremona",
        "reporting:project_section": "the seminar's section of a funded project of Cremona",
        "guide:entries": "guide mapping",
        "guide:entry_create": "add a guide entry",
        "guide:export": "export the guide",
        "guide:import": "import the guide",
        "guide:entry": "a draft guide entry of Cremona",
        "guide:entry_edit": "edit a draft guide entry of Cremona",
        "guide:entry_action": "submit a draft guide entry of Cremona",
        "guide:tasks": "guide translations",
        "guide:task_create": "ask for a guide translation",
        "guide:task": "a guide translation task of Cremona",
        "guide:task_action": "approve a guide translation task of Cremona",
        "api_tokens:list": "API tokens",
        "api_tokens:revoke": "revoke an API token of Cremona",
        "api:schema": "the API schema",
        "api:docs": "the API documentation",
        "api:requests": "the API's requests",
        "api:request": "a request of Cremona through the API",
        "api:request_submit": "submit a draft of Cremona through the API",
        "api:request_cancel": "cancel a request of Cremona through the API (a form post, not JSON)",
        "api:appointments": "the API's appointments",
        "api:appointment": "an appointment of Cremona through the API",
        "api:session_reports": "the API's session reports",
        "api:session_report": "a session report of Cremona through the API",
        "api:session_report_submit": "submit a submitted session report of Cremona again through the API",
        "api:offers": "the API's offers",
        "api:mediators": "the API's roster",
        "api:indicators": "the API's indicators",
        "api:report_jobs": "the API's reports",
        "api:report_job": "a report of Cremona through the API",
        "api:report_job_download": "download a report of Cremona through the API",
        "api:report_job_repeat": "prepare a report of Cremona again through the API",
        "api:webhooks": "the API's webhooks",
        "api:webhook": "a webhook through the API",
        "api:webhook_deliveries": "the deliveries of a webhook through the API",
        "api:guide_services": "the published guide through the API",
        "api:guide_service": "a published guide entry through the API",
        "guide_public:index": "the public guide",
        "guide_public:province": "the public guide of Cremona",
        "guide_public:entry": "a published guide entry of Cremona",
        "guide:editions": "guide booklets",
        "guide:edition_download": "download a guide booklet of Cremona",
        "guide_public:editions": "the printable booklets of Cremona",
        "guide_public:edition_download": "a printable booklet of Cremona",
        "faq:list": "frequently asked questions",
        "faq:suggest": "answers close to a question being typed",
        "faq:ask": "ask a question",
        "faq:waiting": "questions waiting for an answer",
        "faq:detail": "an answer of Cremona",
        "faq:answer": "answer a question of Cremona",
        "faq:vote": "vote on an answer of Cremona",
        "faq:reviewed": "mark an answer of Cremona reviewed",
        "faq:experts": "experts who answer the FAQ",
        "faq:expert_remove": "end an expert's designation in Cremona",
        "seminar:list": "seminars",
        "seminar:create": "new seminar",
        "seminar:detail": "the seminar of Cremona",
        "seminar:edit": "edit the seminar of Cremona",
        "seminar:check_in_list": "check-in list of the seminar of Cremona",
        "seminar:check_in": "check in a participant of the seminar of Cremona",
        "seminar_public:event": "the seminar's public page",
        "seminar_public:privacy": "the seminar's privacy notice",
        "seminar_public:confirm": "confirm a seminar registration from the e-mail",
        "seminar_public:cancel": "cancel a seminar registration from the e-mail",
        "training:list": "training courses",
        "training:mine": "my training courses",
        "training:create": "new training course",
        "training:detail": "a training course of Cremona",
        "training:session_add": "add a session to a course of Cremona",
        "training:nominate": "nominations to a course of Cremona",
        "training:certificates_issue": "issue the certificates of a course of Cremona",
        "training:confirm": "confirm a nomination of Cremona",
        "training:withdraw": "withdraw a nomination of Cremona",
        "training:certificate": "the training certificate of assistente.cremona",
        "training:attendance": "the register of a course session of Cremona",
        "training:sign_in_sheet": "the sign-in sheet of a course session of Cremona",
        "training:decline": "decline a training course by the e-mail's link",
    }
    missing = sorted(n for n in ours if n not in covered or covered[n] not in matrix_urls)
    assert not missing, f"URLs without a row in the permission matrix: {missing}"


def test_outsider_coordinator_cannot_touch_an_invitation_of_another_district(objects):
    client = login_client(objects["users"]["coordinatore.crema"])
    client.post(reverse("accounts:invitation_revoke", args=[objects["invitation"].pk]))
    assert Invitation.objects.get(pk=objects["invitation"].pk).revoked_at is None


# What happens when someone who sees the request posts each action on it (with a reason, and a message to send).
REQUEST_ACTIONS = {
    # action: who may do it on a submitted request of assistente.cremona's office
    "submit": set(),  # already submitted
    "reject": {"coordinatore.cremona", "admin"},
    "accept": {"coordinatore.cremona", "admin"},
    "cancel": {"assistente.cremona", "coordinatore.cremona", "admin"},
    "close": set(),  # not evaluated yet
}


@pytest.mark.parametrize("who", sorted(GROUPS["request_here"]))
@pytest.mark.parametrize("action", list(REQUEST_ACTIONS))
def test_a_refused_action_on_a_request_is_a_message_and_changes_nothing(objects, who, action):
    from django.contrib.messages import get_messages

    assert set(REQUEST_ACTIONS) == set(MANUAL)
    request = objects["submitted"]
    history = StatusChange.objects.filter(request=request).count()
    response = login_client(objects["users"][who]).post(
        reverse("requests:transition", args=[request.pk, action]), {"reason": "Motivo di prova."}
    )
    assert response.status_code == 302 and response["Location"] == request.get_absolute_url()
    levels = [m.level_tag for m in get_messages(response.wsgi_request)]
    request.refresh_from_db()
    if who in REQUEST_ACTIONS[action]:
        assert levels == ["success"]
        assert request.status == TRANSITIONS[action].target
        assert StatusChange.objects.filter(request=request).count() == history + 1
    else:
        assert levels == ["error"]
        assert request.status == "submitted"
        assert StatusChange.objects.filter(request=request).count() == history


# Who may act on the submitted report of the matrix (mediatore.cremona's, at assistente.cremona's office).
BATCH_ACTORS = {
    "reports_confirm": {"assistente.cremona", "admin"},
    "reports_validate": {"coordinatore.cremona", "admin"},
}


@pytest.mark.parametrize("who", LOGGED_IN)
@pytest.mark.parametrize("action", list(BATCH_ACTORS))
def test_a_batch_acts_only_within_the_users_scope(objects, who, action):
    """Every user posts the Cremona report's id in a batch: only its office confirms it and only its district's
    coordinator validates it (and the administrator); to anyone else who has the role it is "not found", its case
    code never named; other roles get 403. Nothing changes for them."""
    from django.contrib.messages import get_messages

    report = objects["report"]
    response = login_client(objects["users"][who]).post(reverse(f"sessions:{action}"), {"report": [report.pk]})
    report.refresh_from_db()
    changed = report.status != "submitted"
    assert changed == (who in BATCH_ACTORS[action])
    if response.status_code == 302:
        text = " ".join(str(m) for m in get_messages(response.wsgi_request))
        code = report.appointment.request.case_code
        if not changed:
            assert code not in text, text
            assert text.endswith(("— not found.", "— non trovato.")), text
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("who", sorted(set(LOGGED_IN) - GROUPS["request_here"]))
def test_outsiders_cannot_touch_a_request_they_cannot_see(objects, who):
    request = objects["submitted"]
    client = login_client(objects["users"][who])
    for action in MANUAL:
        client.post(reverse("requests:transition", args=[request.pk, action]), {"reason": "Motivo"})
    client.post(reverse("requests:comment", args=[request.pk]), {"body": "Messaggio"})
    client.post(reverse("requests:copy", args=[request.pk]))
    request.refresh_from_db()
    assert request.status == "submitted"
    assert not request.comments.exists()
    assert MediationRequest.objects.filter(copied_from=request).count() == 0
    assert "Nota riservata" not in client.get(reverse("requests:list")).content.decode()


# --- Ids of another province in a form or an address that also names something of Cremona -----------------------------
# The timesheet addresses carry two ids (mediator, district): their rows are in MATRIX. The forms below carry a
# mediator's id beside a Cremona request or series: a Bergamo mediator's id is refused like an unknown one.


def test_a_coordinator_cannot_offer_a_cremona_request_to_a_mediator_of_bergamo(objects):
    from scheduling.models import Offer

    client = login_client(objects["users"]["coordinatore.cremona"])
    response = client.post(
        reverse("scheduling:candidates", args=[objects["matching"].pk]),
        {"action": "offer", "mediator": [objects["foreign"].pk], f"tier_{objects['foreign'].pk}": "1"},
    )
    assert response.status_code == 400
    assert not Offer.objects.filter(mediator=objects["foreign"]).exists()


def test_a_coordinator_cannot_hand_a_cremona_series_to_a_mediator_of_bergamo(objects):
    series = objects["series"]
    before = series.mediator_id
    response = login_client(objects["users"]["coordinatore.cremona"]).post(
        series.get_absolute_url(),
        {"from_day": "2030-01-01", "mediator": objects["foreign"].pk, "reason": "Prova"},
    )
    assert response.status_code == 400
    series.refresh_from_db()
    assert series.mediator_id == before
    assert not Appointment.objects.filter(mediator=objects["foreign"]).exists()


def test_the_calendar_of_cremona_does_not_open_on_a_mediator_of_bergamo(objects):
    page = login_client(objects["users"]["coordinatore.cremona"]).get(
        reverse("scheduling:calendar") + f"?mediatore={objects['foreign'].pk}"
    )
    assert page.status_code == 200 and objects["foreign"].last_name not in page.content.decode()
