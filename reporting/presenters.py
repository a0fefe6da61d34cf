"""The indicators as people read them: key figures and tables (each with its chart), shared by the dashboard, the
PDF and the summary sheets of the CSV/XLSX exports. The funder's rule is applied here, once."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from mediators.models import language_name

from .charts import bar_chart
from .indicators import SMALLEST_SHOWN, SUPPRESSED, hours, shown


def _days(value: dt.timedelta | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.total_seconds()) / 86400).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- The funder's rule -----------------------------------------------------------------------------------------------

# A count hidden only so that a "< 3" beside it cannot be worked out by subtraction, and a rate, average or number of
# hours resting on a hidden count. Not "< 3": such a count is 3 or more, and saying so would help the subtraction.
WITHHELD = gettext_lazy("withheld")

_PRIMARY, _SECONDARY = "primary", "secondary"


def is_hidden(cell) -> bool:
    return cell is WITHHELD or cell == SUPPRESSED


def funder_counts(table: list[list[int]], *, suppress: bool, additive: bool = True) -> list[list]:
    """The funder's rule on a table of counts (rows of columns), the one place it is written.

    For the province (``suppress`` false) the counts come back as they are. For the funder:

    - primary suppression: every count of 1 or 2 reads "< 3" (0 tells about nobody and stays);
    - secondary suppression, when ``additive`` (each column adds up to a total the funder also reads: a key figure,
      or the two parts of one): while the total less the counts still shown would pin down a "< 3" (one hidden cell
      alone; hidden cells that can only all be 1 or all be 2; a "< 3" beside a withheld count of 3, adding up to 4),
      the smallest count above 0 still shown in that column is withheld too.

    Totals are never touched: what the funder reads as a total stays true. Whatever rests on a hidden count (a rate,
    an average, hours) goes through :func:`derived`.
    """
    if not suppress:
        return [list(row) for row in table]
    result = [list(row) for row in table]
    for column in range(len(table[0]) if table else 0):
        counts = [row[column] or 0 for row in table]
        for index, kind in _hidden_cells(counts, additive=additive).items():
            result[index][column] = SUPPRESSED if kind == _PRIMARY else WITHHELD
    return result


def _hidden_cells(counts: list[int], *, additive: bool) -> dict[int, str]:
    hidden = {index: _PRIMARY for index, n in enumerate(counts) if 0 < n < SMALLEST_SHOWN}
    if not additive or not hidden or 0 < sum(counts) < SMALLEST_SHOWN:
        # No total to subtract from (or the total itself reads "< 3").
        return hidden
    while _pinned_down(counts, hidden):
        shown_above_zero = [index for index, n in enumerate(counts) if index not in hidden and n > 0]
        if not shown_above_zero:
            break
        hidden[min(shown_above_zero, key=lambda index: (counts[index], index))] = _SECONDARY
    return hidden


def _pinned_down(counts: list[int], hidden: dict[int, str]) -> bool:
    """True when someone who knows the rule and the total could tell the exact value of a "< 3": the hidden cells
    add up to the total less the cells shown; each "< 3" is 1 or 2, each withheld count at least 3."""
    hidden_sum = sum(counts[index] for index in hidden)
    for index, kind in hidden.items():
        if kind != _PRIMARY:
            continue
        others = [other for position, other in hidden.items() if position != index]
        at_least = sum(1 if other == _PRIMARY else SMALLEST_SHOWN for other in others)
        at_most = math.inf if _SECONDARY in others else (SMALLEST_SHOWN - 1) * len(others)
        low, high = max(1, hidden_sum - at_most), min(SMALLEST_SHOWN - 1, hidden_sum - at_least)
        if low >= high:
            return True
    return False


def derived(value, *cells):
    """A rate, average or number of hours, withheld when any count it rests on is hidden (``cells`` as the funder
    reads them: from :func:`funder_counts` or :func:`~reporting.indicators.shown`)."""
    if any(is_hidden(cell) for cell in cells):
        return WITHHELD
    return value


# --- Key figures and tables ------------------------------------------------------------------------------------------


def key_figures(data: dict) -> list[tuple[str, object]]:
    s = data["scope"].suppress
    f, w, se, r = data["fulfilment"], data["waiting"], data["sessions"], data["reach"]
    submitted = shown(f["submitted"], s)
    # The requests with a mediator and those without add up to the requests submitted: the second would be the
    # difference of two figures shown, so it is a cell of the same column.
    (fulfilled,), (unfulfilled,) = funder_counts([[f["fulfilled"]], [f["submitted"] - f["fulfilled"]]], suppress=s)
    held, no_show, late = (shown(se[key], s) for key in ("held", "no_show", "late"))
    # Not shown, but a rate over them would give them away.
    cancelled, early = shown(se["cancelled"], s), shown(se["cancelled"] - se["late"], s)
    waited = shown(w["count"], s)
    return [
        (_("Requests submitted"), submitted),
        (_("Requests with a mediator assigned"), fulfilled),
        (_("Fulfilment rate (%)"), derived(f["rate"], submitted, fulfilled, unfulfilled)),
        (_("Days from submission to assignment: median"), derived(_days(w["median"]), waited)),
        (_("Days from submission to assignment: 90th percentile"), derived(_days(w["p90"]), waited)),
        (_("Sessions held"), held),
        (_("Hours of mediation"), derived(se["hours"], held)),
        (_("No-shows"), no_show),
        (_("No-show rate (%)"), derived(se["no_show_rate"], held, no_show)),
        (_("Late cancellations"), late),
        (_("Late-cancellation rate (%)"), derived(se["late_rate"], held, no_show, late, cancelled, early)),
        (_("Families reached"), shown(r["families"], s)),
        (_("Adults in the families reached"), shown(r["adults"], s)),
        (_("Minors in the families reached"), shown(r["minors"], s)),
        # How many languages, not how many people: the rows of the table of languages served.
        (_("Languages served"), r["languages_count"]),
    ]


def _table(table_id: str, title: str, columns: list[str], rows: list[list], chart_rows=None, label_columns=1) -> dict:
    """``chart_rows``: (label, value) as the table shows them; a value that is not a number draws no bar."""
    return {
        "id": table_id,
        "label_columns": label_columns,
        "title": title,
        "columns": columns,
        "rows": rows,
        "chart": bar_chart(chart_rows, title=title, chart_id=f"chart-{table_id}") if chart_rows else None,
    }


def _counts_table(rows: list[tuple[str, int]], *, suppress: bool, additive: bool) -> list[list]:
    cells = funder_counts([[n] for _label, n in rows], suppress=suppress, additive=additive)
    return [[label, cell] for (label, _n), (cell,) in zip(rows, cells, strict=True)]


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
        # Each adds up to the requests submitted, but for languages: a request may ask for two.
        rows = _counts_table(requests[key], suppress=s, additive=key != "language")
        result.append(_table(table_id, title, [column, _("Requests")], rows, chart_rows=[tuple(r) for r in rows]))
    by_district = data["sessions_by_district"]
    # Columns adding up to the key figures: sessions held, no-shows, late cancellations.
    counts = funder_counts([[row["held"], row["no_show"], row["late"]] for row in by_district], suppress=s)
    rows = [
        [row["district"], held, derived(hours(row["duration"]), held), no_show, late]
        for row, (held, no_show, late) in zip(by_district, counts, strict=True)
    ]
    result.append(
        _table(
            "sessions-by-district",
            _("Sessions by district"),
            [_("District"), _("Held"), _("Hours"), _("No-shows"), _("Late cancellations")],
            rows,
            chart_rows=[(row[0], row[1]) for row in rows],
        )
    )
    served = _counts_table(data["reach"]["languages"], suppress=s, additive=False)
    result.append(
        _table(
            "languages-served",
            _("Languages served (requests with a session held)"),
            [_("Language"), _("Requests")],
            served,
        )
    )
    return result


def evaluation_table(data: dict) -> dict:
    s = data["scope"].suppress
    english = (get_language() or "it").startswith("en")
    sides = {"requester": _("Requesting office"), "mediator": _("Mediator")}
    evaluations = data["evaluations"]
    # No total of scores is shown: one criterion's scores cannot be worked out from the others'.
    counts = funder_counts([[row["n"]] for row in evaluations], suppress=s, additive=False)
    rows = [
        [
            row["label_en"] if english else row["label_it"],
            sides.get(row["side"], row["side"]),
            derived(row["average"], n),
            n,
        ]
        for row, (n,) in zip(evaluations, counts, strict=True)
    ]
    return _table(
        "evaluations",
        _("Effectiveness: average score per criterion (1 to 5)"),
        [_("Criterion"), _("Who evaluated"), _("Average"), _("Scores")],
        rows,
        chart_rows=[(f"{criterion} · {side}", average) for criterion, side, average, _n in rows],
        label_columns=2,
    )


def budget_tables(data: dict) -> list[dict]:
    """Money, not people: the funder reads the budget and the spending as they are."""
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


def _total(n: int, suppress: bool):
    """A total of what people did, under the funder's rule like any count: a total of 1 or 2 reads "< 3"."""
    return funder_counts([[n]], suppress=suppress, additive=False)[0][0]


