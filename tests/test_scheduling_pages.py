"""The pages of matching and scheduling: candidates and offers (coordinator), "My offers" (mediator), planning,
moving and cancelling appointments."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import actor_for
from mediators.models import Mediator
from requests_app.models import ProposedSlot
from scheduling import services as scheduling_services
from scheduling.models import Appointment, Offer

from . import factories as f
from .conftest import login_client
from .test_scheduling import ROME, next_weekday


@pytest.fixture
def world(db):
    province = f.ProvinceFactory(slug="cremona")
    district = f.DistrictFactory(province=province, name="Cremona")
    office = f.OfficeFactory(district=district)
    provider = f.ProviderFactory(province=province)
    coordinator = f.coordinator(district=district)
    request = f.MediationRequestFactory(office=office, status="matching", languages=["ara:Darija"])
    mediators = [_mediator(provider, district, i) for i in range(2)]
    return {
        "province": province,
        "district": district,
        "office": office,
        "provider": provider,
        "coordinator": coordinator,
        "request": request,
        "m": mediators,
    }


def _mediator(provider, district, i, **kwargs):
    user = f.mediator(provider=provider, districts=[district], email=f"med{i}@example.org")
    return f.MediatorFactory(
        provider=provider, districts=[district], user=user, email=user.email, languages=["ara"], **kwargs
    )


def candidates_url(request):
    return reverse("scheduling:candidates", args=[request.pk])


def offer_both(world):
    m0, m1 = world["m"]
    return login_client(world["coordinator"]).post(
        candidates_url(world["request"]),
        {
            "action": "offer",
            "mediator": [m0.pk, m1.pk],
            f"tier_{m0.pk}": "1",
            f"tier_{m1.pk}": "1",
            "answer_within_hours": "24",
            "next_tier_after_hours": "24",
        },
    )


def test_the_coordinator_sees_the_candidates_with_their_reasons(world):
    page = login_client(world["coordinator"]).get(candidates_url(world["request"])).content.decode()
    assert world["m"][0].full_name in page and world["m"][1].full_name in page
    assert "parla arabo" in page.lower() or "arabo" in page.lower()


def test_a_coordinator_offers_to_two_the_first_accepts_on_my_offers_and_the_other_is_withdrawn(world):
    assert offer_both(world).status_code == 302
    request = world["request"]
    assert sorted(request.offers.values_list("status", flat=True)) == ["open", "open"]
    m0, m1 = world["m"]
    mediator = login_client(m0.user)
    page = mediator.get(reverse("scheduling:offers")).content.decode()
    assert "Offerta" in page and request.case_code in page
    offer = request.offers.get(mediator=m0)
    assert mediator.post(reverse("scheduling:offers"), {"offer": offer.pk, "action": "accept"}).status_code == 302
    request.refresh_from_db()
    assert request.status == "assigned" and request.assigned_mediator == m0
    assert request.offers.get(mediator=m1).status == Offer.Status.WITHDRAWN
    # The winner's past offer leads to the request, which is now theirs to read.
    assert request.get_absolute_url() in mediator.get(reverse("scheduling:offers")).content.decode()
    assert mediator.get(request.get_absolute_url()).status_code == 200
    past = login_client(m1.user).get(reverse("scheduling:offers")).content.decode()
    assert request.get_absolute_url() not in past
    assert "Ritirata" in past or "Ritirato" in past or "Withdrawn" in past


def test_a_mediator_declines_with_a_reason(world):
    offer_both(world)
    m0 = world["m"][0]
    offer = world["request"].offers.get(mediator=m0)
    login_client(m0.user).post(
        reverse("scheduling:offers"), {"offer": offer.pk, "action": "decline", "reason": "Ferie"}
    )
    offer.refresh_from_db()
    assert offer.status == Offer.Status.DECLINED and offer.decline_reason == "Ferie"


def test_a_mediator_cannot_answer_another_mediators_offer(world):
    offer_both(world)
    offer = world["request"].offers.get(mediator=world["m"][0])
    response = login_client(world["m"][1].user).post(
        reverse("scheduling:offers"), {"offer": offer.pk, "action": "accept"}
    )
    assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.status == Offer.Status.OPEN


def test_the_coordinator_records_an_acceptance_by_phone(world):
    offer_both(world)
    offer = world["request"].offers.get(mediator=world["m"][1])
    client = login_client(world["coordinator"])
    assert client.post(candidates_url(world["request"]), {"action": "phone", "offer": offer.pk}).status_code == 302
    offer.refresh_from_db()
    assert offer.status == Offer.Status.ACCEPTED and offer.by_phone and offer.recorded_by == world["coordinator"]
    world["request"].refresh_from_db()
    assert world["request"].status == "assigned"


def test_the_coordinator_withdraws_an_offer(world):
    offer_both(world)
    offer = world["request"].offers.get(mediator=world["m"][0])
    login_client(world["coordinator"]).post(candidates_url(world["request"]), {"action": "withdraw", "offer": offer.pk})
    offer.refresh_from_db()
    assert offer.status == Offer.Status.WITHDRAWN


def test_bad_offer_input_is_a_message_not_a_500(world):
    client = login_client(world["coordinator"])
    for data in (
        {"action": "offer"},
        {"action": "offer", "mediator": ["abc", "999999"], "answer_within_hours": "x"},
        {"action": "offer", "mediator": [world["m"][0].pk], "answer_within_hours": "0", "next_tier_after_hours": "1"},
        {"action": "phone", "offer": "nope"},
        {"action": "explode"},
    ):
        response = client.post(candidates_url(world["request"]), data)
        assert response.status_code == 400, data
        assert "alert-danger" in response.content.decode()
    assert not world["request"].offers.exists()


def test_the_lookup_says_why_a_mediator_is_not_listed(world):
    crema = f.DistrictFactory(province=world["province"], name="Crema")
    crema_only = f.MediatorFactory(provider=world["provider"], districts=[crema], languages=["ara"])
    admin = f.administrator()
    page = login_client(admin).get(candidates_url(world["request"]) + f"?why={crema_only.pk}").content.decode()
    assert "non opera nell&#x27;ambito di Cremona" in page or "does not serve Cremona" in page


def test_planning_from_a_proposed_slot_moves_the_request_to_scheduled(world):
    request = world["request"]
    scheduling_services.offer_accept(
        offer=scheduling_services.offers_create(
            actor=actor_for(world["coordinator"]), request=request, tiers=[[world["m"][0]]]
        )[0],
        by=world["m"][0].user,
    )
    start = next_weekday(1, 10)
    slot = ProposedSlot.objects.create(request=request, starts_at=start, ends_at=start + timedelta(hours=1))
    client = login_client(world["coordinator"])
    response = client.post(reverse("scheduling:plan", args=[request.pk]), {"slot": slot.pk})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "scheduled"
    appointment = Appointment.objects.get(request=request)
    assert appointment.starts_at == start and response["Location"] == appointment.get_absolute_url()
    page = client.get(reverse("scheduling:plan", args=[request.pk])).content.decode()
    assert appointment.get_absolute_url() in page


def test_an_overlap_is_a_message_on_the_form(world):
    request = world["request"]
    m0 = world["m"][0]
    scheduling_services.offer_accept(
        offer=scheduling_services.offers_create(actor=actor_for(world["coordinator"]), request=request, tiers=[[m0]])[
            0
        ],
        by=m0.user,
    )
    client = login_client(world["coordinator"])
    day = timezone.localdate() + timedelta(days=5)
    data = {"date": day.isoformat(), "time": "10:00", "duration": "60", "mode": "phone", "place": ""}
    assert client.post(reverse("scheduling:plan", args=[request.pk]), data).status_code == 302
    response = client.post(reverse("scheduling:plan", args=[request.pk]), {**data, "time": "10:30"})
    assert response.status_code == 400
    assert "plan-error" in response.content.decode()
    assert Appointment.objects.filter(request=request).count() == 1
    appointment = Appointment.objects.get(request=request)
    assert appointment.starts_at.astimezone(ROME).hour == 10


@pytest.mark.parametrize(
    "data",
    [
        {"date": "31/02/2026", "time": "10:00", "duration": "60", "mode": "phone"},
        {"date": "2030-01-10", "time": "25:00", "duration": "60", "mode": "phone"},
        {"date": "2030-01-10", "time": "10:00", "duration": "abc", "mode": "phone"},
        {"date": "2030-01-10", "time": "10:00", "duration": "60", "mode": "teleport"},
        {"date": "2000-01-10", "time": "10:00", "duration": "60", "mode": "phone"},
        {"slot": "999999"},
    ],
)
def test_bad_appointment_input_is_a_message_not_a_500(world, data):
    request = world["request"]
    m0 = world["m"][0]
    scheduling_services.offer_accept(
        offer=scheduling_services.offers_create(actor=actor_for(world["coordinator"]), request=request, tiers=[[m0]])[
            0
        ],
        by=m0.user,
    )
    response = login_client(world["coordinator"]).post(reverse("scheduling:plan", args=[request.pk]), data)
    assert response.status_code == 400
    assert not Appointment.objects.exists()


def _scheduled(world):
    request = world["request"]
    m0 = world["m"][0]
    scheduling_services.offer_accept(
        offer=scheduling_services.offers_create(actor=actor_for(world["coordinator"]), request=request, tiers=[[m0]])[
            0
        ],
        by=m0.user,
    )
    start = timezone.now() + timedelta(days=3)
    return scheduling_services.appointment_create(
        actor=actor_for(world["coordinator"]), request=request, starts_at=start, ends_at=start + timedelta(hours=1)
    )


def test_the_coordinator_moves_cancels_and_voids_an_appointment(world):
    appointment = _scheduled(world)
    client = login_client(world["coordinator"])
    url = appointment.get_absolute_url()
    day = timezone.localdate() + timedelta(days=6)
    no_reason = client.post(url, {"action": "reschedule", "date": day.isoformat(), "time": "09:00", "duration": "60"})
    assert no_reason.status_code == 400 and "appointment-error" in no_reason.content.decode()
    moved = client.post(
        url, {"action": "reschedule", "date": day.isoformat(), "time": "09:00", "duration": "90", "reason": "Malattia"}
    )
    assert moved.status_code == 302
    appointment.refresh_from_db()
    local = appointment.starts_at.astimezone(ROME)
    assert (local.date(), local.hour, appointment.ends_at - appointment.starts_at) == (day, 9, timedelta(minutes=90))
    assert client.post(url, {"action": "void", "reason": "Inserito per errore"}).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.VOID
    assert client.post(url, {"action": "cancel", "reason": "Di nuovo"}).status_code == 400


def test_the_office_cannot_manage_an_appointment_from_its_page(world):
    appointment = _scheduled(world)
    worker = f.social_worker(office=world["office"])
    assert (
        login_client(worker).post(appointment.get_absolute_url(), {"action": "void", "reason": "x"}).status_code == 403
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.PLANNED


# --- Query counts -----------------------------------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("n", [3, 30])
def test_the_candidates_page_runs_a_fixed_number_of_queries(world, n):
    for i in range(2, n):
        _mediator(world["provider"], world["district"], i)
    everyone = list(Mediator.objects.all())
    scheduling_services.offers_create(
        actor=actor_for(world["coordinator"]), request=world["request"], tiers=[everyone[: n // 2]]
    )
    client = login_client(world["coordinator"])
    url = candidates_url(world["request"]) + f"?why={everyone[-1].pk}"
    client.get(url)  # warm the session and the caches
    assert _count(client, url) == CANDIDATES_PAGE_QUERIES


@pytest.mark.parametrize("n", [3, 30])
def test_my_offers_runs_a_fixed_number_of_queries(world, n):
    m0 = world["m"][0]
    for _ in range(n):
        request = f.MediationRequestFactory(office=world["office"], status="matching", languages=["ara"])
        scheduling_services.offers_create(actor=actor_for(world["coordinator"]), request=request, tiers=[[m0]])
    client = login_client(m0.user)
    client.get(reverse("scheduling:offers"))
    assert _count(client, reverse("scheduling:offers")) == MY_OFFERS_QUERIES


def test_my_offers_reads_languages_and_times_only_for_the_offers_still_open(world):
    m0 = world["m"][0]
    for _ in range(5):
        request = f.MediationRequestFactory(office=world["office"], status="matching", languages=["ara"])
        scheduling_services.offers_create(actor=actor_for(world["coordinator"]), request=request, tiers=[[m0]])
    Offer.objects.filter(mediator=m0).update(status=Offer.Status.DECLINED)
    client = login_client(m0.user)
    client.get(reverse("scheduling:offers"))
    assert _count(client, reverse("scheduling:offers")) == MY_OFFERS_QUERIES - 2
    Offer.objects.filter(pk=Offer.objects.filter(mediator=m0).order_by("pk").first().pk).update(
        status=Offer.Status.OPEN
    )
    page = client.get(reverse("scheduling:offers"))
    (shown,) = page.context["open_offers"]
    assert [x.code for x in shown.request.language_list] == ["ara"]
    assert len(page.context["past_offers"]) == 4


# Each page of a logged-in user after the first: the user, whatever the page (the memberships, with the role, what it
# reaches and the header's switch, the session and the unread count come from the shared cache).
BASE_QUERIES = 1
# The candidates page: the request, its languages and proposed slots (together), its offers with their mediators,
# the candidates (every condition in one query) and their languages, the roster of the lookup, the lookup's
# conditions; the box charging the request to a funded project: its charge and the projects it may go to.
CANDIDATES_PAGE_QUERIES = BASE_QUERIES + 9
# "My offers": the offers with their requests, offices and districts, their languages, their proposed slots.
MY_OFFERS_QUERIES = BASE_QUERIES + 3
