"""Offers and appointments: the pages of matching and scheduling."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.decorators.cache import never_cache

from accounts.models import Role
from accounts.permissions import role_required
from accounts.scoping import actor_for, visible
from audit.services import record_read
from core.errors import DomainError
from mediators.models import Mediator, Mode
from requests_app.models import Status

from . import matching, selectors, services
from . import recurrence as series
from .models import LIVE_OFFER_STATUSES, Offer
from .offer_language import in_the_mediators_language
from .offer_links import read_token
from .shortlist import Shortlist, top_candidates

ROME = ZoneInfo("Europe/Rome")
TIERS = (1, 2, 3)
# The candidates page shows the first CANDIDATES_SHOWN, and as many more at each "show more", up to CANDIDATES_MAX;
# its name search lists at most SEARCH_LIMIT mediators.
CANDIDATES_SHOWN = 20
CANDIDATES_MAX = 200
SEARCH_LIMIT = 20
REPEATS = (
    ("0", pgettext_lazy("repeat", "Does not repeat")),
    ("1", pgettext_lazy("repeat", "Every week")),
    ("2", pgettext_lazy("repeat", "Every 2 weeks")),
    ("3", pgettext_lazy("repeat", "Every 3 weeks")),
    ("4", pgettext_lazy("repeat", "Every 4 weeks")),
)
SCOPE_CHOICES = (
    (series.THIS, pgettext_lazy("series scope", "Only this one")),
    (series.FOLLOWING, pgettext_lazy("series scope", "This and the following ones")),
    (series.ALL, pgettext_lazy("series scope", "All those still to come")),
)


@never_cache
@in_the_mediators_language
def offer_link(request, token: str):
    """The accept/decline link of the offer e-mail: works without logging in, once, while the offer is open.

    GET only shows what will happen (mail scanners open links: they must not answer for the mediator); the
    answer is the POST of the button on that page.
    """
    found = read_token(token)
    if found is None:
        return render(request, "scheduling/offer_link.html", {"invalid": True}, status=410)
    offer, action = found
    # Someone else logged in on this browser (a shared office computer, a forwarded e-mail) must not answer for
    # the mediator the offer was made to: they are told whose offer it is and asked to log out first.
    someone_else = request.user.is_authenticated and offer.mediator.user_id != request.user.pk
    done = None
    if request.method == "POST" and not someone_else:
        by = request.user if request.user.is_authenticated else None
        try:
            if action == "accept":
                services.offer_accept(offer=offer, by=by)
            else:
                services.offer_decline(offer=offer, by=by, reason=request.POST.get("reason", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
            done = "refused"
        else:
            done = action
    return render(
        request,
        "scheduling/offer_link.html",
        {"offer": offer, "action": action, "done": done, "someone_else": someone_else},
        status=403 if someone_else and request.method == "POST" else 200,
    )


# --- Parsing the forms' times ---------------------------------------------------------------------------------------


def _int(value, *, default=None):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _when(data) -> tuple[datetime, datetime]:
    """Date, time (Europe/Rome) and duration in minutes from a form, as aware datetimes; a clear error otherwise."""
    try:
        day = datetime.strptime(data.get("date", "").strip(), "%Y-%m-%d").date()
    except ValueError:
        raise DomainError(_("Give the date as day, month and year."), field="date") from None
    try:
        at = datetime.strptime(data.get("time", "").strip(), "%H:%M").time()
    except ValueError:
        raise DomainError(_("Give the time as hours and minutes, for example 10:30."), field="time") from None
    minutes = _int(data.get("duration"))
    if minutes is None or not 15 <= minutes <= 600:
        raise DomainError(_("The duration goes from 15 to 600 minutes."), field="duration")
    starts_at = datetime.combine(day, at, tzinfo=ROME)
    return starts_at, starts_at + timedelta(minutes=minutes)


def _scheduling_request(request, pk: int):
    """The request (404 outside the user's scope) and 403 for whoever sees it but does not schedule it."""
    mediation_request = selectors.request_for_scheduling(user=request.user, pk=pk)
    if not selectors.can_schedule(user=request.user, request=mediation_request):
        raise PermissionDenied
    return mediation_request


# --- Candidates and offers (coordinators) -----------------------------------------------------------------------------


@login_required
def candidates(request, pk: int):
    """Who can do a request in ``matching``, best first with their reasons; the offers made; why someone is missing."""
    mediation_request = _scheduling_request(request, pk)
    error, action = "", request.POST.get("action", "")
    if request.method == "POST":
        try:
            done = _offer_action(request, mediation_request, action)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, done)
            return redirect("scheduling:candidates", pk=mediation_request.pk)
    offers = list(selectors.request_offers(request=mediation_request))
    # Who was already asked, and how they answered (from the offers above: no query per mediator).
    asked = selectors.offers_by_mediator(offers)
    shown = min(max(_int(request.GET.get("mostra"), default=CANDIDATES_SHOWN), CANDIDATES_SHOWN), CANDIDATES_MAX)
    shortlist = Shortlist(candidates=[], total=0)
    if mediation_request.status == Status.MATCHING:
        shortlist = top_candidates(user=request.user, request=mediation_request, limit=shown)
    # "Why is this mediator not listed?": a name to look up (never the whole roster in a menu), or one chosen.
    search = request.GET.get("cerca", "").strip()[:100]
    found = selectors.mediators_named(user=request.user, text=search, limit=SEARCH_LIMIT) if search else []
    why = None
    if request.GET.get("why"):
        why = selectors.visible_mediator(user=request.user, pk=request.GET["why"])
    elif len(found) == 1:
        why = found[0]
    return render(
        request,
        "scheduling/candidates.html",
        {
            "mediation_request": mediation_request,
            "candidates": [_candidate_row(c, asked.get(c.mediator.pk, [])) for c in shortlist.candidates],
            "candidates_total": shortlist.total,
            "more_url": f"?mostra={shown + CANDIDATES_SHOWN}"
            if shortlist.total > shown and shown < CANDIDATES_MAX
            else "",
            "offers": offers,
            "search": search,
            "found": found[:SEARCH_LIMIT],
            "found_more": len(found) > SEARCH_LIMIT,
            "why": why,
            "why_reasons": matching.exclusions(user=request.user, request=mediation_request, mediator=why)
            if why
            else [],
            # The same options in every row's menu of groups: made once, not once a row.
            "tier_options": format_html_join(
                "", '<option value="{}">{}</option>', ((t, _("group %(number)s") % {"number": t}) for t in TIERS)
            ),
            "error": error,
            "error_action": action,
            "form": request.POST if request.method == "POST" else {},
        },
        status=400 if error else 200,
    )


