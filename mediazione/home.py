"""The home page: what the current role can do now, with real counts. It sees every room, so it lives on the top floor
(the project package); each room keeps its own selectors, the home only adds them up."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import selectors as account_selectors
from accounts.models import District, Invitation, Membership, Office, Province, Role
from accounts.scoping import Actor, actor_for, visible
from core.summaries import counts
from mediators import selectors as mediator_selectors
from mediators.models import Mediator
from reporting import selectors as reporting_selectors
from requests_app.models import OPEN_STATUSES, MediationRequest, Status, Urgency

from .work import WORK_OF, province_day, work_list


@dataclass
class Card:
    """One box of the home dashboard: a title, a number or a line of text, and where to go from there."""

    key: str  # stable name, for tests and styling
    title: str
    value: int | str
    text: str = ""
    url: str = ""
    link_label: str = ""
    icon: str = "it-info-circle"


def dashboard_cards(*, actor: Actor) -> list[Card]:
    """What the current role can do, with real counts. Every count of the cards is read in one query
    (``core.summaries.counts``); later capabilities add their own cards here."""
    user = actor.user
    to_count = _request_counts(actor)
    pending = Q(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())
    keeps_roster = actor.role in (Role.COORDINATOR, Role.PROVINCE_STAFF, Role.ADMINISTRATOR)
    if actor.role == Role.SOCIAL_WORKER:
        to_count["colleagues"] = Membership.objects.filter(
            role=Role.SOCIAL_WORKER, office=actor.membership.office_id, is_active=True
        )
    if keeps_roster:
        to_count["mediators"] = visible(user, Mediator).filter(is_active=True)
        to_count["expiring"] = mediator_selectors.expiring_qualifications(user=user)
        if actor.role != Role.COORDINATOR:
            to_count["districts"] = visible(user, District)
        to_count["offices"] = visible(user, Office)
        people, to_count["people"] = account_selectors.people_with_a_role(actor=actor)
        if people is not None:
            del to_count["people"]  # from the cache
        to_count["invitations"] = visible(user, Invitation).filter(pending)
    counted = counts(**to_count)
    if keeps_roster:
        if people is None:
            account_selectors.remember_people_with_a_role(actor=actor, count=counted["people"])
        else:
            counted["people"] = people

    cards: list[Card] = _request_cards(actor, counted)
    if actor.role == Role.SOCIAL_WORKER:
        office = actor.membership.office
        cards.append(
            Card(
                key="office",
                title=str(_("Your office")),
                value=office.name,
                text=f"{office.get_kind_display()} · {office.district.name}",
                icon="it-pa",
            )
        )
        cards.append(
            Card(
                key="colleagues",
                title=str(_("Social workers in your office")),
                value=counted["colleagues"],
                icon="it-user",
            )
        )
    if actor.role == Role.MEDIATOR:
        profile = mediator_selectors.own_mediator_profile(user=user, with_language_count=True)
        if profile is not None:
            cards.append(
                Card(
                    key="my_profile",
                    title=str(_("Your profile")),
                    value=str(_("%(count)s languages") % {"count": profile.language_count}),
                    text=str(
                        _("Keep your availability and absences up to date: coordinators look for free mediators.")
                    ),
                    url=profile.get_absolute_url(),
                    link_label=str(_("Open your profile")),
                    icon="it-user",
                )
            )
        districts = list(visible(user, District).order_by("name"))
        cards.append(
            Card(
                key="provider",
                title=str(_("Your provider")),
                value=actor.membership.provider.name,
                icon="it-pa",
            )
        )
        cards.append(
            Card(
                key="districts_served",
                title=str(_("Districts you work in")),
                value=len(districts),
                text=", ".join(d.name for d in districts),
                icon="it-map-marker",
            )
        )
    if keeps_roster:
        cards.extend(_roster_cards(counted))
        if actor.role != Role.COORDINATOR:
            cards.append(
                Card(
                    key="districts",
                    title=str(_("Districts")),
                    value=counted["districts"],
                    url=reverse("accounts:organisations"),
                    link_label=str(_("See organisations")),
                    icon="it-map-marker",
                )
            )
        cards.append(
            Card(
                key="offices",
                title=str(_("Offices")),
                value=counted["offices"],
                url=reverse("accounts:organisations"),
                link_label=str(_("See organisations")),
                icon="it-pa",
            )
        )
        cards.append(
            Card(
                key="people",
                title=str(_("People with a role")),
                value=counted["people"],
                url=reverse("accounts:people"),
                link_label=str(_("Manage people")),
                icon="it-user",
            )
        )
        cards.append(
            Card(
                key="invitations",
                title=str(_("Invitations waiting for an answer")),
                value=counted["invitations"],
                url=reverse("accounts:invite"),
                link_label=str(_("Invite a person")),
                icon="it-mail",
            )
        )
    if actor.role == Role.FUNDER_VIEWER:
        provinces = visible(user, Province).annotate(district_count=Count("districts"))
        for province in provinces:
            cards.append(
                Card(
                    key="province_funded",
                    title=str(_("Province funded")),
                    value=province.name,
                    text=str(_("%(count)s districts") % {"count": province.district_count}),
                    icon="it-map-marker",
                )
            )
    return cards


def _request_counts(actor: Actor) -> dict:
    """The requests this role's cards count, each filtered on its status so that an index on the status reads
    only them."""
    if actor.role not in (Role.SOCIAL_WORKER, Role.COORDINATOR, Role.PROVINCE_STAFF, Role.ADMINISTRATOR):
        return {}
    requests = visible(actor.user, MediationRequest)
    if actor.role == Role.SOCIAL_WORKER:
        return {"drafts": requests.filter(status=Status.DRAFT), "open": requests.filter(status__in=OPEN_STATUSES)}
    if actor.role == Role.COORDINATOR:
        waiting = requests.filter(status=Status.SUBMITTED)
        return {"waiting": waiting, "urgent": waiting.filter(urgency=Urgency.URGENT)}
    return {"open": requests.filter(status__in=OPEN_STATUSES)}


def _request_cards(actor: Actor, counted: dict) -> list[Card]:
    """The requests waiting for this role."""
    url = reverse("requests:list")
    if actor.role == Role.SOCIAL_WORKER:
        return [
            Card(
                key="request_drafts",
                title=str(_("Drafts of your office")),
                value=counted["drafts"],
                text=str(_("Requests not submitted yet.")),
                url=f"{url}?status={Status.DRAFT}",
                link_label=str(_("See the drafts")),
                icon="it-pencil",
            ),
            Card(
                key="requests_open",
                title=str(_("Open requests of your office")),
                value=counted["open"],
                url=f"{url}?status=open",
                link_label=str(_("See your office's requests")),
                icon="it-file",
            ),
        ]
    if actor.role == Role.COORDINATOR:
        return [
            Card(
                key="requests_waiting",
                title=str(_("Requests waiting in the queue")),
                value=counted["waiting"],
                text=ngettext("%(count)s urgent", "%(count)s urgent", counted["urgent"]) % {"count": counted["urgent"]},
                url=f"{url}?status={Status.SUBMITTED}",
                link_label=str(_("Open the queue")),
                icon="it-clock",
            )
        ]
    if actor.role in (Role.PROVINCE_STAFF, Role.ADMINISTRATOR):
        return [
            Card(
                key="requests_open",
                title=str(_("Open requests")),
                value=counted["open"],
                url=f"{url}?status=open",
                link_label=str(_("See the requests")),
                icon="it-file",
            )
        ]
    return []


ROLE_INTROS = {
    Role.SOCIAL_WORKER: _(
        "Request linguistic-cultural mediators for the families you follow, propose dates, confirm what happened "
        "and evaluate the mediation."
    ),
    Role.COORDINATOR: _(
        "Triage the requests of your district, find and assign mediators, keep the roster, validate sessions and "
        "timesheets, and invite the people of your district."
    ),
    Role.MEDIATOR: _("Answer offers of work, keep your availability and calendar, and log your sessions and travel."),
    Role.PROVINCE_STAFF: _(
        "Oversee every district of the province, run the funded projects and their budgets, export accountability "
        "reports and invite people."
    ),
    Role.FUNDER_VIEWER: _("Read the aggregate reports of the projects you fund. No personal data is ever shown."),
    Role.ADMINISTRATOR: _("Manage organisations, users and reference data of the whole portal."),
}


def role_intro(*, role: str | None) -> str:
    return str(ROLE_INTROS.get(role, ""))


def _roster_cards(counts: dict) -> list[Card]:
    return [
        Card(
            key="mediators",
            title=str(_("Active mediators")),
            value=counts["mediators"],
            url=reverse("mediators:list"),
            link_label=str(_("Search the roster")),
            icon="it-search",
        ),
        Card(
            key="expiring_qualifications",
            title=str(_("Qualifications expiring within 30 days")),
            value=counts["expiring"],
            url="#expiring",
            link_label=str(_("See the list")),
            icon="it-warning-circle",
        ),
    ]


EXPIRING_ON_HOME = 20


def dashboard_expiring_qualifications(*, actor: Actor) -> list:
    """The qualifications that expire soon, listed under the cards of the roles that keep the roster."""
    if actor.role not in (Role.COORDINATOR, Role.PROVINCE_STAFF, Role.ADMINISTRATOR):
        return []
    return list(mediator_selectors.expiring_qualifications(user=actor.user)[:EXPIRING_ON_HOME])


@login_required
def home(request):
    actor = actor_for(request.user)
    if actor.role == Role.FUNDER_VIEWER and reporting_selectors.projects(user=request.user).exists():
        # The funder reads aggregates only: the dashboard and its reports are the whole of their day (once there is
        # a project they fund; before that, the home says which provinces they fund).
        return redirect("reporting:dashboard")
    return render(
        request,
        "home.html",
        {
            "actor": actor,
            "work": work_list(actor=actor) if actor.role else [],
            "has_work_list": actor.role in WORK_OF,
            "province_day": province_day(actor=actor),
            "cards": dashboard_cards(actor=actor) if actor.role else [],
            "role_intro": role_intro(role=actor.role),
            "expiring": dashboard_expiring_qualifications(actor=actor),
            "today": timezone.localdate(),
        },
    )
