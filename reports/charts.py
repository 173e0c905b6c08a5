"""Static vector charts for the quarterly report: matplotlib (Agg, no browser, no network) → inline SVG.

Text stays text in the SVG (svg.fonttype "none", DejaVu Sans, the font WeasyPrint also uses), so the PDF is
small and its chart labels are searchable. Element ids are prefixed per chart, because several SVGs share one
HTML document. Suppressed values are never drawn: a hidden count adds nothing to a stack and is a gap in a
line; the caption under the chart says so.
"""
from __future__ import annotations

import io
import itertools
import math
import re

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "svg.fonttype": "none",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#adb5bd",
    "axes.grid": True,
    "axes.grid.axis": "y",
    "grid.color": "#e9ecef",
    "grid.linewidth": 0.6,
    "xtick.color": "#495057",
    "ytick.color": "#495057",
    "legend.frameon": False,
    "legend.fontsize": 7,
    "svg.hashsalt": "foodvalley",
}
PALETTE = ["#2f6b3f", "#7cb342", "#e0a800", "#f57c00", "#d32f2f", "#6a1b1a", "#1f77b4", "#9467bd", "#8c564b", "#17becf"]
_counter = itertools.count(1)


def _nl_number(value: float, _pos=None) -> str:
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f} mln".replace(".", ",")
    return f"{value:,.0f}".replace(",", ".")


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", transparent=True)  # fixed margins: a "tight" box would draw everything twice
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    # every drawing stays inside its axes (limits are set to the data), so clipping only costs time in WeasyPrint
    text = re.sub(r' clip-path="url\(#[^)]*\)"', "", text)
    prefix = f"c{next(_counter)}-"
    text = re.sub(r'id="([^"]+)"', rf'id="{prefix}\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}\1)", text)
    text = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{prefix}\1"', text)
    # scale with the page: drop the fixed size in points, keep the viewBox
    text = re.sub(r'<svg([^>]*?) width="[^"]+" height="[^"]+"', r'<svg\1 class="chart-svg"', text, count=1)
    return text


def _figure(width: float, height: float, *, left=0.07, right=0.98, bottom=0.11, top=0.96) -> Figure:
    fig = Figure(figsize=(width, height), dpi=72)
    fig.subplots_adjust(left=left, right=right, bottom=bottom, top=top)
    return fig


def _month_ticks(ax, labels: list[str]) -> None:
    """Ticks at January of each year (or every quarter for short ranges), labelled with the year."""
    positions = [i for i, m in enumerate(labels) if m.endswith("-01")]
    ax.set_xticks(positions, [labels[i][:4] for i in positions])
    ax.set_xlim(-0.5, len(labels) - 0.5)


def stacked_area(*, months: list[str], series: list[tuple[str, list[float | None]]], ylabel: str = "", width=7.0, height=2.6) -> str:
    """Stock per care form, stacked by month. None (suppressed) counts as 0."""
    with matplotlib.rc_context(RC):
        fig = _figure(width, height, right=0.72)
        ax = fig.subplots()
        x = list(range(len(months)))
        ys = [[v or 0 for v in values] for _name, values in series]
        if ys:
            ax.stackplot(x, *ys, labels=[name for name, _v in series], colors=PALETTE[: len(ys)], alpha=0.9, linewidth=0)
        _month_ticks(ax, months)
        ax.yaxis.set_major_formatter(FuncFormatter(_nl_number))
        ax.yaxis.set_major_locator(MaxNLocator(5, integer=True))
        ax.set_ylabel(ylabel)
        handles, names = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], names[::-1], loc="upper left", bbox_to_anchor=(1.0, 1.0), ncols=1)  # top of the legend = top of the stack
        return _svg(fig)


def lines(*, months: list[str], series: list[tuple[str, list[float | None], str]], ylabel: str = "", width=7.0, height=2.3) -> str:
    """Monthly lines; None is a gap."""
    with matplotlib.rc_context(RC):
        fig = _figure(width, height, top=0.86)
        ax = fig.subplots()
        x = list(range(len(months)))
        for name, values, color in series:
            ax.plot(x, [math.nan if v is None else v for v in values], label=name, color=color, linewidth=1.4)
        _month_ticks(ax, months)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_formatter(FuncFormatter(_nl_number))
        ax.yaxis.set_major_locator(MaxNLocator(5, integer=True))
        ax.set_ylabel(ylabel)
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=len(series))
        return _svg(fig)


