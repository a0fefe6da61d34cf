"""The indicators of a report, computed by the database: each one is an aggregation over the scope's rows.

A :class:`Scope` says which rows count: a province, a period (by the date a request was submitted, by the date an
appointment started), optionally one district and one project. Figures come back raw; :func:`shown` applies the
funder's rule (a count of 1 or 2 is shown as "< 3") where they are displayed.

Definitions (also printed in the PDF's method notes):
- requests: submitted in the period (drafts never count);
- fulfilled: a mediator was assigned (the request's history holds a change to "assigned");
- waiting time: from submission to the first assignment, median and 90th percentile (linear interpolation);
- sessions: appointments starting in the period: held, no-show, cancelled (late or not); void ones never count;
  hours are the actual times of the session report, else the planned ones;
- families reached: distinct case codes of an office with a session held in the period; adults and minors are
  their household counts (the largest recorded for a family, so a request filed again is not counted twice);
- costs: held sessions of requests charged to the project, at the project's hourly rate, plus travel at its rate
  per km and the expenses reported; other actions' spending is what the province records as project expenses.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import District, Office, Province
from faq import selectors as faq_selectors
from guide import selectors as guide_selectors
from mediators.languages import group_expression
from mediators.models import Setting, language_name
from requests_app.models import MediationRequest, RequestLanguage, Status, StatusChange
from scheduling.models import Appointment
from seminar import selectors as seminar_selectors
from sessions_app.models import EvaluationScore
from training import selectors as training_selectors

from .models import Action, BudgetLine, Project, ProjectCharge, ProjectExpense

SUPPRESSED = "< 3"
SMALLEST_SHOWN = 3


@dataclass(frozen=True)
class Scope:
    province: Province
    date_from: dt.date
    date_to: dt.date
    district: District | None = None
    project: Project | None = None
    suppress: bool = False

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date_from, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        # Exclusive: midnight after the last day, in Italian time.
        return timezone.make_aware(dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min))

    def office_ids(self) -> list[int]:
        """The offices in scope, read once: filtering on a short list of ids spares every query two joins."""
        cached = self.__dict__.get("_office_ids")
        if cached is None:
            offices = Office.objects.filter(district__province=self.province)
            if self.district is not None:
                offices = offices.filter(district=self.district)
            cached = list(offices.order_by("pk").values_list("pk", flat=True))
            object.__setattr__(self, "_office_ids", cached)
        return cached


def shown(value, suppress: bool):
    """A count as a person may read it: 1 and 2 become "< 3" in the funder's version (0 tells about nobody)."""
    if suppress and value is not None and 0 < value < SMALLEST_SHOWN:
        return SUPPRESSED
    return value


# --- The rows in scope -----------------------------------------------------------------------------------------------


def scoped_requests(scope: Scope) -> QuerySet:
    qs = MediationRequest.objects.filter(
        office_id__in=scope.office_ids(), submitted_at__gte=scope.start, submitted_at__lt=scope.end
    ).exclude(status=Status.DRAFT)
    if scope.project is not None:
        qs = qs.filter(pk__in=ProjectCharge.objects.filter(project=scope.project).values("request_id"))
    return qs


def scoped_appointments(scope: Scope) -> QuerySet:
    qs = Appointment.objects.filter(
        request__office_id__in=scope.office_ids(), starts_at__gte=scope.start, starts_at__lt=scope.end
    ).exclude(status=Appointment.Status.VOID)
    if scope.project is not None:
        qs = qs.filter(request_id__in=ProjectCharge.objects.filter(project=scope.project).values("request_id"))
    return qs


DURATION = ExpressionWrapper(
    Coalesce(F("report__ended_at"), F("ends_at")) - Coalesce(F("report__started_at"), F("starts_at")),
    output_field=DurationField(),
)


def hours(duration: dt.timedelta | None) -> Decimal:
    seconds = Decimal((duration or dt.timedelta()).total_seconds())
    return (seconds / 3600).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal, or None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _label(choices, value) -> str:
    return str(dict(choices).get(value, value or _("not given")))


# --- Requests --------------------------------------------------------------------------------------------------------


