"""Offers and appointments: the pages of matching and scheduling."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from mediazione.errors import DomainError

from . import selectors, services
from .offer_links import read_token


@never_cache
def offer_link(request, token: str):
    """The accept/decline link of the offer e-mail: works without logging in, once, while the offer is open.

    GET only shows what will happen (mail scanners open links: they must not answer for the mediator); the
    answer is the POST of the button on that page.
    """
    found = read_token(token)
    if found is None:
        return render(request, "requests_app/offer_link.html", {"invalid": True}, status=410)
    offer, action = found
    done = None
    if request.method == "POST":
        try:
            if action == "accept":
                services.offer_accept(offer=offer, by=None)
            else:
                services.offer_decline(offer=offer, by=None, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
            done = "refused"
        else:
            done = action
    return render(request, "requests_app/offer_link.html", {"offer": offer, "action": action, "done": done})


@login_required
def appointment_detail(request, pk: int):
    appointment = selectors.appointment_detail(user=request.user, pk=pk)
    return render(
        request,
        "requests_app/appointment.html",
        {
            "appointment": appointment,
            "can_manage": selectors.can_manage_appointment(user=request.user, appointment=appointment),
        },
    )
