"""The first candidates of a request (scheduling.shortlist): the same mediators, in the same order and with the same
points as the whole ranking of scheduling.matching, read a few rows at a time."""

import random
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from accounts.scoping import actor_for
from mediators.models import AvailabilitySlot
from requests_app.models import ProposedSlot
from scheduling import shortlist
from scheduling.matching import candidates
from scheduling.models import Appointment
from scheduling.shortlist import top_candidates

from . import factories as f

pytestmark = pytest.mark.django_db

# What the mediators speak: the variant asked for, others, a related language, the individual language it names.
SPOKEN = [
    ["ara"],
    ["ara:Darija"],
    ["ara:egiziano"],
    ["ary"],
    ["apc"],
    ["ara:darija marocchina"],
    ["ara", "fra"],
    ["ara:DÀRIJA"],  # other letters: matching folds the accent, the database lets it through
    ["ara:Ṣaʿīdī"],
]


def rome(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def world():
    province = f.ProvinceFactory()
    district = f.DistrictFactory(province=province)
    request = f.MediationRequestFactory(
        office=f.OfficeFactory(district=district), status="matching", languages=["ara:Darija"]
    )
    today = timezone.localdate()
    tuesday = today + timedelta(days=(1 - today.weekday()) % 7 or 7)
    ProposedSlot.objects.create(request=request, starts_at=rome(tuesday, 10), ends_at=rome(tuesday, 11))
    ProposedSlot.objects.create(
        request=request, starts_at=rome(tuesday + timedelta(days=1), 15), ends_at=rome(tuesday + timedelta(days=1), 16)
    )
    return {
        "district": district,
        "provider": f.ProviderFactory(province=province),
        "coordinator": f.coordinator(district=district),
        "request": request,
        "tuesday": tuesday,
    }


def roster(world, seed: int, size: int = 40):
    """``size`` mediators who all meet the hard conditions, with random variants, free times, experience, gender and
    hours worked this month."""
    rng = random.Random(seed)
    month_start = timezone.localdate().replace(day=1)
    for n in range(size):
        mediator = f.MediatorFactory(
            provider=world["provider"],
            districts=[world["district"]],
            languages=rng.choice(SPOKEN),
            gender=rng.choice(["female", "male"]),
            exp_child_protection=rng.random() < 0.4,
            last_name=rng.choice(["Rossi", "Bianchi", "Haddad", "Conti"]),
        )
        if rng.random() < 0.5:
            weekday = world["tuesday"].weekday() + rng.choice([0, 1])
            AvailabilitySlot.objects.create(mediator=mediator, weekday=weekday, start_time=time(8), end_time=time(18))
        for k in range(rng.choice([0, 0, 1, 2, 3])):
            starts = rome(month_start + timedelta(days=k), 8 + n % 8)
            Appointment.objects.create(
                request=world["request"],
                mediator=mediator,
                starts_at=starts,
                ends_at=starts + timedelta(minutes=rng.choice([45, 60, 90, 120])),
                created_by=world["coordinator"],
            )


def same(short, whole):
    assert [(c.mediator.pk, c.score, c.related_language_only) for c in short] == [
        (c.mediator.pk, c.score, c.related_language_only) for c in whole
    ]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("asked", ["ara:Darija", "ary", "ara"])
def test_the_shortlist_is_the_head_of_the_whole_ranking(world, monkeypatch, seed, asked):
    request = world["request"]
    code, _sep, variant = asked.partition(":")
    request.languages.all().delete()
    request.languages.create(code=code, variant=variant)
    request.preferred_gender = ["", "female", "male"][seed % 3]
    request.save()
    roster(world, seed)
    whole = candidates(user=world["coordinator"], request=request)
    assert len(whole) >= 20  # a Levantine Arabic speaker does not serve a request in Moroccan Arabic
    for margin in (0, 3, 20):  # a small margin makes the check decide (and read the rest when it cannot tell)
        monkeypatch.setattr(shortlist, "MARGIN", margin)
        for limit in (1, 5, 12, 40, 60):
            found = top_candidates(user=world["coordinator"], request=request, limit=limit)
            same(found.candidates, whole[:limit])
            assert found.total == len(whole)


def test_the_shortlist_reads_two_queries_when_the_first_rows_settle_it(world, django_assert_num_queries):
    roster(world, seed=7, size=30)
    request = world["request"]
    whole = candidates(user=world["coordinator"], request=request)
    request = type(request).objects.prefetch_related("languages", "slots").get(pk=request.pk)
    # The shortlist (with the total) and its languages; nothing else whatever the number of candidates.
    with django_assert_num_queries(2):
        found = top_candidates(user=world["coordinator"], request=request, limit=5)
    same(found.candidates, whole[:5])


def crowd(world, variant: str, size: int = 6):
    """Mediators of another variant of Arabic who have every other point: free at the first time, experienced."""
    for n in range(size):
        mediator = f.MediatorFactory(
            provider=world["provider"],
            districts=[world["district"]],
            languages=[f"ara:{variant}"],
            exp_child_protection=True,
            last_name=f"Altro{n}",
        )
        AvailabilitySlot.objects.create(
            mediator=mediator, weekday=world["tuesday"].weekday(), start_time=time(8), end_time=time(18)
        )
    return f.MediatorFactory(
        provider=world["provider"], districts=[world["district"]], languages=["ara:Darija"], last_name="Zanetti"
    )


@pytest.mark.parametrize(
    ("variant", "queries"),
    [
        ("egiziano", 2),  # plain text: the database tells it from Darija, the first rows settle it
        ("Ṣaʿīdī", 4),  # other letters: it may be Darija as far as the database can tell, so it reads on
    ],
)
def test_a_crowd_of_other_variants_never_hides_the_darija_speaker(
    world, monkeypatch, django_assert_num_queries, variant, queries
):
    darija = crowd(world, variant)
    monkeypatch.setattr(shortlist, "MARGIN", 2)
    actor_for(world["coordinator"])  # the role, read once per request: not part of the count
    request = type(world["request"]).objects.prefetch_related("languages", "slots").get(pk=world["request"].pk)
    with django_assert_num_queries(queries):  # the first rows and their languages (then the rest and theirs)
        found = top_candidates(user=world["coordinator"], request=request, limit=1)
    assert [c.mediator for c in found.candidates] == [darija]
    assert found.total == 7
    same(found.candidates, candidates(user=world["coordinator"], request=request)[:1])


def test_nobody_meets_the_conditions_and_the_shortlist_is_empty(world):
    found = top_candidates(user=world["coordinator"], request=world["request"], limit=20)
    assert found.candidates == [] and found.total == 0


def test_a_coordinator_of_another_district_gets_nobody(world):
    roster(world, seed=1, size=5)
    outsider = f.coordinator(district=f.DistrictFactory(province=world["district"].province))
    assert top_candidates(user=outsider, request=world["request"], limit=20).total == 0


# --- The candidates page ----------------------------------------------------------------------------------------------


def page(world, **params):
    from django.urls import reverse

    from .conftest import login_client

    response = login_client(world["coordinator"]).get(
        reverse("scheduling:candidates", args=[world["request"].pk]), params
    )
    assert response.status_code == 200
    return response


def test_the_page_shows_the_first_twenty_candidates_and_more_on_asking(world):
    roster(world, seed=3, size=25)
    whole = candidates(user=world["coordinator"], request=world["request"])
    first = page(world)
    assert [row["candidate"].mediator for row in first.context["candidates"]] == [c.mediator for c in whole[:20]]
    body = first.content.decode()
    assert f"I primi 20 dei {len(whole)} mediatori" in body
    assert 'href="?mostra=40#h-candidates"' in body
    # Each row's menu of groups, in Italian.
    groups = '<option value="1">gruppo 1</option><option value="2">gruppo 2</option><option value="3">gruppo 3</option>'
    assert body.count(groups) == 20
    more = page(world, mostra=40)
    assert len(more.context["candidates"]) == len(whole)
    assert 'data-testid="candidates-more"' not in more.content.decode()
    assert f"{len(whole)} mediatori soddisfano tutte le condizioni" in more.content.decode()


@pytest.mark.parametrize(("asked", "shown"), [("abc", 20), ("-5", 20), ("100000", 200)])
def test_a_strange_number_to_show_is_kept_within_bounds(world, monkeypatch, asked, shown):
    seen = {}
    real = top_candidates

    def spy(**kwargs):
        seen["limit"] = kwargs["limit"]
        return real(**kwargs)

    monkeypatch.setattr("scheduling.views.top_candidates", spy)
    page(world, mostra=asked)
    assert seen["limit"] == shown


def test_the_why_box_finds_a_mediator_by_name_never_listing_the_roster(world):
    left_out = f.MediatorFactory(
        provider=world["provider"], districts=[world["district"]], languages=["ukr"], last_name="Kovalenko"
    )
    for n in range(3):
        f.MediatorFactory(provider=world["provider"], districts=[world["district"]], last_name=f"Rossi{n}")
    outsider = f.MediatorFactory(provider=f.ProviderFactory(), last_name="Lontano")
    empty = page(world).content.decode()
    assert "Kovalenko" not in empty and "<select" not in empty.split('id="h-why"')[1]
    # One mediator found: why at once. Several: a list to choose from. Outside the roster: nobody.
    one = page(world, cerca="koval")
    assert one.context["why"] == left_out
    assert "non parla arabo" in one.content.decode().lower()
    several = page(world, cerca="rossi")
    assert several.context["why"] is None and len(several.context["found"]) == 3
    assert "Scegli un mediatore:" in several.content.decode()
    assert page(world, cerca="Lontano").context["found"] == []
    assert page(world, why=outsider.pk).context["why"] is None


def test_the_shortlist_asked_again_is_not_built_again_and_reads_the_rows_as_they_are_now(world, compilations):
    from core import compiled
    from mediators.models import Mediator
    from requests_app.models import RequestLanguage

    compiled.forget()
    roster(world, seed=3, size=6)
    request, coordinator = world["request"], world["coordinator"]
    first = top_candidates(user=coordinator, request=request, limit=3)
    compilations.clear()
    newcomer = f.MediatorFactory(
        provider=world["provider"], districts=[world["district"]], languages=["ara:Darija"], last_name="Abate"
    )
    again = top_candidates(user=coordinator, request=request, limit=3)
    assert Mediator not in compilations  # the same SQL, run again
    assert again.total == first.total + 1 and newcomer in [c.mediator for c in again.candidates]
    same(again.candidates, candidates(user=coordinator, request=request)[:3])
    # Another language asked for is another query, built for it.
    RequestLanguage.objects.filter(request=request).update(code="fra", variant="")
    request.refresh_from_db()  # its languages read again
    french = top_candidates(user=coordinator, request=request, limit=3)
    assert Mediator in compilations
    assert newcomer not in [c.mediator for c in french.candidates]
    same(french.candidates, candidates(user=coordinator, request=request)[:3])
