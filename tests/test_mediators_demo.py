"""The demo roster of `manage.py demo_data`: enough mediators, languages and dates to try every roster feature."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import Membership, Role, User
from accounts.scoping import visible
from mediators import demo as mediators_demo
from mediators.models import (
    Absence,
    AvailabilitySlot,
    Mediator,
    MediatorCountry,
    MediatorLanguage,
    Qualification,
    Training,
)

from .conftest import shared_world

pytestmark = pytest.mark.django_db

DEMO_MEDIATOR_USERS = {
    "mediatore.cremona@example.org": ("Cremona", "ara"),
    "mediatore.crema@example.org": ("Crema", "zho"),
    "mediatore.bergamo@example.org": ("Bergamo", "ukr"),
}


@pytest.fixture(scope="module")
def _roster_world(django_db_setup, django_db_blocker):
    """The demo roster and its organisations, built once for the module (conftest.shared_world)."""
    with shared_world(django_db_blocker):
        accounts_demo.build()
        mediators_demo.build()
        yield


@pytest.fixture
def demo_roster(_roster_world, db):
    """Each test reads the module's roster through its own transaction, rolled back after it."""


def snapshot():
    """Every demo mediator with all their rows, as plain values (ids included)."""
    return {
        "mediators": list(Mediator.objects.order_by("pk").values()),
        "districts": list(Mediator.districts.through.objects.order_by("pk").values()),
        **{
            name: list(model.objects.order_by("pk").values())
            for name, model in {
                "languages": MediatorLanguage,
                "countries": MediatorCountry,
                "trainings": Training,
                "qualifications": Qualification,
                "slots": AvailabilitySlot,
                "absences": Absence,
            }.items()
        },
    }


def test_the_demo_roster_is_large_and_spans_both_provinces(demo_roster):
    assert Mediator.objects.count() >= 40
    assert set(Mediator.objects.values_list("provider__province__slug", flat=True)) == {"cremona", "bergamo"}
    districts = set(Mediator.districts.through.objects.values_list("district__name", flat=True))
    assert districts == {"Cremona", "Crema", "Casalmaggiore", "Bergamo", "Dalmine", "Seriate", "Treviglio"}
    for mediator in Mediator.objects.prefetch_related("districts"):
        assert {d.province_id for d in mediator.districts.all()} == {mediator.provider.province_id}, mediator
    assert Mediator.objects.filter(is_active=False).exists()
    assert Mediator.objects.exclude(coordinator_notes="").exists()
    assert Mediator.objects.filter(exp_child_protection=True).count() >= 30


def test_every_demo_row_passes_the_model_validation(demo_roster):
    for mediator in Mediator.objects.all():
        mediator.full_clean()
        assert mediator.email.endswith("@example.org")
        assert 18 <= mediator.hourly_rate <= 25
        assert Decimal("0.30") <= mediator.travel_rate <= Decimal("0.45")
        for related in ("languages", "countries", "trainings", "qualifications", "slots", "absences"):
            for row in getattr(mediator, related).all():
                row.full_clean()
        assert mediator.slots.exists(), mediator


def test_the_demo_roster_covers_the_languages_of_the_issue(demo_roster):
    codes = set(MediatorLanguage.objects.values_list("code", flat=True))
    assert len(codes) >= 12
    expected = {"ara", "urd", "pan", "hin", "ben", "zho", "rus", "ukr", "sqi", "ron", "fra", "eng", "spa", "wol", "tir"}
    assert expected <= codes
    arabic_variants = set(MediatorLanguage.objects.filter(code="ara").values_list("variant", flat=True))
    assert {"Darija marocchina", "egiziano", "tunisino"} <= arabic_variants
    assert MediatorLanguage.objects.filter(code="zho", variant__icontains="wenzhou").count() >= 2
    assert MediatorLanguage.objects.filter(written_translation=True).exists()


def test_the_three_demo_mediator_users_are_on_the_roster_with_their_membership(demo_roster):
    linked = Mediator.objects.exclude(user=None)
    assert set(linked.values_list("email", flat=True)) == set(DEMO_MEDIATOR_USERS)
    for email, (district, language) in DEMO_MEDIATOR_USERS.items():
        mediator = Mediator.objects.get(email=email)
        membership = Membership.objects.get(user__email=email, role=Role.MEDIATOR)
        assert mediator.user == membership.user
        assert (mediator.first_name, mediator.last_name) == (mediator.user.first_name, mediator.user.last_name)
        assert mediator.provider == membership.provider
        assert [d.name for d in mediator.districts.all()] == [district]
        assert mediator.languages.filter(code=language).exists()
        assert visible(mediator.user, Mediator).get() == mediator
    # Only the three demo mediators have accounts; the others are on the roster without one.
    assert User.objects.count() == 13


def test_the_cremona_coordinator_finds_several_arabic_speakers_in_cremona(demo_roster):
    coordinator = User.objects.get(email="coordinatore.cremona@example.org")
    arabic = (
        visible(coordinator, Mediator)
        .filter(is_active=True, languages__code="ara", districts__name="Cremona")
        .distinct()
    )
    assert arabic.count() >= 4
    assert "Amina" in set(arabic.values_list("first_name", flat=True))
    # Arabic speakers of other districts are on the roster too, so the district filter has something to drop.
    assert Mediator.objects.filter(languages__code="ara").exclude(districts__name="Cremona").exists()


def test_the_demo_has_current_absences_and_qualifications_about_to_expire(demo_roster):
    today = timezone.localdate()
    current = Absence.objects.filter(start_date__lte=today, end_date__gte=today, mediator__is_active=True)
    assert current.exists()
    assert Absence.objects.filter(start_date__gt=today).exists()
    expiring = Qualification.objects.filter(expires_on__gte=today, expires_on__lte=today + timedelta(days=30))
    assert expiring.count() >= 3
    assert Qualification.objects.filter(expires_on__lt=today).exists()
    assert Training.objects.values("mediator").distinct().count() >= Mediator.objects.count() * 3 // 4


def test_building_the_roster_twice_gives_the_same_rows(demo_roster):
    first = snapshot()
    mediators_demo.build()
    assert snapshot() == first


def test_a_later_run_moves_the_dated_rows_without_piling_them_up(demo_roster, monkeypatch):
    counts = {name: len(rows) for name, rows in snapshot().items()}
    later = timezone.localdate() + timedelta(days=45)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    mediators_demo.build()
    assert {name: len(rows) for name, rows in snapshot().items()} == counts
    assert Absence.objects.filter(start_date__lte=later, end_date__gte=later, mediator__is_active=True).exists()
    assert Qualification.objects.filter(expires_on__gte=later, expires_on__lte=later + timedelta(days=30)).count() >= 3
