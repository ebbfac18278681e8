"""Small inline SVG bar charts, made at build time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Bar:
    """One bar: label, value, shown value, CSS class for its colour."""

    label: str
    value: float
    shown: str
    css_class: str = ""


def format_number(value: float, unit: str = "") -> str:
    """12.0 -> '12', 12.5 -> '12.5', with the unit attached."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}".strip()


def bar_chart(
    bars: Sequence[Bar], chart_id: str, title: str, scale_max: float | None = None
) -> str:
    """A horizontal bar chart as an accessible inline SVG."""
    if not bars:
        return ""
    label_width, bar_width, row, gap = 150, 260, 28, 8
    width = label_width + bar_width + 70
    height = len(bars) * (row + gap)
    top = max(scale_max or 0, *(b.value for b in bars)) or 1
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-title" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for index, bar in enumerate(bars):
        y = index * (row + gap)
        length = max(0.0, bar.value) / top * bar_width
        parts.append(
            f'<text x="{label_width - 8}" y="{y + row * 0.68:.1f}" text-anchor="end" '
            f'class="chart-label">{escape(_short(bar.label))}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{row}" rx="3" '
            f'class="chart-bar {escape(bar.css_class)}"/>'
        )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{y + row * 0.68:.1f}" '
            f'class="chart-value">{escape(bar.shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _short(label: str, limit: int = 22) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
