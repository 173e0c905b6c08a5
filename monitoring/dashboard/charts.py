"""Plotly figures and CSV tables from the (already suppressed) dashboard data.

Figures are built as plain plotly.js JSON (dicts of `data` and `layout`) rather than through
`plotly.graph_objects`: the page builds seven figures per request and the object layer's validation
would cost more than the whole database read. The tests load every figure into
`plotly.graph_objects.Figure` to check that it is a valid plotly figure.

A hidden point (core.publication: a count shown as "≤5", or an amount of so few children) is drawn at zero
height (so it adds nothing to a stack) with the hover text "≤5"; a published count is drawn at its rounded
value; an undefined point (a Kaplan–Meier quantile the
curve has not passed yet) is a gap.
"""
from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable

from django.utils.translation import gettext as _

from core import formatting
from core.formatting import spreadsheet_number
from core.periods import period_label
from core.publication import label

from .selectors import Dashboard, FigureTable, Trace

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
MUTED = "#6c757d"
GRID = "#e9ecef"


# --------------------------------------------------------------------------------------------- plotly
def _layout(*, height: int = 290, **extra) -> dict:
    layout = {
        "height": height,
        "margin": {"l": 52, "r": 12, "t": 10, "b": 30},
        "font": {"family": FONT, "size": 12, "color": "#212529"},
        "separators": ",.",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hovermode": "x unified",
        "hoverlabel": {"namelength": -1},
        "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom", "font": {"size": 11}, "itemwidth": 30},
        "xaxis": {"type": "date", "hoverformat": "%b %Y", "gridcolor": GRID, "showgrid": False},
        # whole numbers with Dutch thousands ("800.000", never plotly's "800k"), decimals only where a value has them
        "yaxis": {"rangemode": "tozero", "gridcolor": GRID, "zerolinecolor": "#ced4da", "separatethousands": True, "tickformat": ",~f"},
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def _hover_text(trace: Trace, text: str, suppressed: bool, unit: str) -> str:
    if suppressed and unit == "euro":
        return _("afgeschermd (%(k)s cliënten)") % {"k": label()}
    if suppressed and unit in ("days", "per_1000"):
        return _("afgeschermd")
    return text


def _y(trace: Trace, digits: int | None = None) -> list:
    """Values with suppressed points at zero height: they add nothing to a stack but still show their hover.
    `digits` rounds for the chart (whole euros); the CSV keeps the stored precision."""
    if digits is None:
        return [0 if p.cell.suppressed else p.cell.value for p in trace.points]
    return [0 if p.cell.suppressed else (None if p.cell.value is None else round(p.cell.value, digits or None)) for p in trace.points]


def _hover(trace: Trace, unit: str, number: str) -> dict:
    """Hover settings: the plain value through a d3 format when nothing is hidden (smaller JSON), else a text per point."""
    if any(p.cell.suppressed for p in trace.points):
        return {"text": [_hover_text(trace, p.cell.text, p.cell.suppressed, unit) for p in trace.points],
                "hovertemplate": f"{trace.name}: %{{text}}<extra></extra>"}
    return {"hovertemplate": f"{trace.name}: {number}<extra></extra>"}


def _month_trace(trace: Trace, unit: str, number: str = "%{y:,.0f}", digits: int | None = None, **attrs) -> dict:
    """A trace over the dashboard's months. `x` is left out: dashboard.js fills in the shared month list
    (`months` in the payload), which keeps the page's JSON small."""
    return {"name": trace.name, "y": _y(trace, digits), **_hover(trace, unit, number), **attrs}


