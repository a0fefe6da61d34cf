"""The scheduling part of a request's page (registered in requests_app.panels when the app is ready)."""

from __future__ import annotations

from django.db.models import Count, F, Q

from requests_app.models import Status

from . import selectors

# Offers start with matching, appointments later still: before it the request page has nothing to summarise.
BEFORE_MATCHING = (Status.DRAFT, Status.SUBMITTED, Status.REJECTED)


def request_panel(*, user, request) -> dict:
    """Whether the user plans this request's offers and appointments, and the summary of both: offers (the
    coordinators' business) and appointments (everyone's who sees the request, a mediator only their own), each list
    cut at the selectors' limit. Before matching a request has neither: no section, and no query."""
    can_schedule = selectors.can_schedule(user=user, request=request)
    if request.status in BEFORE_MATCHING:
        return {"can_schedule": can_schedule, "show_summary": False}
    limit = selectors.SUMMARY_LIMIT
    offers = selectors.request_summary_offers(user=user, request=request)
    appointments = selectors.request_summary_appointments(user=user, request=request)
    return {
        "can_schedule": can_schedule,
        "show_summary": True,
        "show_offers": selectors.can_see_offers(user=user, request=request),
        "summary_offers": offers[:limit],
        "more_offers": len(offers) > limit,
        "summary_appointments": appointments[:limit],
        "more_appointments": len(appointments) > limit,
        "summary_limit": limit,
    }


# An offer counts as sent once it left its queue: queued offers, and queued ones withdrawn before their turn (no
# answer date, or one before their release), were never seen by the mediator.
_SENT = ~Q(offers__status="queued") & ~Q(offers__status="withdrawn", offers__answered_at__isnull=True)
_NEVER_RELEASED = Q(offers__status="withdrawn", offers__answered_at__lt=F("offers__release_at"))
# Answered: the mediator said yes or no (expired and withdrawn offers had no answer).
_ANSWERED = Q(offers__status__in=["accepted", "declined"])


def queue_annotation(queryset):
    """The queue's offer columns (registered in requests_app.panels): offers sent and answered, in the list's own
    query (an aggregate over the reverse relation: one row per request, whatever the number of offers)."""
    return queryset.annotate(
        offers_sent=Count("offers", filter=_SENT & ~_NEVER_RELEASED, distinct=True),
        offers_answered=Count("offers", filter=_ANSWERED, distinct=True),
    )
