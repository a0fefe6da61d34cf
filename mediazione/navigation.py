"""The main navigation, by role. Each capability adds its entries here.

The menu keeps to one line at 1366 px (tests/test_browser_phone.py): the entries a role uses less often
(``secondary_for``) go into its "More" dropdown."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role

ALL_ROLES = tuple(Role.values)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]
    secondary_for: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        # The addresses never change while the process runs (the script prefix aside): reversed once.
        key = (self.url_name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
        found = _URLS.get(key)
        if found is None:
            found = _URLS[key] = reverse(self.url_name)
        return found


_URLS: dict[tuple[str, str, str], str] = {}


ITEMS = [
    NavItem(_("Home"), "home", ALL_ROLES),
    NavItem(
        _("Requests"),
        "requests:list",
        (Role.SOCIAL_WORKER, Role.COORDINATOR, Role.PROVINCE_STAFF, Role.ADMINISTRATOR),
    ),
    NavItem(
        _("People"),
        "accounts:people",
        (Role.COORDINATOR, Role.PROVINCE_STAFF, Role.ADMINISTRATOR),
        secondary_for=(Role.COORDINATOR, Role.PROVINCE_STAFF),
    ),
    NavItem(_("Mediators"), "mediators:list", (Role.COORDINATOR, Role.PROVINCE_STAFF, Role.ADMINISTRATOR)),
    NavItem(_("My offers"), "scheduling:offers", (Role.MEDIATOR,)),
    NavItem(_("My profile"), "mediators:me", (Role.MEDIATOR,)),
    NavItem(
        _("Calendar"),
        "scheduling:calendar",
        (Role.MEDIATOR, Role.SOCIAL_WORKER, Role.COORDINATOR, Role.PROVINCE_STAFF),
        secondary_for=(Role.PROVINCE_STAFF,),
    ),
    NavItem(
        _("Session reports"),
        "sessions:reports",
        (Role.MEDIATOR, Role.SOCIAL_WORKER, Role.COORDINATOR, Role.PROVINCE_STAFF, Role.ADMINISTRATOR),
    ),
    # Coordinators and province staff reach the mediators' averages from "Session reports": the menu is full.
    NavItem(_("My evaluations"), "sessions:evaluation_averages", (Role.MEDIATOR,), secondary_for=(Role.MEDIATOR,)),
    NavItem(_("My timesheets"), "timesheets:mine", (Role.MEDIATOR,)),
    NavItem(_("Timesheets"), "timesheets:district", (Role.COORDINATOR, Role.PROVINCE_STAFF, Role.ADMINISTRATOR)),
    NavItem(
        _("Reporting"),
        "reporting:dashboard",
        (Role.COORDINATOR, Role.PROVINCE_STAFF, Role.FUNDER_VIEWER, Role.ADMINISTRATOR),
    ),
    # The mini-guide (guide/): mapping for coordinators and province staff, translation tasks for mediators.
    NavItem(
        _("Mini-guide"),
        "guide:entries",
        (Role.COORDINATOR, Role.PROVINCE_STAFF, Role.ADMINISTRATOR),
        secondary_for=ALL_ROLES,
    ),
    NavItem(_("Translations"), "guide:tasks", (Role.MEDIATOR,), secondary_for=ALL_ROLES),
    # The operators' questions and answers (faq/): never the funder. In line for social workers, who ask the most
    # and whose menu has room; under "More" for the others.
    NavItem(
        _("Frequently asked questions"),
        "faq:list",
        (Role.SOCIAL_WORKER, Role.COORDINATOR, Role.MEDIATOR, Role.PROVINCE_STAFF, Role.ADMINISTRATOR),
        secondary_for=tuple(role for role in ALL_ROLES if role != Role.SOCIAL_WORKER),
    ),
    # The public seminar (seminar/): organised by the province's staff.
    NavItem(_("Public seminar"), "seminar:list", (Role.PROVINCE_STAFF, Role.ADMINISTRATOR), secondary_for=ALL_ROLES),
    # The training course (training/): the courses for who nominates and manages, "my courses" for everyone else.
    NavItem(
        _("Training courses"),
        "training:list",
        (Role.COORDINATOR, Role.PROVINCE_STAFF, Role.ADMINISTRATOR),
        secondary_for=ALL_ROLES,
    ),
    NavItem(_("My courses"), "training:mine", (Role.SOCIAL_WORKER, Role.MEDIATOR), secondary_for=ALL_ROLES),
    NavItem(_("Organisations"), "accounts:organisations", ALL_ROLES, secondary_for=ALL_ROLES),
    NavItem(_("Read audit"), "audit:list", (Role.PROVINCE_STAFF, Role.ADMINISTRATOR), secondary_for=ALL_ROLES),
    NavItem(_("API tokens"), "api_tokens:list", (Role.PROVINCE_STAFF, Role.ADMINISTRATOR), secondary_for=ALL_ROLES),
]


def _is_active(url: str, current_path: str) -> bool:
    return current_path == url if url == "/" else current_path.startswith(url)


def active_urls(current_path: str, actor) -> tuple[str, ...]:
    """The addresses of the menu entries open on this page: with the role, all the menu depends on."""
    role = getattr(actor, "role", None)
    entries = ITEMS[:1] if role is None else [item for item in ITEMS if role in item.roles]
    return tuple(item.url for item in entries if _is_active(item.url, current_path))


def items_for(actor, current_path: str) -> list[dict]:
    """The role's entries, each with ``secondary`` True when it belongs in the "More" dropdown."""
    if actor.role is None:
        return [
            {"label": ITEMS[0].label, "url": ITEMS[0].url, "active": current_path == ITEMS[0].url, "secondary": False}
        ]
    result = []
    for item in ITEMS:
        if actor.role in item.roles:
            url = item.url
            active = _is_active(url, current_path)
            secondary = actor.role in item.secondary_for
            result.append({"label": item.label, "url": url, "active": active, "secondary": secondary})
    return result