def mini_guide_tables(figures: dict, *, suppress: bool) -> list[dict]:
    """The "mini-guide" action's tables (indicators.mini_guide).

    The directory's own counts (entries per district, entries translated per language) are about services and
    texts, not people: shown as they are, like the budget. What people did is under the funder's rule: the page views
    (readers of a language in a month) and the translations approved (the work of the few mediators of a language),
    with true totals, so each column is protected against its total."""
    total = _("Total")
    entries = [[name or _("Whole province"), n] for name, n in figures["entries_by_district"]]
    result = [
        _table(
            "mini-guide-entries",
            _("Mini-guide: services published, by district"),
            [_("District"), _("Services")],
            [*entries, [total, figures["published"]]] if entries else [],
        ),
        _table(
            "mini-guide-translated",
            _("Mini-guide: services with an approved translation of the published Italian, by language (of %(n)s)")
            % {"n": figures["published"]},
            [_("Language"), _("Services")],
            [[language_name(code), n] for code, n in figures["translated_by_language"]],
        ),
    ]
    approved = figures["approved_by_language"]
    cells = funder_counts([[n] for _code, n in approved], suppress=suppress)
    rows = [[language_name(code), cell] for (code, _n), (cell,) in zip(approved, cells, strict=True)]
    result.append(
        _table(
            "mini-guide-approved",
            _("Mini-guide: translated texts approved in the period, by language"),
            [_("Language"), _("Texts")],
            [*rows, [total, _total(sum(n for _code, n in approved), suppress)]] if rows else [],
        )
    )
    views = figures["views"]
    languages = sorted({code for _month, code, _n in views}, key=lambda code: (code != "ita", code))
    months = sorted({month for month, _code, _n in views})
    counts = {(month, code): n for month, code, n in views}
    table = [[counts.get((month, code), 0) for code in languages] for month in months]
    cells = funder_counts(table, suppress=suppress)
    rows = [[f"{month:%m/%Y}", *row] for month, row in zip(months, cells, strict=True)]
    if rows:
        rows.append([total, *(_total(sum(counts.get((m, code), 0) for m in months), suppress) for code in languages)])
    result.append(
        _table(
            "mini-guide-views",
            _("Mini-guide: public pages read, by month and language"),
            [_("Month"), *(language_name(code) for code in languages)],
            rows,
        )
    )
    # The printed booklets: editions are things, not people (shown as they are, like the directory's counts).
    editions = figures["booklet_editions"]
    result.append(
        _table(
            "mini-guide-editions",
            _("Mini-guide: printable booklets built in the period"),
            [_("Language"), _("District"), _("Editions"), _("Services in the booklet")],
            [[language_name(code), name or _("Whole province"), n, entries] for code, name, n, entries in editions],
        )
    )
    return result


