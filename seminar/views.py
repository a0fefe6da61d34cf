"""The seminar's management pages (province staff of its province; another province 404, other roles 403). Views
parse, call a selector or a service, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Province
from accounts.permissions import role_required
from accounts.scoping import actor_for, visible
from core.errors import DomainError

from . import selectors, services
from .forms import SeminarForm
from .models import Registration
from .rules import MANAGERS

LIST_MAX = 2000


@role_required(*MANAGERS)
def seminar_list(request):
    return render(request, "seminar/list.html", {"seminars": list(selectors.seminars(user=request.user)[:200])})


def _save(request, form, *, province, seminar=None):
    if not form.is_valid():
        return False
    fields = {name: form.cleaned_data[name] for name in services.SEMINAR_FIELDS}
    try:
        saved = services.seminar_save(actor=actor_for(request.user), province=province, fields=fields, seminar=seminar)
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return False
    return saved


@role_required(*MANAGERS)
def seminar_create(request):
    province = visible(request.user, Province).order_by("name").first()
    form = SeminarForm(request.POST or None)
    if request.method == "POST" and province is not None:
        saved = _save(request, form, province=province)
        if saved:
            messages.success(request, _("Seminar created: its public page is open."))
            return redirect(saved.get_absolute_url())
    return render(request, "seminar/form.html", {"form": form, "province": province})


@role_required(*MANAGERS)
def seminar_edit(request, pk):
    seminar = selectors.seminar(user=request.user, pk=pk)
    form = SeminarForm(request.POST or None, instance=seminar)
    if request.method == "POST":
        # The form's instance took the posted values: the service reads the row again under its lock.
        saved = _save(request, form, province=seminar.province, seminar=seminar)
        if saved:
            messages.success(request, _("Seminar saved."))
            return redirect(saved.get_absolute_url())
    return render(request, "seminar/form.html", {"form": form, "seminar": seminar, "province": seminar.province})


@role_required(*MANAGERS)
def seminar_detail(request, pk):
    seminar = selectors.seminar(user=request.user, pk=pk)
    status = Registration.Status
    return render(
        request,
        "seminar/detail.html",
        {
            "seminar": seminar,
            "places": selectors.places(seminar),
            "confirmed": list(selectors.registrations(seminar=seminar, status=status.CONFIRMED)[:LIST_MAX]),
            "waiting": list(selectors.registrations(seminar=seminar, status=status.WAITING)[:LIST_MAX]),
            "unconfirmed": list(selectors.registrations(seminar=seminar, status=status.UNCONFIRMED)[:LIST_MAX]),
        },
    )


def _check_in_context(request, seminar):
    # The search stays what it was: from the address, or from the tick's form (its hidden "q").
    source = request.POST if request.method == "POST" else request.GET
    query = source.get("q", "").replace("\x00", "").strip()[: selectors.QUERY_MAX]
    return {
        "seminar": seminar,
        "query": query,
        "rows": list(selectors.check_in_list(seminar=seminar, query=query)[:LIST_MAX]),
        "places": selectors.places(seminar),
        "participants": selectors.participants_by(seminar=seminar),
    }


@role_required(*MANAGERS)
def check_in_list(request, pk):
    """The day's list: search by name or organisation (plain GET, or htmx replacing the rows), tick who arrived."""
    seminar = selectors.seminar(user=request.user, pk=pk)
    context = _check_in_context(request, seminar)
    if request.headers.get("HX-Request"):
        return render(request, "seminar/_check_in_rows.html", context)
    return render(request, "seminar/check_in.html", context)


@require_POST
@role_required(*MANAGERS)
def check_in(request, pk, registration_pk):
    seminar = selectors.seminar(user=request.user, pk=pk)
    registration = selectors.registration(user=request.user, seminar=seminar, pk=registration_pk)
    try:
        services.check_in(
            actor=actor_for(request.user), registration=registration, present=request.POST.get("present") == "1"
        )
        error = ""
    except DomainError as refused:
        error = refused.message
    if request.headers.get("HX-Request"):
        return render(request, "seminar/_check_in_rows.html", {**_check_in_context(request, seminar), "error": error})
    if error:
        messages.error(request, error)
    query = request.POST.get("q", "")[: selectors.QUERY_MAX]
    url = reverse("seminar:check_in_list", args=[seminar.pk])
    return redirect(f"{url}?{urlencode({'q': query})}" if query else url)
