"""Work done in batches: a person ticks several rows of a list and acts on them in one click.

Each item is still read through the user's scope and acted on by the room's own service, in its own transaction:
a refusal of one item never undoes the others, and an id the user cannot see is "not found", like any id that does
not exist (its existence is never leaked). The rooms write one batch service per action on top of :func:`run_batch`
(``sessions_app.services.reports_confirm``, ``reports_validate``; ``timesheets.services.timesheets_approve``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.utils.translation import gettext as _

from .errors import DomainError

# A list page shows at most 100 rows: a batch is never longer.
MAX_BATCH = 100
# The largest id a database holds (and SQLite can compare): beyond it, an id is "not found" without asking.
MAX_ID = 2**63 - 1


# The level of the page's message after a batch: all done, some refused, nothing done.
LEVELS = {"success": messages.SUCCESS, "warning": messages.WARNING, "error": messages.ERROR}


@dataclass(frozen=True)
class Refusal:
    """An item of a batch that was not acted on: what the person reads to find it, and why."""

    label: str
    reason: str


@dataclass
class BatchResult:
    done: list[Any] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def parse_ids(values: Iterable[str]) -> tuple[list[int], list[str]]:
    """The ids as posted: the numbers, in order and each once, and whatever else was posted (as typed, shortened).

    Nothing chosen, or more than :data:`MAX_BATCH`, is refused as a whole before anything is done."""
    ids: list[int] = []
    bad: list[str] = []
    for value in values:
        text = str(value).strip()
        if text.isdigit() and text.isascii() and 0 < int(text) <= MAX_ID:
            if int(text) not in ids:
                ids.append(int(text))
        elif text[:20] not in bad:
            bad.append(text[:20])
    if not ids and not bad:
        raise DomainError(_("Nothing was selected: tick the rows to act on first."))
    if len(ids) + len(bad) > MAX_BATCH:
        raise DomainError(_("At most %(count)s items can be handled at once.") % {"count": MAX_BATCH})
    return ids, bad


def run_batch(
    *,
    ids: list[int],
    bad: list[str],
    found: Mapping[int, Any],
    label: Callable[[Any], str],
    act: Callable[[Any], Any],
) -> BatchResult:
    """Act on each item of ``found`` (the items of ``ids`` the user's scope returned) with ``act``, one by one.

    ``act`` is a service with its own ``transaction.atomic``; this function must not run inside a transaction of its
    own, or one failing item would take the others down with it."""
    result = BatchResult()
    not_found = _("not found")
    for pk in ids:
        item = found.get(pk)
        if item is None:
            result.refused.append(Refusal(label=_("no. %(id)s") % {"id": pk}, reason=not_found))
            continue
        try:
            result.done.append(act(item))
        except DomainError as exc:
            result.refused.append(Refusal(label=label(item), reason=str(exc.message)))
    for value in bad:
        result.refused.append(Refusal(label=f"“{value}”", reason=not_found))
    return result


def summary(result: BatchResult, *, done: str, refused: str) -> tuple[str, str]:
    """The message level and the sentence after a batch: "3 reports validated; 1 report refused: TM-2025-014 of
    4 December — the reason." ``done`` and ``refused`` are the caller's plural-aware counts (ngettext)."""
    if not result.refused:
        return "success", _("%(done)s.") % {"done": done}
    items = "; ".join(
        _("%(item)s — %(reason)s") % {"item": refusal.label, "reason": refusal.reason.rstrip(". ")}
        for refusal in result.refused
    )
    level = "warning" if result.done else "error"
    return level, _("%(done)s; %(refused)s: %(items)s.") % {"done": done, "refused": refused, "items": items}
