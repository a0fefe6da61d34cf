"""The offices' ratings of each mediator, for the ranking of candidates (registered in scheduling.ratings)."""

from __future__ import annotations

from django.db.models import Avg, Count, FloatField, IntegerField, OuterRef, Subquery

from .models import Evaluation, EvaluationScore


def office_ratings() -> dict:
    """Annotations of a mediator queryset: the average score the requesting offices gave them, and from how many
    evaluations (one query with the candidates, whatever their number)."""
    office_scores = (
        EvaluationScore.objects.filter(evaluation__mediator=OuterRef("pk"), evaluation__side=Evaluation.Side.REQUESTER)
        .order_by()
        .values("evaluation__mediator")
    )
    return {
        "matching_evaluation_average": Subquery(
            office_scores.annotate(average=Avg("score")).values("average"), output_field=FloatField()
        ),
        "matching_evaluations": Subquery(
            office_scores.annotate(count=Count("evaluation", distinct=True)).values("count"),
            output_field=IntegerField(),
        ),
    }
