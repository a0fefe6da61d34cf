"""Charts as SVG built on the server: no script runs in the page (the CSP forbids inline scripts) and WeasyPrint
draws the same markup in the PDF. Every chart is shown next to a table holding the same figures."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from mediazione.formatting import format_number

from .indicators import SUPPRESSED

BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 190
BAR_WIDTH = 300
VALUE_WIDTH = 60


def bar_chart(rows: list[tuple[str, object]], *, title: str, chart_id: str, suppress: bool = False) -> SafeString:
    """A horizontal bar chart of (label, number) rows. In the funder's version a count of 1 or 2 has no bar and reads
    "< 3", so that its length cannot be measured either."""
    numeric = [value for _label, value in rows if isinstance(value, int | float) and not isinstance(value, bool)]
    top = max([float(v) for v in numeric] + [1.0])
    height = max(len(rows), 1) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{chart_id}-title" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        small = suppress and isinstance(value, int) and 0 < value < 3
        text = SUPPRESSED if small else _number(value)
        length = 0 if small or not isinstance(value, int | float) else round(float(value) / top * BAR_WIDTH, 1)
        short = str(label) if len(str(label)) <= 28 else str(label)[:27] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT * 0.7:.1f}" text-anchor="end" '
            f'font-size="12" fill="#1a1a1a">{escape(short)}</text>'
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


def _number(value) -> str:
    """12,5 on an Italian page, 12.5 on an English one (and in the PDF of either)."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return format_number(value, 1)
    return format_number(value)
