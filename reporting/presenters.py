"""The indicators as people read them: key figures and tables (each with its chart), shared by the dashboard, the
PDF and the summary sheets of the CSV/XLSX exports. The funder's rule is applied here, once."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .charts import bar_chart
from .indicators import SUPPRESSED, hours, shown


def _days(value: dt.timedelta | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.total_seconds()) / 86400).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _guarded(value, count: int, suppress: bool):
    """A rate, average or duration resting on 1 or 2 cases is hidden in the funder's version."""
    if suppress and 0 < count < 3:
        return SUPPRESSED
    return value


def key_figures(data: dict) -> list[tuple[str, object]]:
    s = data["scope"].suppress
    f, w, se, r = data["fulfilment"], data["waiting"], data["sessions"], data["reach"]
    return [
        (_("Requests submitted"), shown(f["submitted"], s)),
        (_("Requests with a mediator assigned"), shown(f["fulfilled"], s)),
        (_("Fulfilment rate (%)"), _guarded(f["rate"], f["submitted"], s)),
        (_("Days from submission to assignment: median"), _guarded(_days(w["median"]), w["count"], s)),
        (_("Days from submission to assignment: 90th percentile"), _guarded(_days(w["p90"]), w["count"], s)),
        (_("Sessions held"), shown(se["held"], s)),
        (_("Hours of mediation"), _guarded(se["hours"], se["held"], s)),
        (_("No-shows"), shown(se["no_show"], s)),
        (_("No-show rate (%)"), _guarded(se["no_show_rate"], se["held"] + se["no_show"], s)),
        (_("Late cancellations"), shown(se["late"], s)),
        (
            _("Late-cancellation rate (%)"),
            _guarded(se["late_rate"], se["held"] + se["no_show"] + se["cancelled"], s),
        ),
        (_("Families reached"), shown(r["families"], s)),
        (_("Adults in the families reached"), shown(r["adults"], s)),
        (_("Minors in the families reached"), shown(r["minors"], s)),
        (_("Languages served"), r["languages_count"]),
    ]


def _table(
    table_id: str, title: str, columns: list[str], rows: list[list], chart_rows=None, suppress=False, label_columns=1
) -> dict:
    return {
        "id": table_id,
        "label_columns": label_columns,
        "title": title,
        "columns": columns,
        "rows": rows,
        "chart": bar_chart(chart_rows, title=title, chart_id=f"chart-{table_id}", suppress=suppress)
        if chart_rows is not None and chart_rows
        else None,
    }


def tables(data: dict) -> list[dict]:
    s = data["scope"].suppress
    requests = data["requests"]
    result = []
    for key, table_id, title, column in (
        ("district", "by-district", _("Requests by district"), _("District")),
        ("kind", "by-office-kind", _("Requests by kind of office"), _("Kind of office")),
        ("setting", "by-setting", _("Requests by setting"), _("Setting")),
        ("language", "by-language", _("Requests by language"), _("Language")),
        ("month", "by-month", _("Requests by month of submission"), _("Month")),
    ):
        rows = requests[key]
        result.append(
            _table(
                table_id,
                title,
                [column, _("Requests")],
                [[label, shown(n, s)] for label, n in rows],
                chart_rows=rows,
                suppress=s,
            )
        )
    by_district = data["sessions_by_district"]
    result.append(
        _table(
            "sessions-by-district",
            _("Sessions by district"),
            [_("District"), _("Held"), _("Hours"), _("No-shows"), _("Late cancellations")],
            [
                [
                    row["district"],
                    shown(row["held"], s),
                    _guarded(hours(row["duration"]), row["held"], s),
                    shown(row["no_show"], s),
                    shown(row["late"], s),
                ]
                for row in by_district
            ],
            chart_rows=[(row["district"], row["held"]) for row in by_district],
            suppress=s,
        )
    )
    served = data["reach"]["languages"]
    result.append(
        _table(
            "languages-served",
            _("Languages served (requests with a session held)"),
            [_("Language"), _("Requests")],
            [[label, shown(n, s)] for label, n in served],
        )
    )
    return result


def evaluation_table(data: dict) -> dict:
    s = data["scope"].suppress
    english = (get_language() or "it").startswith("en")
    sides = {"requester": _("Requesting office"), "mediator": _("Mediator")}
    rows = [
        [
            row["label_en"] if english else row["label_it"],
            sides.get(row["side"], row["side"]),
            _guarded(row["average"], row["n"], s),
            shown(row["n"], s),
        ]
        for row in data["evaluations"]
    ]
    chart_rows = [
        (f"{row['label_en'] if english else row['label_it']} · {sides.get(row['side'], row['side'])}", row["average"])
        for row in data["evaluations"]
        if not (s and 0 < row["n"] < 3)
    ]
    return _table(
        "evaluations",
        _("Effectiveness: average score per criterion (1 to 5)"),
        [_("Criterion"), _("Who evaluated"), _("Average"), _("Scores")],
        rows,
        chart_rows=chart_rows,
        label_columns=2,
    )


def budget_tables(data: dict) -> list[dict]:
    result = []
    for index, budget in enumerate(data["budgets"]):
        rows = [
            [
                row["partner"],
                row["action"],
                row["budget"],
                row["spent"],
                row["share"] if row["share"] is not None else "–",
            ]
            for row in budget["rows"]
        ]
        rows.append(
            [
                _("Total"),
                "",
                budget["total_budget"],
                budget["total_spent"],
                budget["total_share"] if budget["total_share"] is not None else "–",
            ]
        )
        table = _table(
            f"budget-{index}",
            _("Budget against spending: %(project)s") % {"project": budget["project"].title},
            [_("Partner"), _("Action"), _("Budget (€)"), _("Spent (€)"), _("Spent (%)")],
            rows,
            chart_rows=[(f"{r['partner'][:14]} · {r['action'][:12]}", r["share"] or 0) for r in budget["rows"]],
            label_columns=2,
        )
        table["project"] = budget["project"]
        result.append(table)
    return result


def cap_rows(groups: list[dict], limit: int) -> tuple[list[dict], bool]:
    """Tables cut so that all of them together list at most ``limit`` rows; True when something was cut."""
    remaining, cut = limit, False
    capped = []
    for table in groups:
        rows = table["rows"]
        if len(rows) > remaining:
            rows, cut = rows[: max(remaining, 0)], True
        remaining -= len(rows)
        capped.append({**table, "rows": rows})
    return capped, cut
