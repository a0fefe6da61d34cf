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
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import District, Office, Province
from mediators.models import Setting, language_name
from requests_app.models import (
    Appointment,
    EvaluationScore,
    MediationRequest,
    RequestLanguage,
    Status,
    StatusChange,
)

from .models import Action, BudgetLine, Project, ProjectExpense

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


def shown(value, suppress: bool):
    """A count as a person may read it: 1 and 2 become "< 3" in the funder's version (0 tells about nobody)."""
    if suppress and value is not None and 0 < value < SMALLEST_SHOWN:
        return SUPPRESSED
    return value


# --- The rows in scope -----------------------------------------------------------------------------------------------


def scoped_requests(scope: Scope) -> QuerySet:
    qs = MediationRequest.objects.filter(
        office__district__province=scope.province, submitted_at__gte=scope.start, submitted_at__lt=scope.end
    ).exclude(status=Status.DRAFT)
    if scope.district is not None:
        qs = qs.filter(office__district=scope.district)
    if scope.project is not None:
        qs = qs.filter(project_charge__project=scope.project)
    return qs


def scoped_appointments(scope: Scope) -> QuerySet:
    qs = Appointment.objects.filter(
        request__office__district__province=scope.province, starts_at__gte=scope.start, starts_at__lt=scope.end
    ).exclude(status=Appointment.Status.VOID)
    if scope.district is not None:
        qs = qs.filter(request__office__district=scope.district)
    if scope.project is not None:
        qs = qs.filter(request__project_charge__project=scope.project)
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
    """Requests by district, office kind, setting, language and month: one GROUP BY each."""
    qs = scoped_requests(scope)
    by_district = [
        (row["office__district__name"], row["n"])
        for row in qs.values("office__district__name").annotate(n=Count("pk")).order_by("office__district__name")
    ]
    by_kind = [
        (_label(Office.Kind.choices, row["office__kind"]), row["n"])
        for row in qs.values("office__kind").annotate(n=Count("pk")).order_by("-n", "office__kind")
    ]
    by_setting = [
        (_label(Setting.choices, row["setting"]), row["n"])
        for row in qs.values("setting").annotate(n=Count("pk")).order_by("-n", "setting")
    ]
    by_language = [
        (language_name(row["code"]), row["n"])
        for row in RequestLanguage.objects.filter(request__in=qs)
        .values("code")
        .annotate(n=Count("request", distinct=True))
        .order_by("-n", "code")
    ]
    by_month = [
        (row["month"], row["n"])
        for row in qs.annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    ]
    return {
        "district": by_district,
        "kind": by_kind,
        "setting": by_setting,
        "language": by_language,
        "month": [(f"{month:%m/%Y}", n) for month, n in by_month],
    }


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


def waiting_times(scope: Scope) -> dict:
    waits = (
        scoped_requests(scope)
        .annotate(assigned_at=_assigned_at())
        .filter(assigned_at__isnull=False)
        .annotate(wait=ExpressionWrapper(F("assigned_at") - F("submitted_at"), output_field=DurationField()))
        .order_by("wait", "pk")
        .values_list("wait", flat=True)
    )
    count = waits.count()
    return {
        "count": count,
        "median": _percentile(waits, count, 0.5),
        "p90": _percentile(waits, count, 0.9),
    }


# --- Sessions and reach ----------------------------------------------------------------------------------------------


def sessions(scope: Scope) -> dict:
    S = Appointment.Status
    figures = scoped_appointments(scope).aggregate(
        held=Count("pk", filter=Q(status=S.HELD)),
        no_show=Count("pk", filter=Q(status=S.NO_SHOW)),
        cancelled=Count("pk", filter=Q(status=S.CANCELLED)),
        late=Count("pk", filter=Q(status=S.CANCELLED, late_cancellation=True)),
        planned=Count("pk", filter=Q(status=S.PLANNED)),
        duration=Sum(DURATION, filter=Q(status=S.HELD)),
    )
    figures["hours"] = hours(figures.pop("duration"))
    took_place_or_not = figures["held"] + figures["no_show"]
    figures["no_show_rate"] = rate(figures["no_show"], took_place_or_not)
    figures["late_rate"] = rate(figures["late"], took_place_or_not + figures["cancelled"])
    return figures