def _legend_height(n: int) -> int:
    return 0 if n <= 3 else 18 * ((n + 2) // 3)


def _nothing_to_draw(table: FigureTable) -> bool:
    """No visible non-zero value: all zero, undefined or hidden."""
    return not any(p.cell.value for t in table.traces for p in t.points if not p.cell.suppressed)


def _empty(layout: dict, table: FigureTable | None = None) -> dict:
    hidden = table is not None and any(p.cell.suppressed for t in table.traces for p in t.points)
    text = _("Alleen kleine aantallen: afgeschermd (%(k)s)") % {"k": label()} if hidden else _("Geen gegevens voor deze keuze")
    layout["annotations"] = [{"text": text, "showarrow": False, "xref": "paper", "yref": "paper",
                              "x": 0.5, "y": 0.5, "font": {"color": MUTED, "size": 14}}]
    layout["xaxis"] = {**layout.get("xaxis", {}), "visible": False}
    layout["yaxis"] = {**layout.get("yaxis", {}), "visible": False}
    return {"data": [], "layout": layout}


def _hidden_markers(trace: Trace, *, first: bool, hover: bool = True) -> list[dict]:
    """Mark hidden points on the axis in the trace's colour, so a reader sees where a number is hidden (a line
    has a gap there; a stack adds nothing). The marker trace spans every month with gaps elsewhere, so the
    unified hover shows "≤5" only at a hidden month. `hover=False` when the trace itself already shows it."""
    if not any(p.cell.suppressed for p in trace.points):
        return []
    marker = {"type": "scatter", "mode": "markers", "name": _("afgeschermd (%(k)s)") % {"k": label()}, "legendgroup": "hidden", "showlegend": first,
              "y": [0 if p.cell.suppressed else None for p in trace.points],
              "marker": {"symbol": "line-ew-open", "size": 10, "color": trace.color, "line": {"width": 2, "color": trace.color}}}
    if hover:
        marker.update(text=[p.cell.text if p.cell.suppressed else "" for p in trace.points],
                      hovertemplate=f"{trace.name}: %{{text}}<extra></extra>")
    else:
        marker["hoverinfo"] = "skip"
    return [marker]


def stack_figure(table: FigureTable) -> dict:
    layout = _layout(height=300 + _legend_height(len(table.traces)))
    if _nothing_to_draw(table):
        return _empty(layout, table)
    data, markers = [], []
    for t in table.traces:
        data.append(_month_trace(t, table.unit, type="scatter", mode="lines", stackgroup="stock", legendgroup=t.group,
                                 line={"width": 0.5, "color": t.color}, fillcolor=t.color))
        markers += _hidden_markers(t, first=not markers, hover=False)
    return {"data": data + markers, "layout": layout}


def pair_figure(table: FigureTable) -> dict:
    """Two counts per month as lines; a hidden month is a gap with a marker on the axis. A short hover distance
    keeps the unified hover from showing the nearest hidden month of a marker trace at another month."""
    layout = _layout(hoverdistance=4)
    if _nothing_to_draw(table):
        return _empty(layout, table)
    data, markers = [], []
    for t in table.traces:
        data.append({"type": "scatter", "mode": "lines", "name": t.name, "line": {"color": t.color, "width": 2},
                     "y": [None if p.cell.suppressed else p.cell.value for p in t.points], "connectgaps": False,
                     "hovertemplate": f"{t.name}: %{{y:,.0f}}<extra></extra>"})
        markers += _hidden_markers(t, first=not markers)
    return {"data": data + markers, "layout": layout}


def ladder_figure(table: FigureTable) -> dict:
    layout = _layout(height=300 + _legend_height(len(table.traces)), yaxis={"ticksuffix": "%", "range": [0, 100], "rangemode": "normal"})
    if _nothing_to_draw(table):
        return _empty(layout, table)
    data = []
    for t in table.traces:
        # rung 1 (help at home) dwarfs the placements: it starts hidden, a click on the legend adds it
        visible = "legendonly" if t.group == "rung1" else True
        data.append({"type": "scatter", "mode": "lines", "stackgroup": "ladder", "groupnorm": "percent", "name": t.name, "y": _y(t),
                     "visible": visible,
                     "text": [_hover_text(t, p.cell.text, p.cell.suppressed, table.unit) for p in t.points],
                     "line": {"width": 0.5, "color": t.color}, "fillcolor": t.color,
                     "hovertemplate": f"{t.name}: %{{text}}<extra></extra>"})
    if any(p.cell.suppressed for t in table.traces if t.group != "rung1" for p in t.points):
        layout["annotations"] = [{"text": _("Afgeschermde aantallen (≤5) tellen niet mee in de verdeling."), "showarrow": False,
                                  "xref": "paper", "yref": "paper", "x": 0, "y": -0.13, "xanchor": "left", "yanchor": "top",
                                  "font": {"color": MUTED, "size": 10}}]
        layout["margin"] = {**layout["margin"], "b": 44}
    return {"data": data, "layout": layout}


def los_figure(table: FigureTable) -> dict:
    layout = _layout(xaxis={"type": "category", "hoverformat": "", "tickangle": 0, "nticks": 6, "automargin": True},
                     yaxis={"title": {"text": _("dagen"), "font": {"size": 11}}})
    if _nothing_to_draw(table):
        return _empty(layout, table)
    data = []
    hidden, undefined, days, months = _("afgeschermd (cohort ≤5)"), _("nog onbepaald"), _("dagen"), _("maanden")
    for t in table.traces:
        xs, ys, texts = [], [], []
        for p in t.points:
            xs.append(period_label(p.x))
            ys.append(None if p.cell.suppressed else p.cell.value)
            text = hidden if p.cell.suppressed else (undefined if p.cell.value is None else
                                                      f"{p.cell.text} {days}, {formatting.months_of_days(p.cell.value)} {months}")
            texts.append(f"{text} ({p.interval})" if p.interval and not p.cell.suppressed else text)
        dash = "solid" if t.metric == "los_median" else "dot"
        data.append({"type": "scatter", "mode": "lines+markers", "name": t.name, "x": xs, "y": ys, "text": texts,
                     "connectgaps": False, "line": {"color": t.color, "width": 2.5 if t.metric == "los_median" else 1.5, "dash": dash},
                     "marker": {"size": 5}, "hovertemplate": f"{t.name}: %{{text}}<extra></extra>"})
    return {"data": data, "layout": layout}


def cost_figure(table: FigureTable) -> dict:
    layout = _layout(height=300 + _legend_height(len(table.traces)), barmode="relative", bargap=0.15,
                     yaxis={"tickprefix": "€ ", "separatethousands": True, "automargin": True})
    if _nothing_to_draw(table):
        return _empty(layout, table)
    data = []
    for t in table.traces:
        if not any(p.cell.value or p.cell.suppressed for p in t.points):
            continue
        data.append(_month_trace(t, table.unit, number="€ %{y:,.0f}", digits=0, type="bar", legendgroup=t.group, textposition="none", marker={"color": t.color}))
    return {"data": data, "layout": layout}


def comparison_figure(table: FigureTable) -> dict:
    bars = [(p, t) for t in table.traces for p in t.points]
    layout = _layout(height=max(160, 60 + 24 * len(bars)), hovermode="closest", margin={"l": 10, "r": 40, "t": 10, "b": 30},
                     xaxis={"type": "linear", "rangemode": "tozero", "showgrid": True, "title": {"text": _("per 1.000 jeugdigen (0–17)"), "font": {"size": 11}}},
                     yaxis={"type": "category", "autorange": "reversed", "rangemode": "normal", "automargin": True, "tickformat": ""},
                     showlegend=False)
    if _nothing_to_draw(table):
        return _empty(layout, table)
    data = []
    for t in table.traces:
        x, y, text = [], [], []
        for p in t.points:
            y.append(p.x)
            x.append(0 if p.cell.suppressed else p.cell.value)
            text.append(p.cell.text)
        per_thousand = _("per 1.000")
        data.append({"type": "bar", "orientation": "h", "name": t.name, "x": x, "y": y, "text": text, "textposition": "outside",
                     "cliponaxis": False, "marker": {"color": t.color},
                     "hovertemplate": f"%{{y}}: %{{text}} {per_thousand}<extra></extra>"})
    return {"data": data, "layout": layout}


BUILDERS = {
    "stock_forms": stack_figure,
    "flows": pair_figure,
    "levels": pair_figure,
    "ladder": ladder_figure,
    "los": los_figure,
    "cost": cost_figure,
    "municipalities": comparison_figure,
}


def figures_json(dash: Dashboard) -> dict:
    """{"months": [...], "figures": {key: {"data": [...], "layout": {...}}}} for json_script. Traces over time
    carry no `x`: the months are sent once and dashboard.js puts them in (see `with_months`)."""
    figures = {table.key: BUILDERS[table.key](table) for table in dash.figures}
    for figure in figures.values():  # months on the axis: exactly the window (markers would pad it)
        axis = figure["layout"].get("xaxis", {})
        if axis.get("type") == "date" and axis.get("visible", True) and dash.months:
            first = dt.date(int(dash.months[0][:4]), int(dash.months[0][5:7]), 1) - dt.timedelta(days=16)
            last = dt.date(int(dash.months[-1][:4]), int(dash.months[-1][5:7]), 1) + dt.timedelta(days=16)
            axis["range"] = [first.isoformat(), last.isoformat()]
    return {"months": dash.months, "figures": figures}


def with_months(payload: dict) -> dict[str, dict]:
    """The figures as complete plotly figures (x filled in), as dashboard.js draws them; for tests and tools."""
    out = {}
    for key, figure in payload["figures"].items():
        data = [trace if "x" in trace else {**trace, "x": payload["months"]} for trace in figure["data"]]
        out[key] = {"data": data, "layout": figure["layout"]}
    return out


# --------------------------------------------------------------------------------------------- CSV
CSV_DELIMITER = ";"  # Dutch Excel reads ; with decimal commas
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FIGURE_KEYS = ("tiles", *BUILDERS)


def safe_text(value) -> str:
    """Neutralise spreadsheet formulas in text cells: a cell starting with = + - @ (or a tab/CR) gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _cell_out(cell) -> str:
    return safe_text(cell.text) if cell.suppressed or cell.value is None else spreadsheet_number(cell.value)


def csv_rows(dash: Dashboard, figure: str) -> Iterable[list[str]]:
    """The data behind one figure (or the tiles), as shown: suppressed cells carry their "<5" / "x"."""
    scope = dash.scope.label
    if figure == "tiles":
        yield ["tegel", "gebied", "maand", "zorgvormgroep", "leeftijd", "kinderen_in_zorg", "per_1000_jeugdigen",
               "verschil_vorige_maand", "verschil_zelfde_maand_vorig_jaar"]
        for t in dash.tiles:
            yield [safe_text(t.label), safe_text(scope), dash.month, safe_text(t.group), safe_text(t.band),
                   _cell_out(t.value), _cell_out(t.per_1000), _cell_out(t.change_month), _cell_out(t.change_year)]
        return
    table = dash.figure(figure)
    if table is None:
        return
    yield ["figuur", "periode", "gebied", "reeks", "zorgvormgroep", "leeftijd", "kengetal", "waarde"]
    if figure == "municipalities":
        children, rate = _("kinderen in zorg"), _("per 1.000 jeugdigen")
        for row in dash.comparison:
            area = safe_text(row.scope.label)
            yield [table.key, dash.month, area, safe_text(children), safe_text(dash.group), safe_text(dash.band), "stock", _cell_out(row.stock)]
            yield [table.key, dash.month, area, safe_text(rate), safe_text(dash.group), safe_text(dash.band), "stock_per_1000", _cell_out(row.per_1000)]
        return
    for t in table.traces:
        for p in t.points:
            yield [table.key, p.x, safe_text(scope), safe_text(t.name), safe_text(t.group), safe_text(t.band), t.metric, _cell_out(p.cell)]


def write_csv(dash: Dashboard, figure: str, fh) -> int:
    """Write a figure's data as UTF-8 CSV (the caller writes the BOM) with `;`; returns the number of data rows."""
    writer = csv.writer(fh, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    n = -1
    for row in csv_rows(dash, figure):
        writer.writerow(row)
        n += 1
    return max(n, 0)


def figure_title(dash: Dashboard, figure: str) -> str:
    if figure == "tiles":
        return _("Kerncijfers")
    table = dash.figure(figure)
    return table.title if table else figure


__all__ = ["FIGURE_KEYS", "csv_rows", "figure_title", "figures_json", "safe_text", "with_months", "write_csv"]
