"""Static vector charts for the quarterly report, written directly as small inline SVG (no browser, no network).

Why not matplotlib: its SVGs carry a style, clip path and wrapper group per element, and building and then
drawing them in WeasyPrint took about half of the PDF's build time. These charts have a few dozen plain
elements each and text as text (DejaVu Sans, the font of the PDF), so chart labels are searchable in the PDF.

Coordinates are in a viewBox of `width` units (700 for a full-width chart, about 0.25 mm a unit on A4); the SVG
scales with the page. Suppressed values are never drawn: a hidden count adds nothing to a stack and is a gap in
a line; the caption under the chart says so.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

from core import formatting

PALETTE = ["#2f6b3f", "#7cb342", "#e0a800", "#f57c00", "#d32f2f", "#6a1b1a", "#1f77b4", "#9467bd", "#8c564b", "#17becf"]
FONT = 'font-family="DejaVu Sans, sans-serif"'
AXIS = "#adb5bd"
GRID = "#e9ecef"
TEXT = "#495057"


def _nl_number(value: float) -> str:
    if abs(value) >= 1_000_000:
        return f"{formatting.count_or_decimal(round(value / 1_000_000, 1))} mln"
    return formatting.count_or_decimal(value)


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """0 and round steps (1, 2, 2.5, 5 × 10^n) up to at least `top`."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / (count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    n = math.ceil(top / step - 1e-9)
    return [i * step for i in range(n + 1)]


@dataclass
class Plot:
    left: float
    top: float
    width: float
    height: float

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def right(self) -> float:
        return self.left + self.width


def _svg(width: int, height: int, body: list[str], label: str = "") -> str:
    aria = f' aria-label="{escape(label)}"' if label else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 {width} {height}" role="img"{aria} {FONT} '
            f'font-size="10">' + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: float | None = None, color: str = TEXT, weight: str = "") -> str:
    extra = (f' font-size="{size}"' if size else "") + (f' font-weight="{weight}"' if weight else "")
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{color}"{extra}>{escape(text)}</text>'


def _y_axis(plot: Plot, ticks: list[float], label: str = "") -> list[str]:
    top = ticks[-1] or 1
    out = []
    for t in ticks:
        y = plot.bottom - plot.height * t / top
        out.append(f'<line x1="{plot.left:.1f}" y1="{y:.1f}" x2="{plot.right:.1f}" y2="{y:.1f}" stroke="{GRID if t else AXIS}" stroke-width="0.8"/>')
        out.append(_text(plot.left - 4, y + 3.5, _nl_number(t), anchor="end"))
    if label:
        x, y = 10, plot.top + plot.height / 2
        out.append(f'<text x="{x}" y="{y:.1f}" text-anchor="middle" fill="{TEXT}" transform="rotate(-90 {x} {y:.1f})">{escape(label)}</text>')
    return out


def _month_axis(plot: Plot, months: list[str], x_of) -> list[str]:
    out = []
    for i, m in enumerate(months):
        if m.endswith("-01"):
            x = x_of(i)
            out.append(f'<line x1="{x:.1f}" y1="{plot.bottom:.1f}" x2="{x:.1f}" y2="{plot.bottom + 4:.1f}" stroke="{AXIS}" stroke-width="0.8"/>')
            out.append(_text(x, plot.bottom + 15, m[:4], anchor="middle"))
    return out


def _legend_right(x: float, y: float, names: list[str], colors: list[str], *, line: bool = False) -> list[str]:
    out = []
    for i, (name, color) in enumerate(zip(names, colors, strict=True)):
        yy = y + i * 14
        if line:
            out.append(f'<line x1="{x}" y1="{yy - 3.5:.1f}" x2="{x + 12}" y2="{yy - 3.5:.1f}" stroke="{color}" stroke-width="2"/>')
        else:
            out.append(f'<rect x="{x}" y="{yy - 8:.1f}" width="10" height="9" fill="{color}"/>')
        out.append(_text(x + 16, yy, name, size=9))
    return out


def _legend_top(x: float, y: float, names: list[str], colors: list[str], *, line: bool = False, gap: float = 18) -> list[str]:
    out = []
    for name, color in zip(names, colors, strict=True):
        if line:
            out.append(f'<line x1="{x:.1f}" y1="{y - 3.5:.1f}" x2="{x + 14:.1f}" y2="{y - 3.5:.1f}" stroke="{color}" stroke-width="2"/>')
        else:
            out.append(f'<rect x="{x:.1f}" y="{y - 8:.1f}" width="10" height="9" fill="{color}"/>')
        out.append(_text(x + 18, y, name, size=9))
        x += 18 + 5.6 * len(name) + gap
    return out


