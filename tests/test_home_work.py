"""Every role's home starts with its work list: each item with its deadline or age and one action, most urgent
first, in the same number of queries for 3 items of each kind as for 30. Stalled requests are found by one selector.

The clock is frozen on Wednesday 11 March 2026 at 10:00 in Italy: last month (February) is over, so its timesheet
is due."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts.models import Role
from accounts.scoping import actor_for
from mediazione.work import work_list
from reporting.models import ReportJob
from reporting.services import aggregates_rebuild
from requests_app.models import Comment, StatusChange
from scheduling.models import Appointment, Offer
from scheduling.selectors import Stalled, stalled_requests
from sessions_app.models import SessionReport
from timesheets.models import Timesheet

from . import factories as f
from .conftest import login_client
from .test_query_counts import FRAME

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
NOW = datetime(2026, 3, 11, 10, 0, tzinfo=ROME)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    day = NOW.date() + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME)


class World:
    """A district with an office, its social worker, a coordinator, a mediator with an account, province staff."""

    def __init__(self):
        self.district = f.DistrictFactory()
        self.province = self.district.province
        self.office = f.OfficeFactory(district=self.district)
        self.provider = f.ProviderFactory(province=self.province)
        self.social_worker = f.social_worker(office=self.office)
        self.coordinator = f.coordinator(district=self.district)
        self.staff = f.province_staff(province=self.province)
        self.mediator_user = f.mediator(provider=self.provider, districts=[self.district])
        self.mediator = f.MediatorFactory(
            provider=self.provider, districts=[self.district], user=self.mediator_user, email=self.mediator_user.email
        )
        self.other = f.MediatorFactory(provider=self.provider, districts=[self.district])

    def request(self, status="submitted", **fields):
        fields.setdefault("requester", self.social_worker)
        return f.MediationRequestFactory(office=self.office, status=status, **fields)

    def offer(self, request, mediator=None, status=Offer.Status.OPEN, expires_at=None, **fields):
        return Offer.objects.create(
            request=request,
            mediator=mediator or self.mediator,
            status=status,
            release_at=NOW - timedelta(days=2),
            expires_at=expires_at or NOW + timedelta(hours=20),
            created_by=self.coordinator,
            **fields,
        )

    def appointment(self, request, starts_at, minutes=60, **fields):
        fields.setdefault("place", "Via Dante 134, Cremona")
        return Appointment.objects.create(
            request=request,
            mediator=self.mediator,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            created_by=self.coordinator,
            **fields,
        )

    def report(self, appointment, status=SessionReport.Status.SUBMITTED):
        return SessionReport.objects.create(
            appointment=appointment,
            started_at=appointment.starts_at,
            ended_at=appointment.ends_at,
            written_by=self.mediator_user,
            submitted_by=self.mediator_user,
            submitted_at=appointment.ends_at,
            status=status,
        )


def busy_world(rows: int) -> World:
    """``rows`` items of every kind of work, for every role."""
    world = World()
    scheduled = world.request("scheduled", assigned_mediator=world.mediator)
    # A session of last month, reported and validated: the month's timesheet is to submit.
    february = world.appointment(scheduled, datetime(2026, 2, 10, 9, tzinfo=ROME), status="held")
    SessionReport.objects.filter(pk=world.report(february).pk).update(
        status=SessionReport.Status.VALIDATED, validated_by=world.coordinator, validated_at=NOW
    )
    for n in range(rows):
        # The mediator: an offer to answer, an appointment later today and one on a next day (never two at once),
        # a past session without a report, one with a report waiting for the office.
        world.offer(world.request("matching"))
        world.appointment(scheduled, at(0, 12) + timedelta(minutes=15 * n), minutes=15)
        world.appointment(scheduled, at(1 + n % 10, 8) + timedelta(minutes=30 * (n // 10)), minutes=30)
        world.appointment(scheduled, at(-1 - n, 8))
        world.report(world.appointment(scheduled, at(-1 - n, 15)))
        # The office: a draft, a coordinator's question, a completed request to evaluate.
        world.request("draft")
        asked = world.request("submitted")
        Comment.objects.create(request=asked, author=world.coordinator, body="Quale orario preferite?")
        world.request("completed", assigned_mediator=world.mediator)
        # The coordinator: a stalled request (its only offer declined), a timesheet to approve, a request nobody was
        # offered yet, one assigned yesterday to plan, an evaluated one to close.
        world.offer(world.request("matching"), mediator=world.other, status=Offer.Status.DECLINED, answered_at=NOW)
        world.request("matching")
        fresh = world.request("assigned", assigned_mediator=world.other)
        StatusChange.objects.create(
            request=fresh,
            from_status="matching",
            to_status="assigned",
            by=world.coordinator,
            at=NOW - timedelta(days=1),
        )
        world.request("evaluated", assigned_mediator=world.other)
        Timesheet.objects.create(
            mediator=world.other,
            district=world.district,
            month=date(2025 - n // 12, 12 - n % 12, 1),
            status=Timesheet.Status.SUBMITTED,
            submitted_at=NOW - timedelta(days=n),
        )
        # The province: a report asked for.
        ReportJob.objects.create(
            province=world.province,
            requested_by=world.staff,
            date_from=date(2026, 1, 1),
            date_to=date(2026, 1, 31),
            expires_at=NOW + timedelta(days=30),
        )
    return world


def sections(response) -> dict[str, int]:
    return {section.key: len(section.items) for section in response.context["work"]}


# --- Query counts: the same for 3 items of each kind as for 30 --------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 30])
def test_the_mediators_home_costs_the_same_queries_for_3_and_30_items(rows, frozen, django_assert_num_queries):
    world = busy_world(rows)
    client = login_client(world.mediator_user)
    # + offers to answer (with their requests' languages); today's and the next days' appointments (the first of
    #   each, with languages, in one query); reports to write; last month's sheet (its lines, with their districts
    #   and the timesheet's status); the profile card (profile and its number of languages), the districts served.
    with django_assert_num_queries(FRAME + 6):
        response = client.get(reverse("home"))
    shown = min(rows, 8)
    assert sections(response) == {
        "offers": shown,
        "today": shown,
        "reports_to_write": shown,
        "timesheets_to_submit": 1,
        "next": shown,
    }
    body = response.content.decode()
    assert "https://www.openstreetmap.org/search?query=Via%20Dante%20134%2C%20Cremona" in body
    assert body.count('name="action" value="accept"') == shown


@pytest.mark.parametrize("rows", [3, 30])
def test_the_social_workers_home_costs_the_same_queries_for_3_and_30_items(rows, frozen, django_assert_num_queries):
    world = busy_world(rows)
    client = login_client(world.social_worker)
    # + questions to answer, drafts, reports to confirm, requests to evaluate, the office's week (each list with its
    #   requests' languages in the same query); the cards' counts (drafts, open requests, colleagues), one query.
    with django_assert_num_queries(FRAME + 6):
        response = client.get(reverse("home"))
    shown = min(rows, 8)
    assert sections(response) == {
        "questions": shown,
        "drafts": shown,
        "reports_to_confirm": shown,
        "to_evaluate": shown,
        "office_week": min(2 * rows, 8),  # today's and the next days'
    }
    assert reverse("requests:create") in response.content.decode()


@pytest.mark.parametrize("rows", [3, 30])
def test_the_coordinators_home_costs_the_same_queries_for_3_and_30_items(rows, frozen, django_assert_num_queries):
    world = busy_world(rows)
    client = login_client(world.coordinator)
    # + the first ids of the requests to decide, to offer, to plan, stalled and to close (one query), then those
    #   requests with their languages; reports to validate; timesheets to approve; the cards' counts (queue and
    #   urgent ones, mediators, qualifications expiring, offices, people, invitations: one query) and the list of
    #   qualifications expiring.
    with django_assert_num_queries(FRAME + 6):
        response = client.get(reverse("home"))
    shown = min(rows, 8)
    assert sections(response) == {
        "decisions": shown,
        "to_offer": shown,
        "to_plan": shown,
        "stalled": shown,
        "reports_to_validate": shown,
        "timesheets_to_approve": shown,
        "to_close": shown,
    }


@pytest.mark.parametrize("rows", [3, 30])
def test_the_province_staffs_home_costs_the_same_queries_for_3_and_30_items(rows, frozen, django_assert_num_queries):
    world = busy_world(rows)
    a_running_project(world)
    aggregates_rebuild()  # the factories wrote the rows behind the services' backs
    client = login_client(world.staff)
    # + the running projects (at most reporting.selectors.HOME_PROJECTS); the monthly aggregates of the month and of
    #   the projects' months so far (the month's figures, each project's month and its sessions' costs); the
    #   projects' budget lines and their expenses (one union);
    #   stalled requests per district; the latest report jobs; the cards' counts (open requests, mediators,
    #   qualifications expiring, districts, offices, people, invitations: one query) and the list of qualifications
    #   expiring.
    with django_assert_num_queries(FRAME + 7):
        response = client.get(reverse("home"))
    day = response.context["province_day"]
    assert day["stalled"] == [
        {"office__district_id": world.district.pk, "office__district__name": world.district.name, "count": rows}
    ]
    assert len(day["jobs"]) == min(rows, 5)
    assert day["figures"]["held"] == 0  # the appointments are planned, none held yet
    # Every request but the drafts was submitted this month: the scheduled one, and per row an offered, a questioned,
    # a completed, a stalled, a not yet offered, an assigned and an evaluated one.
    assert day["figures"]["requests"] == 7 * rows + 1


def test_the_funder_goes_straight_to_the_reporting_dashboard():
    from reporting.models import Project

    province = f.ProvinceFactory()
    funder = f.FunderFactory(provinces=[province])
    Project.objects.create(
        title="Famiglie in-migrazione",
        call="Bando 2011",
        funder=funder,
        lead_province=province,
        starts_on=date(2025, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    response = login_client(f.funder_viewer(funder=funder)).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:dashboard")
    assert login_client(f.funder_viewer(funder=funder)).get(response["Location"]).status_code == 200


def test_a_funder_with_no_project_yet_stays_on_the_home_page():
    viewer = f.funder_viewer(funder=f.FunderFactory(provinces=[f.ProvinceFactory()]))
    assert login_client(viewer).get(reverse("home")).status_code == 200


# --- What the lists say -----------------------------------------------------------------------------------------------


def test_the_mediators_offers_come_nearest_deadline_first_and_are_answered_from_home(frozen):
    world = World()
    later = world.offer(world.request("matching", case_code="LATER-1"), expires_at=NOW + timedelta(hours=30))
    sooner = world.offer(world.request("matching", case_code="SOONER-1"), expires_at=NOW + timedelta(hours=2))
    client = login_client(world.mediator_user)
    offers = client.get(reverse("home")).context["work"][0]
    assert offers.key == "offers"
    assert [item.offer_id for item in offers.items] == [sooner.pk, later.pk]
    response = client.post(reverse("scheduling:offers"), {"offer": sooner.pk, "action": "accept", "next": "home"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    sooner.refresh_from_db()
    assert sooner.status == Offer.Status.ACCEPTED
    # Any other "next" goes back to the offers page: the form never chooses an address.
    response = client.post(
        reverse("scheduling:offers"), {"offer": later.pk, "action": "decline", "next": "https://example.org"}
    )
    assert response["Location"] == reverse("scheduling:offers")


def test_a_question_answered_by_the_office_leaves_the_list(frozen):
    world = World()
    asked = world.request("submitted", case_code="ASKED-1")
    Comment.objects.create(request=asked, author=world.coordinator, body="Quale orario?")
    answered = world.request("submitted", case_code="ANSWERED-1")
    Comment.objects.create(request=answered, author=world.coordinator, body="Quale orario?")
    Comment.objects.create(request=answered, author=world.social_worker, body="Il mattino.")
    work = {s.key: s for s in work_list(actor=actor_for(world.social_worker))}
    assert [item.title.split(" · ")[0] for item in work["questions"].items] == ["ASKED-1"]


def test_the_coordinator_decides_urgent_requests_first(frozen):
    world = World()
    world.request("submitted", case_code="ORDINARY-1")
    world.request("submitted", case_code="URGENT-1", urgency="urgent", deadline=NOW.date() + timedelta(days=2))
    work = {s.key: s for s in work_list(actor=actor_for(world.coordinator))}
    assert [item.title.split(" · ")[0] for item in work["decisions"].items] == ["URGENT-1", "ORDINARY-1"]


def test_nothing_to_do_is_said_in_a_sentence(frozen):
    world = World()
    response = login_client(world.mediator_user).get(reverse("home"))
    assert response.context["work"] == []
    assert 'data-testid="nothing-to-do"' in response.content.decode()


# --- Stalled requests, on a hand-built set ----------------------------------------------------------------------------


def assigned_days_ago(world, case_code, days, status="assigned"):
    request = world.request(status, case_code=case_code, assigned_mediator=world.mediator)
    change = StatusChange.objects.create(
        request=request, from_status="matching", to_status="assigned", by=world.coordinator
    )
    StatusChange.objects.filter(pk=change.pk).update(at=NOW - timedelta(days=days))
    return request


@pytest.fixture
def stalled_set(frozen):
    world = World()
    third = f.MediatorFactory(provider=world.provider, districts=[world.district])
    past = NOW - timedelta(hours=1)
    # Stalled: every offer declined; declined, expired and withdrawn; an offer still open past its deadline.
    declined = world.request("matching", case_code="ALL-DECLINED")
    world.offer(declined, status=Offer.Status.DECLINED, answered_at=past)
    world.offer(declined, mediator=world.other, status=Offer.Status.DECLINED, answered_at=past)
    mixed = world.request("matching", case_code="ALL-REFUSED")
    world.offer(mixed, status=Offer.Status.EXPIRED, expires_at=past)
    world.offer(mixed, mediator=world.other, status=Offer.Status.WITHDRAWN, answered_at=past)
    world.offer(mixed, mediator=third, status=Offer.Status.DECLINED, answered_at=past)
    silent = world.request("matching", case_code="NO-ANSWER", urgency="urgent", deadline=NOW.date())
    world.offer(silent, expires_at=past)
    world.offer(silent, mediator=world.other, status=Offer.Status.DECLINED, answered_at=past)
    # Not stalled, the neighbours: one offer still within its deadline, one queued for the next tier, one accepted,
    # no offer made yet.
    waiting = world.request("matching", case_code="STILL-WAITING")
    world.offer(waiting)
    world.offer(waiting, mediator=world.other, status=Offer.Status.DECLINED, answered_at=past)
    queued = world.request("matching", case_code="NEXT-TIER")
    world.offer(queued, status=Offer.Status.DECLINED, answered_at=past)
    world.offer(queued, mediator=world.other, status=Offer.Status.QUEUED)
    accepted = world.request("matching", case_code="ACCEPTED")
    world.offer(accepted, status=Offer.Status.ACCEPTED, answered_at=past)
    world.request("matching", case_code="NO-OFFER-YET")
    # Assigned: stalled after 3 days without an appointment; not before; never once scheduled.
    assigned_days_ago(world, "ASSIGNED-4-DAYS", 4)
    assigned_days_ago(world, "ASSIGNED-2-DAYS", 2)
    assigned_days_ago(world, "SCHEDULED-LONG-AGO", 10, status="scheduled")
    # Another district's stalled request: not this coordinator's.
    elsewhere = f.MediationRequestFactory(status="matching", case_code="ELSEWHERE")
    world.offer(elsewhere, status=Offer.Status.DECLINED, answered_at=past)
    return world


def stalled_codes(user) -> dict[str, str]:
    return {r.case_code: r.stalled_reason for r in stalled_requests(user=user, now=NOW)}


def test_stalled_requests_are_found_by_each_rule_and_the_neighbours_are_not(stalled_set):
    assert stalled_codes(stalled_set.coordinator) == {
        "ALL-DECLINED": Stalled.ALL_REFUSED,
        "ALL-REFUSED": Stalled.ALL_REFUSED,
        "NO-ANSWER": Stalled.NO_ANSWER,
        "ASSIGNED-4-DAYS": Stalled.NOT_SCHEDULED,
    }


def test_stalled_requests_come_urgent_first(stalled_set):
    codes = [r.case_code for r in stalled_requests(user=stalled_set.coordinator, now=NOW)]
    assert codes[0] == "NO-ANSWER"
    # Then the longest stalled: assigned four days ago before the offers answered an hour ago.
    assert codes[1] == "ASSIGNED-4-DAYS"


def test_the_days_before_an_assigned_request_is_stalled_are_a_setting(stalled_set, settings):
    settings.STALLED_AFTER_DAYS = 1
    assert "ASSIGNED-2-DAYS" in stalled_codes(stalled_set.coordinator)


def test_stalled_requests_are_scoped_like_the_requests(stalled_set):
    assert stalled_codes(f.coordinator()) == {}
    # A mediator sees only the requests assigned to them.
    assert stalled_codes(stalled_set.mediator_user) == {"ASSIGNED-4-DAYS": Stalled.NOT_SCHEDULED}
    assert set(stalled_codes(stalled_set.staff)) == {"ALL-DECLINED", "ALL-REFUSED", "NO-ANSWER", "ASSIGNED-4-DAYS"}


def test_the_coordinators_home_leads_each_stalled_request_to_its_next_step(stalled_set):
    work = {s.key: s for s in work_list(actor=actor_for(stalled_set.coordinator), now=NOW)}
    urls = [item.action_url for item in work["stalled"].items]
    assert any("/candidati/" in url for url in urls) and any("/appuntamenti/" in url for url in urls)


def test_a_role_without_a_work_list_has_none():
    assert work_list(actor=actor_for(f.administrator())) == []
    assert Role.FUNDER_VIEWER  # the funder never reaches the home page (redirected)


def a_running_project(world: World):
    """A project of the world's province over 2025–2026 (730 days), promising 730 sessions and 1,460 hours, with a
    budget of 10,000 € for training of which 2,500 € were spent."""
    from reporting.models import Action, BudgetLine, Project, ProjectExpense, ProjectPartner

    project = Project.objects.create(
        title="Famiglie in-migrazione",
        call="Bando 2011",
        funder=f.FunderFactory(provinces=[world.province]),
        lead_province=world.province,
        starts_on=date(2025, 1, 1),
        ends_on=date(2026, 12, 31),
        target_sessions=730,
        target_hours=1460,
    )
    partner = ProjectPartner.objects.create(project=project, name="Provincia")
    BudgetLine.objects.create(project=project, partner=partner, action=Action.TRAINING, amount=Decimal("10000"))
    ProjectExpense.objects.create(
        project=project,
        partner=partner,
        action=Action.TRAINING,
        spent_on=date(2025, 6, 1),
        amount=Decimal("2500"),
        description="Formazione dei mediatori",
    )
    return project


def test_the_province_staff_see_the_month_against_the_projects_targets_and_the_budget_spent(frozen):
    from reporting.models import ProjectCharge

    world = World()
    project = a_running_project(world)
    charged = world.request("scheduled", assigned_mediator=world.mediator)
    ProjectCharge.objects.create(request=charged, project=project, charged_by=world.coordinator)
    for day in (2, 9):  # two sessions of an hour held in March, one planned later in the month
        world.appointment(charged, datetime(2026, 3, day, 10, tzinfo=ROME), status="held")
    world.appointment(charged, datetime(2026, 3, 25, 10, tzinfo=ROME))
    world.appointment(world.request("scheduled"), datetime(2026, 3, 3, 10, tzinfo=ROME), status="held")  # not charged
    aggregates_rebuild()  # the factories wrote the rows behind the services' backs

    (row,) = login_client(world.staff).get(reverse("home")).context["province_day"]["projects"]

    assert (row["held"], row["hours"]) == (2, Decimal("2"))
    # March is 31 of the project's 730 days: its share of the targets is 31 sessions and 62 hours.
    assert (row["target_held"], row["target_hours"]) == (31, 62)
    assert (row["spent"], row["budget"], row["spent_share"]) == (
        Decimal("2500.00"),
        Decimal("10000.00"),
        Decimal("25.0"),
    )
    # 11 March 2026 is day 435 of 730.
    assert row["time_share"] == Decimal("59.6")


def test_a_project_without_targets_or_already_over_is_not_compared():
    world = World()
    project = a_running_project(world)
    type(project).objects.filter(pk=project.pk).update(target_sessions=None, target_hours=None)
    with time_machine.travel(NOW, tick=False):
        (row,) = login_client(world.staff).get(reverse("home")).context["province_day"]["projects"]
    assert (row["target_held"], row["target_hours"]) == (None, None)
    with time_machine.travel(datetime(2027, 2, 1, 10, tzinfo=ROME), tick=False):
        assert login_client(world.staff).get(reverse("home")).context["province_day"]["projects"] == []


def test_the_coordinator_is_led_to_every_next_step_of_a_request_and_only_once(frozen):
    world = World()
    to_offer = world.request("matching")
    offered = world.request("matching")
    world.offer(offered)
    to_plan = assigned_days_ago(world, "TP-1", 1)
    long_ago = assigned_days_ago(world, "TP-9", 9)
    to_close = world.request("evaluated", assigned_mediator=world.mediator)
    world.request("completed", assigned_mediator=world.mediator)  # the office evaluates it first

    work = {s.key: s for s in login_client(world.coordinator).get(reverse("home")).context["work"]}

    def codes(key):
        return [item.title.split(" · ")[0] for item in work[key].items]

    assert codes("to_offer") == [to_offer.case_code]  # the offered one waits for its answer
    assert codes("to_plan") == [to_plan.case_code]  # assigned nine days ago: stalled, not here
    assert codes("stalled") == [long_ago.case_code]
    assert codes("to_close") == [to_close.case_code]
    assert work["to_offer"].items[0].action_url == reverse("scheduling:candidates", args=[to_offer.pk])
    assert work["to_plan"].items[0].action_url == reverse("scheduling:plan", args=[to_plan.pk])
    assert work["to_close"].items[0].action_url == to_close.get_absolute_url()
