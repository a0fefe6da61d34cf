"""What the rooms above add to a request's page, without this room importing them.

A room that has something to show on a request's page (scheduling: its offers and appointments) registers a
function ``(user, request) -> dict`` when the app is ready; the page merges their context in registration order, and
its template includes the room's fragment. This room stays below them: the arrow runs from scheduling to here.
"""

from __future__ import annotations

from collections.abc import Callable

Panel = Callable[..., dict]
_PANELS: list[Panel] = []


def register(panel: Panel) -> Panel:
    """Add a panel's context to every request page (idempotent: registering twice adds it once)."""
    if panel not in _PANELS:
        _PANELS.append(panel)
    return panel


def context(*, user, request) -> dict:
    merged: dict = {}
    for panel in _PANELS:
        merged.update(panel(user=user, request=request))
    return merged


# What the rooms above add to the request lists: a function ``(queryset) -> queryset`` that annotates each request
# with what its columns show (scheduling: how many offers were sent and answered), in the same query as the page.
Annotation = Callable[..., object]
_LIST_ANNOTATIONS: list[Annotation] = []


def register_list_annotation(annotate: Annotation) -> Annotation:
    """Add annotations to the request lists (idempotent, like ``register``)."""
    if annotate not in _LIST_ANNOTATIONS:
        _LIST_ANNOTATIONS.append(annotate)
    return annotate


def annotate_list(queryset):
    for annotate in _LIST_ANNOTATIONS:
        queryset = annotate(queryset)
    return queryset
