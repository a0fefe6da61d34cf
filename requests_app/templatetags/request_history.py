"""A request's history, written by Python: the request page drew each change of its history with some ten template
steps (the two statuses with their hidden words, the date, who made the change, the reason with its line breaks), a
part of the request page's template time that grows with the request's life (issue #17).
``tests/test_request_summary_rows.py`` keeps that template as the reference and holds the two equal."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.choices import choice_labels
from core.formatting import format_datetime
from requests_app.models import StatusChange

register = template.Library()


@register.simple_tag
def request_history_items(changes) -> SafeString:
    """A ``<li>`` for each change of a request's history (``r.history.all``, read with who made each change by
    :func:`requests_app.selectors.request_detail`), after the page's own "Created as a draft".

    Times are written in the current time zone, as the filter ``datetime_long`` writes them."""
    statuses = {value: escape(label) for value, label in choice_labels(StatusChange, "to_status").items()}
    # As {% translate %} writes them: the translations as they are, never escaped.
    from_ = f'<span class="visually-hidden">{_("From")}</span> '
    to = f' <span aria-hidden="true">→</span><span class="visually-hidden">{_("to")}</span> '
    reason = f'<p class="mb-0 request-reason"><span class="fw-semibold">{_("Reason")}:</span> '
    written = []
    for change in changes:
        before = statuses.get(change.from_status, escape(change.from_status)) or "—"  # a request's first step
        after = statuses.get(change.to_status, escape(change.to_status))
        by = change.by.get_full_name() or change.by.email
        why = f"{reason}{linebreaksbr(change.reason, autoescape=True)}</p>" if change.reason else ""
        written.append(
            '<li class="request-timeline-item">'
            f'<p class="mb-0">{from_}{before}{to}<strong>{after}</strong></p>'
            f'<p class="small text-secondary mb-0">{escape(format_datetime(change.at))} · {escape(by)}</p>'
            f"{why}"
            "</li>"
        )
    return mark_safe("".join(written))  # noqa: S308 - every value above is escaped (linebreaksbr escapes the reason)
