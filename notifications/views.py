"""Notification pages: one's own list, marking them read, and how one wants to hear of each kind."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.scoping import scope_key
from core.errors import DomainError
from core.pagination import KeysetPaginator

from . import selectors, services
from .models import Delivery, Notification

PAGE_SIZE = 25


@login_required
def notification_list(request):
    # The latest first, a page found from its neighbour's row on the index of the recipient and the time
    # (core.pagination): a person with thirty thousand notifications reads 25 of them, not all of them sorted. The
    # list shows no count (the header has the unread one), so none is read.
    page = KeysetPaginator(
        lambda: selectors.notification_list(user=request.user),  # built only when the page's SQL is not kept yet
        ["created_at"],
        model=Notification,
        descending=True,
        per_page=PAGE_SIZE,
        count_limit=0,
    ).page(request.GET, key=("notifications", scope_key(request.user)))
    reachable = selectors.reachable_request_ids(user=request.user, notifications=page)
    return render(request, "notifications/list.html", {"page": page, "reachable": reachable})


@login_required
@require_POST
def notifications_read(request):
    ids = None
    if "ids" in request.POST:
        # Anything that is not a number is ignored: a tampered form marks nothing rather than failing.
        ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit() and len(value) < 10]
    count = services.notifications_mark_read(user=request.user, notification_ids=ids)
    if count:
        messages.success(
            request,
            ngettext("%(count)s notification marked as read.", "%(count)s notifications marked as read.", count)
            % {"count": count},
        )
    return redirect("notifications:list")


@login_required
def notification_preferences(request):
    """One row per kind the user's role receives: at once by e-mail, in the daily summary, or in the portal only."""
    rows = selectors.preference_rows(user=request.user)
    error = ""
    if request.method == "POST":
        # A kind left out of the form keeps what it had; a value that is no choice is refused, with a message.
        choices = {row["kind"]: request.POST[row["kind"]] for row in rows if row["kind"] in request.POST}
        try:
            services.notification_preferences_save(user=request.user, choices=choices)
        except DomainError as exc:
            error = exc.message
            # Show what the person chose, with the message: nothing was saved.
            for row in rows:
                row["delivery"] = choices.get(row["kind"], row["delivery"])
        else:
            messages.success(request, _("Your choices are saved."))
            return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"rows": rows, "deliveries": Delivery.choices, "error": error},
        status=400 if error else 200,
    )
