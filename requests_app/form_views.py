"""The request form: create and edit drafts, save or submit them; the language search and the proposed-time rows
that the form fetches with htmx."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Office, Role
from accounts.permissions import role_required
from accounts.scoping import actor_for, get_for_user_or_404, visible
from core.errors import DomainError

from . import selectors, services
from .forms import MAX_SLOTS, RequestForm, RequestLanguageFormSet, SlotFormSet, search_languages
from .models import MediationRequest

SUBMIT = "submit"
# The id of a language row, sent back by the search so that its answer fills that row and no other.
_ROW = re.compile(r"languages-\d{1,2}")


def _offices_for(actor):
    """Administrators file for any office (they choose it); a social worker for their own office only."""
    if actor.is_admin:
        return (
            visible(actor.user, Office)
            .select_related("district__province")
            .order_by("district__province__name", "district__name", "name")
        )
    return None


def _initial(request_obj: MediationRequest | None) -> dict:
    if request_obj is None:
        return {"form": {}, "countries": [], "languages": [], "slots": []}
    return {
        "form": {"countries": [c.code for c in request_obj.countries.all()]},
        "languages": [{"code": x.code, "variant": x.variant} for x in request_obj.languages.all()],
        "slots": [
            {
                "date": timezone.localtime(s.starts_at).date(),
                "start": timezone.localtime(s.starts_at).time(),
                "end": timezone.localtime(s.ends_at).time(),
            }
            for s in request_obj.slots.all()
        ],
    }


def _add_domain_error(exc: DomainError, form, languages, slots) -> None:
    """Show a service's refusal where it belongs: on its field, its list of rows, or at the top of the form."""
    if exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    elif exc.field == "languages":
        languages.non_form_errors().append(exc.message)
    elif exc.field == "slots":
        slots.non_form_errors().append(exc.message)
    else:
        form.add_error(None, exc.message)


def _request_form(request, request_obj: MediationRequest | None = None):
    actor = actor_for(request.user)
    data = request.POST if request.method == "POST" else None
    initial = _initial(request_obj)
    offices = _offices_for(actor) if request_obj is None else None
    form = RequestForm(
        data,
        # A fresh instance: the form's checks write into it, and a refused submit must not change the draft shown.
        instance=MediationRequest(),
        initial={**_model_initial(request_obj), **initial["form"]},
        offices=offices,
    )
    languages = RequestLanguageFormSet(data, prefix="languages", initial=initial["languages"])
    slots = SlotFormSet(data, prefix="slots", initial=initial["slots"])

    if data is not None:
        if form.is_valid() & languages.is_valid() & slots.is_valid():
            if request_obj is not None:
                office = request_obj.office
            elif offices is not None:
                office = form.cleaned_data["office"]
            else:
                office = actor.membership.office
            submit = request.POST.get("action") == SUBMIT
            try:
                # Save and submit are one transaction: a refused submit leaves the draft as it was (or unborn).
                with transaction.atomic():
                    saved = services.request_save_draft(
                        actor=actor,
                        office=office,
                        fields=form.cleaned_data,
                        languages=languages.rows(),
                        countries=form.cleaned_data["countries"],
                        slots=slots.spans(),
                        request=request_obj,
                    )
                    if submit:
                        services.request_submit(actor=actor, request=saved)
            except DomainError as exc:
                _add_domain_error(exc, form, languages, slots)
            else:
                if submit:
                    messages.success(
                        request,
                        _("Request %(code)s sent to the district's coordinators.") % {"code": saved.case_code},
                    )
                else:
                    messages.success(
                        request,
                        _("Draft %(code)s saved: it is not sent until you submit it.") % {"code": saved.case_code},
                    )
                return redirect(saved)
        messages.error(request, _("The request was not saved: please correct the fields marked below."))

    return render(
        request,
        "requests_app/form.html",
        {
            "form": form,
            "language_formset": languages,
            "slot_formset": slots,
            "request_obj": request_obj,
            "office": request_obj.office if request_obj else (None if offices is not None else actor.membership.office),
            "next_slot_index": slots.total_form_count(),
            "max_slots": MAX_SLOTS,
        },
    )


def _model_initial(request_obj: MediationRequest | None) -> dict:
    if request_obj is None:
        return {}
    return {name: getattr(request_obj, name) for name in services.DRAFT_FIELDS}


@role_required(Role.SOCIAL_WORKER)
@require_http_methods(["GET", "POST"])
def request_create(request):
    return _request_form(request)


@login_required
@require_http_methods(["GET", "POST"])
def request_edit(request, pk: int):
    request_obj = get_for_user_or_404(
        request.user,
        visible(request.user, MediationRequest)
        .select_related("office__district")
        .prefetch_related("languages", "countries", "slots"),
        pk=pk,
    )
    if not selectors.can_edit(user=request.user, request=request_obj):
        # Visible but not editable: a submitted request, or a coordinator looking at the district's requests.
        raise PermissionDenied
    return _request_form(request, request_obj)


@role_required(Role.SOCIAL_WORKER)
@require_GET
def language_search(request):
    """A few languages matching what was typed, as buttons that fill the language row that asked."""
    row = request.GET.get("row", "")
    if not _ROW.fullmatch(row):
        row = ""
    query = request.GET.get("q", "")[:100]
    results = search_languages(query) if query.strip() else []
    return render(
        request, "requests_app/_language_results.html", {"results": results, "row": row, "query": query.strip()}
    )


@role_required(Role.SOCIAL_WORKER)
@require_GET
def slot_row(request):
    """One more empty proposed-time row, numbered ``index``; it also renumbers the form's row count and button."""
    try:
        index = int(request.GET.get("index", ""))
    except ValueError:
        return HttpResponseBadRequest(_("The row number is missing or wrong."))
    if not 0 <= index < MAX_SLOTS:
        return HttpResponseBadRequest(_("The row number is missing or wrong."))
    form = SlotFormSet(prefix="slots").empty_form
    form.prefix = f"slots-{index}"
    return render(
        request,
        "requests_app/_slot_row.html",
        {"form": form, "oob": True, "next_slot_index": index + 1, "max_slots": MAX_SLOTS},
    )