def stacked_bars(*, labels: list[str], series: list[tuple[str, list[float | None]]], ylabel: str = "", width=7.0, height=2.6) -> str:
    """Bars per period (quarters), stacked per category; None counts as 0."""
    with matplotlib.rc_context(RC):
        fig = _figure(width, height, left=0.09, right=0.72)
        ax = fig.subplots()
        x = list(range(len(labels)))
        bottom = [0.0] * len(labels)
        for (name, values), color in zip(series, itertools.cycle(PALETTE)):
            ys = [v or 0 for v in values]
            ax.bar(x, ys, bottom=bottom, label=name, color=color, width=0.7)
            bottom = [b + y for b, y in zip(bottom, ys, strict=True)]
        ax.set_xticks(x, labels)
        ax.yaxis.set_major_formatter(FuncFormatter(_nl_number))
        ax.set_ylabel(ylabel)
        handles, names = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], names[::-1], loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _svg(fig)


def share_bars(*, rows: list[tuple[str, list[float | None]]], parts: list[tuple[str, str]], width=7.0, height=1.9) -> str:
    """Horizontal 100% bars: for each row (a date) the share of each part (a rung); None is left out."""
    with matplotlib.rc_context({**RC, "axes.grid": False}):
        fig = _figure(width, height, left=0.14, right=0.74, top=0.97, bottom=0.14)
        ax = fig.subplots()
        y = list(range(len(rows)))[::-1]
        for i, (part_name, color) in enumerate(parts):
            left = []
            widths = []
            for _label, values in rows:
                known = [v or 0 for v in values]
                total = sum(known) or 1
                left.append(100 * sum(known[:i]) / total)
                widths.append(100 * known[i] / total)
            bars = ax.barh(y, widths, left=left, color=color, label=part_name, height=0.6)
            for bar, w in zip(bars, widths, strict=True):
                if w >= 6:
                    ax.text(bar.get_x() + w / 2, bar.get_y() + bar.get_height() / 2, f"{w:.0f}%", ha="center", va="center",
                            color="white", fontsize=7)
        ax.set_yticks(y, [label for label, _v in rows])
        ax.set_xlim(0, 100)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0f}%"))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _svg(fig)


def hbars(*, labels: list[str], values: list[float | None], texts: list[str], highlight: int | None = None, width=4.2, height=2.2) -> str:
    """Horizontal bars (municipalities side by side) with their value as text; None (hidden or missing) shows no bar."""
    with matplotlib.rc_context({**RC, "axes.grid.axis": "x"}):
        fig = _figure(width, height, left=0.34, right=0.95, bottom=0.1)
        ax = fig.subplots()
        y = list(range(len(labels)))[::-1]
        colors = ["#6c757d" if i == highlight else "#2f6b3f" for i in range(len(labels))]
        ax.barh(y, [v or 0 for v in values], color=colors, height=0.6)
        for yi, v, text in zip(y, values, texts, strict=True):
            ax.text((v or 0), yi, f" {text}", va="center", fontsize=7)
        ax.set_yticks(y, labels)
        ax.set_xlim(0, max([v or 0 for v in values] + [1]) * 1.25)
        return _svg(fig)


def sparkline(*, points: list[tuple[float, float | None]], goal: tuple[tuple[float, float], tuple[float, float]] | None,
              width: int = 130, height: int = 40) -> str:
    """A target's trend as a tiny hand-written SVG (a dozen of these would cost a second through matplotlib):
    the measured values (x as date ordinals; None is a gap) in green, the straight line to the goal dashed red,
    and the y-range printed at the left."""
    xs = [x for x, _v in points] + ([goal[0][0], goal[1][0]] if goal else [])
    ys = [v for _x, v in points if v is not None] + ([goal[0][1], goal[1][1]] if goal else [])
    if not xs or not ys:
        return ""
    left, pad = 26, 3
    x0, x1 = min(xs), max(xs)
    y1 = max(ys) or 1.0
    y1 = y1 * 1.1

    def sx(x: float) -> float:
        return left + (width - left - pad) * ((x - x0) / (x1 - x0) if x1 > x0 else 0.5)

    def sy(y: float) -> float:
        return height - pad - (height - 2 * pad) * (y / y1)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="sparkline" role="img">',
             f'<line x1="{left}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#adb5bd" stroke-width="0.6"/>',
             f'<text x="{left - 2}" y="{pad + 5}" font-size="6.5" text-anchor="end" fill="#6c757d">{_nl_number(y1 / 1.1)}</text>',
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
