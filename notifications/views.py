"""Notification pages: one's own list, and marking them read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import selectors, services

PAGE_SIZE = 25


@login_required
def notification_list(request):
    page = Paginator(selectors.notification_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    reachable = selectors.reachable_request_ids(user=request.user, notifications=page)
    return render(
        request,
        "notifications/list.html",
        {"page": page, "reachable": reachable, "querystring": ""},
    )


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
