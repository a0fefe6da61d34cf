"""The first candidates of a request, for its page: the ranking of ``scheduling.matching``, limited in SQL.

``matching.candidates`` ranks every mediator who meets the hard conditions; a district of a large region can have
hundreds of them for a common language. The candidates page shows the first ``limit`` (and more on asking), so
:func:`top_candidates` reads only about that many rows: the database orders the candidates by a bound of their points
and stops after ``limit + MARGIN`` rows; Python then ranks those exactly (``matching.rank``) and reads, if any, the
mediators left whose bound reaches the points of the ``limit``-th (those with equal points, ordered by name, and
those whose variant the database could not tell apart).

The bound, computed by the database for each candidate: every point of ``matching`` exactly (free at the proposed
times, experience in the setting, preferred gender, fewest hours this month, the offices' evaluations), plus the
variant's points for whoever *may* match the variant asked for: the database compares variants written in plain
text as matching does (containment either way, ignoring case; the words that name an individual language), and
lets any variant with other characters through (matching decides in Python, folding accents). The order is the same
as matching's: the very language asked first, then the points. So each unread mediator's exact score is at most the
last row's bound: whoever is left with a bound below the ``limit``-th's points comes after it.

Queries: one for the shortlist (the total of candidates comes with it, a window count) and one for its languages,
whatever the number of candidates; two more when some mediators left might still come first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import router
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lower, NullIf, StrIndex, Trim
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from accounts.scoping import scope_key
from core import compiled
from mediators.languages import individual_languages, macrolanguage_of, variant_names, variant_says
from mediators.models import Mediator, MediatorLanguage
from requests_app.models import MediationRequest

from . import matching
from .matching import Candidate

MARGIN = 20  # rows read beyond the ones shown: usually no mediator left can then come before them
ROUNDING = 0.01  # matching rounds the points to two decimals


@dataclass(frozen=True)
class Shortlist:
    candidates: list[Candidate]  # the first ``limit``, best first
    total: int  # every mediator who meets the hard conditions


class Seconds(Func):
    """A duration in seconds, as a float (PostgreSQL: an interval; SQLite: Django stores microseconds)."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s) / 1000000.0", **extra)


def _plain(text: str) -> bool:
    """Printable ASCII only: there matching's folding (casefold, accents, strip) is the database's lower case."""
    return all(" " <= c <= "~" for c in text)


def _contains_any(words) -> Q:
    condition = Q(pk__in=[])
    for word in words:
        condition |= Q(variant__icontains=word)
    return condition


def _variant_rows(needs) -> Q | None:
    """The language rows that could make ``matching`` find the variant asked for: a superset of its rule. The
    database compares plain text as matching does; a variant with any other character may match (Python decides)."""
    other_text = Q(variant__regex=r"[^ -~]")
    rows = []
    for code, variant in needs.languages:
        if variant:
            # The same code, with a variant that contains the one asked for or is contained in it.
            if _plain(variant):
                inside = GreaterThan(StrIndex(Value(variant.casefold()), Lower(Trim("variant"))), 0)
                says = other_text | Q(variant__icontains=variant) | Q(inside)
            else:
                says = Q()
            rows.append(Q(code=code) & ~Q(variant="") & says)
            # Registered in the individual language the variant names (ary for "Arabic, Darija").
            named = [member for member in individual_languages(code) if variant_says(member, variant)]
            if named:
                rows.append(Q(code__in=named))
        macro = macrolanguage_of(code)
        if macro:
            # The macrolanguage, with a variant naming the individual language asked for ("Darija" for ary).
            words = [word for word in variant_names(code) if _plain(word)]
            rows.append(Q(code=macro) & ~Q(variant="") & (other_text | _contains_any(words)))
    if not rows:
        return None
    condition = rows[0]
    for row in rows[1:]:
        condition |= row
    return condition


