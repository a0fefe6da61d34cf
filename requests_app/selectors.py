"""Scoped reads of requests, and what a user may do with one."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from accounts.models import Membership, Role, User
from accounts.scoping import actor_for, get_for_user_or_404, visible

from .models import Comment, MediationRequest, Notification, RequestLanguage, Status, StatusChange, Urgency
from .transitions import TRANSITIONS, Transition


def request_list(*, user) -> QuerySet[MediationRequest]:
    """The requests a user sees, with what a list shows, in a fixed number of queries."""
    return visible(user, MediationRequest).select_related("office__district", "requester").prefetch_related("languages")


def queue_order(queryset: QuerySet[MediationRequest]) -> QuerySet[MediationRequest]:
    """The coordinators' queue: urgent first (earliest deadline first), then the oldest submitted."""
    return queryset.annotate(
        urgent_first=Case(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("urgent_first", "deadline", "submitted_at", "pk")


def request_detail(*, user, pk) -> MediationRequest:
    return get_for_user_or_404(
        user,
        visible(user, MediationRequest)
        .select_related("office__district__province", "requester", "copied_from")
        .prefetch_related(
            "languages",
            "countries",
            "slots",
            Prefetch("history", queryset=StatusChange.objects.select_related("by")),
            Prefetch("comments", queryset=Comment.objects.select_related("author")),
        ),
        pk=pk,
    )


def district_coordinators(*, request: MediationRequest) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            role=Role.COORDINATOR, district_id=request.office.district_id, is_active=True, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
    ]


def is_office_member(*, user, request: MediationRequest) -> bool:
    actor = actor_for(user)
    return actor.role == Role.SOCIAL_WORKER and request.office_id in actor.office_ids


def is_district_coordinator(*, user, request: MediationRequest) -> bool:
    actor = actor_for(user)
    return actor.role == Role.COORDINATOR and request.office.district_id in actor.district_ids


def may(*, user, request: MediationRequest, transition: Transition | str) -> bool:
    """May ``user`` apply ``transition`` to ``request`` now? The single answer used by services and pages."""
    if isinstance(transition, str):
        transition = TRANSITIONS[transition]
    if request.status not in transition.sources:
        return False
    actor = actor_for(user)
    if actor.is_admin:
        return True
    if actor.role not in transition.roles:
        return False
    if actor.role == Role.SOCIAL_WORKER:
        return is_office_member(user=user, request=request)
    if actor.role == Role.COORDINATOR:
        # A draft is the office's own business: coordinators do not even see it, so they cannot cancel it.
        return request.status != Status.DRAFT and is_district_coordinator(user=user, request=request)
    return False


def available_transitions(*, user, request: MediationRequest) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if t.manual and may(user=user, request=request, transition=t)]


def can_edit(*, user, request: MediationRequest) -> bool:
    """Drafts are edited by the social workers of the requesting office."""
    return request.status == "draft" and (is_office_member(user=user, request=request) or actor_for(user).is_admin)


def can_read_sensitive_notes(*, user, request: MediationRequest) -> bool:
    """Only the requesting office and, once assigned, the mediator read the sensitive notes."""
    if is_office_member(user=user, request=request):
        return True
    actor = actor_for(user)
    return (
        actor.role == Role.MEDIATOR
        and request.assigned_mediator_id is not None
        and request.assigned_mediator.user_id == user.pk
    )


def can_comment(*, user, request: MediationRequest) -> bool:
    """The thread is between the office and the district's coordinators, once the request is submitted."""
    if request.status == "draft":
        return False
    return is_office_member(user=user, request=request) or is_district_coordinator(user=user, request=request)


def can_copy(*, user, request: MediationRequest) -> bool:
    return is_office_member(user=user, request=request)


def unread_notification_count(*, user) -> int:
    return visible(user, Notification).filter(read_at__isnull=True).count()


def notification_list(*, user) -> QuerySet[Notification]:
    return visible(user, Notification).select_related("request__office__district", "actor")


def language_codes_in_requests(*, user) -> list[str]:
    """The ISO 639-3 codes asked for by the requests a user sees, for the lists' language filter."""
    return list(
        RequestLanguage.objects.filter(request__in=visible(user, MediationRequest))
        .order_by()
        .values_list("code", flat=True)
        .distinct()
    )


def visible_request_ids(*, user, ids) -> set[int]:
    """Which of these requests the user may still open (a notification outlives the user's scope)."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return set()
    return set(visible(user, MediationRequest).filter(pk__in=ids).values_list("pk", flat=True))


def appointment_detail(*, user, pk):
    from .models import Appointment

    return get_for_user_or_404(
        user,
        visible(user, Appointment).select_related("request__office__district", "mediator", "created_by"),
        pk=pk,
    )


def can_manage_appointment(*, user, appointment) -> bool:
    return is_district_coordinator(user=user, request=appointment.request) or actor_for(user).is_admin


def request_for_scheduling(*, user, pk) -> MediationRequest:
    """A request for its matching and scheduling pages: 404 outside the user's scope."""
    return get_for_user_or_404(
        user,
        visible(user, MediationRequest)
        .select_related("office__district", "assigned_mediator")
        .prefetch_related("languages", "slots"),
        pk=pk,
    )


def can_schedule(*, user, request: MediationRequest) -> bool:
    """Offers and appointments of a request are the district coordinators' work (and the administrators')."""
    return is_district_coordinator(user=user, request=request) or actor_for(user).is_admin


def request_offers(*, request: MediationRequest):
    from .models import Offer

    return Offer.objects.filter(request=request).select_related("mediator", "recorded_by").order_by("tier", "pk")


def request_appointments(*, request: MediationRequest):
    from .models import Appointment

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
    from .models import Offer

    if not can_see_offers(user=user, request=request):
        return []
    offers = Offer.objects.filter(request=request).select_related("mediator").order_by("tier", "release_at", "pk")
    return list(offers[: SUMMARY_LIMIT + 1])


def request_summary_appointments(*, user, request: MediationRequest) -> list:
    """The appointments of a request that the user sees, in time order (one query): a mediator only their own;
    appointments voided as entered by mistake only for those who manage them (the district's coordinators)."""
    from .models import Appointment

    appointments = visible(user, Appointment).filter(request=request)
    if not can_schedule(user=user, request=request):
        appointments = appointments.exclude(status=Appointment.Status.VOID)
    return list(appointments.select_related("mediator").order_by("starts_at", "pk")[: SUMMARY_LIMIT + 1])


def mediator_offers(*, user):
    """A mediator's offers that were sent (queued ones are not sent yet), with what the offer page shows."""
    from .models import Offer

    return (
        Offer.objects.filter(mediator__user=user)
        .exclude(status=Offer.Status.QUEUED)
        .select_related("request__office__district")
        .prefetch_related("request__languages", "request__slots")
    )


def series_detail(*, user, pk):
    """Recurring appointments for their page: 404 outside the user's scope."""
    from .models import AppointmentSeries

    return get_for_user_or_404(
        user,
        visible(user, AppointmentSeries).select_related(
            "request__office__district", "request__assigned_mediator", "mediator", "created_by"
        ),
        pk=pk,
    )


def series_occurrences(*, user, planned):
    """The occurrences of a series the user sees (a mediator: their own), in time order, with their mediator."""
    from .models import Appointment

    return visible(user, Appointment).filter(series=planned).select_related("mediator").order_by("starts_at", "pk")