TRAINING_KINDS = {
    "social_worker": gettext_lazy("Social worker"),
    "coordinator": gettext_lazy("Coordinator"),
    "mediator": gettext_lazy("Mediator"),
    "other": gettext_lazy("Other professional of the district"),
}


def training_tables(figures, *, suppress: bool) -> list[dict]:
    """The "training course" action's tables (indicators.training). Sessions and their hours are things, shown as
    they are; the people trained and the certificates are people, under the funder's rule (a total of 1 or 2 reads
    "< 3" too), and the hours they attended are withheld with a hidden count of people."""
    people = _total(figures.people, suppress)
    summary = [
        [_("Course sessions held"), figures.sessions_held],
        [_("Hours of the sessions held"), figures.course_hours],
        [_("People trained (present at one session at least)"), people],
        [_("Hours attended by the people trained"), derived(figures.person_hours, people)],
        [_("Certificates of attendance issued"), _total(figures.certificates, suppress)],
    ]
    rows = figures.people_by_district_and_role
    cells = funder_counts([[n] for _d, _k, n in rows], suppress=suppress)
    by = [
        [district, TRAINING_KINDS.get(kind, kind), cell]
        for (district, kind, _n), (cell,) in zip(rows, cells, strict=True)
    ]
    return [
        _table(
            "training-summary", _("Training course: sessions, people and hours"), [_("Indicator"), _("Value")], summary
        ),
        _table(
            "training-people",
            _("Training course: people trained, by district and role"),
            [_("District"), _("Role"), _("People")],
            [*by, [_("Total"), "", people]] if by else [],
            label_columns=2,
        ),
    ]


def faq_tables(figures, *, suppress: bool) -> list[dict]:
    """The "FAQ for operators" action's table (indicators.faq). Each question is one operator's: the counts are under
    the funder's rule like people (1 or 2 read "< 3"), and the median days to answer is withheld with its count."""
    asked = _total(figures.asked, suppress)
    answered = _total(figures.answered, suppress)
    median = figures.median_days_to_answer
    rows = [
        [_("Questions asked"), asked],
        [_("Questions answered"), answered],
        [_("Median days from question to answer"), derived(median if median is not None else "–", answered)],
        [_("Questions waiting at the end of the period"), _total(figures.waiting_at_end, suppress)],
    ]
    return [_table("faq-summary", _("FAQ for operators: questions and answers"), [_("Indicator"), _("Value")], rows)]


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


def seminar_tables(figures: dict, *, suppress: bool) -> list[dict]:
    """The "public seminar" action's table (indicators.seminar): places confirmed and people who came, by role, with
    the totals. People, so under the funder's rule: 1 or 2 read "< 3", totals too, each column protected against its
    total."""
    rows = figures["by_role"]
    title = _("Public seminar: registrations and attendance, by role")
    columns = [_("Role"), _("Registered (confirmed places)"), _("Came (checked in)")]
    if not rows:
        return [_table("seminar-roles", title, columns, [])]
    cells = funder_counts([[row["registrations"], row["attendance"]] for row in rows], suppress=suppress)
    body = [[str(row["label"]), *counts] for row, counts in zip(rows, cells, strict=True)]
    body.append([_("Total"), _total(figures["registrations"], suppress), _total(figures["attendance"], suppress)])
    return [_table("seminar-roles", title, columns, body)]
