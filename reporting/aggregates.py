"""The monthly aggregates behind the reporting dashboard (:class:`~reporting.models.MonthlyAggregate`): computed from
the source tables by :func:`compute`, the one definition of every column.

- **Kept up to date by the services.** A service of requests, scheduling or sessions that changes a fact calls
  ``core.figures.facts_changed(request_id=…, at=[…])`` inside its transaction; :func:`facts_changed`, registered
  there by ``ReportingConfig.ready()``, writes ``reporting.tasks.aggregates_refresh_task`` to the outbox, so the
  refresh runs once the transaction commits (in a worker; in place when Celery is eager), is never lost, and never
  runs for a change rolled back. :func:`refresh` recomputes the months touched (the request's submission month and
  the months of the moments given) of the request's district from the source, and replaces their rows.
- **Rebuilt every night** (:func:`rebuild`, Celery beat ``reporting-aggregates-rebuild``): what changed outside the
  services (the admin site, a provider's rate, a project's rates) is caught up there.
- **Checked** (:func:`check`, ``manage.py reporting_aggregates --check``): every month recomputed and compared with
  the rows kept.

Idempotent and safe when two refreshes race: each one takes a lock on its (district, month) pairs before it reads the
source (PostgreSQL advisory locks, held until its transaction ends), so the last one to write has read every change
committed before it started. SQLite (the demo) writes one transaction at a time anyway.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from accounts.models import District
from core import outbox
from mediators.languages import group_expression
from requests_app.models import MediationRequest, RequestLanguage, Status, StatusChange
from scheduling.models import Appointment
from sessions_app.models import EvaluationScore

from . import indicators
from .models import MonthlyAggregate, Project

REFRESH_TASK = "reporting.tasks.aggregates_refresh_task"
# The columns compared by check() (all but the keys and the time of computing).
COLUMNS = (
    "requests",
    "fulfilled",
    "cancelled",
    "rejected",
    "requests_by_kind",
    "requests_by_setting",
    "requests_by_language",
    "waits",
    "held",
    "no_show",
    "sessions_cancelled",
    "late_cancellations",
    "planned",
    "held_duration",
    "reached",
    "session_cost",
    "scores",
)
MICROSECOND = dt.timedelta(microseconds=1)

Key = tuple[int, int | None, dt.date]  # district, project (None: charged to none), month


# --- Months ----------------------------------------------------------------------------------------------------------


def month_of(moment: dt.datetime | dt.date) -> dt.date:
    """The first day of the month of ``moment`` in Italian time (the indicators' months)."""
    if isinstance(moment, dt.datetime):
        moment = timezone.localtime(moment).date()
    return moment.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def months(first: dt.date, until: dt.date) -> list[dt.date]:
    """The first days of the months from ``first`` to ``until`` (excluded)."""
    result, month = [], month_of(first)
    while month < until:
        result.append(month)
        month = next_month(month)
    return result


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- From the source tables ------------------------------------------------------------------------------------------


def _empty() -> dict:
    return {
        "requests": 0,
        "fulfilled": 0,
        "cancelled": 0,
        "rejected": 0,
        "requests_by_kind": {},
        "requests_by_setting": {},
        "requests_by_language": {},
        "waits": [],
        "held": 0,
        "no_show": 0,
        "sessions_cancelled": 0,
        "late_cancellations": 0,
        "planned": 0,
        "held_duration": dt.timedelta(),
        "reached": {},
        "session_cost": Decimal("0.00"),
        "scores": {},
    }


def _add_to(counts: dict, key: str, n: int) -> None:
    counts[key] = counts.get(key, 0) + n


def compute(*, district_ids: list[int] | None, first: dt.date, until: dt.date) -> dict[Key, dict]:
    """Every row of the months from ``first`` (a first day) to ``until`` (excluded), of the districts given (None:
    all), computed from the source tables with the indicators' own definitions (``reporting.indicators``): a
    fixed number of queries, each a GROUP BY, but for the waiting times and the requests reached (one row per
    request)."""
    start, end = _midnight(first), _midnight(until)
    rows: dict[Key, dict] = defaultdict(_empty)
    _requests(rows, district_ids, start, end)
    _sessions(rows, district_ids, start, end)
    _scores(rows, district_ids, start, end)
    for row in rows.values():
        row["waits"].sort()
        row["session_cost"] = row["session_cost"].quantize(Decimal("0.01"))
    return dict(rows)


def _submitted(district_ids, start, end):
    qs = MediationRequest.objects.filter(submitted_at__gte=start, submitted_at__lt=end).exclude(status=Status.DRAFT)
    return qs if district_ids is None else qs.filter(office__district_id__in=district_ids)


def _requests(rows: dict, district_ids, start, end) -> None:
    requests = _submitted(district_ids, start, end)
    assigned = StatusChange.objects.filter(request=OuterRef("pk"), to_status=Status.ASSIGNED)
    cells = (
        requests.values(
            "setting",
            district=F("office__district_id"),
            project=F("project_charge__project_id"),
            month=TruncMonth("submitted_at"),
            kind=F("office__kind"),
        )
        .annotate(
            n=Count("pk"),
            fulfilled=Count("pk", filter=Q(Exists(assigned))),
            cancelled=Count("pk", filter=Q(status=Status.CANCELLED)),
            rejected=Count("pk", filter=Q(status=Status.REJECTED)),
        )
        .order_by()
    )
    for cell in cells:
        row = rows[(cell["district"], cell["project"], month_of(cell["month"]))]
        row["requests"] += cell["n"]
        row["fulfilled"] += cell["fulfilled"]
        row["cancelled"] += cell["cancelled"]
        row["rejected"] += cell["rejected"]
        _add_to(row["requests_by_kind"], cell["kind"], cell["n"])
        _add_to(row["requests_by_setting"], cell["setting"], cell["n"])
    languages = (
        RequestLanguage.objects.filter(request__in=requests.values("pk"))
        .values(
            district=F("request__office__district_id"),
            project=F("request__project_charge__project_id"),
            month=TruncMonth("request__submitted_at"),
            group=group_expression(),
        )
        .annotate(n=Count("request", distinct=True))
        .order_by()
    )
    for cell in languages:
        row = rows[(cell["district"], cell["project"], month_of(cell["month"]))]
        _add_to(row["requests_by_language"], cell["group"], cell["n"])
    waits = (
        requests.annotate(assigned_at=Min("history__at", filter=Q(history__to_status=Status.ASSIGNED)))
        .filter(assigned_at__isnull=False)
        .values_list("office__district_id", "project_charge__project_id", "submitted_at", "assigned_at")
        .order_by()
    )
    for district, project, submitted_at, assigned_at in waits.iterator(chunk_size=5000):
        rows[(district, project, month_of(submitted_at))]["waits"].append((assigned_at - submitted_at) // MICROSECOND)


def _appointments(district_ids, start, end):
    qs = Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end).exclude(status=Appointment.Status.VOID)
    return qs if district_ids is None else qs.filter(district_id__in=district_ids)


def _sessions(rows: dict, district_ids, start, end) -> None:
    appointments = _appointments(district_ids, start, end)
    S = Appointment.Status
    held = Q(status=S.HELD)
    # Grouped by the appointment's own district ("district" among the fields of values()), project and month.
    keys = {
        "project": F("request__project_charge__project_id"),
        "month": TruncMonth("starts_at"),
    }
    groups = (
        appointments.values("district", **keys)
        .annotate(
            held=Count("pk", filter=held),
            no_show=Count("pk", filter=Q(status=S.NO_SHOW)),
            cancelled=Count("pk", filter=Q(status=S.CANCELLED)),
            late=Count("pk", filter=Q(status=S.CANCELLED, late_cancellation=True)),
            planned=Count("pk", filter=Q(status=S.PLANNED)),
            duration=Sum(indicators.DURATION, filter=held),
        )
        .order_by()
    )
    for group in groups:
        row = rows[(group["district"], group["project"], month_of(group["month"]))]
        row["held"] += group["held"]
        row["no_show"] += group["no_show"]
        row["sessions_cancelled"] += group["cancelled"]
        row["late_cancellations"] += group["late"]
        row["planned"] += group["planned"]
        row["held_duration"] += group["duration"] or dt.timedelta()
    _reached(rows, appointments.filter(held), keys)
    _costs(rows, appointments.filter(request__project_charge__isnull=False), keys)


def _reached(rows: dict, held, keys: dict) -> None:
    groups = defaultdict(set)
    for request_id, group in (
        RequestLanguage.objects.filter(request__in=held.values("request_id"))
        .annotate(group=group_expression())
        .values_list("request_id", "group")
        .distinct()
        .order_by()
    ).iterator(chunk_size=5000):
        groups[request_id].add(group)
    reached = (
        held.values("request_id", "request__adults", "request__minors", "district", **keys)
        .distinct()
        .order_by()
        .iterator(chunk_size=5000)
    )
    for cell in reached:
        row = rows[(cell["district"], cell["project"], month_of(cell["month"]))]
        request_id = cell["request_id"]
        row["reached"][str(request_id)] = [
            cell["request__adults"],
            cell["request__minors"],
            sorted(groups.get(request_id, ())),
        ]


def _costs(rows: dict, charged, keys: dict) -> None:
    """The sessions' cost as ``indicators.session_costs_by_district`` prices them, by month."""
    rates = {
        pk: (hourly, km)
        for pk, hourly, km in Project.objects.filter(pk__in=charged.values("request__project_charge__project_id"))
        .values_list("pk", "hourly_rate", "km_rate")
        .order_by()
    }

    def at_project_rates(cell) -> None:
        hourly, km_rate = rates[cell["project"]]
        amount = indicators.at_rates(
            hourly, km_rate, duration=cell["duration"], km=cell["km"], expenses=cell["expenses"]
        )
        rows[(cell["district"], cell["project"], month_of(cell["starts_at"]))]["session_cost"] += amount

    held = charged.filter(status=Appointment.Status.HELD)
    each = {"duration": indicators.DURATION, "km": F("report__travel_km"), "expenses": F("report__expenses")}
    annotate_costs = indicators._timesheet_costs()
    if annotate_costs is None:
        # No timesheets: each held session at the project's rates.
        for cell in held.values("starts_at", "district", project=keys["project"], **each).order_by():
            at_project_rates(cell)
        return
    from timesheets.models import Rate

    priced = annotate_costs(charged).values("district", **keys).annotate(total=Sum("cost")).order_by()
    for cell in priced:
        row = rows[(cell["district"], cell["project"], month_of(cell["month"]))]
        row["session_cost"] += Decimal(cell["total"] or 0).quantize(Decimal("0.01"))
    rate_that_day = Rate.objects.filter(
        provider_id=OuterRef("mediator__provider_id"), valid_from__lte=OuterRef("day")
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=OuterRef("day")))
    unpriced = (
        held.annotate(day=TruncDate("starts_at"))
        .filter(~Exists(rate_that_day))
        .values("starts_at", "district", project=keys["project"], **each)
        .order_by()
    )
    for cell in unpriced:
        at_project_rates(cell)