def stacked_area(*, months: list[str], series: list[tuple[str, list[float | None]]], ylabel: str = "", width: int = 700, height: int = 250) -> str:
    """Stock per care form, stacked by month (first series at the bottom). None (suppressed) counts as 0."""
    plot = Plot(52, 8, width - 52 - 200, height - 8 - 24)
    n = len(months)
    if n < 2 or not series:
        return ""
    cum = [0.0] * n
    layers = []
    for _name, values in series:
        lower = cum
        cum = [c + (v or 0) for c, v in zip(cum, values, strict=True)]
        layers.append((lower, cum))
    ticks = nice_ticks(max(cum))
    top = ticks[-1] or 1

    def x_of(i):
        return plot.left + plot.width * i / (n - 1)

    def y_of(v):
        return plot.bottom - plot.height * v / top

    body = _y_axis(plot, ticks, ylabel)
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(series))]
    for (lower, upper), color in zip(layers, colors, strict=True):
        points = [f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(upper)]
        points += [f"{x_of(i):.1f},{y_of(lower[i]):.1f}" for i in range(n - 1, -1, -1)]
        body.append(f'<polygon points="{" ".join(points)}" fill="{color}" fill-opacity="0.9"/>')
    body += _month_axis(plot, months, x_of)
    names = [name for name, _v in series]
    body += _legend_right(plot.right + 14, plot.top + 8, names[::-1], colors[::-1])  # top of the legend = top of the stack
    return _svg(width, height, body, ylabel)


def lines(*, months: list[str], series: list[tuple[str, list[float | None], str]], ylabel: str = "", width: int = 700, height: int = 220) -> str:
    """Monthly lines; None is a gap."""
    plot = Plot(52, 26, width - 52 - 12, height - 26 - 24)
    n = len(months)
    if n < 2 or not series:
        return ""
    top_value = max([v for _n, values, _c in series for v in values if v is not None] or [1])
    ticks = nice_ticks(top_value)
    top = ticks[-1] or 1

    def x_of(i):
        return plot.left + plot.width * i / (n - 1)

    body = _y_axis(plot, ticks, ylabel)
    for _name, values, color in series:
        runs, current = [], []
        for i, v in enumerate(values):
            if v is None:
                if current:
                    runs.append(current)
                current = []
            else:
                current.append(f"{x_of(i):.1f},{plot.bottom - plot.height * v / top:.1f}")
        if current:
            runs.append(current)
        for run in runs:
            body.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{color}" stroke-width="1.6"/>')
    body += _month_axis(plot, months, x_of)
    body += _legend_top(plot.left, 12, [s[0] for s in series], [s[2] for s in series], line=True)
    return _svg(width, height, body, ylabel)


def stacked_bars(*, labels: list[str], series: list[tuple[str, list[float | None]]], ylabel: str = "", width: int = 700, height: int = 250) -> str:
    """Bars per period (quarters), stacked per category (first at the bottom); None counts as 0."""
    plot = Plot(60, 8, width - 60 - 210, height - 8 - 24)
    n = len(labels)
    if not n or not series:
        return ""
    totals = [sum((values[i] or 0) for _name, values in series) for i in range(n)]
    ticks = nice_ticks(max(totals))
    top = ticks[-1] or 1
    slot = plot.width / n
    bar = slot * 0.7
    body = _y_axis(plot, ticks, ylabel)
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(series))]
    for i, label in enumerate(labels):
        x = plot.left + slot * i + (slot - bar) / 2
        base = 0.0
        for (_name, values), color in zip(series, colors, strict=True):
            v = values[i] or 0
            if v > 0:
                y0, y1 = plot.bottom - plot.height * base / top, plot.bottom - plot.height * (base + v) / top
                body.append(f'<rect x="{x:.1f}" y="{y1:.1f}" width="{bar:.1f}" height="{y0 - y1:.1f}" fill="{color}"/>')
            base += v
        body.append(_text(x + bar / 2, plot.bottom + 15, label, anchor="middle", size=9))
    names = [name for name, _v in series]
    body += _legend_right(plot.right + 14, plot.top + 8, names[::-1], colors[::-1])
    return _svg(width, height, body, ylabel)


