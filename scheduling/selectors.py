"""Scoped reads of scheduling: a request for its matching and planning pages, its offers and appointments, a
mediator's offers, series and their occurrences, when a mediator is free, and the calendars' bounded reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import router
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scoping import actor_for, one_for_user_or_404, scope_key, visible
from core import compiled
from core.together import prefetch_together
from mediators.models import Absence, AvailabilitySlot, Mediator
from mediators.selectors import search_text
from requests_app.models import MediationRequest, ProposedSlot, Status, StatusChange, Urgency
from requests_app.selectors import is_district_coordinator, queue_order, with_language_list

from . import recurrence
from .models import LIVE_APPOINTMENT, Appointment, AppointmentSeries, Offer


def _appointment_page(appointments):
    return appointments.select_related("request__office__district", "mediator", "created_by")


def appointment_detail(*, user, pk):
    return one_for_user_or_404(user, Appointment, pk, build=_appointment_page)


def can_manage_appointment(*, user, appointment) -> bool:
    return is_district_coordinator(user=user, request=appointment.request) or actor_for(user).is_admin


def _request_to_schedule(requests):
    return requests.select_related("office__district", "assigned_mediator")


def request_for_scheduling(*, user, pk) -> MediationRequest:
    """A request for its matching and scheduling pages: 404 outside the user's scope; its languages and proposed times
    read together (core/together.py)."""
    request = one_for_user_or_404(user, MediationRequest, pk, build=_request_to_schedule)
    prefetch_together([request], "languages", "slots")
    return request


def can_schedule(*, user, request: MediationRequest) -> bool:
    """Offers and appointments of a request are the district coordinators' work (and the administrators')."""
    return is_district_coordinator(user=user, request=request) or actor_for(user).is_admin


def request_offers(*, request: MediationRequest):
    return Offer.objects.filter(request=request).select_related("mediator", "recorded_by").order_by("tier", "pk")


def offers_by_mediator(offers) -> dict[int, list[Offer]]:
    """Each mediator's offers of one request, oldest first (from offers already read: no query)."""
    found: dict[int, list[Offer]] = {}
    for offer in sorted(offers, key=lambda o: o.pk):
        found.setdefault(offer.mediator_id, []).append(offer)
    return found


@dataclass(frozen=True)
class SlotChoice:
    """A time the office proposed, and why it cannot be planned (empty when it can)."""

    slot: ProposedSlot
    unavailable: str


def slot_choices(*, request: MediationRequest, now: datetime | None = None) -> list[SlotChoice]:
    """The request's proposed times for the plan page, each with the reason it cannot be planned: already past, or
    the assigned mediator is busy then (another live appointment, the travel buffer, an absence). The same rules as
    planning itself (``recurrence.conflicts``), in two queries whatever the number of times."""
    slots = list(request.slots.all())
    if not slots or request.assigned_mediator_id is None:
        return [SlotChoice(slot, "") for slot in slots]
    now = now or timezone.now()
    future = [s for s in slots if s.starts_at >= now]
    clashes = recurrence.conflicts(
        mediator=request.assigned_mediator,
        spans=[recurrence.Span(s.starts_at, s.ends_at) for s in future],
        place=request.place,
        mode=request.mode,
    )
    reasons = {(c.starts_at, c.ends_at): c.reason for c in clashes}
    choices = []
    for slot in slots:
        if slot.starts_at < now:
            reason = _("This time is already past.")
        else:
            reason = reasons.get((slot.starts_at, slot.ends_at), "")
        choices.append(SlotChoice(slot, reason))
    return choices


def request_appointments(*, request: MediationRequest):
    return Appointment.objects.filter(request=request).select_related("mediator").order_by("starts_at", "pk")


# The request page's summary lists at most this many offers and appointments (the selectors read one more, to say
# that there are more): a long series has its own pages.
SUMMARY_LIMIT = 40


def can_see_offers(*, user, request: MediationRequest) -> bool:
    """Offers are the coordinators' business: the district's coordinators, the province's staff, administrators.
    Never the office (an offer is not a booking) nor a mediator (not even their own, on the request's page)."""
    actor = actor_for(user)
    if actor.is_admin:
        return True
    if actor.role == Role.PROVINCE_STAFF:
        return request.office.district.province_id in actor.province_ids
    return is_district_coordinator(user=user, request=request)


