"""The region benchmark (bench/region.py, bench/catalogue.py, bench/bare.py) at a tiny scale, so that it does not rot:
its rows hold together the way the portal's services would have written them, and every page it measures answers
its role. PostgreSQL only (COPY, the exclusion constraint): skipped on SQLite."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import override_settings

from accounts.models import Membership, Role
from bench import catalogue, region
from bench.pgcopy import Table
from notifications.models import Notification
from requests_app.models import MediationRequest, StatusChange
from scheduling.models import Appointment, Offer
from sessions_app.models import Evaluation, SessionReport
from timesheets.models import Timesheet

from .conftest import login_client, shared_world

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="the region benchmark needs PostgreSQL"
)

NOW = dt.datetime(2026, 12, 3, 15, 0, tzinfo=ZoneInfo("Europe/Rome"))
REQUESTS = 1500


@pytest.fixture(scope="module")
def _region(django_db_setup, django_db_blocker):
    """A tiny region, filled once for the module with every foreign key checked (the test's transaction)."""
    with time_machine.travel(NOW, tick=True), shared_world(django_db_blocker):
        timings = region.fill(requests=REQUESTS, mediators=60, now=NOW, chunk=500, say=lambda *_: None)
        # Foreign keys are checked at commit, which a test never reaches: check them now.
        connection.check_constraints()
        yield timings


@pytest.fixture
def filled(_region, db):
    with time_machine.travel(NOW, tick=True):
        yield _region


def test_the_region_has_its_requests_over_ten_years(filled):
    assert MediationRequest.objects.count() == REQUESTS
    years = set(MediationRequest.objects.exclude(submitted_at=None).values_list("submitted_at__year", flat=True))
    assert years == set(range(2016, 2027))
    first = MediationRequest.objects.order_by("submitted_at").values_list("submitted_at", flat=True).first()
    assert dt.timedelta(days=3650) <= NOW - first <= dt.timedelta(days=3660)
    assert filled["requests_app_mediationrequest"][0] == REQUESTS


def test_every_role_has_a_user_and_the_bench_users_exist(filled):
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    world = catalogue.find_world(NOW.date())
    roles = {role: user.active_membership.role for role, user in world.users.items()}
    assert roles == {role: role for role in world.users}


def test_no_mediator_is_in_two_live_appointments_at_once(filled):
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM scheduling_appointment a JOIN scheduling_appointment b
               ON a.mediator_id = b.mediator_id AND a.id < b.id
               AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
               WHERE a.status NOT IN ('cancelled', 'void') AND b.status NOT IN ('cancelled', 'void')"""
        )
        assert cursor.fetchone()[0] == 0
    assert Appointment.objects.count() > REQUESTS


def test_appointments_are_by_mediators_serving_the_district_of_the_request(filled):
    strangers = Appointment.objects.exclude(mediator__districts=models_district()).count()
    assert strangers == 0


def models_district():
    from django.db.models import F

    return F("request__office__district")


def test_each_request_lived_its_statuses_in_order(filled):
    for request in MediationRequest.objects.exclude(status="draft").prefetch_related("history")[:300]:
        steps = list(request.history.all())
        assert steps[0].from_status == "draft" and steps[0].to_status == "submitted"
        assert [s.to_status for s in steps[:-1]] == [s.from_status for s in steps[1:]]
        assert steps[-1].to_status == request.status
        assert [s.at for s in steps] == sorted(s.at for s in steps)


def test_assigned_requests_have_the_accepted_offer_of_their_mediator(filled):
    assigned = MediationRequest.objects.exclude(assigned_mediator=None)
    accepted = Offer.objects.filter(status="accepted")
    assert assigned.count() == accepted.count() > 0
    assert not accepted.exclude(mediator_id=models_assigned()).exists()


def models_assigned():
    from django.db.models import F

    return F("request__assigned_mediator_id")


def test_finished_lives_have_validated_reports_and_evaluations(filled):
    evaluated = MediationRequest.objects.filter(status__in=["evaluated", "closed"])
    assert evaluated.exists()
    assert Evaluation.objects.filter(side="requester").count() == evaluated.count()
    assert not SessionReport.objects.filter(
        appointment__request__in=evaluated, status__in=["draft", "submitted", "confirmed"]
    ).exists()
    assert not SessionReport.objects.filter(appointment__status__in=["planned", "cancelled"]).exists()


def test_timesheets_cover_past_months_of_held_sessions_once(filled):
    assert Timesheet.objects.exists()
    assert not Timesheet.objects.filter(month__gte=NOW.date().replace(day=1)).exists()
    assert not Timesheet.objects.filter(status="approved", approved_by=None).exists()


def test_requests_finished_more_than_five_years_ago_are_anonymised(filled):
    finished = MediationRequest.objects.filter(status__in=["closed", "cancelled"])
    old = finished.filter(updated_at__lt=NOW - dt.timedelta(days=5 * 366))
    assert old.exists()
    assert not old.exclude(case_code__startswith="ANON-").exists()
    assert not StatusChange.objects.filter(request__in=old).exclude(reason="").exists()


def test_a_database_with_rows_is_refused_unless_reused(filled):
    with pytest.raises(region.RefusedDatabase, match="holds rows already"):
        region.check_database()
    region.check_database(reuse=True)


def test_a_column_the_generator_does_not_name_gets_the_model_default(filled):
    table = Table(Notification, ["id", "recipient_id", "kind", "created_at"])
    filled_in = dict(zip(table.columns[4:], table.constants, strict=True))
    assert set(filled_in) == {"details", "delivery"}  # NOT NULL without a database default
    assert filled_in["delivery"] == ""
    assert table.next_id > Notification.objects.order_by("-pk").values_list("pk", flat=True).first()


def test_every_page_of_the_bench_answers_its_role_and_so_does_its_bare_view(filled):
    world = catalogue.find_world(NOW.date())
    assert world.request and world.report and world.series and world.project
    if world.matching is None:
        # Ten years of a tiny region leave nobody looking for a mediator today: one of the district's requests is.
        world.matching = MediationRequest.objects.filter(office__district=world.district).last()
        world.matching.status = "matching"
        world.matching.save(update_fields=["status"])
    pages = catalogue.pages(world)
    assert {page.role for page in pages} == set(catalogue.USERS)
    clients = {role: login_client(user) for role, user in world.users.items()}
    answers = {(page.role, page.name): clients[page.role].get(page.url).status_code for page in pages}
    assert answers == {key: 200 for key in answers}
    with override_settings(ROOT_URLCONF="bench.urls"):
        bare = {page.bare_url: clients[page.role].get(page.bare_url) for page in pages if page.bare_url}
    assert {url: response.status_code for url, response in bare.items()} == {url: 200 for url in bare}
    # A detail page's bare view reads the rows the page shows: the request and each of its lists.
    request = world.request
    shown = (
        1
        + sum(
            manager.count()
            for manager in (request.countries, request.slots, request.history, request.comments, request.offers)
        )
        + request.appointments.count()
    )
    assert int(bare[f"/bench/bare/request/?id={request.pk}"]["X-Rows"]) == shown


def test_the_candidates_bare_view_ranks_the_mediators_as_the_page_does(filled):
    """The candidates page shows the best 20 of its ranking: its bare view ranks them in SQL, the same ones in the
    same order, for every request of the district still looking for a mediator (one language each, no variant)."""
    from django.db import connection

    from bench.bare import QUERIES
    from scheduling.shortlist import top_candidates

    world = catalogue.find_world(NOW.date())
    requests = list(MediationRequest.objects.filter(office__district=world.district).order_by("-pk")[:40])
    compared = 0
    for request in requests:
        if request.languages.exclude(variant="").exists() or request.languages.count() != 1:
            continue
        request.status = "matching"
        request.save(update_fields=["status"])
        shortlist = top_candidates(user=world.users["coordinator"], request=request, limit=20)
        page = [candidate.mediator.pk for candidate in shortlist.candidates]
        with connection.cursor() as cursor:
            cursor.execute(QUERIES["candidates"], {"request": request.pk, "now": NOW})
            bare = [row[0] for row in cursor.fetchall()[:20]]
        assert bare == page, request.pk
        compared += bool(page)
    assert compared >= 3