def share_bars(*, rows: list[tuple[str, list[float | None]]], parts: list[tuple[str, str]], width: int = 700, height: int = 150) -> str:
    """Horizontal 100% bars: for each row (a date) the share of each part (a rung); None is left out."""
    plot = Plot(100, 6, width - 100 - 200, height - 6 - 22)
    if not rows:
        return ""
    slot = plot.height / len(rows)
    bar = slot * 0.62
    body = []
    for r, (label, values) in enumerate(rows):
        known = [v or 0 for v in values]
        total = sum(known) or 1
        y = plot.top + slot * r + (slot - bar) / 2
        x = plot.left
        for v, (_name, color) in zip(known, parts, strict=True):
            w = plot.width * v / total
            if w > 0:
                body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar:.1f}" fill="{color}"/>')
                if 100 * v / total >= 6:
                    body.append(_text(x + w / 2, y + bar / 2 + 3.5, f"{100 * v / total:.0f}%", anchor="middle", size=9, color="#ffffff"))
            x += w
        body.append(_text(plot.left - 6, y + bar / 2 + 3.5, label, anchor="end"))
    for pct in (0, 20, 40, 60, 80, 100):
        x = plot.left + plot.width * pct / 100
        body.append(f'<line x1="{x:.1f}" y1="{plot.bottom:.1f}" x2="{x:.1f}" y2="{plot.bottom + 4:.1f}" stroke="{AXIS}" stroke-width="0.8"/>')
        body.append(_text(x, plot.bottom + 15, f"{pct}%", anchor="middle", size=9))
    body += _legend_right(plot.right + 14, plot.top + 10, [p[0] for p in parts], [p[1] for p in parts])
    return _svg(width, height, body)


def hbars(*, labels: list[str], values: list[float | None], texts: list[str], highlight: int | None = None, width: int = 460,
          height: int | None = None) -> str:
    """Horizontal bars (municipalities side by side) with their value as text; None (hidden or missing) shows no bar."""
    height = height or 16 * len(labels) + 12
    plot = Plot(150, 4, width - 150 - 60, height - 8)
    top = max([v or 0 for v in values] + [1e-9])
    slot = plot.height / max(len(labels), 1)
    body = [f'<line x1="{plot.left}" y1="{plot.top}" x2="{plot.left}" y2="{plot.bottom:.1f}" stroke="{AXIS}" stroke-width="0.8"/>']
    for i, (label, v, text) in enumerate(zip(labels, values, texts, strict=True)):
        y = plot.top + slot * i
        w = plot.width * (v or 0) / top
        color = "#6c757d" if i == highlight else "#2f6b3f"
        if w > 0:
            body.append(f'<rect x="{plot.left}" y="{y + slot * 0.2:.1f}" width="{w:.1f}" height="{slot * 0.6:.1f}" fill="{color}"/>')
        body.append(_text(plot.left - 6, y + slot / 2 + 3.5, label, anchor="end"))
        body.append(_text(plot.left + w + 4, y + slot / 2 + 3.5, text, size=9))
    return _svg(width, height, body)


def sparkline(*, points: list[tuple[float, float | None]], goal: tuple[tuple[float, float], tuple[float, float]] | None,
              width: int = 130, height: int = 40) -> str:
    """A target's trend: the measured values (x as date ordinals; None is a gap) in green, the straight line to the
    goal dashed red, and the y-range printed at the left."""
    xs = [x for x, _v in points] + ([goal[0][0], goal[1][0]] if goal else [])
    ys = [v for _x, v in points if v is not None] + ([goal[0][1], goal[1][1]] if goal else [])
    if not xs or not ys:
        return ""
    left, pad = 26, 3
    x0, x1 = min(xs), max(xs)
    y1 = (max(ys) or 1.0) * 1.1

    def sx(x: float) -> float:
        return left + (width - left - pad) * ((x - x0) / (x1 - x0) if x1 > x0 else 0.5)

    def sy(y: float) -> float:
        return height - pad - (height - 2 * pad) * (y / y1)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="sparkline" role="img" {FONT}>',
             f'<line x1="{left}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="{AXIS}" stroke-width="0.6"/>',
             f'<text x="{left - 2}" y="{pad + 5}" font-size="6.5" text-anchor="end" fill="#6c757d">{_nl_number(round(y1 / 1.1, 1))}</text>',
             f'<text x="{left - 2}" y="{height - pad}" font-size="6.5" text-anchor="end" fill="#6c757d">0</text>']
    runs, current = [], []
    for x, v in points:
        if v is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(f"{sx(x):.1f},{sy(v):.1f}")
    if current:
        runs.append(current)
    for run in runs:
        if len(run) == 1:
            cx, cy = run[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="1.2" fill="#2b6a4f"/>')
        else:
            parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="#2b6a4f" stroke-width="1.3"/>')
    if goal is not None:
        (gx0, gy0), (gx1, gy1) = goal
        parts.append(f'<line x1="{sx(gx0):.1f}" y1="{sy(gy0):.1f}" x2="{sx(gx1):.1f}" y2="{sy(gy1):.1f}" stroke="#c0392b" '
                     'stroke-width="1" stroke-dasharray="3,2"/>')
        parts.append(f'<circle cx="{sx(gx1):.1f}" cy="{sy(gy1):.1f}" r="1.8" fill="#c0392b"/>')
    parts.append("</svg>")
    return "".join(parts)
