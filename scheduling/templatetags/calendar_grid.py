"""The month calendar's grid, written by Python: its template drew each of the thirty-five days with some ten template
steps (three formatted dates, the classes, an include for the day's "more" and one for each appointment), about 2 ms
of the page, a sixth of a mediator's month (issue #17). ``tests/test_calendar_grid.py`` keeps that template (with
the appointment's and the "more" templates, still the week's) as the reference and holds the two equal."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.choices import choice_labels
from core.formatting import format_day_month_weekday, format_weekday, format_weekday_abbr
from scheduling.models import Appointment

register = template.Library()


def _item(a, is_mediator: bool, modes: dict[str, str], cancelled: str) -> str:
    """An appointment as templates/scheduling/calendar_item.html writes it; its times in the current time zone."""
    is_cancelled = a.status == "cancelled"
    who = "" if is_mediator else f" {escape(a.mediator.full_name)}<br>"
    where = escape(a.place) if a.place else escape(modes.get(a.mode, a.mode))
    return (
        f'<a class="calendar-item{" is-cancelled" if is_cancelled else ""}" href="{escape(a.get_absolute_url())}"'
        ' data-testid="calendar-item">'
        f"<strong>{timezone.localtime(a.starts_at):%H:%M}–{timezone.localtime(a.ends_at):%H:%M}</strong>"
        f" {escape(a.request.case_code)}{cancelled if is_cancelled else ''}<br>{who}"
        f'<span class="text-secondary">{escape(a.languages_label)} · {where}</span></a>'
    )


def _more(cell) -> str:
    """The day's "N more" as templates/scheduling/_calendar_more.html writes it."""
    more = cell["more"]
    if not more:
        return ""
    if cell["more_url"]:
        text = ngettext("%(counter)s more: open the day", "%(counter)s more: open the day", more) % {"counter": more}
        return f'<a class="calendar-more" href="{escape(cell["more_url"])}" data-testid="calendar-more">{text}</a>'
    text = ngettext("%(counter)s more", "%(counter)s more", more) % {"counter": more}
    return f'<span class="calendar-more" data-testid="calendar-more">{text}</span>'


@register.simple_tag
def calendar_month_grid(weeks, is_mediator) -> SafeString:
    """The weeks of a month (scheduling.calendar_views._grid) as templates/scheduling/calendar_month.html wrote them
    inside its ``<div data-testid="calendar-month">``: the weekdays' heading, then a row of days for each week."""
    modes = choice_labels(Appointment, "mode")
    cancelled = f' <span class="visually-hidden">({escape(_("cancelled"))})</span>'
    written = ['<div class="calendar-grid d-none d-md-grid mb-1" aria-hidden="true">']
    for cell in weeks[0] if weeks else ():
        written.append(f'<div class="calendar-head text-center">{escape(format_weekday(cell["date"]))}</div>')
    written.append("</div>")
    for week in weeks:
        written.append('<div class="calendar-grid mb-1">')
        for cell in week:
            day = cell["date"]
            classes = ("calendar-day" + (" is-today" if cell["is_today"] else "")
                       + ("" if cell["in_month"] else " other-month"))  # fmt: skip
            written.append(
                f'<section class="{classes}" aria-label="{escape(format_day_month_weekday(day))}">'
                f'<div class="calendar-head">{day.day}<span class="d-md-none"> {escape(format_weekday_abbr(day))}'
                "</span></div>"
            )
            written.extend(_item(a, is_mediator, modes, cancelled) for a in cell["appointments"])
            written.append(f"{_more(cell)}</section>")
        written.append("</div>")
    return mark_safe("".join(written))  # noqa: S308 - every value above is escaped