def _scores(rows: dict, district_ids, start, end) -> None:
    scores = EvaluationScore.objects.filter(evaluation__created_at__gte=start, evaluation__created_at__lt=end)
    if district_ids is not None:
        scores = scores.filter(evaluation__request__office__district_id__in=district_ids)
    cells = (
        scores.values(
            "criterion_id",
            district=F("evaluation__request__office__district_id"),
            project=F("evaluation__request__project_charge__project_id"),
            month=TruncMonth("evaluation__created_at"),
            side=F("evaluation__side"),
        )
        .annotate(total=Sum("score"), n=Count("pk"))
        .order_by()
    )
    for cell in cells:
        row = rows[(cell["district"], cell["project"], month_of(cell["month"]))]
        total, n = row["scores"].get(f"{cell['criterion_id']}:{cell['side']}", (0, 0))
        row["scores"][f"{cell['criterion_id']}:{cell['side']}"] = [total + cell["total"], n + cell["n"]]


# --- Keeping them ----------------------------------------------------------------------------------------------------

_LOCK_NAMESPACE = 0x5250 << 48


def _lock(district_ids, month_list) -> None:
    """Wait for, then hold until the transaction ends, the lock of every (district, month) given (PostgreSQL;
    taken in one order, so that two rebuilds never deadlock)."""
    if connection.vendor != "postgresql":
        return
    keys = sorted(
        {
            _LOCK_NAMESPACE | (district << 20) | (month.year * 12 + month.month)
            for district in district_ids
            for month in month_list
        }
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) AS k ORDER BY k", [keys])


