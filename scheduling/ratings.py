"""How the offices rated each mediator, for the ranking of candidates, without this room importing sessions.

Evaluations live in sessions, a room above this one (they follow the sessions). Sessions registers, when the app is
ready, the function that annotates a mediator queryset with ``matching_evaluation_average`` (the offices' average
score, or None) and ``matching_evaluations`` (how many evaluations); without it every mediator is unrated.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import FloatField, IntegerField, Value

_SOURCE: list[Callable[[], dict]] = []


def register(source: Callable[[], dict]) -> None:
    _SOURCE[:] = [source]


def annotations() -> dict:
    if _SOURCE:
        return _SOURCE[0]()
    return {
        "matching_evaluation_average": Value(None, output_field=FloatField()),
        "matching_evaluations": Value(0, output_field=IntegerField()),
    }
