"""The address of an object's page without Django's ``reverse()`` at every row.

``reverse()`` walks the URL patterns at each call (about fifty Python calls): a list of a hundred offers, each with
its request's link, spent more on addresses than on its query (issue #17). An address that takes one id is reversed
once per name, URLconf and script prefix, with a marker in place of the id, and the id is put in its place after.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_MARKER = 987654321987
_patterns: dict[tuple, tuple[str, str]] = {}


def pk_url(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` for a pattern with one integer: the same address."""
    key = (name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    found = _patterns.get(key)
    if found is None:
        before, _, after = reverse(name, args=[_MARKER]).partition(str(_MARKER))
        found = _patterns[key] = (before, after)
    return f"{found[0]}{int(pk)}{found[1]}"