def requests_by(scope: Scope) -> dict[str, list[tuple[str, int]]]:
    """Requests by district, office kind, setting and month (one GROUP BY over the four, added up by each of
    them: a few hundred cells at most), and by language (one GROUP BY)."""
    qs = scoped_requests(scope)
    cells = list(
        qs.annotate(month=TruncMonth("submitted_at"))
        .values("office__district__name", "office__kind", "setting", "month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    totals: dict[str, Counter] = {key: Counter() for key in ("district", "kind", "setting", "month", "language")}
    for cell in cells:
        totals["district"][cell["office__district__name"]] += cell["n"]
        totals["kind"][cell["office__kind"]] += cell["n"]
        totals["setting"][cell["setting"]] += cell["n"]
        totals["month"][cell["month"]] += cell["n"]
    # Individual languages count under their macrolanguage (a request in Moroccan Arabic is a request in Arabic),
    # and a request asking for both counts once: see mediators.languages.
    for row in (
        RequestLanguage.objects.filter(request__in=qs)
        .annotate(group=group_expression())
        .values("group")
        .annotate(n=Count("request", distinct=True))
        .order_by()
    ):
        totals["language"][row["group"]] = row["n"]
    return requests_tables(scope, totals)


def _most_first(counts: Counter) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def requests_tables(scope: Scope, totals: dict[str, Counter]) -> dict[str, list[tuple[str, int]]]:
    """The tables of requests from their counts by district name, office kind, setting, month (any object with a
    year and a month) and language group (shared with the dashboard's reading of the monthly aggregates)."""
    return {
        "district": sorted(totals["district"].items()),
        "kind": [(_label(Office.Kind.choices, key), n) for key, n in _most_first(totals["kind"])],
        "setting": [(_label(Setting.choices, key), n) for key, n in _most_first(totals["setting"])],
        "language": [(language_name(group), n) for group, n in _most_first(totals["language"])],
        "month": _every_month(scope, totals["month"]),
    }


def _every_month(scope: Scope, counts: Counter) -> list[tuple[str, int]]:
    """Every month of the period, in order, an empty one as 0 (a missing month would read as no gap at all)."""
    by_month = Counter()
    for month, n in counts.items():
        by_month[(month.year, month.month)] += n
    year, month = scope.date_from.year, scope.date_from.month
    rows = []
    while (year, month) <= (scope.date_to.year, scope.date_to.month):
        rows.append((f"{month:02d}/{year}", by_month.get((year, month), 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows


def _assigned_at():
    return Subquery(
        StatusChange.objects.filter(request=OuterRef("pk"), to_status=Status.ASSIGNED).order_by("at").values("at")[:1]
    )


def fulfilment(scope: Scope) -> dict:
    assigned = StatusChange.objects.filter(request=OuterRef("pk"), to_status=Status.ASSIGNED)
    counts = scoped_requests(scope).aggregate(
        submitted=Count("pk"),
        fulfilled=Count("pk", filter=Q(Exists(assigned))),
        cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
        rejected=Count("pk", filter=Q(status=Status.REJECTED)),
    )
    counts["rate"] = rate(counts["fulfilled"], counts["submitted"])
    return counts


def _percentile(ordered: QuerySet, count: int, fraction: float) -> dt.timedelta | None:
    """The percentile of an ordered one-column queryset, interpolating between the two nearest ranks (as
    PostgreSQL's percentile_cont): two indexed reads, whatever the number of rows."""
    if not count:
        return None
    position = fraction * (count - 1)
    low, high = math.floor(position), math.ceil(position)
    low_value = ordered[low]
    if high == low:
        return low_value
    high_value = ordered[high]
    return low_value + (high_value - low_value) * (position - low)


class _PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def waiting_times(scope: Scope, *, count: int | None = None) -> dict:
    """Days from submission to the first assignment. ``count``: how many requests were assigned, when the caller
    knows it already (fulfilment's figure): it spares a query."""
    waits = (
        scoped_requests(scope)
        .annotate(assigned_at=Min("history__at", filter=Q(history__to_status=Status.ASSIGNED)))
        .filter(assigned_at__isnull=False)
        .annotate(wait=ExpressionWrapper(F("assigned_at") - F("submitted_at"), output_field=DurationField()))
    )
    if connection.vendor == "postgresql":
        # One query: the database interpolates the percentiles itself.
        return waits.aggregate(count=Count("pk"), median=_PercentileCont("wait", 0.5), p90=_PercentileCont("wait", 0.9))
    # Elsewhere: the count, then the values at the percentiles' ranks (OFFSET), never loading the rows.
    ordered = waits.order_by("wait", "pk").values_list("wait", flat=True)
    if count is None:
        count = ordered.count()
    return {"count": count, "median": _percentile(ordered, count, 0.5), "p90": _percentile(ordered, count, 0.9)}


# --- Sessions and reach ----------------------------------------------------------------------------------------------


def session_groups(scope: Scope) -> list[dict]:
    """Appointments in scope counted once, by district and project: the sessions, the districts' table and the
    costs at the project's rates all add these rows up (a handful), so the appointments are read once."""
    cached = scope.__dict__.get("_session_groups")
    if cached is not None:
        return cached
    S = Appointment.Status
    held = Q(status=S.HELD)
    cached = list(
        scoped_appointments(scope)
        .values(office=F("request__office_id"), project=F("request__project_charge__project_id"))
        .annotate(
            held=Count("pk", filter=held),
            no_show=Count("pk", filter=Q(status=S.NO_SHOW)),
            cancelled=Count("pk", filter=Q(status=S.CANCELLED)),
            late=Count("pk", filter=Q(status=S.CANCELLED, late_cancellation=True)),
            planned=Count("pk", filter=Q(status=S.PLANNED)),
            duration=Sum(DURATION, filter=held),
            km=Sum("report__travel_km", filter=held),
            expenses=Sum("report__expenses", filter=held),
        )
        .order_by("office", "project")
    )
    # The office's district from the scope's few offices: one join less over every appointment.
    districts = dict(Office.objects.filter(pk__in=scope.office_ids()).values_list("pk", "district_id"))
    for row in cached:
        row["district"] = districts[row["office"]]
    object.__setattr__(scope, "_session_groups", cached)
    return cached


def _add(rows: list[dict], keys=("held", "no_show", "cancelled", "late", "planned")) -> dict:
    total = {key: sum(row[key] for row in rows) for key in keys}
    total["duration"] = sum((row["duration"] or dt.timedelta() for row in rows), dt.timedelta())
    return total


def sessions(scope: Scope) -> dict:
    return session_figures(session_groups(scope))


def session_figures(groups: list[dict]) -> dict:
    """The sessions' key figures from groups of counts (``session_groups``' rows, or the monthly aggregates')."""
    figures = _add(groups)
    figures["hours"] = hours(figures.pop("duration"))
    took_place_or_not = figures["held"] + figures["no_show"]
    figures["no_show_rate"] = rate(figures["no_show"], took_place_or_not)
    figures["late_rate"] = rate(figures["late"], took_place_or_not + figures["cancelled"])
    return figures


def sessions_by_district(scope: Scope) -> list[dict]:
    groups = session_groups(scope)
    names = dict(District.objects.filter(pk__in={row["district"] for row in groups}).values_list("pk", "name"))
    return district_sessions(groups, names)


def district_sessions(groups: list[dict], names: dict[int, str]) -> list[dict]:
    """The table of sessions by district (by name) from groups of counts carrying their district's id."""
    result = []
    for district_id in sorted(names, key=lambda pk: names[pk]):
        total = _add([row for row in groups if row["district"] == district_id])
        result.append({"district": names[district_id], **total})
    return result


def _reached_requests(scope: Scope) -> QuerySet:
    held = scoped_appointments(scope).filter(status=Appointment.Status.HELD).values("request_id")
    return MediationRequest.objects.filter(pk__in=held)


def reach(scope: Scope) -> dict:
    """Families, adults and minors reached: distinct case codes (per office) with a session held in the period."""
    families = (
        _reached_requests(scope)
        .values("office_id", "case_code")
        .annotate(family_adults=Max("adults"), family_minors=Max("minors"))
    )
    totals = families.aggregate(families=Count("case_code"), adults=Sum("family_adults"), minors=Sum("family_minors"))
    languages = (
        RequestLanguage.objects.filter(request__in=_reached_requests(scope))
        .annotate(group=group_expression())
        .values("group")
        .annotate(n=Count("request", distinct=True))
        .order_by("-n", "group")
    )
    return reach_figures(
        families=totals["families"], adults=totals["adults"], minors=totals["minors"], languages=languages
    )


def reach_figures(*, families, adults, minors, languages) -> dict:
    """``languages``: rows of a language group and how many requests reached asked for it, most asked first."""
    served = [(language_name(row["group"]), row["n"]) for row in languages]
    return {
        "families": families or 0,
        "adults": adults or 0,
        "minors": minors or 0,
        "languages": served,
        "languages_count": len(served),
    }


# --- Evaluations -----------------------------------------------------------------------------------------------------


def evaluation_scores(scope: Scope) -> list[dict]:
    """Average score (1–5) per criterion and side, of evaluations written in the period about requests in scope."""
    requests = MediationRequest.objects.filter(office__district__province=scope.province)
    if scope.district is not None:
        requests = requests.filter(office__district=scope.district)
    if scope.project is not None:
        requests = requests.filter(project_charge__project=scope.project)
    rows = (
        EvaluationScore.objects.filter(
            evaluation__request__in=requests,
            evaluation__created_at__gte=scope.start,
            evaluation__created_at__lt=scope.end,
        )
        .values("criterion__key", "criterion__label_it", "criterion__label_en", "criterion__order", "evaluation__side")
        .annotate(average=Avg("score"), n=Count("pk"))
        .order_by("criterion__order", "criterion__key", "evaluation__side")
    )
    result = []
    for row in rows:
        average = Decimal(str(row["average"])).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        result.append(
            {
                "key": row["criterion__key"],
                "label_it": row["criterion__label_it"],
                "label_en": row["criterion__label_en"],
                "side": row["evaluation__side"],
                "average": average,
                "n": row["n"],
            }
        )
    return result


# --- Budget against spending -----------------------------------------------------------------------------------------


def session_costs_by_district(project: Project, scope: Scope) -> dict[int, Decimal]:
    """What the held sessions of the project's requests cost, per district, in the period.

    Uses timesheets.costs.annotate_costs (the cost of an appointment as the timesheets compute it, at the
    provider's rate) when that app is installed; otherwise the held sessions at the project's hourly rate and rate
    per km, applied to sums the database made.
    """
    appointments = Appointment.objects.filter(
        request__project_charge__project=project, starts_at__gte=scope.start, starts_at__lt=scope.end
    ).exclude(status=Appointment.Status.VOID)
    if scope.district is not None:
        appointments = appointments.filter(district=scope.district)
    annotate_costs = _timesheet_costs()
    if annotate_costs is not None:
        # The timesheets' rules (late cancellations and families not coming are paid too) at the provider's rate;
        # a held session on a day without a rate of its provider costs the project's rates instead, so that it is
        # never left out of the spending.
        from timesheets.models import Rate

        priced = annotate_costs(appointments).values("district").annotate(total=Sum("cost")).order_by("district")
        costs = {row["district"]: Decimal(row["total"] or 0) for row in priced}
        rate_that_day = Rate.objects.filter(
            provider_id=OuterRef("mediator__provider_id"), valid_from__lte=OuterRef("day")
        ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=OuterRef("day")))
        # Each session priced and rounded by itself, as the CSV's "Cost (€)" does: their sum is the same number.
        unpriced = (
            appointments.filter(status=Appointment.Status.HELD)
            .annotate(day=TruncDate("starts_at"))
            .filter(~Exists(rate_that_day))
            .values(
                "district",
                duration=DURATION,
                km=F("report__travel_km"),
                expenses=F("report__expenses"),
            )
            .order_by("district")
        )
        for row in unpriced:
            costs[row["district"]] = costs.get(row["district"], Decimal("0")) + _at_project_rates(project, row)
        return {district: amount.quantize(Decimal("0.01")) for district, amount in costs.items()}
    if scope.project is None or scope.project.pk == project.pk:
        groups = [row for row in session_groups(scope) if row["project"] == project.pk]
    else:
        groups = session_groups(replace(scope, project=project))
    costs = {}
    for row in groups:
        costs[row["district"]] = costs.get(row["district"], Decimal("0")) + _at_project_rates(project, row)
    return costs


def _at_project_rates(project: Project, row: dict) -> Decimal:
    return at_rates(
        project.hourly_rate, project.km_rate, duration=row["duration"], km=row["km"], expenses=row["expenses"]
    )


def at_rates(hourly_rate, km_rate, *, duration, km, expenses) -> Decimal:
    """A held session (or a group of them) at a project's rates: hours to the hundredth, travel, expenses."""
    amount = hours(duration) * Decimal(hourly_rate) + Decimal(km or 0) * Decimal(km_rate) + Decimal(expenses or 0)
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _timesheet_costs():
    try:
        from timesheets.costs import annotate_costs
    except ImportError:
        return None
    return annotate_costs


def budget(project: Project, scope: Scope, *, sessions_cost: dict[int, Decimal] | None = None) -> dict:
    """Budget lines of the project against what was spent in the period, per partner and action. ``sessions_cost``:
    what the sessions cost per district when the caller knows it (the monthly aggregates); else computed here."""
    lines = budget_lines(project)
    expenses = {
        (row["partner_id"], row["action"]): row["total"]
        for row in ProjectExpense.objects.filter(
            project=project, spent_on__gte=scope.date_from, spent_on__lte=scope.date_to
        )
        .values("partner_id", "action")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    if sessions_cost is None:
        sessions_cost = session_costs_by_district(project, scope)
    return budget_from(project, lines=lines, expenses=expenses, sessions_cost=sessions_cost)


def budget_lines(project: Project) -> list[dict]:
    """The budget lines of the project, summed per partner and action, in order (one query)."""
    return list(
        BudgetLine.objects.filter(project=project)
        .values("partner_id", "partner__name", "partner__district_id", "action")
        .annotate(amount=Sum("amount"))
        .order_by("partner__name", "action")
    )


def budget_from(project: Project, *, lines: list[dict], expenses: dict, sessions_cost: dict[int, Decimal]) -> dict:
    """The budget of :func:`budget` from what was read: its lines (summed per partner and action, in order), the
    expenses per (partner, action) and the sessions' costs per district."""
    rows = []
    for line in lines:
        spent = Decimal(expenses.get((line["partner_id"], line["action"])) or 0)
        if line["action"] == Action.MEDIATION and line["partner__district_id"]:
            spent += sessions_cost.get(line["partner__district_id"], Decimal("0"))
        rows.append(
            {
                "partner": line["partner__name"],
                "action": _label(Action.choices, line["action"]),
                "action_key": line["action"],
                "budget": line["amount"],
                "spent": spent.quantize(Decimal("0.01")),
                "share": rate(spent, line["amount"]) if line["amount"] else None,
            }
        )
    total_budget = sum((r["budget"] for r in rows), Decimal("0"))
    total_spent = sum((r["spent"] for r in rows), Decimal("0"))
    return {
        "project": project,
        "rows": rows,
        "total_budget": total_budget,
        "total_spent": total_spent,
        "total_share": rate(total_spent, total_budget) if total_budget else None,
    }


def projects_in(scope: Scope) -> list[Project]:
    if scope.project is not None:
        return [scope.project]
    qs = Project.objects.filter(
        lead_province=scope.province, starts_on__lte=scope.date_to, ends_on__gte=scope.date_from
    ).select_related("funder")
    if scope.district is not None:
        qs = qs.filter(partners__district=scope.district)
    return list(qs.order_by("starts_on", "pk"))


# --- The multilingual mini-guide (Action.MINI_GUIDE) ----------------------------------------------------------------


def mini_guide(scope: Scope) -> dict:
    """The mini-guide's figures for the scope's province (or district) and period: published entries per district,
    entries translated and up to date per language, translations approved in the period, page views per month and
    language (guide.selectors.mini_guide_figures says how each is counted). Not per project: the guide is the
    province's, whatever project pays for it."""
    return guide_selectors.mini_guide_figures(
        province=scope.province, start=scope.start, end=scope.end, district=scope.district
    )


# --- The public seminar (Action.SEMINAR) ------------------------------------------------------------------------------


def seminar(scope: Scope) -> dict:
    """The public seminar's figures for the scope's province and period (seminars held in it): confirmed places and
    arrivals, by role (seminar.selectors.figures). The province's event: not per project, nor per district."""
    return seminar_selectors.figures(scope.province, scope.date_from, scope.date_to)


# --- The training course (Action.TRAINING) and the operators' FAQ (Action.FAQ) ----------------------------------------


def training(scope: Scope):
    """The training course's figures for the scope's province and period (training.selectors.figures): sessions
    held, people trained by district and role, hours. The province's, whatever project or district is chosen."""
    return training_selectors.figures(scope.province, scope.date_from, scope.date_to)


def faq(scope: Scope):
    """The operators' FAQ in the scope's province and period (faq.selectors.figures): questions asked, answered,
    median days to answer. The province's, whatever project or district is chosen."""
    return faq_selectors.figures(scope.province, scope.date_from, scope.date_to)


# --- All of them -----------------------------------------------------------------------------------------------------


def compute(scope: Scope) -> dict:
    """Every indicator of a scope: what the dashboard, the PDF and the summary sheets show."""
    fulfilled = fulfilment(scope)
    return {
        "scope": scope,
        "requests": requests_by(scope),
        "fulfilment": fulfilled,
        "waiting": waiting_times(scope, count=fulfilled["fulfilled"]),
        "sessions": sessions(scope),
        "sessions_by_district": sessions_by_district(scope),
        "reach": reach(scope),
        "evaluations": evaluation_scores(scope),
        "budgets": [budget(project, scope) for project in projects_in(scope)],
    }
