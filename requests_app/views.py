"""Request pages: the lists by role, the request page with its timeline and thread, transitions, notifications.

Thin views: reads through selectors (an object outside the user's scope is a 404), writes through services (a
refused action is a message on the request page, never a 500 and never a half-written row).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import role_required
from accounts.scoping import actor_for, scope_key
from audit.services import record_read
from core.compiled import form_key
from core.errors import DomainError
from core.pagination import KeysetPaginator

from . import panels, selectors, services
from .filters import QUEUE, RequestFilter
from .models import MediationRequest
from .transitions import TRANSITIONS

PAGE_SIZE = 25
LIST_ROLES = (Role.SOCIAL_WORKER, Role.COORDINATOR, Role.PROVINCE_STAFF)

# One service per transition of the table; the page shows only the buttons selectors.may() allows.
SERVICES = {
    "submit": services.request_submit,
    "reject": services.request_reject,
    "accept": services.request_accept,
    "cancel": services.request_cancel,
    "close": services.request_close,
}


@role_required(*LIST_ROLES)
def request_list(request):
    role = actor_for(request.user).role
    data = request.GET.copy()
    if role == Role.COORDINATOR and "status" not in data:
        # The queue: what the district still works on, unless the coordinator asks for another status or all.
        data["status"] = QUEUE
    # The filters' form at once; the rows they choose from only when the page's SQL is not kept yet (rows() below).
    filterset = RequestFilter(data or None, queryset=MediationRequest.objects.none(), user=request.user)
    # Offers are the coordinators' business (never the office's): their columns come from the room that makes them.
    show_offers = role != Role.SOCIAL_WORKER

    def rows():
        filterset.queryset = selectors.request_list(user=request.user)
        # An invalid filter (a foreign office, a broken date) shows its message and the unfiltered list.
        queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
        return panels.annotate_list(queryset) if show_offers else queryset

    # Pages by position (core.pagination): the last page of the province's list costs what the first one does. The
    # first and last pages come from SQL compiled once per reader's scope and filters (core.compiled): their queryset
    # is built only when that SQL is not there yet.
    keys, descending = selectors.list_order(role)
    page = KeysetPaginator(
        rows,
        keys,
        model=MediationRequest,
        descending=descending,
        per_page=PAGE_SIZE,
        partition=selectors.list_partition(user=request.user),
    ).page(data, key=("requests", scope_key(request.user), *form_key(filterset.form)))
    page.object_list = selectors.with_row_languages(page.object_list)
    return render(
        request,
        "requests_app/list.html",
        {
            "filter": filterset,
            "page": page,
            "role": role,
            # A social worker's list is her own office's: no office column to repeat it on every row.
            "show_office": role != Role.SOCIAL_WORKER,
            "show_district": role in (Role.PROVINCE_STAFF, Role.ADMINISTRATOR),
            "show_offers": show_offers,
            "can_create": role == Role.SOCIAL_WORKER,
        },
    )


def _thread_context(request, mediation_request, *, body="", error=""):
    return {
        "mediation_request": mediation_request,
        "can_comment": selectors.can_comment(user=request.user, request=mediation_request),
        "comment_body": body,
        "comment_error": error,
    }


def _detail_context(request, mediation_request):
    user = request.user
    return {
        **_thread_context(request, mediation_request),
        "transitions": selectors.available_transitions(user=user, request=mediation_request),
        "can_edit": selectors.can_edit(user=user, request=mediation_request),
        "can_copy": selectors.can_copy(user=user, request=mediation_request),
        "show_notes": selectors.can_read_sensitive_notes(user=user, request=mediation_request),
        "show_thread": selectors.may_read_thread(user=user, request=mediation_request),
        # What the rooms above add to the page (scheduling: offers and appointments): requests_app.panels.
        **panels.context(user=user, request=mediation_request),
    }


@login_required
def request_detail(request, pk: int):
    mediation_request = selectors.request_detail(user=request.user, pk=pk)
    record_read(request=request, obj=mediation_request)
    return render(request, "requests_app/detail.html", _detail_context(request, mediation_request))


@login_required
@require_POST
def request_transition(request, pk: int, action: str):
    transition = TRANSITIONS.get(action)
    if transition is None or not transition.manual:
        raise Http404
    mediation_request = selectors.request_detail(user=request.user, pk=pk)
    arguments = {"actor": actor_for(request.user), "request": mediation_request}
    if transition.needs_reason:
        arguments["reason"] = request.POST.get("reason", "")
    try:
        SERVICES[action](**arguments)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Done: the request %(code)s is now “%(status)s”.")
            % {"code": mediation_request.case_code, "status": mediation_request.get_status_display().lower()},
        )
    return redirect(mediation_request)


@login_required
@require_POST
def comment_add(request, pk: int):
    mediation_request = selectors.request_detail(user=request.user, pk=pk)
    body = request.POST.get("body", "")
    error = ""
    try:
        services.comment_add(actor=actor_for(request.user), request=mediation_request, body=body)
    except DomainError as exc:
        error = exc.message
    else:
        body = ""
    if request.htmx:
        if not error:
            # The new comment is not in the prefetched thread yet: read the request again.
            mediation_request = selectors.request_detail(user=request.user, pk=pk)
        return render(
            request, "requests_app/_thread.html", _thread_context(request, mediation_request, body=body, error=error)
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Your message was sent."))
    return redirect(reverse("requests:detail", args=[mediation_request.pk]) + "#thread")


@login_required
@require_POST
def request_copy(request, pk: int):
    mediation_request = selectors.request_detail(user=request.user, pk=pk)
    try:
        copy = services.request_copy(actor=actor_for(request.user), request=mediation_request)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(mediation_request)
    messages.success(
        request,
        _("A new draft %(code)s was created from %(source)s: check it, change what is different, then submit it.")
        % {"code": copy.case_code, "source": mediation_request.case_code},
    )
    return redirect("requests:edit", pk=copy.pk)
