"""The dashboard's indicators from the monthly aggregates: the same dictionary as ``indicators.compute`` gives from
the source tables, for a scope of whole months, made by adding up a handful of rows (at most one per district,
month and project) instead of aggregating every request and appointment of the period.

The rows are read by ``reporting.selectors.dashboard_figures``; this module only adds them up. What cannot be added
is merged: the waiting times' values (their percentiles read from all of them), the requests reached (a family
reached in two months of the period counts once).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

from . import indicators
from .aggregates import MICROSECOND
from .indicators import Scope


def _requests(scope: Scope, rows) -> tuple[dict, dict, dict]:
    totals = {key: Counter() for key in ("district", "kind", "setting", "month", "language")}
    counts = Counter()
    waits = []
    for row in rows:
        if row.requests:
            totals["district"][row.district.name] += row.requests
            totals["month"][row.month] += row.requests
        totals["kind"].update(row.requests_by_kind)
        totals["setting"].update(row.requests_by_setting)
        totals["language"].update(row.requests_by_language)
        counts.update(submitted=row.requests, fulfilled=row.fulfilled, cancelled=row.cancelled, rejected=row.rejected)
        waits.extend(row.waits)
    fulfilment = {key: counts[key] for key in ("submitted", "fulfilled", "cancelled", "rejected")}
    fulfilment["rate"] = indicators.rate(fulfilment["fulfilled"], fulfilment["submitted"])
    ordered = [wait * MICROSECOND for wait in sorted(waits)]
    waiting = {
        "count": len(ordered),
        "median": indicators._percentile(ordered, len(ordered), 0.5),
        "p90": indicators._percentile(ordered, len(ordered), 0.9),
    }
    return indicators.requests_tables(scope, totals), fulfilment, waiting


def _sessions(rows) -> tuple[dict, list[dict]]:
    groups = [
        {
            "district": row.district_id,
            "held": row.held,
            "no_show": row.no_show,
            "cancelled": row.sessions_cancelled,
            "late": row.late_cancellations,
            "planned": row.planned,
            "duration": row.held_duration,
        }
        for row in rows
        if row.held or row.no_show or row.sessions_cancelled or row.planned
    ]
    names = {row.district_id: row.district.name for row in rows}
    present = {group["district"] for group in groups}
    by_district = indicators.district_sessions(groups, {pk: name for pk, name in names.items() if pk in present})
    return indicators.session_figures(groups), by_district


def _reach(rows) -> dict:
    reached: dict[str, list] = {}
    for row in rows:
        reached.update(row.reached)
    languages = Counter(group for _adults, _minors, groups in reached.values() for group in groups)
    return indicators.reach_figures(
        families=len(reached),
        adults=sum(adults for adults, _minors, _groups in reached.values()),
        minors=sum(minors for _adults, minors, _groups in reached.values()),
        languages=[{"group": group, "n": n} for group, n in sorted(languages.items(), key=lambda i: (-i[1], i[0]))],
    )


def _evaluations(rows, criteria: dict[int, dict]) -> list[dict]:
    """Average score per criterion and side, as ``indicators.evaluation_scores`` gives them. ``criteria``: the
    key, labels and order of every criterion the rows name, by id."""
    sums: dict[tuple, list[int]] = {}
    for row in rows:
        for name, (total, n) in row.scores.items():
            criterion_id, side = name.split(":", 1)
            criterion = criteria.get(int(criterion_id))
            if criterion is None:
                continue  # deleted since the row was computed (with its scores): the next refresh drops it
            key = (criterion["order"], criterion["key"], side, criterion["label_it"], criterion["label_en"])
            cell = sums.setdefault(key, [0, 0])
            cell[0] += total
            cell[1] += n
    return [
        {
            "key": key,
            "label_it": label_it,
            "label_en": label_en,
            "side": side,
            "average": (Decimal(total) / Decimal(n)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            "n": n,
        }
        for (_order, key, side, label_it, label_en), (total, n) in sorted(sums.items())
    ]


def criterion_ids(rows) -> set[int]:
    return {int(name.split(":", 1)[0]) for row in rows for name in row.scores}


def figures(scope: Scope, rows: list, *, criteria: dict[int, dict]) -> dict:
    """Every indicator of ``scope`` (whole months) from its monthly aggregate rows (``district`` joined), in the
    shape of ``indicators.compute``. The budget lines and the project's expenses are read here (a few rows a
    project): the sessions' costs come from the rows."""
    requests, fulfilment, waiting = _requests(scope, rows)
    sessions, by_district = _sessions(rows)
    budgets = []
    for project in indicators.projects_in(scope):
        costs: dict[int, Decimal] = {}
        for row in rows:
            if row.project_id == project.pk and row.session_cost:
                costs[row.district_id] = costs.get(row.district_id, Decimal("0")) + row.session_cost
        budgets.append(indicators.budget(project, scope, sessions_cost=costs))
    return {
        "scope": scope,
        "requests": requests,
        "fulfilment": fulfilment,
        "waiting": waiting,
        "sessions": sessions,
        "sessions_by_district": by_district,
        "reach": _reach(rows),
        "evaluations": _evaluations(rows, criteria),
        "budgets": budgets,
    }


def whole_months(date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date]:
    """The period widened to whole months: from the first day of its first month to the last of its last."""
    last = (date_to.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return date_from.replace(day=1), last


def is_whole_months(date_from: dt.date, date_to: dt.date) -> bool:
    return (date_from, date_to) == whole_months(date_from, date_to)
