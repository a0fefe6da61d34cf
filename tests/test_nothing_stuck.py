"""Nothing stuck: a mediator who declined or let an offer expire can be asked again, the candidates page says who
was already asked and how they answered, the queue shows offers and mediators and finds a request by phase and by
what a coordinator remembers, and the plan page never proposes a time when the mediator is busy."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import actor_for
from core.errors import DomainError
from requests_app.models import ProposedSlot, Status
from scheduling import services as scheduling_services
from scheduling.models import Appointment, Offer

from . import factories as f
from .conftest import login_client

ROME = ZoneInfo("Europe/Rome")
# A Monday morning: every date below is counted from it.
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=ROME)


@pytest.fixture(autouse=True)
def _frozen_monday():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def world(db):
    province = f.ProvinceFactory(slug="cremona")
    district = f.DistrictFactory(province=province, name="Cremona")
    office = f.OfficeFactory(district=district, name="Tutela Minori Cremona")
    provider = f.ProviderFactory(province=province)
    return {
        "province": province,
        "district": district,
        "office": office,
        "provider": provider,
        "coordinator": f.coordinator(district=district),
        "request": f.MediationRequestFactory(office=office, status="matching", languages=["ara:Darija"]),
        "m": [mediator(provider, district, i) for i in range(3)],
    }


def mediator(provider, district, i, **kwargs):
    user = f.mediator(provider=provider, districts=[district], email=f"med{i}@example.org")
    return f.MediatorFactory(
        provider=provider, districts=[district], user=user, email=user.email, languages=["ara"], **kwargs
    )


def offer_to(world, *mediators, request=None):
    return scheduling_services.offers_create(
        actor=actor_for(world["coordinator"]), request=request or world["request"], tiers=[list(mediators)]
    )


def decline(offer, reason="Sono in ferie"):
    return scheduling_services.offer_decline(offer=offer, by=offer.mediator.user, reason=reason)


def candidates_url(request):
    return reverse("scheduling:candidates", args=[request.pk])


# --- Offering again ---------------------------------------------------------------------------------------------------


def test_a_mediator_who_declined_is_offered_again_and_accepts(world):
    m0 = world["m"][0]
    (first,) = offer_to(world, m0)
    decline(first)
    (second,) = offer_to(world, m0)
    assert second.pk != first.pk and second.status == Offer.Status.OPEN
    scheduling_services.offer_accept(offer=second, by=m0.user)
    world["request"].refresh_from_db()
    assert world["request"].status == Status.ASSIGNED and world["request"].assigned_mediator == m0
    # The old answer stays in the history.
    assert list(world["request"].offers.order_by("pk").values_list("status", "decline_reason")) == [
        ("declined", "Sono in ferie"),
        ("accepted", ""),
    ]


def test_a_mediator_whose_offer_expired_or_was_withdrawn_can_be_asked_again(world):
    m0, m1 = world["m"][:2]
    expiring, withdrawn = offer_to(world, m0, m1)
    scheduling_services.offer_withdraw(actor=actor_for(world["coordinator"]), offer=withdrawn)
    scheduling_services.offers_tick(now=timezone.now() + timedelta(hours=25))
    expiring.refresh_from_db()
    assert expiring.status == Offer.Status.EXPIRED
    again = offer_to(world, m0, m1)
    assert [o.status for o in again] == ["open", "open"]
    assert world["request"].offers.count() == 4


@pytest.mark.parametrize("live", ["open", "queued"])
def test_a_live_offer_blocks_a_second_one(world, live):
    m0 = world["m"][0]
    scheduling_services.offers_create(
        actor=actor_for(world["coordinator"]),
        request=world["request"],
        tiers=[[world["m"][1]], [m0]] if live == "queued" else [[m0]],
    )
    assert world["request"].offers.get(mediator=m0).status == live
    with pytest.raises(DomainError) as refused:
        offer_to(world, m0)
    assert m0.full_name in refused.value.message
    assert world["request"].offers.filter(mediator=m0).count() == 1


def test_the_database_refuses_two_live_offers_to_one_mediator_but_keeps_the_answered_ones(world):
    m0 = world["m"][0]
    (first,) = offer_to(world, m0)
    row = {
        "request": world["request"],
        "mediator": m0,
        "release_at": timezone.now(),
        "expires_at": timezone.now() + timedelta(hours=24),
        "created_by": world["coordinator"],
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(**row, status=Offer.Status.OPEN)
    # Answered offers do not count: any number of them may sit beside a live one.
    Offer.objects.create(**row, status=Offer.Status.DECLINED)
    Offer.objects.create(**row, status=Offer.Status.EXPIRED)
    first.status = Offer.Status.WITHDRAWN
    first.save()
    Offer.objects.create(**row, status=Offer.Status.QUEUED)
    assert world["request"].offers.filter(mediator=m0).count() == 4


# --- The candidates page: who was already asked -----------------------------------------------------------------------


def test_the_candidates_page_says_who_was_asked_and_how_they_answered(world):
    m0, m1, m2 = world["m"]
    first, second = offer_to(world, m0, m1)
    decline(first, reason="Non lavoro il lunedì")
    client = login_client(world["coordinator"])
    response = client.get(candidates_url(world["request"]))
    rows = {row["candidate"].mediator: row for row in response.context["candidates"]}
    assert rows[m0]["last"] == first and not rows[m0]["live"]
    assert rows[m1]["last"] == second and rows[m1]["live"]
    assert rows[m2]["last"] is None
    page = response.content.decode()
    assert "Non lavoro il lunedì" in page and "Rifiutata" in page
    assert "rispondere entro" in page.lower()  # m1: open, with its deadline
    assert "Non ancora" in page  # m2: never asked
    # Who declined can be ticked again; who has an open offer cannot.
    assert f'name="mediator" value="{m0.pk}"' in page
    assert f'name="mediator" value="{m1.pk}"' not in page
    # Offered again through the page: a new offer, the declined one kept.
    response = client.post(
        candidates_url(world["request"]),
        {
            "action": "offer",
            "mediator": [m0.pk],
            f"tier_{m0.pk}": "1",
            "answer_within_hours": "24",
            "next_tier_after_hours": "24",
        },
    )
    assert response.status_code == 302
    assert list(world["request"].offers.filter(mediator=m0).values_list("status", flat=True)) == ["declined", "open"]
    again = client.get(candidates_url(world["request"])).content.decode()
    assert "2 offerte in tutto" in again


def test_the_candidates_page_says_expired_and_withdrawn(world):
    m0, m1 = world["m"][:2]
    expiring, withdrawn = offer_to(world, m0, m1)
    scheduling_services.offer_withdraw(actor=actor_for(world["coordinator"]), offer=withdrawn)
    scheduling_services.offers_tick(now=timezone.now() + timedelta(hours=25))
    page = login_client(world["coordinator"]).get(candidates_url(world["request"])).content.decode()
    assert "Scaduta" in page and "nessuna risposta entro" in page
    assert "Ritirata" in page
    assert page.count("Si può offrire di nuovo.") == 2


# The user (the memberships come from the shared cache); the request; its languages and proposed times; the offers
# with their mediators (every "already asked" cell comes from this one query); matching: the first candidates (with
# their total), their languages; the project box: the charge and the projects. The same for 3 and for 30 mediators
# asked (all of them shown: ?mostra=40); the "why" box reads no roster.
EXPECTED_CANDIDATES_QUERIES = 8


@pytest.mark.parametrize("count", [3, 30])
def test_the_candidates_page_reads_who_was_asked_in_a_fixed_number_of_queries(world, count, django_assert_num_queries):
    mediators = [mediator(world["provider"], world["district"], 10 + i) for i in range(count)]
    offers = offer_to(world, *mediators)
    for offer in offers[::2]:
        decline(offer)
    client = login_client(world["coordinator"])
    client.get(candidates_url(world["request"]))  # warm the session and the language caches
    with django_assert_num_queries(EXPECTED_CANDIDATES_QUERIES):
        response = client.get(candidates_url(world["request"]), {"mostra": 40})
    asked = [row for row in response.context["candidates"] if row["last"] is not None]
    assert len(asked) == count


# --- The queue --------------------------------------------------------------------------------------------------------


def queue(world, **query):
    response = login_client(world["coordinator"]).get(reverse("requests:list"), query)
    assert response.status_code == 200
    return response


def codes(response) -> list[str]:
    return sorted(r.case_code for r in response.context["page"])


@pytest.fixture
def life(world):
    """One request in every phase of the queue, with offers and a mediator where the phase has them."""
    office = world["office"]
    other_office = f.OfficeFactory(district=world["district"], name="Servizio Sociale di Base Soresina")
    m0, m1, m2 = world["m"]
    m0.first_name, m0.last_name = "Samira", "Haddad"
    m0.save()
    made = {
        "decide": f.MediationRequestFactory(office=office, status="submitted", case_code="DEC-1", languages=["ukr"]),
        "match": world["request"],
        "plan": f.MediationRequestFactory(
            office=other_office, status="assigned", case_code="PLAN-1", languages=["fra"], assigned_mediator=m0
        ),
        "planned": f.MediationRequestFactory(
            office=office, status="scheduled", case_code="SCHED-1", languages=["ara:Darija"], assigned_mediator=m1
        ),
        "completed": f.MediationRequestFactory(
            office=office, status="completed", case_code="DONE-1", languages=["ara"], assigned_mediator=m2
        ),
        "evaluated": f.MediationRequestFactory(
            office=office, status="evaluated", case_code="EVAL-1", languages=["ara"], assigned_mediator=m2
        ),
    }
    world["request"].case_code = "MATCH-1"
    world["request"].save()
    # The request in matching: three offers sent, one declined, one expired, one still open; a later group queued.
    first, second, third = offer_to(world, m0, m1, m2)
    decline(first)
    scheduling_services.offers_tick(now=timezone.now() + timedelta(hours=25))
    fourth = mediator(world["provider"], world["district"], 9)
    scheduling_services.offers_create(
        actor=actor_for(world["coordinator"]), request=world["request"], tiers=[[m0], [fourth]]
    )
    world["made"] = made
    return world


def test_the_queue_shows_offers_sent_and_answered_and_the_mediator(life):
    rows = {r.case_code: r for r in queue(life).context["page"]}
    match = rows["MATCH-1"]
    # Sent: the declined, the two expired and the new one to m0 (the queued one was never sent); answered: the decline.
    assert (match.offers_sent, match.offers_answered) == (4, 1)
    assert rows["PLAN-1"].assigned_mediator.full_name == "Samira Haddad"
    page = queue(life).content.decode()
    assert "Samira Haddad" in page
    assert "4 offerte inviate, 1 con risposta" in page


def test_a_queued_offer_withdrawn_before_its_turn_was_never_sent(life):
    queued = life["request"].offers.get(status="queued")
    scheduling_services.offer_withdraw(actor=actor_for(life["coordinator"]), offer=queued)
    rows = {r.case_code: r for r in queue(life).context["page"]}
    assert rows["MATCH-1"].offers_sent == 4


def test_the_office_sees_the_mediator_but_no_offer_column(life):
    worker = life["made"]["planned"].requester
    response = login_client(worker).get(reverse("requests:list"))
    page = response.content.decode()
    assert 'data-testid="offer-counts"' not in page and 'data-testid="assigned-mediator"' in page


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        ("decide", ["DEC-1"]),
        ("match", ["MATCH-1"]),
        ("plan", ["PLAN-1"]),
        ("planned", ["SCHED-1"]),
        ("close", ["DONE-1", "EVAL-1"]),
    ],
)
def test_the_queue_filters_by_phase(life, phase, expected):
    assert codes(queue(life, phase=phase)) == expected


def test_an_unknown_phase_is_a_message_not_a_500(life):
    response = queue(life, phase="nonsense")
    assert response.context["filter"].errors and len(response.context["page"]) == 6


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("sched", ["SCHED-1"]),  # part of the case code
        ("Soresina", ["PLAN-1"]),  # the office
        ("ucraino", ["DEC-1"]),  # a language in Italian
        ("French", ["PLAN-1"]),  # … in English
        ("ara", ["DONE-1", "EVAL-1", "MATCH-1", "SCHED-1"]),  # … by its code
        ("darija", ["MATCH-1", "SCHED-1"]),  # … by its variant
        ("haddad samira", ["PLAN-1"]),  # the assigned mediator, words in any order
        ("nessuno", []),
    ],
)
def test_the_queue_search_finds_by_code_office_language_and_mediator(life, search, expected):
    # Every open request, those waiting to be closed included (the queue's default is the work in progress).
    assert codes(queue(life, q=search, status="open")) == expected


@pytest.mark.parametrize("rows", [3, 30])
def test_the_queue_queries_do_not_grow_with_rows_and_offers(world, rows, django_assert_num_queries):
    for n in range(rows):
        request = f.MediationRequestFactory(
            office=world["office"], status="matching", languages=["ara:Darija", "fra"], case_code=f"Q-{n}"
        )
        offers = offer_to(world, *world["m"], request=request)
        decline(offers[0])
    client = login_client(world["coordinator"])
    client.get(reverse("requests:list"))  # the filter's languages, computed once and kept (requests_app.selectors)
    # The user (the memberships come from the shared cache); the district's offices (for the filter's languages); the
    # filter's offices; the page of requests with office, district, mediator, languages, both offer counts and the
    # count of the list (one query).
    with django_assert_num_queries(4):
        response = client.get(reverse("requests:list"), {"phase": "match", "q": "q-"})
    assert response.context["page"].count == rows
    assert all(r.offers_sent == 3 and r.offers_answered == 1 for r in response.context["page"])


# --- The plan page ----------------------------------------------------------------------------------------------------


@pytest.fixture
def to_plan(world):
    (offer,) = offer_to(world, world["m"][0])
    scheduling_services.offer_accept(offer=offer, by=world["m"][0].user)
    world["request"].refresh_from_db()
    return world


def slot(request, day: int, hour: int, minutes: int = 60):
    starts_at = NOW.replace(hour=hour) + timedelta(days=day)
    return ProposedSlot.objects.create(
        request=request, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes)
    )


def test_the_plan_page_never_proposes_a_time_when_the_mediator_is_busy(to_plan):
    m0 = to_plan["m"][0]
    request = to_plan["request"]
    busy = slot(request, 1, 10)  # Tuesday 10:00: m0 has another request's appointment then
    away = slot(request, 3, 10)  # Thursday: m0 is absent
    free = slot(request, 2, 10)  # Wednesday: nothing
    past = ProposedSlot.objects.create(
        request=request, starts_at=NOW - timedelta(days=1), ends_at=NOW - timedelta(days=1) + timedelta(hours=1)
    )
    other = f.MediationRequestFactory(office=to_plan["office"], status="scheduled", assigned_mediator=m0)
    Appointment.objects.create(
        request=other,
        mediator=m0,
        starts_at=busy.starts_at + timedelta(minutes=30),
        ends_at=busy.ends_at + timedelta(minutes=30),
        mode="phone",
        created_by=to_plan["coordinator"],
    )
    f.AbsenceFactory(mediator=m0, start_date=away.starts_at.date(), end_date=away.starts_at.date())
    client = login_client(to_plan["coordinator"])
    response = client.get(reverse("scheduling:plan", args=[request.pk]))
    reasons = {choice.slot: choice.unavailable for choice in response.context["slot_choices"]}
    assert reasons[free] == ""
    assert "già un appuntamento" in reasons[busy]
    assert "assente" in reasons[away]
    assert "già passato" in reasons[past]
    page = response.content.decode()
    # Only the free time is a button that plans; the others say why not.
    assert page.count('name="slot"') == 1 and f'name="slot" value="{free.pk}"' in page
    assert page.count('data-testid="slot-unavailable"') == 3 and "non disponibile" in page
    # Posting the busy time anyway is refused, with the reason.
    refused = client.post(reverse("scheduling:plan", args=[request.pk]), {"slot": busy.pk})
    assert refused.status_code == 400 and "già un appuntamento" in refused.content.decode()
    assert not request.appointments.exists()
    assert client.post(reverse("scheduling:plan", args=[request.pk]), {"slot": free.pk}).status_code == 302


def test_once_a_proposed_time_is_planned_it_is_no_longer_offered(to_plan):
    request = to_plan["request"]
    chosen = slot(request, 2, 10)
    client = login_client(to_plan["coordinator"])
    client.post(reverse("scheduling:plan", args=[request.pk]), {"slot": chosen.pk})
    page = client.get(reverse("scheduling:plan", args=[request.pk])).content.decode()
    assert f'name="slot" value="{chosen.pk}"' not in page and 'data-testid="slot-unavailable"' in page
