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


def bar_chart(
    bars: Sequence[Bar], chart_id: str, title: str, scale_max: float | None = None
) -> str:
    """A horizontal bar chart as an accessible inline SVG: each label above its bar."""
    if not bars:
        return ""
    font, label_h, bar_h, gap = 14, 20, 22, 12
    value_w = 12 + 8 * max(len(b.shown) for b in bars)  # about 8 units per character at 14px
    width = 320
    bar_room = width - value_w
    row = label_h + bar_h + gap
    height = len(bars) * row - gap
    top = max(scale_max or 0, *(b.value for b in bars)) or 1
    parts = [
        f'<svg class="chart" id="{chart_id}" role="img" aria-labelledby="{chart_id}-title" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for index, bar in enumerate(bars):
        y = index * row
        length = max(0.0, bar.value) / top * bar_room
        parts.append(
            f'<text x="0" y="{y + font}" font-size="{font}" class="chart-label">{escape(bar.label)}</text>'
        )
        parts.append(
            f'<rect x="0" y="{y + label_h}" width="{length:.1f}" height="{bar_h}" rx="3" '
            f'class="chart-bar {escape(bar.css_class)}"/>'
        )
        parts.append(
            f'<text x="{length + 6:.1f}" y="{y + label_h + bar_h * 0.72:.1f}" font-size="{font}" '
            f'class="chart-value">{escape(bar.shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
