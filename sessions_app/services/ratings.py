"""The offices' ratings of each mediator, added up (sessions_app.models.MediatorRating) for the ranking of candidates.

Each change of an evaluation writes its mediator's row again from the scores (:func:`ratings_refresh`, under a lock
on the mediator so that two evaluations saved at once both count); :func:`ratings_rebuild` writes every row again
(nightly, and after a bulk load); :func:`ratings_check` says which rows differ from a full recomputation.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Sum

from ..models import Evaluation, EvaluationScore, MediatorRating


def _computed(mediator_ids: list[int] | None = None) -> dict[int, tuple[int, int, int]]:
    """{mediator: (evaluations, scores, sum of the scores)} from the requesting offices' scores (one GROUP BY)."""
    scores = EvaluationScore.objects.filter(evaluation__side=Evaluation.Side.REQUESTER)
    if mediator_ids is not None:
        scores = scores.filter(evaluation__mediator_id__in=mediator_ids)
    rows = (
        scores.order_by()
        .values("evaluation__mediator_id")
        .annotate(evaluations=Count("evaluation", distinct=True), scores=Count("pk"), total=Sum("score"))
    )
    return {row["evaluation__mediator_id"]: (row["evaluations"], row["scores"], row["total"]) for row in rows}


def _write(computed: dict[int, tuple[int, int, int]]) -> None:
    MediatorRating.objects.bulk_create(
        [
            MediatorRating(mediator_id=pk, evaluations=evaluations, scores=scores, score_total=total)
            for pk, (evaluations, scores, total) in sorted(computed.items())
        ]
    )


def ratings_refresh(*, mediator_ids: Iterable[int]) -> None:
    """Write these mediators' rows again from their scores, in the caller's transaction (three statements and the
    lock, whatever the number of mediators)."""
    ids = sorted({pk for pk in mediator_ids if pk is not None})
    if not ids:
        return
    with transaction.atomic():
        _lock(ids)
        MediatorRating.objects.filter(mediator_id__in=ids).delete()
        _write(_computed(ids))


# The advisory locks' first key, so that they never meet another use of pg_advisory_xact_lock.
RATING_LOCK = 17_017


def _lock(ids: list[int]) -> None:
    """A second evaluation of the same mediator saved at the same moment waits here until this transaction ends, then
    reads both. An advisory lock per mediator (PostgreSQL; SQLite writes one transaction at a time anyway), not the
    mediator's row: booking an appointment locks that row, and an evaluation must neither wait for a booking nor,
    holding it, wait for the request that a change of a series' mediator holds (a deadlock). Taken in the order of the
    ids, so that two refreshes never wait for each other in a circle."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, k) FROM unnest(%s::int[]) AS k ORDER BY k",
            [RATING_LOCK, sorted({pk % 2_147_483_647 for pk in ids})],
        )


def ratings_rebuild() -> int:
    """Every mediator's row written again from the scores, in one transaction: the rows written."""
    with transaction.atomic():
        computed = _computed()
        MediatorRating.objects.all().delete()
        _write(computed)
    return len(computed)


def ratings_check() -> list[int]:
    """The mediators whose row differs from a full recomputation (missing, left over, or other numbers)."""
    kept = {row.mediator_id: (row.evaluations, row.scores, row.score_total) for row in MediatorRating.objects.all()}
    computed = _computed()
    return sorted(pk for pk in set(kept) | set(computed) if kept.get(pk) != computed.get(pk))
