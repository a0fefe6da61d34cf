"""The items and sections of the home page's work list (mediazione.work): what each line says and links to, each
section read with a limit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from urllib.parse import quote

from django.db.models import Case, F, IntegerField, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.formatting import format_day_time, format_time_range
from mediators.models import Mode
from requests_app import selectors as requests_selectors
from requests_app.models import MediationRequest

HOME_LIMIT = 8
OSM_SEARCH = "https://www.openstreetmap.org/search?query="


@dataclass
class WorkItem:
    """One thing to do: what it is, by when (or since when), and the one action that does it."""

    title: str
    detail: str = ""
    when: str = ""
    overdue: bool = False
    badge: str = ""
    action_label: str = ""
    action_url: str = ""
    offer_id: int | None = None  # an offer to answer: accept and decline in place, on the home page
    maps_url: str = ""


@dataclass
class WorkSection:
    key: str
    title: str
    items: list[WorkItem]
    more: bool = False
    more_url: str = ""
    more_label: str = ""
    icon: str = "it-list"


def _section(key, title, rows, to_item, *, more_url="", more_label="", icon="it-list") -> WorkSection:
    rows = list(rows[: HOME_LIMIT + 1])
    return WorkSection(
        key=key,
        title=str(title),
        items=[to_item(row) for row in rows[:HOME_LIMIT]],
        more=len(rows) > HOME_LIMIT,
        more_url=more_url,
        more_label=str(more_label or _("See all")),
        icon=icon,
    )


def _languages(row) -> str:
    """The languages of a request, or of the request of an appointment or offer, annotated on the row by
    ``requests_app.selectors.with_language_list`` (every list below reads them in its own query)."""
    return ", ".join(str(language) for language in requests_selectors.language_list(row))


def _with_languages(queryset):
    """A list of rows that are (or belong to) a request, with the request's languages read in the same query."""
    through = "pk" if queryset.model is MediationRequest else "request_id"
    return requests_selectors.with_language_list(queryset.prefetch_related(None), request=through)


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def maps_url(appointment) -> str:
    """A map search for an in-person appointment's place (the request's place when the appointment has none)."""
    place = appointment.place or appointment.request.place
    if appointment.mode != Mode.IN_PERSON or not place:
        return ""
    return OSM_SEARCH + quote(place)


def _appointment_item(appointment, *, with_mediator=False) -> WorkItem:
    request = appointment.request
    where = appointment.place or request.place
    parts = [request.office.name, _languages(appointment)]
    if with_mediator:
        parts.insert(0, appointment.mediator.full_name)
    parts.append(f"{appointment.get_mode_display()}{' · ' + where if where else ''}")
    return WorkItem(
        title=f"{format_time_range(appointment.starts_at, appointment.ends_at)} · {request.case_code}",
        detail=" · ".join(part for part in parts if part),
        action_label=str(_("Open the appointment")),
        action_url=appointment.get_absolute_url(),
        maps_url=maps_url(appointment),
    )


def _first_of_each_day_part(appointments, *, split: datetime):
    """The first ``HOME_LIMIT + 1`` appointments before ``split`` and the first ``HOME_LIMIT + 1`` from it on, in
    time order, in one query (a row number within each part)."""
    part = Case(When(starts_at__lt=split, then=Value(0)), default=Value(1), output_field=IntegerField())
    return appointments.annotate(
        home_rank=Window(RowNumber(), partition_by=[part], order_by=[F("starts_at").asc(), F("pk").asc()])
    ).filter(home_rank__lte=HOME_LIMIT + 1)


def _since(moment) -> str:
    return str(_("since %(when)s") % {"when": format_day_time(moment)}) if moment else ""
