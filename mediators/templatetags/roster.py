"""The roster's rows, written by Python: the list's template drew each of its 25 rows with some twenty-five template
steps (a link, the provider, the gender, a badge per language, the districts, the modes, the state), a third of the
page's time (issue #17). ``tests/test_roster_rows.py`` keeps that template as the reference and holds the two equal."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from mediators.languages import language_name
from mediators.models import Gender

register = template.Library()


@lru_cache(maxsize=4096)
def _badge(code: str, variant: str, interface: str) -> str:
    """A language's badge, written once per process for each language, variant and interface language (the same
    few dozen come back on every page)."""
    name = language_name(code, interface)
    return (
        f'<span class="badge badge-language me-1 mb-1" lang="{escape(interface)}">{escape(name)}'
        f"{' · ' + escape(variant) if variant else ''}</span>"
    )


@register.simple_tag
def roster_rows(mediators) -> SafeString:
    """A ``<tr>`` for each mediator of a page of :func:`mediators.selectors.roster_rows`."""
    interface = get_language() or ""
    state = {
        True: f'<span class="badge bg-success">{escape(_("Active"))}</span>',
        False: f'<span class="badge bg-secondary">{escape(_("Not active"))}</span>',
    }
    # Each label once per page, not once per row.
    genders = {value: escape(label) for value, label in Gender.choices}
    modes: dict[tuple, str] = {}
    rows = []
    for m in mediators:
        chosen = (m.mode_in_person, m.mode_phone, m.mode_video)
        if chosen not in modes:
            modes[chosen] = escape(", ".join(m.get_modes_display()))
        languages = "".join(_badge(language.code, language.variant, interface) for language in m.language_list)
        rows.append(
            '<tr data-testid="roster-row">'
            f'<td><a href="{escape(m.get_absolute_url())}"><strong>{escape(m.full_name)}</strong></a><br>'
            f'<span class="small text-secondary">{escape(m.provider.name)} · '
            f"{genders.get(m.gender) or escape(m.get_gender_display())}</span></td>"
            f"<td>{languages}</td>"
            f"<td>{escape(', '.join(d.name for d in m.district_list))}</td>"
            f'<td class="small">{modes[chosen]}</td>'
            f"<td>{state[bool(m.is_active)]}</td>"
            "</tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
