"""List pages run a fixed number of queries, the same for 3 rows as for 30."""

import pytest
from django.test import Client
from django.urls import reverse

from . import factories as f

pytestmark = pytest.mark.django_db

# Every logged-in page reads the user and the user's active memberships (the current role, what it reaches and the
# header's switch of roles, in one query); the first page after a login also counts the unread notifications of the
# header, which the shared cache keeps for the next pages. The session itself comes from that cache and is written
# only when it changed (tests/test_fixed_queries.py pins all this).
FRAME = 2 + 1
# A page after the first: the user (the memberships and the counter come from the shared cache).
WARM_FRAME = 1


def district_with(rows: int):
    district = f.DistrictFactory()
    provider = f.ProviderFactory(province=district.province)
    for _ in range(rows):
        f.social_worker(office=f.OfficeFactory(district=district))
        f.mediator(provider=provider, districts=[district])
        f.InvitationFactory(office=f.OfficeFactory(district=district))
    return district


def coordinator_client(district) -> Client:
    client = Client()
    client.force_login(f.coordinator(district=district))
    return client


@pytest.mark.parametrize("rows", [3, 30])
def test_people_page_queries_do_not_grow_with_rows(rows, django_assert_num_queries):
    district = district_with(rows)
    client = coordinator_client(district)
    # + count for the paginator, the page of roles with their districts, the pending invitations (their place is the
    #   office, district or provider joined to each: their districts are not shown).
    with django_assert_num_queries(FRAME + 3):
        response = client.get(reverse("accounts:people"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 2 * rows + 1
    mediators = [m for m in response.context["page"].object_list if m.role == "mediator"]
    assert mediators and all([d.name for d in m.district_list] == [district.name] for m in mediators)


@pytest.mark.parametrize("rows", [3, 30])
def test_organisations_page_queries_do_not_grow_with_rows(rows, django_assert_num_queries):
    client = coordinator_client(district_with(rows))
    # + provinces, their districts, the districts' offices, providers.
    #   (Funders are none of a coordinator's business: an empty queryset costs no query.)
    with django_assert_num_queries(FRAME + 4):
        response = client.get(reverse("accounts:organisations"))
    assert response.status_code == 200
    assert len(response.context["provinces"][0].districts.all()[0].offices.all()) == 2 * rows


@pytest.mark.parametrize("rows", [3, 30])
def test_coordinator_home_queries_do_not_grow_with_rows(rows, django_assert_num_queries):
    client = coordinator_client(district_with(rows))
    # + the work list (the ids of the requests to decide, to offer, to plan, stalled and to close in one query, and
    #   no second one here since there are none; reports to validate; timesheets to approve: see
    #   tests/test_home_work.py); every card's count in one query (the queue and its urgent requests, active
    #   mediators, qualifications expiring, offices, people, invitations); the list of qualifications expiring.
    with django_assert_num_queries(FRAME + 5):
        response = client.get(reverse("home"))
    assert response.status_code == 200


def request_with(rows: int):
    """A scheduled request of a district with ``rows`` offers (one per mediator) and ``rows`` appointments."""
    from datetime import timedelta

    from django.utils import timezone

    from scheduling.models import Appointment, Offer

    district = f.DistrictFactory()
    provider = f.ProviderFactory(province=district.province)
    coordinator = f.coordinator(district=district)
    mediators = [f.MediatorFactory(provider=provider, districts=[district]) for _ in range(rows)]
    request = f.MediationRequestFactory(
        office=f.OfficeFactory(district=district), status="scheduled", assigned_mediator=mediators[0]
    )
    now = timezone.now()
    for number, mediator in enumerate(mediators):
        Offer.objects.create(
            request=request,
            mediator=mediator,
            status=Offer.Status.ACCEPTED if number == 0 else Offer.Status.DECLINED,
            release_at=now - timedelta(days=30),
            expires_at=now - timedelta(days=28),
            answered_at=now - timedelta(days=29),
            created_by=coordinator,
        )
        starts = now + timedelta(days=number + 1)
        Appointment.objects.create(
            request=request,
            mediator=mediators[0],
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            status="cancelled" if number % 3 == 0 else "planned",
            created_by=coordinator,
        )
    return request, coordinator


@pytest.mark.parametrize("rows", [3, 30])
def test_request_page_queries_do_not_grow_with_offers_and_appointments(rows, django_assert_num_queries):
    request, coordinator = request_with(rows)
    client = Client()
    client.force_login(coordinator)
    # + the request with its office, district, province, requester and copy's source; its languages, countries,
    #   proposed times, history (with who) and comments (with authors) together (core/together.py); the offers (with
    #   their mediators); the appointments (with their mediators); the read audit's row.
    with django_assert_num_queries(FRAME + 5):
        response = client.get(reverse("requests:detail", args=[request.pk]))
    assert response.status_code == 200
    assert len(response.context["summary_offers"]) == rows
    assert len(response.context["summary_appointments"]) == rows


def _queries(client, url) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_the_request_page_reads_the_thread_only_for_those_who_read_it():
    from requests_app.models import Comment

    request, coordinator = request_with(3)
    Comment.objects.create(request=request, author=coordinator, body="La famiglia preferisce il pomeriggio.")
    url = reverse("requests:detail", args=[request.pk])
    staff = Client()
    staff.force_login(f.province_staff(province=request.office.district.province))
    coordinators = Client()
    coordinators.force_login(coordinator)
    assert not any('"requests_app_comment"' in sql for sql in _queries(staff, url))
    assert any('"requests_app_comment"' in sql for sql in _queries(coordinators, url))
    assert "preferisce il pomeriggio" not in staff.get(url).content.decode()
    assert "preferisce il pomeriggio" in coordinators.get(url).content.decode()


def test_the_assigned_mediators_request_page_reads_the_mediator_with_the_request_and_shows_the_notes():
    from mediators.models import Mediator

    request, _coordinator = request_with(3)
    user = f.mediator(provider=request.assigned_mediator.provider, districts=[request.office.district])
    Mediator.objects.filter(pk=request.assigned_mediator_id).update(user=user)
    request.sensitive_notes = "Il padre non legge l'italiano."
    request.save(update_fields=["sensitive_notes"])
    client = Client()
    client.force_login(user)
    url = reverse("requests:detail", args=[request.pk])
    queries = _queries(client, url)
    # Joined to the request, not read after it by a query of its own.
    assert not any(sql.startswith('SELECT "mediators_mediator"') for sql in queries)
    assert not any('"requests_app_comment"' in sql for sql in queries)  # a mediator is not in the thread
    assert "non legge l&#x27;italiano" in client.get(url).content.decode()


# --- Session reports and evaluations ----------------------------------------------------------------------------------


def reports_world(rows: int):
    """One district with ``rows`` mediators, each with a submitted report, a past appointment still to report and
    a completed request the office evaluated."""
    from accounts.scoping import actor_for
    from sessions_app import services as report_services

    from .report_factories import make_world, past_appointment, validated, write

    world = make_world()
    provider = world.mediator.provider
    for _ in range(rows):
        user = f.mediator(provider=provider, districts=[world.district])
        mediator = f.MediatorFactory(provider=provider, districts=[world.district], user=user, email=user.email)
        # Two requests per mediator, their sessions on different days: a mediator is never in two places at once
        # (PostgreSQL's exclusion constraint refuses it).
        for n, status in enumerate(("scheduled", "scheduled")):
            world.request = f.MediationRequestFactory(
                office=world.office, requester=world.social_worker, status=status, assigned_mediator=mediator
            )
            world.mediator_user = user
            world.appointments = [past_appointment(world.request, days_ago=3 + 10 * n)]
            if world.request.pk % 2:
                write(world)
                past_appointment(world.request, days_ago=6 + 10 * n)
            else:
                validated(world)
                world.request.refresh_from_db()
                report_services.evaluation_save(
                    actor=actor_for(world.social_worker),
                    request=world.request,
                    side="requester",
                    scores={c.pk: (4, "") for c in world.province.evaluation_criteria.all()},
                )
    return world


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("role", ["coordinator", "social_worker", "mediator", "province_staff"])
def test_reports_page_queries_do_not_grow_with_rows(rows, role, django_assert_num_queries):
    world = reports_world(rows)
    user = {
        "coordinator": world.coordinator,
        "social_worker": world.social_worker,
        "mediator": world.mediator_user,
        "province_staff": f.province_staff(province=world.province),
    }[role]
    client = Client()
    client.force_login(user)
    client.get(reverse("sessions:reports"))  # the first page after the login reads the roles and the counter
    # + one query per list of the role: coordinators the reports to write (two: the ids of the first ones, read from
    #   the small indexes of appointments still planned or cancelled late and of draft or sent-back reports; then
    #   the appointments with request, office, district, mediator and report) and to validate, social workers those
    #   to confirm and
    #   the requests to evaluate, mediators those to write, waiting and to evaluate, province staff those to
    #   validate; everyone the recently validated ones (reports with appointment, request, office, district and
    #   mediator).
    extra = {"coordinator": 4, "social_worker": 3, "mediator": 4, "province_staff": 2}[role]
    with django_assert_num_queries(WARM_FRAME + extra):
        response = client.get(reverse("sessions:reports"))
    assert response.status_code == 200
    lists = response.context["lists"]
    if role == "coordinator":
        # The first request's own appointment has no report either.
        assert (len(lists["to_write"]), len(lists["to_validate"]), len(lists["recent"])) == (
            rows + 1,
            rows,
            min(rows, 20),
        )
    if role == "social_worker":
        assert len(lists["to_confirm"]) == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_evaluation_averages_queries_do_not_grow_with_mediators(rows, django_assert_num_queries):
    world = reports_world(rows)
    client = Client()
    client.force_login(world.coordinator)
    client.get(reverse("sessions:evaluation_averages"))  # the first page after the login: the roles, the counter
    # + the count of the district's mediators; a page of them (with their providers); the criteria of their
    #   provinces; the average per mediator, side and criterion; the number of evaluations per mediator and side.
    with django_assert_num_queries(WARM_FRAME + 5):
        response = client.get(reverse("sessions:evaluation_averages"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == rows + 1
    assert len(response.context["rows"]) == min(rows + 1, 25)
    evaluations = sum(row["evaluations"] for row in response.context["rows"])
    if rows > 25:
        with django_assert_num_queries(WARM_FRAME + 5):
            last = client.get(reverse("sessions:evaluation_averages"), {"page": 2})
        assert len(last.context["rows"]) == rows + 1 - 25
        evaluations += sum(row["evaluations"] for row in last.context["rows"])
    assert evaluations == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_read_audit_page_queries_do_not_grow_with_rows(rows, django_assert_num_queries):
    from audit.models import ReadEvent

    district = f.DistrictFactory()
    for n in range(rows):
        ReadEvent.objects.create(
            user=f.coordinator(district=district),
            role="coordinator",
            kind=ReadEvent.Kind.REQUEST if n % 2 else ReadEvent.Kind.EXPORT,
            object_type="requests_app.mediationrequest" if n % 2 else "",
            object_id=n if n % 2 else None,
            what="" if n % 2 else "mediators.roster.csv",
            province=district.province,
            path_hash="0" * 64,
        )
    client = Client()
    client.force_login(f.province_staff(province=district.province))
    # + the page of entries with their readers and provinces (and one more, to know there is a next page), and
    #   their count, up to 1,000, in the same query (core.pagination).
    with django_assert_num_queries(FRAME + 1):
        response = client.get(reverse("audit:list"), {"kind": "", "who": "persona"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == rows
    assert response.context["page"].count == rows
