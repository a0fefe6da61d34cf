"""The scheduling part of a request's page (registered in requests_app.panels when the app is ready)."""

from __future__ import annotations

from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from requests_app.models import Status

from . import selectors
from .models import Offer

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


def _count(offers) -> Coalesce:
    """How many of a request's offers match, as a subquery of the list's own query."""
    counted = offers.filter(request=OuterRef("pk")).order_by().values("request").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def queue_annotation(queryset):
    """The queue's offer columns (registered in requests_app.panels): offers sent and answered, in the list's own
    query. Each is a subquery on the offers of one request, which the database runs for the rows of the page only
    (a join and a GROUP BY would first count the offers of every request of the list, then sort them all)."""
    # An offer counts as sent once it left its queue: queued offers, and queued ones withdrawn before their turn (no
    # answer date, or one before their release), were never seen by the mediator.
    sent = (
        Offer.objects.exclude(status=Offer.Status.QUEUED)
        .exclude(status=Offer.Status.WITHDRAWN, answered_at__isnull=True)
        .exclude(status=Offer.Status.WITHDRAWN, answered_at__lt=F("release_at"))
    )
    # Answered: the mediator said yes or no (expired and withdrawn offers had no answer).
    answered = Offer.objects.filter(status__in=[Offer.Status.ACCEPTED, Offer.Status.DECLINED])
    return queryset.annotate(offers_sent=_count(sent), offers_answered=_count(answered))
