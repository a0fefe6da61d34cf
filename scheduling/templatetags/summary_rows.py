"""The request page's offers and appointments, written by Python: its summary drew each of up to 40 offers and 40
appointments with some fifteen template steps (the mediator and the group, the status, the times of sending and of
the answer with their translated sentences; the struck-through date and times, the mode and the place, the status and
the late cancellation), a large part of the request page's template time (issue #17).
``tests/test_request_summary_rows.py`` keeps that template as the reference and holds the two equal."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.choices import choice_labels
from core.formatting import format_datetime_short, format_time, format_weekday_date
from scheduling.models import Appointment, Offer

register = template.Library()

# An appointment that did not and will not take place: its date and times struck through.
_STRUCK = (Appointment.Status.CANCELLED, Appointment.Status.VOID)


@register.simple_tag
def summary_offer_rows(offers) -> SafeString:
    """A ``<tr>`` for each offer of :func:`scheduling.selectors.request_summary_offers` (scheduling.panels).

    Times are written in the current time zone, as the filter ``datetime_short`` writes them:
    ``scheduling/_summary.html`` calls this tag inside its ``{% timezone "Europe/Rome" %}``."""
    statuses = {value: escape(label) for value, label in choice_labels(Offer, "status").items()}
    # As {% translate %} and {% blocktranslate %} write them: the translation as it is (never escaped), the values
    # it holds escaped ("annullato all'ultimo momento" keeps its apostrophe).
    group, from_date, no_answer, answer_by = (
        _("group %(number)s"), _("from %(date)s"), _("no answer by %(date)s"), _("by %(date)s"),
    )  # fmt: skip
    by_phone = f' <span class="small text-secondary">({_("by phone")})</span>'
    written = []
    for offer in offers:
        tier = (
            f' <span class="badge bg-light text-dark">{group % {"number": escape(offer.tier)}}</span>'
            if offer.tier > 1
            else ""
        )
        release_at = escape(format_datetime_short(offer.release_at))
        if offer.status == Offer.Status.QUEUED:
            sent = f'<span class="text-secondary">{from_date % {"date": release_at}}</span>'
        else:
            sent = release_at
        if offer.answered_at:
            answer = escape(format_datetime_short(offer.answered_at))
            if offer.decline_reason:
                answer += f'<br><span class="small text-secondary">{escape(offer.decline_reason)}</span>'
        elif offer.status == Offer.Status.EXPIRED:
            answer = (
                f'<span class="text-secondary">{no_answer % {"date": escape(format_datetime_short(offer.expires_at))}}'
                "</span>"
            )
        else:
            answer = answer_by % {"date": escape(format_datetime_short(offer.expires_at))}
        written.append(
            '<tr data-testid="summary-offer">'
            f"<td>{escape(offer.mediator.full_name)}{tier}</td>"
            f"<td>{statuses.get(offer.status, escape(offer.status))}{by_phone if offer.by_phone else ''}</td>"
            f"<td>{sent}</td>"
            f"<td>{answer}</td>"
            "</tr>"
        )
    return mark_safe("".join(written))  # noqa: S308 - every value above is escaped


@register.simple_tag
def summary_appointment_rows(appointments) -> SafeString:
    """A ``<tr>`` for each appointment of :func:`scheduling.selectors.request_summary_appointments`
    (scheduling.panels).

    Times are written in the current time zone, as the filters ``weekday_date`` and ``time:"H:i"`` write them:
    ``scheduling/_summary.html`` calls this tag inside its ``{% timezone "Europe/Rome" %}``."""
    statuses = {value: escape(label) for value, label in choice_labels(Appointment, "status").items()}
    modes = {value: escape(label) for value, label in choice_labels(Appointment, "mode").items()}
    # As {% translate %} writes it: the translation as it is, never escaped.
    late = f'<br><span class="small text-secondary">{_("cancelled late")}</span>'
    written = []
    for a in appointments:
        when = f"{escape(format_weekday_date(a.starts_at))}, {format_time(a.starts_at)}–{format_time(a.ends_at)}"
        if a.status in _STRUCK:
            when = f"<del>{when}</del>"
        place = f'<br><span class="small text-secondary">{escape(a.place)}</span>' if a.place else ""
        written.append(
            '<tr data-testid="summary-appointment">'
            f'<td><a href="{escape(a.get_absolute_url())}">{when}</a></td>'
            f"<td>{escape(a.mediator.full_name)}</td>"
            f"<td>{modes.get(a.mode, escape(a.mode))}{place}</td>"
            f'<td data-testid="summary-appointment-status">{statuses.get(a.status, escape(a.status))}'
            f"{late if a.late_cancellation else ''}</td>"
            "</tr>"
        )
    return mark_safe("".join(written))  # noqa: S308 - every value above is escaped
