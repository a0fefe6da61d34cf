"""The address of an object's page without Django's ``reverse()`` at every row.

``reverse()`` walks the URL patterns at each call (about fifty Python calls): a list of a hundred offers, each with
its request's link, spent more on addresses than on its query (issue #17). An address that takes one id is reversed
once per name, URLconf and script prefix, with a marker in place of the id, and the id is put in its place after;
an address of several arguments (a timesheet's: mediator, district, month) the same way with a marker for each.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_MARKER = "987654321987"
_patterns: dict[tuple, tuple[str, ...]] = {}


def marked_url(name: str, markers: tuple[str, ...], values: tuple[str, ...]) -> str:
    """``reverse(name, args=values)``, for arguments already written as the address writes them: the pattern is
    reversed once (per name, markers, URLconf and script prefix) with ``markers`` for arguments, each a value its
    converter takes and found nowhere else in the address, and ``values`` are put in their places after."""
    key = (name, markers, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    pieces = _patterns.get(key)
    if pieces is None:
        rest, found = reverse(name, args=markers), []
        for marker in markers:
            before, rest = rest.split(marker, 1)
            found.append(before)
        pieces = _patterns[key] = (*found, rest)
    return "".join(piece + value for piece, value in zip(pieces[:-1], values, strict=True)) + pieces[-1]


def pk_url(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` for a pattern with one integer: the same address."""
    return marked_url(name, (_MARKER,), (str(int(pk)),))