def _candidate_row(candidate, offers: list[Offer]) -> dict:
    """A candidate with their offers of this request (oldest first): the last one says how they answered; a live
    one (waiting or accepted) means they cannot be asked again, any other lets the coordinator ask again."""
    last = offers[-1] if offers else None
    return {
        "candidate": candidate,
        "last": last,
        "times": len(offers),
        "live": last is not None and last.status in LIVE_OFFER_STATUSES,
    }


def _offer_action(request, mediation_request, action: str) -> str:
    actor = actor_for(request.user)
    if action == "offer":
        chosen = [pk for pk in (_int(v) for v in request.POST.getlist("mediator")) if pk is not None]
        mediators = {m.pk: m for m in visible(request.user, Mediator).filter(pk__in=chosen)}
        tiers: dict[int, list] = {tier: [] for tier in TIERS}
        for pk in chosen:
            if pk not in mediators:
                raise DomainError(_("Choose mediators from the list."), field="mediators")
            tier = _int(request.POST.get(f"tier_{pk}"), default=1)
            tiers[tier if tier in TIERS else 1].append(mediators[pk])
        hours = _int(request.POST.get("answer_within_hours"), default=0)
        wait = _int(request.POST.get("next_tier_after_hours"), default=0)
        offers = services.offers_create(
            actor=actor,
            request=mediation_request,
            tiers=[tiers[tier] for tier in TIERS],
            answer_within_hours=hours,
            next_tier_after_hours=wait,
        )
        return _("Offers made: %(count)s.") % {"count": len(offers)}
    offer = mediation_request.offers.filter(pk=_int(request.POST.get("offer"), default=0)).first()
    if offer is None or action not in ("phone", "withdraw"):
        raise DomainError(_("This offer is no longer open."))
    if action == "phone":
        services.offer_accept(offer=offer, by=request.user, by_phone=True)
        return _("Recorded: %(name)s accepted by phone.") % {"name": offer.mediator.full_name}
    services.offer_withdraw(actor=actor, offer=offer)
    return _("The offer to %(name)s is withdrawn.") % {"name": offer.mediator.full_name}


