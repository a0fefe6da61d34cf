"""The roster's rows, written by Python: the list's template drew each of its 25 rows with some twenty-five template
steps (a link, the provider, the gender, a badge per language, the districts, the modes, the state), a third of the
page's time (issue #17). ``tests/test_roster_rows.py`` keeps that template as the reference and holds the two equal."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


def _languages(mediator, interface: str) -> str:
    return "".join(
        f'<span class="badge badge-language me-1 mb-1" lang="{escape(interface)}">{escape(language.name)}'
        f"{' · ' + escape(language.variant) if language.variant else ''}</span>"
        for language in mediator.language_list
    )


@register.simple_tag
def roster_rows(mediators) -> SafeString:
    """A ``<tr>`` for each mediator of a page of :func:`mediators.selectors.roster_rows`."""
    interface = get_language() or ""
    state = {
        True: f'<span class="badge bg-success">{escape(_("Active"))}</span>',
        False: f'<span class="badge bg-secondary">{escape(_("Not active"))}</span>',
    }
    return mark_safe(  # noqa: S308 - every value below is escaped
        "".join(
            '<tr data-testid="roster-row">'
            f'<td><a href="{escape(m.get_absolute_url())}"><strong>{escape(m.full_name)}</strong></a><br>'
            f'<span class="small text-secondary">{escape(m.provider.name)} · '
            f"{escape(m.get_gender_display())}</span></td>"
            f"<td>{_languages(m, interface)}</td>"
            f"<td>{escape(', '.join(d.name for d in m.district_list))}</td>"
            f'<td class="small">{escape(", ".join(m.get_modes_display()))}</td>'
            f"<td>{state[bool(m.is_active)]}</td>"
            "</tr>"
            for m in mediators
        )
    )
