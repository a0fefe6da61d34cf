"""Evaluations: the office and the mediator score a completed mediation on the province's shared criteria; the
office's evaluation moves the request to evaluated, the coordinator then closes it; averages per mediator."""

from decimal import Decimal

import pytest
from django.utils import translation

from accounts.scoping import actor_for, visible
from core.errors import DomainError
from requests_app import services as request_services
from requests_app.models import MediationRequest, StatusChange
from sessions_app import selectors as report_selectors
from sessions_app import services as report_services
from sessions_app.models import Evaluation, EvaluationCriterion, EvaluationScore

from . import factories as f
from .report_factories import make_world, validated

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _messages_in_english():
    # The messages are checked by their English source text (the Italian catalog translates them).
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    world = make_world(sessions=1, expected_sessions=1)
    validated(world)
    world.request.refresh_from_db()
    assert world.request.status == "completed"
    return world


def criteria(world) -> list[EvaluationCriterion]:
    return list(EvaluationCriterion.objects.filter(province=world.province).order_by("order"))


def evaluate(world, *values, by=None, side="requester", request=None, comment=""):
    chosen = criteria(world)
    values = values or (4,) * len(chosen)
    return report_services.evaluation_save(
        actor=actor_for(by or (world.social_worker if side == "requester" else world.mediator_user)),
        request=request or world.request,
        side=side,
        scores={c.pk: (v, "") for c, v in zip(chosen, values, strict=True)},
        comment=comment,
    )


def test_every_province_starts_with_the_five_shared_criteria(world):
    assert [(c.key, c.label_it, c.label_en) for c in criteria(world)] == [
        ("understanding", "Comprensione reciproca raggiunta", "Understanding reached"),
        ("relationship", "Relazione con la famiglia", "Relationship with the family"),
        ("neutrality", "Neutralità del mediatore", "The mediator's neutrality"),
        ("usefulness", "Utilità per il progetto sul caso", "Usefulness for the case plan"),
        ("punctuality", "Puntualità e affidabilità", "Punctuality and reliability"),
    ]
    assert report_services.criteria_seed_defaults(province=world.province) == 0


def test_the_data_migration_seeds_the_criteria_of_existing_provinces():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("sessions_app.migrations.0002_seed_criteria")
    province = f.ProvinceFactory()
    migration.seed_criteria(apps, None)
    migration.seed_criteria(apps, None)
    assert EvaluationCriterion.objects.filter(province=province).count() == 5


def test_a_criterion_speaks_the_users_language(world):
    from django.utils import translation

    criterion = criteria(world)[2]
    with translation.override("it"):
        assert criterion.label == "Neutralità del mediatore"
    with translation.override("en"):
        assert criterion.label == "The mediator's neutrality"


def test_completed_evaluated_closed(world, django_capture_on_commit_callbacks):
    evaluation = evaluate(world, 5, 4, 5, 3, 4, comment="Colloquio molto utile.")
    assert (evaluation.side, evaluation.by, evaluation.mediator) == ("requester", world.social_worker, world.mediator)
    assert sorted(evaluation.scores.values_list("score", flat=True)) == [3, 4, 4, 5, 5]
    request = MediationRequest.objects.get(pk=world.request.pk)
    assert request.status == "evaluated"
    step = StatusChange.objects.get(request=request, to_status="evaluated")
    assert (step.from_status, step.by) == ("completed", world.social_worker)

    request = request_services.request_close(actor=actor_for(world.coordinator), request=request)
    assert request.status == "closed"
    with pytest.raises(DomainError, match="until the request is closed"):
        evaluate(world, side="mediator")


def test_the_mediators_own_evaluation_leaves_the_request_as_it_is(world):
    evaluation = evaluate(world, 3, 3, 4, 4, 5, side="mediator")
    assert (evaluation.side, evaluation.by) == ("mediator", world.mediator_user)
    assert MediationRequest.objects.get(pk=world.request.pk).status == "completed"


def test_one_evaluation_per_side_saving_again_replaces_the_scores(world):
    evaluate(world, 2, 2, 2, 2, 2)
    evaluate(world, 5, 5, 5, 5, 4)
    evaluation = Evaluation.objects.get(request=world.request, side="requester")
    assert sorted(evaluation.scores.values_list("score", flat=True)) == [4, 5, 5, 5, 5]
    assert EvaluationScore.objects.count() == 5
    assert StatusChange.objects.filter(request=world.request, to_status="evaluated").count() == 1


@pytest.mark.parametrize("bad", [0, 6, "", None, "quattro", 4.5, True])
def test_every_criterion_needs_a_score_from_1_to_5(world, bad):
    with pytest.raises(DomainError, match="from 1 to 5") as error:
        evaluate(world, 4, 4, bad, 4, 4)
    assert error.value.field == f"score_{criteria(world)[2].pk}"
    assert not Evaluation.objects.exists()
    assert MediationRequest.objects.get(pk=world.request.pk).status == "completed"