# --- The mediator's offers --------------------------------------------------------------------------------------------


@role_required(Role.MEDIATOR)
def my_offers(request):
    """ "My offers": open ones first with their deadline, answered in one click; then past ones with their outcome."""
    if request.method == "POST":
        offer = (
            selectors.mediator_offers(user=request.user)
            .filter(pk=_int(request.POST.get("offer"), default=0))
            .select_related("mediator")
            .first()
        )
        if offer is None:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "accept":
                services.offer_accept(offer=offer, by=request.user)
                messages.success(
                    request,
                    _("Confirmed: the request %(code)s is yours. You will receive the appointments.")
                    % {"code": offer.request.case_code},
                )
            elif action == "decline":
                services.offer_decline(offer=offer, by=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, _("Thank you: the offer is declined and the coordinator is told."))
            else:
                raise Http404
        except DomainError as exc:
            messages.error(request, exc.message)
        # Answered from the home page's work list: back there (only there, never to an address from the form).
        return redirect("home" if request.POST.get("next") == "home" else "scheduling:offers")
    offers = list(selectors.mediator_offers(user=request.user).order_by("-release_at", "-pk")[:100])
    open_offers = selectors.with_open_offer_details(
        sorted((o for o in offers if o.status == Offer.Status.OPEN), key=lambda o: (o.expires_at, o.pk))
    )
    return render(
        request,
        "scheduling/offers.html",
        {"open_offers": open_offers, "past_offers": [o for o in offers if o.status != Offer.Status.OPEN]},
    )


# --- Appointments -----------------------------------------------------------------------------------------------------


def _until(data):
    try:
        return datetime.strptime(data.get("until", "").strip(), "%Y-%m-%d").date()
    except ValueError:
        raise DomainError(_("Give the last day of the repetition as day, month and year."), field="until") from None


