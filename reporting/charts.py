"""Charts as SVG built on the server: no script runs in the page (the CSP forbids inline scripts) and WeasyPrint
draws the same markup in the PDF. Every chart is shown next to a table holding the same figures."""

from __future__ import annotations

import numbers

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from core.formatting import format_number

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 190
BAR_WIDTH = 300
VALUE_WIDTH = 60


def _drawn(value) -> bool:
    """Any number is drawn (int, float, Decimal…); a marker such as "< 3" or "withheld", or nothing, is not."""
    return isinstance(value, numbers.Number) and not isinstance(value, bool)


def bar_chart(rows: list[tuple[str, object]], *, title: str, chart_id: str) -> SafeString:
    """A horizontal bar chart of (label, value) rows, the values as the table beside it shows them: a number draws a
    bar; a hidden figure of the funder's version ("< 3", "withheld") draws none and reads as in the table, so that
    its length cannot be measured either."""
    top = max([float(value) for _label, value in rows if _drawn(value)] + [1.0])
    height = max(len(rows), 1) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{chart_id}-title" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    shorts = distinct_labels([str(label) for label, _value in rows])
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        text = _number(value) if value is None or _drawn(value) else str(value)
        length = round(max(float(value), 0.0) / top * BAR_WIDTH, 1) if _drawn(value) else 0
        short = shorts[index]
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT * 0.7:.1f}" text-anchor="end" '
            f'font-size="12" fill="#1a1a1a">{escape(short)}<title>{escape(str(label))}</title></text>'
        )
        if length:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" fill="#0066cc" rx="2"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + BAR_HEIGHT * 0.7:.1f}" font-size="12" '
            f'fill="#1a1a1a">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def shorten(label: str, width: int = 28) -> str:
    """A label that fits the chart, cut in the middle: the start and the end stay, where names differ most often
    ("Servizio Sociale Territoriale Alfa" and "… Beta" stay two names; cut at the end they would read the same)."""
    if len(label) <= width:
        return label
    head = (width - 1) // 2
    tail = width - 1 - head
    return label[:head].rstrip() + "…" + label[-tail:].lstrip()


def distinct_labels(labels: list[str], width: int = 28) -> list[str]:
    """Each label shortened, a little longer where two would otherwise read the same (never cut into ambiguity)."""
    shorts = [shorten(label, width) for label in labels]
    for index, label in enumerate(labels):
        wider = width
        while shorts.count(shorts[index]) > 1 and len(shorts[index]) < len(label):
            wider += 4
            shorts[index] = shorten(label, wider)
    return shorts


def _number(value) -> str:
    """12,5 on an Italian page, 12.5 on an English one (and in the PDF of either)."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return format_number(value, 1)
    return format_number(value)