def request_summary_offers(*, user, request: MediationRequest) -> list:
    """The offers of a request for its page, first tier first (one query); empty for those who may not see them."""
    if not can_see_offers(user=user, request=request):
        return []
    # Compiled once per process, the request's id in a marker's place (core.compiled): Django's building and
    # compiling the query cost more than the database's reading it (issue #17).
    return compiled.rows_by(("request-offers",), _request_offers, request.pk, database=router.db_for_read(Offer))


def _request_offers(request_id) -> QuerySet:
    offers = Offer.objects.filter(request_id=request_id).select_related("mediator")
    return offers.order_by("tier", "release_at", "pk")[: SUMMARY_LIMIT + 1]


def request_summary_appointments(*, user, request: MediationRequest) -> list:
    """The appointments of a request that the user sees, in time order (one query): a mediator only their own;
    appointments voided as entered by mistake only for those who manage them (the district's coordinators)."""
    manages = can_schedule(user=user, request=request)

    def build(request_id):
        appointments = visible(user, Appointment).filter(request_id=request_id)
        if not manages:
            appointments = appointments.exclude(status=Appointment.Status.VOID)
        return appointments.select_related("mediator").order_by("starts_at", "pk")[: SUMMARY_LIMIT + 1]

    # Compiled once per reader's scope and whether they manage the request, its id in a marker's place.
    key = ("request-appointments", scope_key(user), manages)
    return compiled.rows_by(key, build, request.pk, database=router.db_for_read(Appointment))


def mediator_offers(*, user):
    """A mediator's offers that were sent (queued ones are not sent yet), with their request, office and district
    (what a past offer shows); :func:`with_open_offer_details` adds what an open offer shows besides."""
    return (
        Offer.objects.filter(mediator__user=user)
        .exclude(status=Offer.Status.QUEUED)
        .select_related("request__office__district")
    )


def with_open_offer_details(offers: list[Offer]) -> list[Offer]:
    """The open offers of a page with their request's languages and proposed times (``language_list``,
    ``slot_list``): two queries for those few, not for the page's hundred past offers, which show neither
    (issue #17); none when no offer is open."""
    # As plain lists (to_attr): Django's prefetch into ``languages.all()`` builds a queryset per row.
    prefetch_related_objects(
        offers, Prefetch("request__languages", to_attr="language_list"), Prefetch("request__slots", to_attr="slot_list")
    )
    return offers


def _series_page(series):
    return series.select_related("request__office__district", "mediator")


def series_detail(*, user, pk):
    """Recurring appointments for their page (and its menu of who takes over): 404 outside the user's scope. With
    the request's office and district (the coordinators' district, the read audit's province, the menu's reasons)
    and the series' mediator; not who planned it nor the request's mediator, which neither page shows (issue #17:
    their two joins were half the columns the page read)."""
    return one_for_user_or_404(user, AppointmentSeries, pk, build=_series_page)


# What a row of a series' occurrences shows (templates/scheduling/series.html): never the reason of a cancellation,
# who planned it, the mediator's contacts or notes.
OCCURRENCE_FIELDS = (
    "starts_at",
    "ends_at",
    "place",
    "mode",
    "status",
    "late_cancellation",
    "mediator__first_name",
    "mediator__last_name",
)


def series_occurrences(*, user, planned):
    """The occurrences of a series the user sees (a mediator: their own), in time order, with their mediator's name."""
    return (
        visible(user, Appointment)
        .filter(series=planned)
        .select_related("mediator")
        .only(*OCCURRENCE_FIELDS)
        .order_by("starts_at", "pk")
    )


# --- Availability: when a mediator is free -------------------------------------------------------------------------


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("Availability is asked with aware datetimes (stored in UTC, read in Europe/Rome).")
    return timezone.localtime(moment)