@login_required
def appointment_plan(request, pk: int):
    """Plan an appointment of an assigned request: from a proposed time in one click, or a new time, once or
    repeated every few weeks (a series: every clash is listed before anything is saved)."""
    mediation_request = _scheduling_request(request, pk)
    error, form, conflicts = "", {}, []
    if request.method == "POST":
        form = request.POST
        actor = actor_for(request.user)
        try:
            repeat = _int(form.get("repeat"), default=0)
            if form.get("slot"):
                slot = next((s for s in mediation_request.slots.all() if s.pk == _int(form.get("slot"))), None)
                if slot is None:
                    raise DomainError(_("This proposed time is not among the request's."))
                starts_at, ends_at, place, mode, repeat = slot.starts_at, slot.ends_at, "", "", 0
            else:
                starts_at, ends_at = _when(form)
                place, mode = form.get("place", "").strip()[:200], form.get("mode", "")
                if mode not in Mode.values:
                    raise DomainError(_("Choose how the appointment takes place."), field="mode")
            if repeat:
                planned, skipped = services.series_create(
                    actor=actor,
                    request=mediation_request,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    interval_weeks=repeat,
                    until=_until(form),
                    place=place,
                    mode=mode,
                    skip_conflicts=form.get("skip") == "1",
                )
                count = planned.occurrences.count()
                done = ngettext(
                    "%(count)s appointment is planned and the mediator and the office are told.",
                    "%(count)s appointments are planned and the mediator and the office are told.",
                    count,
                ) % {"count": count}
                if skipped:
                    done += " " + ngettext(
                        "%(count)s date was left out because it clashed.",
                        "%(count)s dates were left out because they clashed.",
                        len(skipped),
                    ) % {"count": len(skipped)}
                messages.success(request, done)
                return redirect(planned)
            appointment = services.appointment_create(
                actor=actor,
                request=mediation_request,
                starts_at=starts_at,
                ends_at=ends_at,
                place=place,
                mode=mode,
            )
        except services.SeriesConflicts as exc:
            error, conflicts = exc.message, exc.conflicts
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("The appointment is planned and the mediator and the office are told."))
            return redirect(appointment)
    can_plan = (
        mediation_request.status in (Status.ASSIGNED, Status.SCHEDULED)
        and mediation_request.assigned_mediator_id is not None
    )
    return render(
        request,
        "scheduling/plan.html",
        {
            "mediation_request": mediation_request,
            "can_plan": can_plan,
            "appointments": selectors.request_appointments(request=mediation_request),
            # The proposed times, those that clash with the mediator's other work (or are past) shown as unavailable.
            "slot_choices": selectors.slot_choices(request=mediation_request) if can_plan else [],
            "modes": Mode.choices,
            "repeats": REPEATS,
            "error": error,
            "conflicts": conflicts,
            "form": form,
            "default_duration": mediation_request.session_minutes or 60,
        },
        status=400 if error else 200,
    )


@login_required
def appointment_detail(request, pk: int):
    appointment = selectors.appointment_detail(user=request.user, pk=pk)
    record_read(request=request, obj=appointment)
    can_manage = selectors.can_manage_appointment(user=request.user, appointment=appointment)
    error, action, form, conflicts = "", "", {}, []
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        form, action = request.POST, request.POST.get("action", "")
        actor = actor_for(request.user)
        scope = form.get("scope") or series.THIS
        try:
            if action == "reschedule":
                starts_at, ends_at = _when(form)
                count = services.series_move(
                    actor=actor,
                    appointment=appointment,
                    scope=scope,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    reason=form.get("reason", ""),
                )
                done = ngettext(
                    "The appointment is moved and everyone is told.",
                    "%(count)s appointments are moved and everyone is told.",
                    count,
                ) % {"count": count}
            elif action in ("cancel", "void"):
                count = services.series_cancel(
                    actor=actor,
                    appointment=appointment,
                    scope=scope,
                    reason=form.get("reason", ""),
                    void=action == "void",
                )
                if action == "void":
                    done = ngettext("The appointment is voided.", "%(count)s appointments are voided.", count) % {
                        "count": count
                    }
                else:
                    done = ngettext("The appointment is cancelled.", "%(count)s appointments are cancelled.", count) % {
                        "count": count
                    }
            else:
                raise DomainError(_("Choose what to do with the appointment."))
        except services.SeriesConflicts as exc:
            error, conflicts = exc.message, exc.conflicts
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, done)
            return redirect(reverse("scheduling:appointment", args=[appointment.pk]))
    return render(
        request,
        "scheduling/appointment.html",
        {
            "appointment": appointment,
            "can_manage": can_manage,
            "error": error,
            "error_action": action,
            "conflicts": conflicts,
            "form": form,
            "scopes": SCOPE_CHOICES if appointment.series_id else (),
            "duration": int((appointment.ends_at - appointment.starts_at).total_seconds() // 60),
        },
        status=400 if error else 200,
    )
