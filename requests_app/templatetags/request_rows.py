"""The request lists' rows, written by Python: the list's template drew each of its 25 rows with some forty template
steps (a link, the office, a badge per language, the service, the urgency and its deadline, the status, the offers,
the mediator, the date), most of the page's template time (issue #17). ``tests/test_request_rows.py`` keeps that
template as the reference and holds the two equal."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from core.choices import choice_labels
from core.formatting import format_date_short
from mediators.languages import language_name
from requests_app.models import MediationRequest
from requests_app.templatetags.request_tags import status_badge

register = template.Library()

_NONE = '<span class="text-secondary">—</span>'


def _languages(request, interface: str) -> str:
    return (
        "".join(
            f'<span class="badge badge-language me-1 mb-1">{escape(language_name(language.code, interface))}'
            f"{' · ' + escape(language.variant) if language.variant else ''}</span>"
            for language in request.language_list
        )
        or _NONE
    )


def _offers(request, label: str) -> str:
    sent, answered = request.offers_sent, request.offers_answered
    if sent:
        # As blocktranslate count: ngettext's text is the template's own (never escaped), the count it holds is.
        counts = (
            f'<span aria-hidden="true">{escape(sent)} · {escape(answered)}</span><span class="visually-hidden">'
            f"{ngettext('%(counter)s offer sent', '%(counter)s offers sent', sent) % {'counter': escape(sent)}}, "
            f"{ngettext('%(counter)s answered', '%(counter)s answered', answered) % {'counter': escape(answered)}}"
            "</span>"
        )
    else:
        counts = _NONE
    return f'<td class="text-nowrap" data-testid="offer-counts" data-label="{label}">{counts}</td>'


@register.simple_tag
def request_rows(requests, show_office: bool, show_district: bool, show_offers: bool) -> SafeString:
    """A ``<tr>`` for each request of a page of a request list (requests_app.views.request_list): the office column
    (with the district under it) and the offers column as the role's list shows them."""
    interface = get_language() or ""
    services, places, statuses = (
        choice_labels(MediationRequest, field) for field in ("service_kind", "setting", "status")
    )
    label = {
        "office": escape(_("Office and district") if show_district else _("Office")),
        "languages": escape(_("Languages")),
        "service": escape(_("Service and setting")),
        "urgency": escape(_("Urgency")),
        "status": escape(_("Status")),
        "mediator": escape(_("Mediator")),
        "date": escape(_("Date")),
        "offers": f"{escape(_('Offers'))} ({escape(_('sent · answered'))})",
    }
    urgent = f'<span class="badge bg-danger">{escape(_("Urgent"))}</span>'
    ordinary = f'<span class="small">{escape(_("Ordinary"))}</span>'
    written = []
    for r in requests:
        office = ""
        if show_office:
            district = (
                f'<br><span class="small text-secondary">{escape(r.office.district.name)}</span>'
                if show_district
                else ""
            )
            office = f'<td data-label="{label["office"]}">{escape(r.office.name)}{district}</td>'
        if r.is_urgent:
            urgency = urgent
            if r.deadline:
                # As blocktranslate: its text is the template's own (never escaped), the value it holds is.
                by = _("by %(date)s") % {"date": escape(format_date_short(r.deadline))}
                urgency += f'<br><span class="small">{by}</span>'
        else:
            urgency = ordinary
        mediator = escape(r.assigned_mediator.full_name) if r.assigned_mediator else _NONE
        if r.submitted_at:
            date = escape(format_date_short(r.submitted_at))
        else:
            date = _("created %(date)s") % {"date": escape(format_date_short(r.created_at))}
        written.append(
            '<tr data-testid="request-row">'
            f'<th scope="row" class="request-code"><a href="{escape(r.get_absolute_url())}">'
            f"{escape(r.case_code)}</a></th>"
            f"{office}"
            f'<td data-label="{label["languages"]}">{_languages(r, interface)}</td>'
            f'<td data-label="{label["service"]}">{escape(services.get(r.service_kind, r.service_kind))}<br>'
            f'<span class="small text-secondary">{escape(places.get(r.setting, r.setting))}</span></td>'
            f'<td data-label="{label["urgency"]}">{urgency}</td>'
            f'<td data-label="{label["status"]}"><span class="badge {escape(status_badge(r.status))}">'
            f"{escape(statuses.get(r.status, r.status))}</span></td>"
            f"{_offers(r, label['offers']) if show_offers else ''}"
            f'<td data-testid="assigned-mediator" data-label="{label["mediator"]}">{mediator}</td>'
            f'<td class="small text-nowrap" data-label="{label["date"]}">{date}</td>'
            "</tr>"
        )
    return mark_safe("".join(written))  # noqa: S308 - every value above is escaped
