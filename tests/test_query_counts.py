"""List pages run a fixed number of queries, the same for 3 rows as for 30."""

import pytest
from django.test import Client
from django.urls import reverse

from . import factories as f

pytestmark = pytest.mark.django_db

# Every logged-in page starts with these and ends with the session save (SESSION_SAVE_EVERY_REQUEST):
# session, user, the user's current membership ... the unread notifications counter in the header ... savepoint,
# session update, release savepoint.
FRAME = 3 + 1 + 3


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
    client = coordinator_client(district_with(rows))
    # + count for the paginator, the roles in the header switch, the page of roles, their districts,
    #   the pending invitations, their districts.
    with django_assert_num_queries(FRAME + 6):
        response = client.get(reverse("accounts:people"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 2 * rows + 1


@pytest.mark.parametrize("rows", [3, 30])
def test_organisations_page_queries_do_not_grow_with_rows(rows, django_assert_num_queries):
    client = coordinator_client(district_with(rows))
    # + the roles in the header, provinces, their districts, the districts' offices, providers.
    #   (Funders are none of a coordinator's business: an empty queryset costs no query.)
    with django_assert_num_queries(FRAME + 5):
        response = client.get(reverse("accounts:organisations"))
    assert response.status_code == 200
    assert len(response.context["provinces"][0].districts.all()[0].offices.all()) == 2 * rows


@pytest.mark.parametrize("rows", [3, 30])
def test_coordinator_home_queries_do_not_grow_with_rows(rows, django_assert_num_queries):
    client = coordinator_client(district_with(rows))
    # + the roles in the header; the requests waiting in the queue (one count for all and urgent ones); active
    #   mediators (count), qualifications expiring (count, and the list below the cards); one count per
    #   organisation card (offices, people, invitations).
    with django_assert_num_queries(FRAME + 8):
        response = client.get(reverse("home"))
    assert response.status_code == 200


def request_with(rows: int):
    """A scheduled request of a district with ``rows`` offers (one per mediator) and ``rows`` appointments."""
    from datetime import timedelta

    from django.utils import timezone

    from requests_app.models import Appointment, Offer

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
    #   proposed times, history (with who), comments (with authors); the offers (with their mediators); the
    #   appointments (with their mediators); the roles in the header; the read audit's row.
    with django_assert_num_queries(FRAME + 10):
        response = client.get(reverse("requests:detail", args=[request.pk]))
    assert response.status_code == 200
    assert len(response.context["summary_offers"]) == rows
    assert len(response.context["summary_appointments"]) == rows
