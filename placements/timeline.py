"""A child's episodes as a server-rendered SVG timeline (no JavaScript, CSP-safe).

One lane per care form (extra rows when two episodes of the same form overlap, e.g. at two
providers), lanes ordered by rung on the ladder, bars coloured by rung, open episodes drawn up to
today with a fade and an arrow, a tick per year and a dashed line for today.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core import formatting

#: Colour per rung of the ladder "zo thuis mogelijk" (1 = at home … 6 = closed care).
RUNG_COLOURS = {
    1: "#2e8b57",
    2: "#7cb342",
    3: "#e0a800",
    4: "#f57c00",
    5: "#d32f2f",
    6: "#6a1b1a",
}


def rung_names() -> dict[int, str]:
    return {
        1: _("Thuis, zonder verblijf"),
        2: _("Pleegzorg"),
        3: _("Gezinshuis"),
        4: _("Kleinschalig / kortdurend verblijf"),
        5: _("Residentieel"),
        6: _("Gesloten jeugdhulp"),
    }


def legend() -> list[dict]:
    """Legend entries for the template: rung, colour, Dutch name."""
    names = rung_names()
    return [{"rung": r, "colour": c, "name": names[r]} for r, c in RUNG_COLOURS.items()]


# Geometry in viewBox units (the SVG scales to the width of its container).
WIDTH = 1000
LABEL_W = 210
RIGHT = 20
AXIS_H = 26
LANE_H = 26
BAR_H = 16
FADE_W = 26
ARROW_W = 8


@dataclass
class _Bar:
    episode: object
    start: dt.date
    end: dt.date
    is_open: bool


def _assign_rows(bars: list[_Bar]) -> list[list[_Bar]]:
    """Greedy interval packing: each bar goes to the first row where it does not overlap."""
    rows: list[list[_Bar]] = []
    for bar in sorted(bars, key=lambda b: (b.start, b.end)):
        for row in rows:
            if row[-1].end <= bar.start:
                row.append(bar)
                break
        else:
            rows.append([bar])
    return rows


def _year_step(years: int) -> int:
    for step in (1, 2, 5, 10):
        if years / step <= 12:
            return step
    return 20


def render_timeline(episodes: Iterable, *, today: dt.date) -> SafeString:
    """SVG markup for the episodes (each with care_form, provider, start_date, end_date). Empty when none."""
    bars = []
    for ep in episodes:
        start = min(ep.start_date, today)
        end = ep.end_date if ep.end_date is not None else today
        bars.append(_Bar(episode=ep, start=start, end=max(end, start), is_open=ep.end_date is None))
    if not bars:
        return mark_safe("")

    first = min(b.start for b in bars)
    last = max(max(b.end for b in bars), today)
    domain_start = dt.date(first.year, 1, 1)
    domain_end = last + dt.timedelta(days=max(30, (last - domain_start).days // 40))
    span = (domain_end - domain_start).days or 1
    plot_w = WIDTH - LABEL_W - RIGHT

    def x(day: dt.date) -> float:
        return round(LABEL_W + plot_w * (day - domain_start).days / span, 1)

    # Lanes per care form, ordered by rung then code.
    by_form: dict[int, list[_Bar]] = {}
    forms = {}
    for bar in bars:
        cf = bar.episode.care_form
        by_form.setdefault(cf.pk, []).append(bar)
        forms[cf.pk] = cf
    lanes: list[tuple[object, int, list[_Bar]]] = []
    for pk in sorted(by_form, key=lambda k: (forms[k].rung, forms[k].code)):
        for i, row in enumerate(_assign_rows(by_form[pk])):
            lanes.append((forms[pk], i, row))

    lanes_bottom = AXIS_H + LANE_H * len(lanes)
    height = lanes_bottom + 20
    title = _("Tijdlijn van de trajecten")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="tl-title" class="timeline-svg" font-size="12">',
        f'<title id="tl-title">{escape(title)}</title>',
        "<defs>",
    ]
    for rung, colour in RUNG_COLOURS.items():
        parts.append(
            f'<linearGradient id="fade-{rung}" x1="0" x2="1" y1="0" y2="0">'
            f'<stop offset="0" stop-color="{colour}" stop-opacity="1"/>'
            f'<stop offset="1" stop-color="{colour}" stop-opacity="0.25"/></linearGradient>'
        )
    parts.append("</defs>")

    # Lane backgrounds and labels.
    for i, (cf, row_index, _row) in enumerate(lanes):
        y = AXIS_H + i * LANE_H
        if i % 2 == 0:
            parts.append(f'<rect x="0" y="{y}" width="{WIDTH}" height="{LANE_H}" fill="#f4f6f4"/>')
        if row_index == 0:
            name = cf.name if len(cf.name) <= 30 else cf.name[:29] + "…"
            parts.append(
                f'<text x="6" y="{y + LANE_H / 2 + 4}" fill="#212529">{escape(name)}<title>{escape(cf.name)}</title></text>'
            )

    # Year ticks.
    years = domain_end.year - domain_start.year + 1
    step = _year_step(years)
    for year in range(domain_start.year, domain_end.year + 1):
        tick = dt.date(year, 1, 1)
        if tick < domain_start or tick > domain_end:
            continue
        tx = x(tick)
        parts.append(f'<line x1="{tx}" y1="{AXIS_H - 6}" x2="{tx}" y2="{lanes_bottom}" stroke="#d0d5d0" stroke-width="1"/>')
        if (year - domain_start.year) % step == 0 and tx + 32 <= WIDTH:
            parts.append(f'<text x="{tx + 3}" y="{AXIS_H - 10}" fill="#6c757d">{year}</text>')

    # Bars.
    open_label = _("lopend")
    for i, (cf, _row_index, row) in enumerate(lanes):
        y = AXIS_H + i * LANE_H + (LANE_H - BAR_H) / 2
        colour = RUNG_COLOURS.get(cf.rung, "#6c757d")
        for bar in row:
            ep = bar.episode
            x1, x2 = x(bar.start), x(bar.end)
            tip = f"{cf.name} · {ep.provider} · {formatting.date(ep.start_date)} – {formatting.date(ep.end_date) if ep.end_date else open_label}"
            parts.append(f'<g class="tl-bar"><title>{escape(tip)}</title>')
            if bar.is_open:
                solid_end = max(x1, x2 - FADE_W)
                if solid_end > x1:
                    parts.append(f'<rect x="{x1}" y="{y}" width="{round(solid_end - x1, 1)}" height="{BAR_H}" fill="{colour}"/>')
                parts.append(f'<rect x="{solid_end}" y="{y}" width="{round(x2 - solid_end, 1) or 1}" height="{BAR_H}" fill="url(#fade-{cf.rung})"/>')
                parts.append(
                    f'<polygon points="{x2},{y - 2} {x2 + ARROW_W},{y + BAR_H / 2} {x2},{y + BAR_H + 2}" fill="{colour}" fill-opacity="0.6"/>'
                )
            else:
                width = max(3.0, round(x2 - x1, 1))
                parts.append(f'<rect x="{x1}" y="{y}" width="{width}" height="{BAR_H}" rx="2" fill="{colour}"/>')
            parts.append("</g>")

    # Today.
    tx = x(today)
    parts.append(f'<line x1="{tx}" y1="{AXIS_H - 4}" x2="{tx}" y2="{lanes_bottom + 4}" stroke="#212529" stroke-width="1" stroke-dasharray="3 3"/>')
    today_label = escape(_("vandaag"))
    parts.append(f'<text x="{tx}" y="{height - 3}" fill="#212529" text-anchor="middle" font-weight="600">{today_label}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