def test_a_missing_or_foreign_criterion_is_refused(world):
    chosen = criteria(world)
    with pytest.raises(DomainError, match="from 1 to 5"):
        report_services.evaluation_save(
            actor=actor_for(world.social_worker),
            request=world.request,
            side="requester",
            scores={c.pk: (4, "") for c in chosen[:4]},
        )
    foreign = EvaluationCriterion.objects.exclude(
        province=world.province
    ).first() or EvaluationCriterion.objects.create(
        province=f.ProvinceFactory(), key="altro", label_it="Altro", label_en="Other"
    )
    with pytest.raises(DomainError, match="no longer in use"):
        report_services.evaluation_save(
            actor=actor_for(world.social_worker),
            request=world.request,
            side="requester",
            scores={**{c.pk: (4, "") for c in chosen}, foreign.pk: (4, "")},
        )
    assert not Evaluation.objects.exists()


def test_comments_are_kept_and_bounded(world):
    chosen = criteria(world)
    with pytest.raises(DomainError, match="too long"):
        report_services.evaluation_save(
            actor=actor_for(world.social_worker),
            request=world.request,
            side="requester",
            scores={c.pk: (4, "x" * 501) for c in chosen},
        )
    report_services.evaluation_save(
        actor=actor_for(world.social_worker),
        request=world.request,
        side="requester",
        scores={c.pk: (4, "  Bene  ") for c in chosen},
    )
    assert set(EvaluationScore.objects.values_list("comment", flat=True)) == {"Bene"}


def test_a_request_not_completed_is_not_evaluated():
    world = make_world(sessions=1)
    with pytest.raises(DomainError, match="once it is completed"):
        evaluate(world)
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    ("side", "who"),
    [
        ("requester", "mediator"),
        ("requester", "coordinator"),
        ("requester", "other_office"),
        ("mediator", "social_worker"),
        ("mediator", "other_mediator"),
        ("mediator", "coordinator"),
        ("unknown", "social_worker"),
    ],
)
def test_each_side_is_evaluated_by_its_own_people(world, side, who):
    people = {
        "mediator": world.mediator_user,
        "social_worker": world.social_worker,
        "coordinator": world.coordinator,
        "other_office": f.social_worker(office=f.OfficeFactory(district=world.district)),
        "other_mediator": f.mediator(districts=[world.district]),
    }
    with pytest.raises(DomainError):
        evaluate(world, side=side, by=people[who])
    assert not Evaluation.objects.exists()


def test_averages_per_mediator_and_criterion_are_exact():
    """Three requests of one mediator: the offices gave (5, 4, 3), (4, 4, 3) and (4, 2, 3) on the first three
    criteria (the other two always 5); the mediator scored one of them 3 everywhere."""
    world = make_world(sessions=1, expected_sessions=1)
    validated(world)
    others = []
    for _ in range(2):
        other = f.MediationRequestFactory(
            office=world.office, requester=world.social_worker, status="completed", assigned_mediator=world.mediator
        )
        others.append(other)
    requests = [world.request, *others]
    for request, first_three in zip(requests, [(5, 4, 3), (4, 4, 3), (4, 2, 3)], strict=True):
        evaluate(world, *first_three, 5, 5, request=MediationRequest.objects.get(pk=request.pk))
    evaluate(world, 3, 3, 3, 3, 3, side="mediator", request=MediationRequest.objects.get(pk=world.request.pk))
    # Another mediator's evaluation does not leak into these averages.
    stranger = f.MediatorFactory(provider=world.mediator.provider, districts=[world.district])
    strange = f.MediationRequestFactory(
        office=world.office, requester=world.social_worker, status="completed", assigned_mediator=stranger
    )
    evaluate(world, 1, 1, 1, 1, 1, request=strange)

    table = report_selectors.mediator_averages(user=world.coordinator)
    assert [c.key for c in table["criteria"]] == [
        "understanding",
        "relationship",
        "neutrality",
        "usefulness",
        "punctuality",
    ]
    row = next(r for r in table["rows"] if r["mediator"] == world.mediator)
    assert row["office"] == [Decimal("4.33"), Decimal("3.33"), Decimal("3.00"), Decimal("5.00"), Decimal("5.00")]
    assert row["own"] == [Decimal("3.00")] * 5
    assert (row["evaluations"], row["self_evaluations"]) == (3, 1)
    # (13 + 10 + 9 + 15 + 15) / 15 scores
    assert row["overall"] == Decimal("4.13")
    stranger_row = next(r for r in table["rows"] if r["mediator"] == stranger)
    assert stranger_row["office"] == [Decimal("1.00")] * 5

    mine = report_selectors.mediator_averages(user=world.mediator_user)
    assert [r["mediator"] for r in mine["rows"]] == [world.mediator]


def test_who_reads_an_evaluation(world):
    office_side = evaluate(world)
    mediator_side = evaluate(world, side="mediator")
    both = {office_side.pk, mediator_side.pk}
    readers = {
        world.social_worker: {office_side.pk},
        world.coordinator: both,
        f.province_staff(province=world.province): both,
        world.mediator_user: {mediator_side.pk},
        f.mediator(districts=[world.district]): set(),
        f.social_worker(office=f.OfficeFactory(district=world.district)): set(),
        f.coordinator(district=f.DistrictFactory(province=world.province)): set(),
        f.province_staff(): set(),
        f.funder_viewer(funder=f.FunderFactory(provinces=[world.province])): set(),
    }
    for user, expected in readers.items():
        assert set(visible(user, Evaluation).values_list("pk", flat=True)) == expected, user
        scores = set(visible(user, EvaluationScore).values_list("evaluation_id", flat=True))
        assert scores == expected, user
