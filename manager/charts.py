"""Charts drawn on the server as SVG: no JavaScript, they print, and they open offline in any browser."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from markupsafe import Markup, escape

#: 非常满意 .. 非常不满意, green to red
LEVEL_COLOURS = {"5": "#15803d", "4": "#65a30d", "3": "#ca8a04", "2": "#ea580c", "1": "#b91c1c"}
LABEL_W, BAR_W, ROW_H = 170, 420, 26


def _frame(title: str, rows: int, legend: Sequence[tuple[str, str]], body: list[str]) -> Markup:
    height = 40 + rows * ROW_H + 30
    width = LABEL_W + BAR_W + 90
    keys = []
    x = LABEL_W
    for colour, name in legend:
        keys.append(f'<rect x="{x}" y="{height - 20}" width="12" height="12" fill="{colour}"/>')
        keys.append(f'<text x="{x + 16}" y="{height - 10}" class="legend">{escape(name)}</text>')
        x += 24 + 13 * len(name)
    return Markup(
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f'<text x="0" y="18" class="chart-title">{escape(title)}</text>{"".join(body)}{"".join(keys)}</svg>'
    )


def bars(
    title: str,
    rows: Sequence[dict[str, Any]],
    series: Sequence[tuple[str, str, str]],
    text: Callable[[float], str],
) -> Markup:
    """Horizontal bars per row, one per series (key, legend name, colour), scaled to the largest value."""
    values = [float(row.get(key) or 0) for row in rows for key, _name, _colour in series]
    top = max(values, default=0) or 1.0
    body: list[str] = []
    bar_h = (ROW_H - 6) / max(len(series), 1)
    for index, row in enumerate(rows):
        y = 34 + index * ROW_H
        body.append(
            f'<text x="{LABEL_W - 8}" y="{y + ROW_H / 2 + 2}" class="label">{escape(row["label"])}</text>'
        )
        for number, (key, _name, colour) in enumerate(series):
            value = row.get(key)
            if value is None:
                continue
            width = BAR_W * float(value) / top
            bar_y = y + number * bar_h
            body.append(
                f'<rect x="{LABEL_W}" y="{bar_y:.1f}" width="{width:.1f}" height="{bar_h - 1:.1f}" '
                f'fill="{colour}"/>'
                f'<text x="{LABEL_W + width + 4:.1f}" y="{bar_y + bar_h - 3:.1f}" class="value">'
                f"{escape(text(float(value)))}</text>"
            )
    return _frame(title, len(rows), [(colour, name) for _key, name, colour in series], body)


def rating_bars(title: str, rows: Sequence[dict[str, Any]], names: dict[str, str]) -> Markup:
    """One bar per row split into the five levels, as shares of that row's rated visits."""
    body: list[str] = []
    for index, row in enumerate(rows):
        y = 34 + index * ROW_H
        body.append(
            f'<text x="{LABEL_W - 8}" y="{y + ROW_H / 2 + 2}" class="label">{escape(row["label"])}</text>'
        )
        rated = row["rated"]
        x = float(LABEL_W)
        for level in ("5", "4", "3", "2", "1"):
            count = row["ratings"][level]
            if not rated or not count:
                continue
            width = BAR_W * count / rated
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{ROW_H - 6}" '
                f'fill="{LEVEL_COLOURS[level]}">'
                f"<title>{escape(names[level])}: {count}</title></rect>"
            )
            x += width
        note = f"{rated}" if rated else "—"
        body.append(f'<text x="{LABEL_W + BAR_W + 6}" y="{y + ROW_H / 2 + 2}" class="value">{note}</text>')
    legend = [(LEVEL_COLOURS[level], names[level]) for level in ("5", "4", "3", "2", "1")]
    return _frame(title, len(rows), legend, body)