def _bound(request: MediationRequest, needs) -> dict:
    """The annotations of the SQL order: ``shortlist_related`` (1 when sure to speak only a related language) and
    ``shortlist_bound`` (at least the exact points), with the window's total."""
    variant_rows = _variant_rows(needs)
    may_variant = (
        Exists(MediatorLanguage.objects.filter(variant_rows, mediator=OuterRef("pk")))
        if variant_rows is not None
        else Value(False, output_field=BooleanField())
    )
    asked = [code for code, _variant in needs.languages]
    related = Value(0)
    if asked:
        speaks = Exists(MediatorLanguage.objects.filter(mediator=OuterRef("pk"), code__in=asked))
        related = Case(When(Q(speaks) | Q(may_variant), then=Value(0)), default=Value(1), output_field=IntegerField())
    points: list = [Case(When(Q(may_variant), then=Value(float(matching.VARIANT_POINTS))), default=Value(0.0))]
    for index in range(len(needs.slots)):
        share = float(matching.FREE_POINTS) / len(needs.slots)
        points.append(Case(When(**{f"matching_free_{index}": True}, then=Value(share)), default=Value(0.0)))
    setting = f"exp_{request.setting}"
    if any(f.name == setting for f in Mediator._meta.get_fields()):
        points.append(Case(When(**{setting: True}, then=Value(float(matching.SETTING_POINTS))), default=Value(0.0)))
    if request.preferred_gender:
        points.append(
            Case(When(gender=request.preferred_gender, then=Value(float(matching.GENDER_POINTS))), default=Value(0.0))
        )
    # Fewest hours: the share of the most any candidate worked this month (a window over every candidate).
    worked = Coalesce(Seconds(F("matching_month_time")), Value(0.0))
    fairness = float(matching.FAIRNESS_POINTS) * (Value(1.0) - worked / NullIf(Window(Max(worked)), Value(0.0)))
    points.append(Coalesce(fairness, Value(float(matching.FAIRNESS_POINTS))))
    average = F("matching_evaluation_average")
    points.append(
        Case(
            When(matching_evaluation_average__gt=1, then=(average - 1) * matching.EVALUATION_POINTS / 4.0),
            default=Value(0.0),
            output_field=FloatField(),
        )
    )
    total = points[0]
    for point in points[1:]:
        total = total + point
    return {
        "shortlist_related": related,
        "shortlist_bound": ExpressionWrapper(total, output_field=FloatField()),
        "shortlist_total": Window(Count("pk")),
    }


def top_candidates(*, user, request: MediationRequest, limit: int) -> Shortlist:
    """The first ``limit`` candidates of ``matching.candidates``, in its order, and how many there are in all."""
    needs = matching.request_needs(request)

    def build():
        return (
            matching.candidate_mediators(user=user, request=request, needs=needs)
            .annotate(**_bound(request, needs), shortlist_most=Window(Max("matching_month_time")))
            .order_by("shortlist_related", "-shortlist_bound", "last_name", "first_name", "pk")
        )

    # Built and compiled once per reader's scope and every value the query is made of (a coordinator opening the
    # page again, asking for more): Django spent 15-19 ms building and compiling it, more than the database running it.
    key = (
        "shortlist",
        scope_key(user),
        request.pk,
        request.office_id,
        request.mode,
        request.setting,
        request.preferred_gender,
        tuple(needs.languages),
        tuple((slot.starts_at, slot.ends_at) for slot in needs.slots),
        tuple(needs.days),
        needs.today,
        timezone.get_current_timezone_name(),
        limit + MARGIN,
    )
    rows = compiled.rows_of(key, lambda: build()[: limit + MARGIN], database=router.db_for_read(Mediator))
    if not rows:
        return Shortlist(candidates=[], total=0)
    most = matching.hours_of(rows[0].shortlist_most)
    ranked = matching.rank(rows, request=request, needs=needs, most_hours=most)
    if len(rows) == limit + MARGIN:
        more = _contenders(build(), rows, cut=ranked[limit - 1])
        if more:
            ranked = matching.rank(rows + more, request=request, needs=needs, most_hours=most)
    return Shortlist(candidates=ranked[:limit], total=rows[0].shortlist_total)


def _contenders(mediators, rows: list[Mediator], *, cut: Candidate) -> list[Mediator]:
    """The mediators not read yet who might come before ``cut`` (the ``limit``-th of those read): those whose bound
    reaches its points (equal points are ordered by name, which Python compares). None when the last row read is
    already below them: no query."""
    last = rows[-1]
    related = int(cut.related_language_only)
    if last.shortlist_related > related:
        return []  # every one left surely speaks only a related language: after the cut
    if last.shortlist_related < related:
        return list(mediators[len(rows) :])  # rare (see the module): read the rest
    if last.shortlist_bound < cut.score - ROUNDING:
        return []
    return list(
        mediators.filter(shortlist_related=related, shortlist_bound__gte=cut.score - ROUNDING).exclude(
            pk__in=[row.pk for row in rows]
        )
    )
