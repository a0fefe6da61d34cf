"""Recurring appointments: the series page (its occurrences) and the change of its mediator from a date on."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.scoping import actor_for, visible
from audit.services import record_read
from core.errors import DomainError
from mediators.models import Mediator

from . import selectors, services
from .shortlist import top_candidates
from .views import _int

# The best candidates the menu of who takes over lists (the candidates page lists the others).
SERIES_CANDIDATES = 20


def _series_candidates(request, planned) -> dict:
    """The menu of who may take a series over: the best candidates, in the candidates page's order
    (scheduling/shortlist.py), read in a few queries whatever the roster; the candidates page lists the others."""
    shortlist = top_candidates(user=request.user, request=planned.request, limit=SERIES_CANDIDATES + 1)
    candidates = [c.mediator for c in shortlist.candidates if c.mediator.pk != planned.mediator_id]
    candidates = candidates[:SERIES_CANDIDATES]
    return {"candidates": candidates, "more_candidates": max(0, shortlist.total - len(candidates) - 1)}


@login_required
def series_mediator(request, pk: int):
    """The form that changes a series' mediator from a date on, with the menu of candidates: for the district's
    coordinators (and administrators). Loaded into the series page by htmx when asked for (ranking the candidates
    costs more than the rest of the page, and most visits change nothing); opened alone (no JavaScript), a page of
    its own. The form posts to the series page."""
    planned = selectors.series_detail(user=request.user, pk=pk)
    if not selectors.can_schedule(user=request.user, request=planned.request):
        raise PermissionDenied
    context = {"planned": planned, "form": {}, **_series_candidates(request, planned)}
    template = "scheduling/_series_mediator.html" if request.htmx else "scheduling/series_mediator.html"
    return render(request, template, context)


@login_required
def series_detail(request, pk: int):
    """Recurring appointments: the rule, every occurrence with its state and mediator, and for the district's
    coordinators the change of mediator from a date on."""
    planned = selectors.series_detail(user=request.user, pk=pk)
    record_read(request=request, obj=planned)
    can_manage = selectors.can_schedule(user=request.user, request=planned.request)
    error, form, conflicts = "", {}, []
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form = request.POST
        try:
            try:
                from_day = datetime.strptime(form.get("from_day", "").strip(), "%Y-%m-%d").date()
            except ValueError:
                raise DomainError(_("Give the date as day, month and year."), field="from_day") from None
            chosen = _int(form.get("mediator"))
            mediator = visible(request.user, Mediator).filter(pk=chosen).first() if chosen else None
            if mediator is None:
                raise DomainError(_("Choose the mediator who takes over."), field="mediator")
            count = services.series_change_mediator(
                actor=actor_for(request.user),
                planned=planned,
                from_day=from_day,
                mediator=mediator,
                reason=form.get("reason", ""),
            )
        except services.SeriesConflicts as exc:
            error, conflicts = exc.message, exc.conflicts
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s appointment goes to %(name)s; everyone involved is told.",
                    "%(count)s appointments go to %(name)s; everyone involved is told.",
                    count,
                )
                % {"count": count, "name": mediator.full_name},
            )
            return redirect(planned)
    context = {
        "planned": planned,
        "occurrences": selectors.series_occurrences(user=request.user, planned=planned),
        "can_manage": can_manage,
        "error": error,
        "conflicts": conflicts,
        "form": form,
    }
    if error:
        # The form again, with what was chosen and why it was refused (otherwise it comes on asking: series_mediator).
        context.update(_series_candidates(request, planned))
    return render(
        request,
        "scheduling/series.html",
        context,
        status=400 if error else 200,
    )