def _districts(province=None) -> list[int]:
    qs = District.objects.all() if province is None else District.objects.filter(province=province)
    return list(qs.order_by("pk").values_list("pk", flat=True))


def _stored(district_ids, first, until):
    return MonthlyAggregate.objects.filter(district_id__in=district_ids, month__gte=first, month__lt=until)


def _replace(rows: dict[Key, dict], district_ids: list[int], first: dt.date, until: dt.date) -> int:
    provinces = dict(District.objects.filter(pk__in={key[0] for key in rows}).values_list("pk", "province_id"))
    _stored(district_ids, first, until).delete()
    MonthlyAggregate.objects.bulk_create(
        [
            MonthlyAggregate(
                province_id=provinces[district], district_id=district, project_id=project, month=month, **row
            )
            for (district, project, month), row in sorted(
                rows.items(), key=lambda item: (item[0][0], item[0][2], item[0][1] or 0)
            )
        ],
        batch_size=500,
    )
    return len(rows)


def refresh(*, district_id: int, month: dt.date) -> int:
    """Recompute one district's month from the source and replace its rows (one per project). Returns how many."""
    first = month_of(month)
    until = next_month(first)
    with transaction.atomic():
        _lock([district_id], [first])
        return _replace(compute(district_ids=[district_id], first=first, until=until), [district_id], first, until)


def refresh_request(*, request_id: int, at: list[dt.datetime]) -> int:
    """The months a change of a request touched: its submission's and those of the moments given (an appointment's
    start, its old one when it moved, an evaluation's date), in its district."""
    found = MediationRequest.objects.filter(pk=request_id).values("office__district_id", "submitted_at").first()
    if found is None:
        return 0  # deleted since: the nightly rebuild catches up with whatever it left
    touched = {month_of(moment) for moment in [found["submitted_at"], *at] if moment is not None}
    return sum(refresh(district_id=found["office__district_id"], month=month) for month in sorted(touched))


