"""The past offers' rows, written by Python: "My offers" drew each of its up to 100 past offers with some fifteen
template steps (a condition, a translated title with the case code, the district, the status, the answer's time),
most of the page's time (issue #17). ``tests/test_offer_rows.py`` keeps that template as the reference and holds the
two equal."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.choices import choice_labels
from core.formatting import format_datetime_short
from scheduling.models import Offer

register = template.Library()


@register.simple_tag
def past_offer_rows(offers) -> SafeString:
    """A ``<li>`` for each past offer of :func:`scheduling.selectors.mediator_offers` (scheduling.views.my_offers).

    Times are written in the current time zone, as the filter ``datetime_short`` writes them: the page calls this tag
    inside its ``{% timezone "Europe/Rome" %}``."""
    statuses = choice_labels(Offer, "status")
    # As {% blocktranslate %} writes it: the translation as it is, the case code escaped.
    title = _("Offer: request %(code)s")
    written = []
    for offer in offers:
        request = offer.request
        heading = title % {"code": escape(request.case_code)}
        if offer.status == Offer.Status.ACCEPTED and request.assigned_mediator_id == offer.mediator_id:
            heading = f'<a href="{escape(request.get_absolute_url())}">{heading}</a>'
        answered = f" · {escape(format_datetime_short(offer.answered_at))}" if offer.answered_at else ""
        written.append(
            f'<li class="mb-1">{heading} · {escape(request.office.district.name)} · '
            f"<strong>{escape(statuses.get(offer.status, offer.status))}</strong>{answered}</li>"
        )
    return mark_safe("".join(written))  # noqa: S308 - every value above is escaped
