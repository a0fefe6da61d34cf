"""Candidates for a request: who can do it, in which order and why; and, for anyone left out, what excludes them.

A selectors module: it only reads. Everything is limited to what the user sees (``visible``): a coordinator gets the
mediators of their district, never those of another district or province, and nothing for a request they cannot see.

The hard conditions (a mediator who fails one is not a candidate):
  language      speaks one of the request's languages (ISO code; the variant only ranks), or its macrolanguage, or,
                for a macrolanguage, one of its individual languages (mediators.languages.related_codes)
  active        the profile is active
  district      serves the district of the requesting office
  mode          offers the request's mode (in person, phone, video)
  absence       not absent on any day of the upcoming proposed slots (with none: not absent today)
  qualification no qualification already expired (none, or expiring later, is fine)

The preferences rank the candidates (points out of 100, see the weights below), in this order of importance:
variant or dialect, free at the proposed slots, experience in the request's setting, preferred gender, fewest hours
this month (so work is shared fairly), past evaluations (the offices' average score, 1–5, over every criterion).
Equal scores are ordered by name, then id. Before the points comes how sure the language is: a mediator who speaks
the very language asked for, or whose variant names it ("Arabic, Darija" for a request in Moroccan Arabic ``ary``),
comes before one who only speaks a related code (plain "Arabic" for ``ary``): the reason says which.

Query bound: :func:`candidates` runs at most 4 queries, whatever the number of mediators, of their languages, of the
proposed slots and of the appointments (plus 1 for the user's current role if it is not cached on the user yet):
the request's languages, its proposed slots (none of them if the caller prefetched them), the mediators with every
condition and preference computed by the database (one ``Exists`` per proposed slot, in that same query), and their
languages (prefetched; not run when nobody is left).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    BooleanField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from accounts.scoping import visible
from core.formatting import format_number
from mediators.languages import expand_codes, macrolanguage_of, related_codes, variant_says
from mediators.models import Absence, Mediator, MediatorLanguage, Mode, Qualification, language_name
from requests_app.models import MediationRequest, ProposedSlot

from . import ratings
from .models import LIVE_APPOINTMENT, Appointment
from .selectors import free_condition

# --- Weights of the preferences (points; a perfect candidate scores 100) ----------------------------------------------

VARIANT_POINTS = 35
FREE_POINTS = 30  # free at every proposed slot; a share of it for some of them
SETTING_POINTS = 15
GENDER_POINTS = 10
FAIRNESS_POINTS = 5  # all of it for the fewest hours this month among the candidates, less the more one worked
# Past evaluations: the average of the scores the requesting offices gave (every criterion, 1–5), computed in the
# mediators' query (a Subquery, so the query count stays fixed): 5 for an average of 5, 0 for 1 or no evaluation.
EVALUATION_POINTS = 5

# The names of the hard conditions, in the order :func:`exclusions` lists them.
LANGUAGE, ACTIVE, DISTRICT, MODE, ABSENCE, QUALIFICATION = (
    "language",
    "active",
    "district",
    "mode",
    "absence",
    "qualification",
)


@dataclass(frozen=True)
class Candidate:
    mediator: Mediator
    score: float
    # Short sentences shown beside the name, in the active language ("parla Darija", "disponibile mar 10:00").
    reasons: list[str]
    variant: str = ""  # the mediator's variant that matches one asked for, if any
    # True when the mediator only speaks a macrolanguage or individual language related to the one asked for, with no
    # variant saying it is the same: ranked after those who speak it for sure.
    related_language_only: bool = False
    free_slots: list[ProposedSlot] = field(default_factory=list)
    sessions_this_month: int = 0
    hours_this_month: float = 0.0


# --- What the request needs -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Needs:
    languages: list[tuple[str, str]]  # (code, variant) as asked
    slots: list[ProposedSlot]  # the upcoming proposed slots, in order
    days: list[date]  # the local days those slots touch; today when there are none
    today: date


def request_needs(request: MediationRequest) -> _Needs:
    now = timezone.now()
    today = timezone.localdate(now)
    languages = [(row.code, row.variant.strip()) for row in request.languages.all()]
    # A slot already over is no longer a time anyone can be free at, nor a day an absence matters for.
    slots = sorted((slot for slot in request.slots.all() if slot.ends_at > now), key=lambda s: (s.starts_at, s.pk))
    days: set[date] = set()
    for slot in slots:
        day, last = timezone.localdate(slot.starts_at), timezone.localdate(slot.ends_at)
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return _Needs(languages=languages, slots=slots, days=sorted(days) or [today], today=today)


def _absent_on(days: list[date]) -> Q:
    """Absence rows covering any of these days."""
    condition = Q()
    for day in days:
        condition |= Q(start_date__lte=day, end_date__gte=day)
    return condition


def _hard_conditions(request: MediationRequest, needs: _Needs) -> dict[str, Q]:
    """Each hard condition as a filter on mediators, by name. A request with no language asks for none."""
    conditions: dict[str, Q] = {}
    # An individual language and its macrolanguage serve each other (ary ↔ ara, cmn ↔ zho): see mediators.languages.
    codes = expand_codes(code for code, _variant in needs.languages)
    if codes:
        speaks = MediatorLanguage.objects.filter(mediator=OuterRef("pk"), code__in=codes)
        conditions[LANGUAGE] = Q(Exists(speaks))
    conditions[ACTIVE] = Q(is_active=True)
    # The office's district through a join: no query to read it first.
    serves = Mediator.districts.through.objects.filter(mediator=OuterRef("pk"), district__offices=request.office_id)
    conditions[DISTRICT] = Q(Exists(serves))
    # An unknown mode (the form never saves one) is offered by nobody: a primary key is never null.
    conditions[MODE] = Q(**{f"mode_{request.mode}": True}) if request.mode in Mode.values else Q(pk__isnull=True)
    absent = Absence.objects.filter(_absent_on(needs.days), mediator=OuterRef("pk"))
    conditions[ABSENCE] = ~Q(Exists(absent))
    expired = Qualification.objects.filter(mediator=OuterRef("pk"), expires_on__lt=needs.today)
    conditions[QUALIFICATION] = ~Q(Exists(expired))
    return conditions


def _request_visible(user, request: MediationRequest) -> Exists:
    # Folded into the mediators' query: a request outside the user's scope gives nobody, at no extra query.
    return Exists(visible(user, MediationRequest).filter(pk=request.pk))


def _month_bounds(today: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime(today.year, today.month, 1))
    following = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    return start, timezone.make_aware(datetime(following.year, following.month, 1))


# --- Candidates -------------------------------------------------------------------------------------------------------


def candidates(*, user, request: MediationRequest) -> list[Candidate]:
    """The mediators the user sees who meet every hard condition, best first (see the module's docstring)."""
    needs = request_needs(request)
    return rank(list(candidate_mediators(user=user, request=request, needs=needs)), request=request, needs=needs)


def candidate_mediators(*, user, request: MediationRequest, needs: _Needs):
    """The mediators the user sees who meet every hard condition, with what ranks them computed by the database (one
    query when read, their languages prefetched: a second one). ``scheduling.shortlist`` reads the first of them."""
    month_start, month_end = _month_bounds(needs.today)
    this_month = (
        Appointment.objects.filter(
            LIVE_APPOINTMENT, mediator=OuterRef("pk"), starts_at__gte=month_start, starts_at__lt=month_end
        )
        .order_by()
        .values("mediator")
    )
    free_at: dict[str, ExpressionWrapper | Value] = {}
    for index, slot in enumerate(needs.slots):
        condition = free_condition(starts_at=slot.starts_at, ends_at=slot.ends_at)
        free_at[f"matching_free_{index}"] = (
            Value(False) if condition is None else ExpressionWrapper(condition, output_field=BooleanField())
        )
    return (
        visible(user, Mediator)
        .filter(_request_visible(user, request), *_hard_conditions(request, needs).values())
        .annotate(
            **free_at,
            matching_month_time=Subquery(
                this_month.annotate(total=Sum(F("ends_at") - F("starts_at"))).values("total"),
                output_field=DurationField(),
            ),
            matching_month_sessions=Subquery(
                this_month.annotate(count=Count("pk")).values("count"), output_field=IntegerField()
            ),
            # The offices' ratings (matching_evaluation_average, matching_evaluations), from sessions: ratings.py.
            **ratings.annotations(),
        )
        .select_related("provider")
        # As a plain list (to_attr): prefetching into ``languages.all()`` builds a queryset for each candidate.
        .prefetch_related(
            Prefetch(
                "languages",
                queryset=MediatorLanguage.objects.order_by("code", "variant"),
                to_attr="matching_languages",
            )
        )
    )


def rank(
    mediators: list[Mediator], *, request: MediationRequest, needs: _Needs, most_hours: float | None = None
) -> list[Candidate]:
    """Candidates of ``mediators`` (read by :func:`candidate_mediators`), best first. The fewest hours are measured
    against ``most_hours``, the most any candidate worked this month (by default the most of ``mediators``)."""
    hours = {mediator.pk: hours_of(mediator.matching_month_time) for mediator in mediators}
    if most_hours is None:
        most_hours = max(hours.values(), default=0.0)
    ranked = [
        _candidate(mediator, request=request, needs=needs, hours=hours[mediator.pk], most_hours=most_hours)
        for mediator in mediators
    ]
    ranked.sort(key=order)
    return ranked


def order(candidate: Candidate) -> tuple:
    """The order of candidates: the very language asked first, then the points, then the name and id."""
    mediator = candidate.mediator
    return (
        candidate.related_language_only,
        -candidate.score,
        mediator.last_name.casefold(),
        mediator.first_name.casefold(),
        mediator.pk,
    )


def hours_of(duration: timedelta | None) -> float:
    return duration.total_seconds() / 3600 if duration else 0.0


def _matching_variant(mediator: Mediator, needs: _Needs) -> str:
    """The mediator's variant of an asked language that contains, or is contained in, the variant asked for
    (case-insensitive): "Darija" matches "darija marocchino" and the other way round. Across a macrolanguage, the
    variant may also name the individual language: "Arabic, Darija" for a request in ``ary``, and the other way
    round a mediator registered in ``ary`` for a request in Arabic with the variant "Darija"."""
    for row in mediator.matching_languages:  # prefetched by candidate_mediators
        spoken = row.variant.strip()
        for code, variant in needs.languages:
            if row.code == code:
                if (
                    spoken
                    and variant
                    and (variant.casefold() in spoken.casefold() or spoken.casefold() in variant.casefold())
                ):
                    return spoken
            elif macrolanguage_of(code) == row.code:
                if spoken and variant_says(code, spoken):
                    return spoken
            elif macrolanguage_of(row.code) == code:
                if variant and variant_says(row.code, variant):
                    return spoken or language_name(row.code, label=False)
    return ""


def _related_language_only(mediator: Mediator, needs: _Needs) -> tuple[str, str] | None:
    """(spoken, asked) when the mediator speaks none of the asked codes themselves, only related ones."""
    asked = [code for code, _variant in needs.languages]
    if not asked:
        return None
    spoken = [row.code for row in mediator.matching_languages]  # prefetched by candidate_mediators
    if any(code in spoken for code in asked):
        return None
    for code in asked:
        for row_code in spoken:
            if row_code in related_codes(code):
                return row_code, code
    return None


def _evaluation_points(mediator: Mediator) -> float:
    """The offices' average score as a share (0 for an average of 1 or no evaluation, 1 for 5)."""
    average = getattr(mediator, "matching_evaluation_average", None)
    return max(0.0, (average - 1) / 4) if average else 0.0


def _candidate(
    mediator: Mediator, *, request: MediationRequest, needs: _Needs, hours: float, most_hours: float
) -> Candidate:
    points = 0.0
    reasons: list[str] = []

    variant = _matching_variant(mediator, needs)
    related = None if variant else _related_language_only(mediator, needs)
    if variant:
        points += VARIANT_POINTS
        reasons.append(_("speaks %(variant)s") % {"variant": variant})
    elif related:
        spoken, asked = related
        names = {"spoken": language_name(spoken, label=False), "asked": language_name(asked, label=False)}
        if macrolanguage_of(asked) == spoken:
            reasons.append(_("speaks %(spoken)s (macrolanguage), not stated whether %(asked)s") % names)
        else:
            reasons.append(_("speaks %(spoken)s, not exactly %(asked)s") % names)

    free_slots = [slot for index, slot in enumerate(needs.slots) if getattr(mediator, f"matching_free_{index}")]
    if free_slots:
        points += FREE_POINTS * len(free_slots) / len(needs.slots)
        when = ", ".join(slot_when(slot.starts_at) for slot in free_slots)
        reasons.append(_("free %(when)s") % {"when": when})

    if getattr(mediator, f"exp_{request.setting}", False):
        points += SETTING_POINTS
        setting = Mediator._meta.get_field(f"exp_{request.setting}").verbose_name
        reasons.append(_("experience in %(setting)s") % {"setting": setting})

    if request.preferred_gender and mediator.gender == request.preferred_gender:
        points += GENDER_POINTS
        reasons.append(_("preferred gender"))

    points += FAIRNESS_POINTS * (1 - hours / most_hours) if most_hours else FAIRNESS_POINTS
    sessions = mediator.matching_month_sessions or 0
    reasons.append(
        ngettext("%(count)s session this month", "%(count)s sessions this month", sessions) % {"count": sessions}
    )

    points += EVALUATION_POINTS * _evaluation_points(mediator)
    evaluations = getattr(mediator, "matching_evaluations", None) or 0
    if evaluations:
        reasons.append(
            ngettext(
                "rated %(average)s/5 by the offices (%(count)s evaluation)",
                "rated %(average)s/5 by the offices (%(count)s evaluations)",
                evaluations,
            )
            % {"average": format_number(mediator.matching_evaluation_average, 1), "count": evaluations}
        )

    return Candidate(
        mediator=mediator,
        score=round(points, 2),
        reasons=reasons,
        variant=variant,
        related_language_only=bool(related),
        free_slots=free_slots,
        sessions_this_month=sessions,
        hours_this_month=round(hours, 2),
    )


# --- Exclusions -------------------------------------------------------------------------------------------------------


def exclusions(*, user, request: MediationRequest, mediator: Mediator) -> list[str]:
    """Why ``mediator`` is not a candidate for ``request``, one sentence per hard condition failed, in the order of
    the module's docstring; an empty list means they are a candidate.

    A mediator outside the user's roster, or a request outside their scope, gets one sentence that says only that:
    never an empty list (so a service can never offer to an outsider) and nothing about the outsider's profile.
    """
    needs = request_needs(request)
    conditions = _hard_conditions(request, needs)
    met = (
        visible(user, Mediator)
        .filter(_request_visible(user, request), pk=mediator.pk)
        .annotate(
            **{f"matching_{name}": ExpressionWrapper(q, output_field=BooleanField()) for name, q in conditions.items()}
        )
        .values(*(f"matching_{name}" for name in conditions))
        .first()
    )
    if met is None:
        return [_("not on your roster")]
    failed = [name for name in conditions if not met[f"matching_{name}"]]
    sentences = []
    for name in failed:
        if name == LANGUAGE:
            codes = dict.fromkeys(code for code, _variant in needs.languages)
            names = [language_name(code, label=False) for code in codes]
            sentences.append(_("does not speak %(languages)s") % {"languages": get_text_list(names, _("or"))})
        elif name == ACTIVE:
            sentences.append(_("not active"))
        elif name == DISTRICT:
            sentences.append(_("does not serve %(district)s") % {"district": request.office.district.name})
        elif name == MODE:
            mode = Mediator._meta.get_field(f"mode_{request.mode}").verbose_name if request.mode in Mode.values else ""
            sentences.append(_("does not offer %(mode)s") % {"mode": mode or request.mode})
        elif name == ABSENCE:
            absence = (
                Absence.objects.filter(_absent_on(needs.days), mediator=mediator).order_by("-end_date", "pk").first()
            )
            if absence is not None:
                until = day_month(absence.end_date, today=needs.today)
                sentences.append(_("absent until %(date)s") % {"date": until})
        elif name == QUALIFICATION:
            for qualification in Qualification.objects.filter(mediator=mediator, expires_on__lt=needs.today).order_by(
                "expires_on", "title", "pk"
            ):
                sentences.append(
                    _("qualification “%(title)s” expired on %(date)s")
                    % {"title": qualification.title, "date": day_month(qualification.expires_on, today=needs.today)}
                )
    return sentences


# --- Dates in sentences -----------------------------------------------------------------------------------------------
# Django's own Italian catalog capitalises day and month names ("Mar", "Maggio"); inside an Italian sentence they are
# lower case ("disponibile mar 10:00", "assente fino al 12 maggio"), so these sentences name them themselves.

_WEEKDAYS = (
    pgettext_lazy("short weekday", "Mon"),
    pgettext_lazy("short weekday", "Tue"),
    pgettext_lazy("short weekday", "Wed"),
    pgettext_lazy("short weekday", "Thu"),
    pgettext_lazy("short weekday", "Fri"),
    pgettext_lazy("short weekday", "Sat"),
    pgettext_lazy("short weekday", "Sun"),
)
_MONTHS = (
    pgettext_lazy("month in a date", "January"),
    pgettext_lazy("month in a date", "February"),
    pgettext_lazy("month in a date", "March"),
    pgettext_lazy("month in a date", "April"),
    pgettext_lazy("month in a date", "May"),
    pgettext_lazy("month in a date", "June"),
    pgettext_lazy("month in a date", "July"),
    pgettext_lazy("month in a date", "August"),
    pgettext_lazy("month in a date", "September"),
    pgettext_lazy("month in a date", "October"),
    pgettext_lazy("month in a date", "November"),
    pgettext_lazy("month in a date", "December"),
)


def slot_when(moment: datetime) -> str:
    """A proposed time as a short weekday and the time in Europe/Rome: "mar 10:00" in Italian, "Tue 10:00" in
    English."""
    local = timezone.localtime(moment)
    return pgettext("weekday and time of day", "%(weekday)s %(time)s") % {
        "weekday": _WEEKDAYS[local.weekday()],
        "time": f"{local:%H:%M}",
    }


def day_month(day: date, *, today: date | None = None) -> str:
    """ "12 maggio" in Italian, "12 May" in English; with the year when it is not this year's."""
    today = today or timezone.localdate()
    values = {"day": day.day, "month": _MONTHS[day.month - 1], "year": day.year}
    if day.year == today.year:
        return pgettext("day and month", "%(day)s %(month)s") % values
    return pgettext("day, month and year", "%(day)s %(month)s %(year)s") % values
