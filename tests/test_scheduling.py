"""Offers and appointments: the right mediator, booked once, never twice."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import actor_for
from core.errors import DomainError, NotAllowed
from requests_app.models import MediationRequest, StatusChange
from scheduling import services as scheduling_services
from scheduling.models import Appointment, Offer
from scheduling.offer_links import make_token

from . import factories as f

ROME = ZoneInfo("Europe/Rome")


def next_weekday(weekday: int, hour: int, minute: int = 0) -> datetime:
    today = timezone.localdate()
    days = (weekday - today.weekday()) % 7 or 7
    day = today + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME)


@pytest.fixture
def world(db):
    province = f.ProvinceFactory(slug="cremona")
    district = f.DistrictFactory(province=province, name="Cremona")
    office = f.OfficeFactory(district=district)
    provider = f.ProviderFactory(province=province)
    coordinator = f.coordinator(district=district)
    request = f.MediationRequestFactory(office=office, status="matching", languages=["ara:Darija"])
    mediators = []
    for i in range(3):
        user = f.mediator(provider=provider, districts=[district], email=f"med{i}@example.org")
        mediators.append(
            f.MediatorFactory(provider=provider, districts=[district], user=user, email=user.email, languages=["ara"])
        )
    return {"district": district, "office": office, "coordinator": coordinator, "request": request, "m": mediators}


def offer_to(world, *tiers, **kwargs):
    return scheduling_services.offers_create(
        actor=actor_for(world["coordinator"]), request=world["request"], tiers=[list(t) for t in tiers], **kwargs
    )


# --- Offers -----------------------------------------------------------------------------------------------------------


def test_offers_go_out_in_tiers_and_never_look_like_a_booking(world, django_capture_on_commit_callbacks):
    m = world["m"]
    with django_capture_on_commit_callbacks(execute=True):
        offers = offer_to(world, [m[0], m[1]], [m[2]], answer_within_hours=12, next_tier_after_hours=6)
    assert [(o.tier, o.status) for o in offers] == [(1, "open"), (1, "open"), (2, "queued")]
    assert offers[2].release_at - offers[0].release_at == timedelta(hours=6)
    assert sorted(msg.to[0] for msg in mail.outbox) == ["med0@example.org", "med1@example.org"]
    body = mail.outbox[0].body
    assert "non una prenotazione" in body or "not a booking" in body
    assert "/offerte/risposta/" in body
    world["request"].refresh_from_db()
    assert world["request"].status == "matching"
    assert not Appointment.objects.exists()


def test_only_candidates_can_be_offered(world):
    outsider = f.MediatorFactory(languages=["zho"])
    with pytest.raises(DomainError):
        offer_to(world, [outsider])
    assert not Offer.objects.exists()


def test_only_the_district_coordinator_offers_a_request_in_matching(world):
    other = f.coordinator()
    with pytest.raises(NotAllowed):
        scheduling_services.offers_create(actor=actor_for(other), request=world["request"], tiers=[[world["m"][0]]])
    MediationRequest.objects.filter(pk=world["request"].pk).update(status="submitted")
    with pytest.raises(DomainError):
        offer_to(world, [world["m"][0]])


def test_the_first_acceptance_wins_and_the_others_are_told(world, django_capture_on_commit_callbacks):
    m = world["m"]
    first, second, queued = offer_to(world, [m[0], m[1]], [m[2]])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        scheduling_services.offer_accept(offer=first, by=m[0].user)
    request = MediationRequest.objects.get(pk=world["request"].pk)
    assert request.status == "assigned"
    assert request.assigned_mediator == m[0]
    assert StatusChange.objects.get(request=request).to_status == "assigned"
    statuses = dict(Offer.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "accepted", second.pk: "withdrawn", queued.pk: "withdrawn"}
    told = {msg.to[0]: msg.subject for msg in mail.outbox}
    assert "med0@example.org" in told and "med1@example.org" in told
    assert "med2@example.org" not in told  # a queued offer was never sent: nothing to take back
    with pytest.raises(DomainError):
        scheduling_services.offer_accept(offer=second, by=m[1].user)


def test_a_mediator_cannot_answer_someone_elses_offer(world):
    offer = offer_to(world, [world["m"][0]])[0]
    with pytest.raises(NotAllowed):
        scheduling_services.offer_accept(offer=offer, by=world["m"][1].user)


def test_declining_tells_the_coordinator_and_keeps_the_reason(world):
    offer = offer_to(world, [world["m"][0]])[0]
    scheduling_services.offer_decline(offer=offer, by=world["m"][0].user, reason="Impegnata quel giorno")
    offer.refresh_from_db()
    assert (offer.status, offer.decline_reason) == ("declined", "Impegnata quel giorno")
    assert world["coordinator"].notifications.filter(kind="offer_declined").exists()


def test_silence_never_counts_as_acceptance(world):
    offer = offer_to(world, [world["m"][0]], answer_within_hours=1)[0]
    later = timezone.now() + timedelta(hours=2)
    assert scheduling_services.offers_tick(now=later) == {"released": 0, "expired": 1}
    offer.refresh_from_db()
    assert offer.status == "expired"
    with pytest.raises(DomainError):
        scheduling_services.offer_accept(offer=offer, by=world["m"][0].user)
    assert MediationRequest.objects.get(pk=world["request"].pk).status == "matching"


def test_the_next_tier_is_released_after_the_wait(world):
    queued = offer_to(world, [world["m"][0]], [world["m"][1]], next_tier_after_hours=3)[1]
    assert scheduling_services.offers_tick(now=timezone.now() + timedelta(hours=1))["released"] == 0
    assert scheduling_services.offers_tick(now=timezone.now() + timedelta(hours=3, minutes=1))["released"] == 1
    queued.refresh_from_db()
    assert queued.status == "open"


def test_a_coordinator_records_an_acceptance_taken_by_phone(world):
    offer = offer_to(world, [world["m"][0]])[0]
    scheduling_services.offer_accept(offer=offer, by=world["coordinator"], by_phone=True)
    offer.refresh_from_db()
    assert offer.by_phone and offer.recorded_by == world["coordinator"]
    with pytest.raises(NotAllowed):
        other = offer_to_new_request(world)
        scheduling_services.offer_accept(offer=other, by=world["m"][1].user, by_phone=True)


def offer_to_new_request(world):
    request = f.MediationRequestFactory(office=world["office"], status="matching", languages=["ara"])
    return scheduling_services.offers_create(
        actor=actor_for(world["coordinator"]), request=request, tiers=[[world["m"][1]]]
    )[0]


def test_withdrawing_an_offer_tells_the_mediator(world):
    offer = offer_to(world, [world["m"][0]])[0]
    scheduling_services.offer_withdraw(actor=actor_for(world["coordinator"]), offer=offer)
    offer.refresh_from_db()
    assert offer.status == "withdrawn"
    assert world["m"][0].user.notifications.filter(kind="offer_withdrawn").exists()


def test_the_e_mail_link_accepts_once_without_logging_in_and_a_get_changes_nothing(world):
    offer = offer_to(world, [world["m"][0]])[0]
    url = reverse("scheduling:offer_link", args=[make_token(offer, "accept")])
    client = Client()
    assert client.get(url).status_code == 200
    assert Offer.objects.get(pk=offer.pk).status == "open"  # a mail scanner opening the link answers nothing
    assert client.post(url).status_code == 200
    assert Offer.objects.get(pk=offer.pk).status == "accepted"
    assert client.post(url).status_code == 410  # single use
    assert client.get(reverse("scheduling:offer_link", args=["forged-token"])).status_code == 410


def test_another_mediator_logged_in_cannot_answer_someone_elses_offer_link_and_is_told_whose_it_is(world):
    from .conftest import login_client

    offer = offer_to(world, [world["m"][0]])[0]
    url = reverse("scheduling:offer_link", args=[make_token(offer, "accept")])
    other = login_client(world["m"][1].user)
    page = other.get(url).content.decode()
    assert world["m"][0].full_name in page and world["m"][1].user.email in page
    assert 'name="next"' in page and reverse("account_logout") in page  # log out, then answer as the mediator
    assert other.post(url).status_code == 403
    offer.refresh_from_db()
    assert offer.status == "open" and world["request"].assigned_mediator_id is None
    world["request"].refresh_from_db()
    assert world["request"].status == "matching"
    # The page's button logs them out and brings the link back, now answerable by whoever holds it.
    logout = other.post(reverse("account_logout"), {"next": url})
    assert logout.status_code == 302 and logout["Location"] == url
    assert world["m"][0].full_name in other.post(url).content.decode()
    assert Offer.objects.get(pk=offer.pk).status == "accepted"


def test_the_link_confirms_by_name_whose_offer_was_accepted(world):
    from .conftest import login_client

    offer = offer_to(world, [world["m"][0]])[0]
    url = reverse("scheduling:offer_link", args=[make_token(offer, "accept")])
    assert world["m"][0].full_name in Client().get(url).content.decode()
    page = login_client(world["m"][0].user).post(url)  # the mediator themselves, logged in
    assert page.status_code == 200 and world["m"][0].full_name in page.content.decode()
    assert Offer.objects.get(pk=offer.pk).status == "accepted"
    assert StatusChange.objects.filter(request=world["request"], to_status="assigned").get().by == world["m"][0].user


def test_a_forged_or_stale_link_answers_nothing(world):
    from django.core import signing

    first, second = offer_to(world, [world["m"][0], world["m"][1]])
    forged = signing.dumps({"o": second.pk, "a": "accept", "n": second.link_nonce}, salt="not-the-portal")
    assert Client().post(reverse("scheduling:offer_link", args=[forged])).status_code == 410
    stale = make_token(first, "accept")
    scheduling_services.offer_withdraw(actor=actor_for(world["coordinator"]), offer=first)
    assert Client().post(reverse("scheduling:offer_link", args=[stale])).status_code == 410
    assert dict(Offer.objects.values_list("pk", "status")) == {first.pk: "withdrawn", second.pk: "open"}


def test_a_used_link_opened_while_logged_in_leads_to_the_offers_not_to_the_login_page(world):
    from .conftest import login_client

    offer = offer_to(world, [world["m"][0]])[0]
    url = reverse("scheduling:offer_link", args=[make_token(offer, "accept")])
    mediator = login_client(world["m"][0].user)
    assert mediator.post(url).status_code == 200
    page = mediator.get(url)  # the link again, from the e-mail, already logged in
    assert page.status_code == 410
    html = page.content.decode()
    assert f'href="{reverse("scheduling:offers")}"' in html.split("<main")[1]
    assert f'href="{reverse("account_login")}"' not in html.split("<main")[1]


# --- Appointments -----------------------------------------------------------------------------------------------------


@pytest.fixture
def assigned(world):
    offer = offer_to(world, [world["m"][0]])[0]
    scheduling_services.offer_accept(offer=offer, by=world["m"][0].user)
    world["request"].refresh_from_db()
    return world


def plan(world, start, minutes=60, place="Via Roma 1, Cremona", mode="in_person", request=None):
    return scheduling_services.appointment_create(
        actor=actor_for(world["coordinator"]),
        request=request or world["request"],
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        place=place,
        mode=mode,
    )


def test_planning_the_first_appointment_schedules_the_request(assigned):
    appointment = plan(assigned, next_weekday(0, 10))
    assert appointment.mediator == assigned["m"][0]
    request = MediationRequest.objects.get(pk=assigned["request"].pk)
    assert request.status == "scheduled"
    assert list(request.history.values_list("to_status", flat=True)) == ["assigned", "scheduled"]


def test_a_mediator_is_never_in_two_places_at_once(assigned):
    plan(assigned, next_weekday(0, 10))
    with pytest.raises(DomainError) as refused:
        plan(assigned, next_weekday(0, 10, 30))
    assert "già un appuntamento" in refused.value.message or "already has an appointment" in refused.value.message
    assert Appointment.objects.count() == 1


def test_touching_end_to_start_is_allowed_in_the_same_place(assigned):
    plan(assigned, next_weekday(0, 10))
    plan(assigned, next_weekday(0, 11))
    assert Appointment.objects.count() == 2


def test_in_person_work_keeps_a_travel_buffer_between_places(assigned, settings):
    settings.TRAVEL_BUFFER_MINUTES = 30
    plan(assigned, next_weekday(1, 10), place="Via Roma 1, Cremona")
    with pytest.raises(DomainError):
        plan(assigned, next_weekday(1, 11, 15), place="Ospedale di Cremona")
    plan(assigned, next_weekday(1, 11, 30), place="Ospedale di Cremona")
    plan(assigned, next_weekday(1, 11, 15), minutes=10, place="", mode="phone")
    assert Appointment.objects.count() == 2 or Appointment.objects.count() == 3


def test_a_cancelled_or_void_appointment_frees_the_time(assigned):
    first = plan(assigned, next_weekday(2, 9))
    scheduling_services.appointment_cancel(
        actor=actor_for(assigned["coordinator"]), appointment=first, reason="Famiglia malata"
    )
    second = plan(assigned, next_weekday(2, 9))
    scheduling_services.appointment_cancel(
        actor=actor_for(assigned["coordinator"]), appointment=second, reason="Inserito per errore", void=True
    )
    plan(assigned, next_weekday(2, 9))
    assert Appointment.objects.filter(status="planned").count() == 1


def test_a_cancellation_less_than_24_hours_before_is_flagged_for_costs_and_void_is_not(assigned):
    soon = timezone.now() + timedelta(hours=5)
    late = plan(assigned, soon)
    scheduling_services.appointment_cancel(
        actor=actor_for(assigned["coordinator"]), appointment=late, reason="Imprevisto"
    )
    late.refresh_from_db()
    assert late.late_cancellation is True
    mistake = plan(assigned, soon)
    scheduling_services.appointment_cancel(
        actor=actor_for(assigned["coordinator"]), appointment=mistake, reason="Doppione", void=True
    )
    mistake.refresh_from_db()
    assert (mistake.status, mistake.late_cancellation) == ("void", False)
    early = plan(assigned, timezone.now() + timedelta(days=3))
    scheduling_services.appointment_cancel(
        actor=actor_for(assigned["coordinator"]), appointment=early, reason="Spostato"
    )
    early.refresh_from_db()
    assert early.late_cancellation is False


def test_rescheduling_checks_the_new_time_and_notifies(assigned):
    first = plan(assigned, next_weekday(3, 9))
    plan(assigned, next_weekday(3, 11))
    with pytest.raises(DomainError):
        scheduling_services.appointment_reschedule(
            actor=actor_for(assigned["coordinator"]),
            appointment=first,
            starts_at=next_weekday(3, 11),
            ends_at=next_weekday(3, 12),
            reason="Richiesta della scuola",
        )
    scheduling_services.appointment_reschedule(
        actor=actor_for(assigned["coordinator"]),
        appointment=first,
        starts_at=next_weekday(3, 14),
        ends_at=next_weekday(3, 15),
        reason="Richiesta della scuola",
    )
    first.refresh_from_db()
    assert timezone.localtime(first.starts_at).hour == 14
    assert assigned["request"].requester.notifications.filter(kind="appointment_moved").exists()


def test_appointments_need_an_assigned_mediator_and_a_future_time(world):
    with pytest.raises(DomainError):
        plan(world, next_weekday(0, 10))
    offer = offer_to(world, [world["m"][0]])[0]
    scheduling_services.offer_accept(offer=offer, by=world["m"][0].user)
    with pytest.raises(DomainError):
        plan(world, timezone.now() - timedelta(hours=1))


# --- Concurrency (PostgreSQL: real row locks and the exclusion constraint) --------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and exclusion constraints: run on PostgreSQL by .ci/run"
)


def run_at_once(count, work):
    barrier = threading.Barrier(count)
    results = []

    def runner(i):
        try:
            barrier.wait()
            results.append(("ok", work(i)))
        except DomainError as exc:
            results.append(("refused", exc.message))
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_twenty_mediators_accepting_at_once_exactly_one_wins():
    district = f.DistrictFactory()
    provider = f.ProviderFactory(province=district.province)
    coordinator = f.coordinator(district=district)
    request = f.MediationRequestFactory(office=f.OfficeFactory(district=district), status="matching", languages=["ara"])
    people = []
    for i in range(20):
        user = f.mediator(provider=provider, districts=[district], email=f"conc{i}@example.org")
        people.append(
            f.MediatorFactory(provider=provider, districts=[district], user=user, email=user.email, languages=["ara"])
        )
    offers = scheduling_services.offers_create(actor=actor_for(coordinator), request=request, tiers=[people])
    results = run_at_once(20, lambda i: scheduling_services.offer_accept(offer=offers[i], by=people[i].user))
    assert len(results) == 20
    assert [r[0] for r in results].count("ok") == 1
    assert Offer.objects.filter(request=request, status="accepted").count() == 1
    assert Offer.objects.filter(request=request, status="withdrawn").count() == 19
    assert MediationRequest.objects.get(pk=request.pk).status == "assigned"


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_twenty_overlapping_bookings_at_once_never_overlap():
    district = f.DistrictFactory()
    provider = f.ProviderFactory(province=district.province)
    coordinator = f.coordinator(district=district)
    mediator = f.MediatorFactory(provider=provider, districts=[district], languages=["ara"])
    requests = [
        f.MediationRequestFactory(office=f.OfficeFactory(district=district), status="assigned", languages=["ara"])
        for _ in range(20)
    ]
    MediationRequest.objects.filter(pk__in=[r.pk for r in requests]).update(assigned_mediator=mediator)
    start = next_weekday(4, 9)

    def book(i):
        return scheduling_services.appointment_create(
            actor=actor_for(coordinator),
            request=MediationRequest.objects.get(pk=requests[i].pk),
            starts_at=start + timedelta(minutes=5 * i),
            ends_at=start + timedelta(minutes=5 * i + 60),
            place="Via Roma 1",
            mode="in_person",
        )

    results = run_at_once(20, book)
    assert len(results) == 20
    booked = list(Appointment.objects.filter(mediator=mediator).order_by("starts_at"))
    for earlier, later in zip(booked, booked[1:], strict=False):
        assert earlier.ends_at <= later.starts_at
    assert [r[0] for r in results].count("ok") == len(booked) >= 1