def request_moments(*, request_id: int) -> list[dt.datetime]:
    """The moments of every fact of the request besides its submission: its appointments' starts and its
    evaluations' dates (a change of its project moves all of them)."""
    starts = Appointment.objects.filter(request_id=request_id).values_list("starts_at", flat=True)
    written = EvaluationScore.objects.filter(evaluation__request_id=request_id).values_list(
        "evaluation__created_at", flat=True
    )
    return sorted({*starts, *written})


def facts_changed(*, request_id: int, at: list[dt.datetime]) -> None:
    """core.figures' listener: the refresh is written to the outbox in the caller's transaction."""
    outbox.send_on_commit(REFRESH_TASK, request_id, [moment.isoformat() for moment in at])


def _span(district_ids) -> tuple[dt.date, dt.date] | None:
    """The months holding any fact of the districts (None: nothing at all)."""
    dates = [
        *MediationRequest.objects.filter(office__district_id__in=district_ids)
        .exclude(status=Status.DRAFT)
        .aggregate(a=Min("submitted_at"), b=Max("submitted_at"))
        .values(),
        *Appointment.objects.filter(district_id__in=district_ids)
        .aggregate(a=Min("starts_at"), b=Max("starts_at"))
        .values(),
        *EvaluationScore.objects.filter(evaluation__request__office__district_id__in=district_ids)
        .aggregate(a=Min("evaluation__created_at"), b=Max("evaluation__created_at"))
        .values(),
    ]
    dates = [month_of(moment) for moment in dates if moment is not None]
    return (min(dates), next_month(max(dates))) if dates else None


def _years(first: dt.date, until: dt.date):
    """(first, until) of each calendar year between them: a rebuild or a check works a year at a time."""
    year_first = first
    while year_first < until:
        year_until = min(dt.date(year_first.year + 1, 1, 1), until)
        yield year_first, year_until
        year_first = year_until


def rebuild(*, province=None) -> dict:
    """Every row recomputed from the source and replaced, a year at a time (one transaction each, holding the
    locks of its months: refreshes wait for it), for one province or all; rows of months without any fact left are
    deleted. Returns how many rows and years."""
    district_ids = _districts(province)
    span = _span(district_ids)
    source_ids = None if province is None else district_ids  # None: no filter on the districts at all
    written = years = 0
    with transaction.atomic():
        # Months outside the span of the facts hold nothing any more.
        outside = MonthlyAggregate.objects.filter(district_id__in=district_ids)
        if span is not None:
            outside = outside.exclude(month__gte=span[0], month__lt=span[1])
        outside.delete()
    if span is None:
        return {"rows": 0, "years": 0}
    for first, until in _years(*span):
        with transaction.atomic():
            _lock(district_ids, months(first, until))
            rows = compute(district_ids=source_ids, first=first, until=until)
            written += _replace(rows, district_ids, first, until)
        years += 1
    return {"rows": written, "years": years}


def _comparable(value):
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    return value


def check(*, province=None) -> list[str]:
    """Every month recomputed from the source and compared with the rows kept: one line per difference (empty:
    the aggregates are right)."""
    district_ids = _districts(province)
    span = _span(district_ids)
    differences = []
    if span is None:
        extra = MonthlyAggregate.objects.filter(district_id__in=district_ids).count()
        return [f"{extra} rows kept, no fact in the source"] if extra else []
    stored_outside = MonthlyAggregate.objects.filter(district_id__in=district_ids).exclude(
        month__gte=span[0], month__lt=span[1]
    )
    for row in stored_outside:
        differences.append(f"{_label(row.district_id, row.project_id, row.month)}: kept, not in the source")
    for first, until in _years(*span):
        expected = compute(district_ids=None if province is None else district_ids, first=first, until=until)
        kept = {(r.district_id, r.project_id, r.month): r for r in _stored(district_ids, first, until)}
        for key in sorted(set(expected) | set(kept), key=lambda k: (k[0], k[2], k[1] or 0)):
            label = _label(*key)
            if key not in kept:
                differences.append(f"{label}: missing")
            elif key not in expected:
                differences.append(f"{label}: kept, not in the source")
            else:
                for column in COLUMNS:
                    want, have = _comparable(expected[key][column]), _comparable(getattr(kept[key], column))
                    if want != have:
                        differences.append(f"{label}: {column} is {_short(have)}, the source says {_short(want)}")
    return differences


def _label(district_id, project_id, month) -> str:
    return f"district {district_id}, {month:%Y-%m}, project {project_id or '-'}"


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."