def sessions_by_district(scope: Scope) -> list[dict]:
    S = Appointment.Status
    return list(
        scoped_appointments(scope)
        .values(district=F("request__office__district__name"))
        .annotate(
            held=Count("pk", filter=Q(status=S.HELD)),
            no_show=Count("pk", filter=Q(status=S.NO_SHOW)),
            late=Count("pk", filter=Q(status=S.CANCELLED, late_cancellation=True)),
            duration=Sum(DURATION, filter=Q(status=S.HELD)),
        )
        .order_by("district")
    )


def _reached_requests(scope: Scope) -> QuerySet:
    held = scoped_appointments(scope).filter(status=Appointment.Status.HELD, request=OuterRef("pk"))
    qs = MediationRequest.objects.filter(Exists(held))
    return qs


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
        .values("code")
        .annotate(n=Count("request", distinct=True))
        .order_by("-n", "code")
    )
    served = [(language_name(row["code"]), row["n"]) for row in languages]
    return {
        "families": totals["families"] or 0,
        "adults": totals["adults"] or 0,
        "minors": totals["minors"] or 0,
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
        appointments = appointments.filter(request__office__district=scope.district)
    annotate_costs = _timesheet_costs()
    if annotate_costs is not None:
        # The timesheets' rules: late cancellations and families not coming are paid too; no rate, no cost.
        rows = (
            annotate_costs(appointments)
            .values(district=F("request__office__district_id"))
            .annotate(total=Sum("cost"))
            .order_by("district")
        )
        return {row["district"]: Decimal(row["total"] or 0).quantize(Decimal("0.01")) for row in rows}
    held = appointments.filter(status=Appointment.Status.HELD)
    rows = (
        held.values(district=F("request__office__district_id"))
        .annotate(duration=Sum(DURATION), km=Sum("report__travel_km"), expenses=Sum("report__expenses"))
        .order_by("district")
    )
    costs = {}
    for row in rows:
        amount = (
            hours(row["duration"]) * project.hourly_rate
            + Decimal(row["km"] or 0) * project.km_rate
            + Decimal(row["expenses"] or 0)
        )
        costs[row["district"]] = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return costs


def _timesheet_costs():
    try:
        from timesheets.costs import annotate_costs
    except ImportError:
        return None
    return annotate_costs


def budget(project: Project, scope: Scope) -> dict:
    """Budget lines of the project against what was spent in the period, per partner and action."""
    lines = list(
        BudgetLine.objects.filter(project=project)
        .values("partner_id", "partner__name", "partner__district_id", "action")
        .annotate(amount=Sum("amount"))
        .order_by("partner__name", "action")
    )
    expenses = {
        (row["partner_id"], row["action"]): row["total"]
        for row in ProjectExpense.objects.filter(
            project=project, spent_on__gte=scope.date_from, spent_on__lte=scope.date_to
        )
        .values("partner_id", "action")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    sessions_cost = session_costs_by_district(project, scope)
    rows = []
    for line in lines:
        spent = Decimal(expenses.get((line["partner_id"], line["action"])) or 0)
        if line["action"] == Action.MEDIATION and line["partner__district_id"]:
            spent += sessions_cost.get(line["partner__district_id"], Decimal("0"))
        rows.append(
            {
                "partner": line["partner__name"],
                "action": _label(Action.choices, line["action"]),
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


# --- All of them -----------------------------------------------------------------------------------------------------


def compute(scope: Scope) -> dict:
    """Every indicator of a scope: what the dashboard, the PDF and the summary sheets show."""
    return {
        "scope": scope,
        "requests": requests_by(scope),
        "fulfilment": fulfilment(scope),
        "waiting": waiting_times(scope),
        "sessions": sessions(scope),
        "sessions_by_district": sessions_by_district(scope),
        "reach": reach(scope),
        "evaluations": evaluation_scores(scope),
        "budgets": [budget(project, scope) for project in projects_in(scope)],
    }
