"""The mediators' ratings added up (sessions_app.models.MediatorRating): what the candidates' ranking reads instead of
every score of every evaluation. Kept by the services and the signals, rebuilt nightly, always equal to a full
recomputation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.scoping import actor_for
from sessions_app import services as report_services
from sessions_app.models import Evaluation, EvaluationCriterion, EvaluationScore, MediatorRating
from sessions_app.tasks import ratings_rebuild_task

from . import factories as f
from .report_factories import make_world, validated

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = make_world(sessions=1, expected_sessions=1)
    validated(world)
    world.request.refresh_from_db()
    return world


def _criteria(province) -> list[EvaluationCriterion]:
    return list(EvaluationCriterion.objects.filter(province=province, active=True).order_by("order"))


def _rating(mediator) -> tuple | None:
    row = MediatorRating.objects.filter(mediator=mediator).first()
    return None if row is None else (row.evaluations, row.scores, row.score_total)


def _office_evaluates(world, *values):
    chosen = _criteria(world.province)
    values = values or (4,) * len(chosen)
    return report_services.evaluation_save(
        actor=actor_for(world.social_worker),
        request=world.request,
        side="requester",
        scores={c.pk: (v, "") for c, v in zip(chosen, values, strict=True)},
    )


def test_the_offices_evaluation_counts_in_its_mediators_rating(world):
    chosen = _criteria(world.province)
    _office_evaluates(world, *([5] * (len(chosen) - 1) + [2]))
    assert _rating(world.mediator) == (1, len(chosen), 5 * (len(chosen) - 1) + 2)


def test_evaluating_again_replaces_the_scores_in_the_rating(world):
    chosen = _criteria(world.province)
    _office_evaluates(world, *([1] * len(chosen)))
    _office_evaluates(world, *([3] * len(chosen)))
    assert _rating(world.mediator) == (1, len(chosen), 3 * len(chosen))


def test_the_mediators_own_evaluation_of_the_mediation_is_not_a_rating(world):
    chosen = _criteria(world.province)
    report_services.evaluation_save(
        actor=actor_for(world.mediator_user),
        request=world.request,
        side="mediator",
        scores={c.pk: (5, "") for c in chosen},
    )
    assert _rating(world.mediator) is None


def test_the_ranking_reads_the_average_from_the_rating_in_the_same_query(world):
    from scheduling.ratings import annotations

    chosen = _criteria(world.province)
    _office_evaluates(world, *([5] * (len(chosen) - 1) + [1]))
    with CaptureQueriesContext(connection) as queries:
        rated = type(world.mediator).objects.annotate(**annotations()).get(pk=world.mediator.pk)
    assert len(queries) == 1
    assert rated.matching_evaluations == 1
    assert rated.matching_evaluation_average == pytest.approx((5 * (len(chosen) - 1) + 1) / len(chosen))
    unrated = type(world.mediator).objects.annotate(**annotations()).exclude(pk=world.mediator.pk).first()
    assert unrated is None or (unrated.matching_evaluation_average, unrated.matching_evaluations) == (None, None)


def test_a_row_tampered_with_or_left_over_is_found_by_the_check_and_mended_by_the_nightly_task(world):
    _office_evaluates(world)
    other = f.MediatorFactory()
    MediatorRating.objects.filter(mediator=world.mediator).update(score_total=1)
    MediatorRating.objects.create(mediator=other, evaluations=3, scores=15, score_total=60)
    assert report_services.ratings_check() == sorted([world.mediator.pk, other.pk])
    assert ratings_rebuild_task.apply().get() == 1
    assert report_services.ratings_check() == []
    assert _rating(other) is None


def test_scores_loaded_in_bulk_around_the_signals_count_once_rebuilt(world):
    evaluation = Evaluation.objects.create(
        request=world.request, side="requester", mediator=world.mediator, by=world.social_worker
    )
    EvaluationScore.objects.bulk_create(
        EvaluationScore(evaluation=evaluation, criterion=criterion, score=2) for criterion in _criteria(world.province)
    )
    assert report_services.ratings_check() == [world.mediator.pk]
    report_services.ratings_rebuild()
    assert _rating(world.mediator) == (1, len(_criteria(world.province)), 2 * len(_criteria(world.province)))


STEP = st.one_of(
    st.tuples(st.just("evaluate"), st.integers(0, 2), st.integers(0, 1), st.lists(st.integers(1, 5), min_size=3,
              max_size=3), st.sampled_from(["requester", "mediator"])),
    st.tuples(st.just("delete"), st.integers(0, 20)),
    st.tuples(st.just("rescore"), st.integers(0, 20), st.integers(1, 5)),
)  # fmt: skip


def test_any_sequence_of_evaluations_leaves_the_ratings_equal_to_a_full_recomputation():
    """Evaluations made, made again, deleted (with their scores, by cascade) and scores changed one by one, in any
    order, by three mediators on two requests (so that an evaluation made again often names another mediator, as the
    admin site could): the kept rows always equal what the scores say."""
    province = f.ProvinceFactory()
    criteria = [
        EvaluationCriterion.objects.create(province=province, key=f"k{i}", label_it=f"c{i}", label_en=f"c{i}", order=i)
        for i in range(3)
    ]
    office = f.OfficeFactory(district__province=province)
    mediators = [f.MediatorFactory() for _ in range(3)]
    requests = [f.MediationRequestFactory(office=office, status="evaluated") for _ in range(2)]

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(steps=st.lists(STEP, min_size=1, max_size=12))
    def check(steps):
        Evaluation.objects.all().delete()
        MediatorRating.objects.all().delete()
        for step in steps:
            if step[0] == "evaluate":
                _kind, mediator, request, scores, side = step
                evaluation, _created = Evaluation.objects.update_or_create(
                    request=requests[request], side=side,
                    defaults={"mediator": mediators[mediator], "by": office_user},
                )  # fmt: skip
                for criterion, score in zip(criteria, scores, strict=True):
                    EvaluationScore.objects.update_or_create(
                        evaluation=evaluation, criterion=criterion, defaults={"score": score}
                    )
            elif step[0] == "delete":
                evaluation = Evaluation.objects.order_by("pk")[step[1] : step[1] + 1].first()
                if evaluation is not None:
                    evaluation.delete()
            else:
                score = EvaluationScore.objects.order_by("pk")[step[1] : step[1] + 1].first()
                if score is not None:
                    score.score = step[2]
                    score.save()
            assert report_services.ratings_check() == []

    office_user = f.UserFactory()
    check()


@pytest.mark.django_db(transaction=True)
def test_two_evaluations_of_one_mediator_saved_at_the_same_moment_both_count():
    """Two offices' evaluations of the same mediator, each in its own transaction, refreshing the rating at once: the
    second waits for the first to commit (an advisory lock per mediator), then reads both (PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes one transaction at a time: the race needs PostgreSQL")
    import threading

    from django.db import connections, transaction

    province = f.ProvinceFactory()
    criterion = EvaluationCriterion.objects.create(province=province, key="k", label_it="c", label_en="c", order=0)
    office = f.OfficeFactory(district__province=province)
    mediator = f.MediatorFactory()
    requests = [f.MediationRequestFactory(office=office, status="evaluated") for _ in range(2)]
    by = f.UserFactory()
    inserted, refreshed = threading.Barrier(2), threading.Barrier(2)
    errors = []

    def evaluate(request, score):
        try:
            with transaction.atomic():
                # In bulk (no signals): the refresh below is the only one, and both run while neither has committed.
                (evaluation,) = Evaluation.objects.bulk_create(
                    [Evaluation(request=request, side="requester", mediator=mediator, by=by)]
                )
                EvaluationScore.objects.bulk_create(
                    [EvaluationScore(evaluation=evaluation, criterion=criterion, score=score)]
                )
                inserted.wait(timeout=10)
                report_services.ratings_refresh(mediator_ids=[mediator.pk])
                try:
                    # Without the lock both would get here before either commits; with it the second is still
                    # waiting for the first, which goes on after a moment.
                    refreshed.wait(timeout=1)
                except threading.BrokenBarrierError:
                    pass
        except Exception as exc:  # noqa: BLE001 - any failure of either thread is the test's failure
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=evaluate, args=(request, score))
        for request, score in zip(requests, [2, 5], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _rating(mediator) == (2, 2, 7)
    assert report_services.ratings_check() == []
