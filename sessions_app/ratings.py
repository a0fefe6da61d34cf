"""The offices' ratings of each mediator, for the ranking of candidates (registered in scheduling.ratings)."""

from __future__ import annotations

from django.db.models import F, FloatField, IntegerField, OuterRef, Subquery
from django.db.models.functions import Cast

from .models import MediatorRating


def office_ratings() -> dict:
    """Annotations of a mediator queryset: the average score the requesting offices gave them (None without one),
    and from how many evaluations, read from their :class:`~sessions_app.models.MediatorRating` (one row each, by
    its primary key: the query costs the same whatever the evaluations behind it)."""
    rating = MediatorRating.objects.filter(mediator_id=OuterRef("pk"), scores__gt=0)
    return {
        "matching_evaluation_average": Subquery(
            rating.annotate(average=Cast("score_total", FloatField()) / F("scores")).values("average"),
            output_field=FloatField(),
        ),
        "matching_evaluations": Subquery(rating.values("evaluations"), output_field=IntegerField()),
    }