def free_condition(*, starts_at: datetime, ends_at: datetime) -> Q | None:
    """The condition "free from ``starts_at`` to ``ends_at``" on a :class:`Mediator` queryset, or None when nobody
    can be free then. One place for the rule, so that :func:`free_mediator_ids` and the candidates of a request
    (``scheduling.matching``, one annotation per proposed slot) cannot disagree.

    Free means: a weekly slot of that weekday covers the whole interval in local time (Europe/Rome, so a 10:00
    appointment is 10:00 in winter and in summer), no absence covers that day, and no live appointment (neither
    cancelled nor void) of the mediator overlaps the interval. An interval that crosses midnight is never free:
    mediators do not work overnight shifts.
    """
    start, end = _local(starts_at), _local(ends_at)
    if end <= start or start.date() != end.date():
        return None
    day = start.date()
    slot = AvailabilitySlot.objects.filter(
        mediator=OuterRef("pk"), weekday=day.weekday(), start_time__lte=start.time(), end_time__gte=end.time()
    )
    absent = Absence.objects.filter(mediator=OuterRef("pk"), start_date__lte=day, end_date__gte=day)
    booked = Appointment.objects.filter(
        LIVE_APPOINTMENT, mediator=OuterRef("pk"), starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    return Q(Exists(slot)) & ~Q(Exists(absent)) & ~Q(Exists(booked))


def free_mediator_ids(*, mediator_ids, starts_at: datetime, ends_at: datetime) -> set[int]:
    """Of the given mediators, those free from ``starts_at`` to ``ends_at`` (see :func:`free_condition`): in one
    query, whatever their number and however many appointments they have."""
    condition = free_condition(starts_at=starts_at, ends_at=ends_at)
    if condition is None:
        return set()
    return set(Mediator.objects.filter(pk__in=list(mediator_ids)).filter(condition).values_list("pk", flat=True))


def mediator_is_free(*, mediator: Mediator, starts_at: datetime, ends_at: datetime) -> bool:
    """Is this mediator free from ``starts_at`` to ``ends_at``? (See :func:`free_mediator_ids`.)"""
    return mediator.pk in free_mediator_ids(mediator_ids=[mediator.pk], starts_at=starts_at, ends_at=ends_at)


# --- The home page's work lists (mediazione.home) --------------------------------------------------------------------


def offers_to_answer(*, user):
    """A mediator's open offers, the nearest deadline first, with what the home page shows (two queries)."""
    return (
        Offer.objects.filter(mediator__user=user, status=Offer.Status.OPEN)
        .select_related("request__office")
        .prefetch_related("request__languages")
        .order_by("expires_at", "pk")
    )


def live_appointments_between(*, user, start: datetime, end: datetime):
    """The planned appointments the user sees (a mediator their own, an office its requests', a coordinator the
    district's) starting from ``start`` to ``end``, in time order, with office and languages (two queries)."""
    return (
        visible(user, Appointment)
        .filter(status=Appointment.Status.PLANNED, starts_at__gte=start, starts_at__lt=end)
        .select_related("request__office", "mediator")
        .prefetch_related("request__languages")
        .order_by("starts_at", "pk")
    )


class Stalled:
    """Why a request is stalled (the values of the ``stalled_reason`` annotation)."""

    NO_ANSWER = "no_answer"  # an offer is still open past its deadline, and no other offer is alive
    ALL_REFUSED = "all_refused"  # every offer was declined, expired or withdrawn
    NOT_SCHEDULED = "not_scheduled"  # assigned, and no appointment planned after STALLED_AFTER_DAYS


def _last_assigned_at():
    """When a request was last assigned: its history's latest move to *assigned*, else its last change. Shared by the
    stalled requests and the appointments to plan, so that the two lists split the assigned requests at one moment."""
    assigned = StatusChange.objects.filter(request=OuterRef("pk"), to_status=Status.ASSIGNED).order_by("-at", "-pk")
    return Coalesce(Subquery(assigned.values("at")[:1]), "updated_at", output_field=DateTimeField())


def _stalled_after(now: datetime) -> datetime:
    """An assignment older than this without an appointment is stalled (``settings.STALLED_AFTER_DAYS``)."""
    return now - timedelta(days=settings.STALLED_AFTER_DAYS)


def _why_stalled(now: datetime) -> dict:
    """``stalled_reason`` and ``stalled_since`` of a stalled request (``assigned_at`` annotated first)."""
    offers = Offer.objects.filter(request=OuterRef("pk"))
    overdue = offers.filter(status=Offer.Status.OPEN, expires_at__lte=now)
    last_answer = offers.annotate(moment=Coalesce("answered_at", "expires_at")).order_by("-moment")
    return {
        "stalled_reason": Case(
            When(status=Status.ASSIGNED, then=Value(Stalled.NOT_SCHEDULED)),
            When(Exists(overdue), then=Value(Stalled.NO_ANSWER)),
            default=Value(Stalled.ALL_REFUSED),
            output_field=CharField(),
        ),
        "stalled_since": Case(
            When(status=Status.ASSIGNED, then="assigned_at"),
            default=Subquery(last_answer.values("moment")[:1]),
            output_field=DateTimeField(),
        ),
    }


def stalled_requests(*, user, now: datetime | None = None):
    """The requests the user sees that wait for nobody: in matching with offers but none alive (each one declined,
    expired, withdrawn, or open past its deadline: the sweeper has not expired it yet), or assigned for more than
    ``settings.STALLED_AFTER_DAYS`` days and still without an appointment. Each is annotated with
    ``stalled_reason`` (see :class:`Stalled`) and ``stalled_since`` (the last answer or deadline of an offer; the
    day it was assigned). Urgent first, then the longest stalled. One query."""
    now = now or timezone.now()
    offers = Offer.objects.filter(request=OuterRef("pk"))
    alive = offers.filter(
        Q(status__in=[Offer.Status.QUEUED, Offer.Status.ACCEPTED]) | Q(status=Offer.Status.OPEN, expires_at__gt=now)
    )
    cutoff = _stalled_after(now)
    return (
        visible(user, MediationRequest)
        .filter(status__in=[Status.MATCHING, Status.ASSIGNED])
        .annotate(
            assigned_at=_last_assigned_at(),
            offers_alive=Exists(alive),
            offers_made=Exists(offers),
        )
        .filter(
            Q(status=Status.MATCHING, offers_made=True, offers_alive=False)
            | Q(status=Status.ASSIGNED, assigned_at__lte=cutoff)
        )
        .annotate(
            **_why_stalled(now),
            urgent_first=Case(
                When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .select_related("office__district")
        .prefetch_related("languages")
        .order_by("urgent_first", "stalled_since", "pk")
    )


def requests_to_offer(*, user):
    """Requests taken in charge that no mediator was offered yet: the coordinator looks for one (the queue's order:
    urgent first, then the nearest deadline, then the oldest). Those whose offers all came to nothing are stalled."""
    return queue_order(
        visible(user, MediationRequest)
        .filter(status=Status.MATCHING)
        .exclude(Exists(Offer.objects.filter(request=OuterRef("pk"))))
        .select_related("office")
        .prefetch_related("languages")
    )


def requests_to_plan(*, user, now: datetime | None = None):
    """Requests with a mediator assigned and no appointment yet, assigned at most ``STALLED_AFTER_DAYS`` days ago
    (later they are stalled): the appointments to plan. The oldest assigned first."""
    now = now or timezone.now()
    return (
        visible(user, MediationRequest)
        .filter(status=Status.ASSIGNED)
        .annotate(assigned_at=_last_assigned_at())
        .filter(assigned_at__gt=_stalled_after(now))
        .select_related("office", "assigned_mediator")
        .prefetch_related("languages")
        .order_by("assigned_at", "pk")
    )


def coordinator_requests(*, user, ids, now: datetime | None = None) -> dict:
    """``{pk: request}`` of the requests the coordinator's home lists (``ids``, picked by the lists above in one
    query), in one query: with office, assigned mediator, languages and, for the stalled ones, why and since when."""
    now = now or timezone.now()
    rows = with_language_list(
        visible(user, MediationRequest)
        .filter(pk__in=ids)
        .select_related("office", "assigned_mediator")
        .annotate(assigned_at=_last_assigned_at())
        .annotate(**_why_stalled(now))
    )
    return {row.pk: row for row in rows}


# --- A mediator by id or by name (the calendars' and the menus' searches) -------------------------------------------


def visible_mediator(*, user, pk) -> Mediator | None:
    """A mediator by id (from an address: ``?mediatore=``, ``?why=``), if the user sees them; else None."""
    try:
        return visible(user, Mediator).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def mediators_named(*, user, text: str, limit: int) -> list[Mediator]:
    """The mediators the user sees whose name or e-mail contains ``text``, by name: at most ``limit + 1`` (one more
    says that there are more)."""
    text = text.replace("\x00", "")  # PostgreSQL refuses NUL in text: a hostile address is not an error
    return list(search_text(visible(user, Mediator), text).order_by("last_name", "first_name", "pk")[: limit + 1])
