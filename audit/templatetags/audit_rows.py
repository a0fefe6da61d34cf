"""The read audit's rows, written by Python: the list's template drew each of its 50 rows with some twenty template
steps (two formatted times, the person, the role, the kind, the link, the hash), half of the page's time (issue #17).
``tests/test_audit_rows.py`` keeps that template as the reference and holds the two equal."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from audit.models import ReadEvent
from core.choices import choice_labels
from core.formatting import format_date_short

register = template.Library()


def _when(at) -> str:
    # The day is written once per day (core.formatting's cache), the time by strftime: an entry's time is unique to
    # the microsecond, never a cache hit. Both as the filters date_short and time_seconds write them.
    local = timezone.localtime(at)
    return f"{format_date_short(local.date())} {local:%H:%M:%S}"


@register.simple_tag
def audit_rows(rows, show_province: bool) -> SafeString:
    """A ``<tr>`` for each ``(event, url)`` of a page of the read audit (audit.views.audit_list)."""
    roles = choice_labels(ReadEvent, "role")
    kinds = choice_labels(ReadEvent, "kind")
    written = []
    for event, url in rows:
        name = event.user.get_full_name()
        what = escape(kinds.get(event.kind, event.kind))
        if event.object_id:
            number = f"#{event.object_id}"
            what += f' <a href="{escape(url)}">{number}</a>' if url else f" {number}"
        if event.what and event.kind == ReadEvent.Kind.EXPORT:
            what += f'<br><span class="small text-secondary">{escape(event.what)}</span>'
        province = (
            f'<td class="small">{escape(event.province.name if event.province else "") or "—"}</td>'
            if show_province
            else ""
        )
        written.append(
            '<tr data-testid="audit-row">'
            f'<td class="text-nowrap small">{_when(event.at)}</td>'
            f"<td>{escape(name) + '<br>' if name else ''}"
            f'<span class="small text-secondary">{escape(event.user.email)}</span></td>'
            f'<td class="small">{escape(roles.get(event.role, event.role)) or "—"}</td>'
            f"<td>{what}</td>{province}"
            f'<td><code class="small" title="{escape(event.path_hash)}">{escape(event.path_hash[:12])}…</code></td>'
            "</tr>"
        )
    return mark_safe("".join(written))  # noqa: S308 - every value above is escaped
