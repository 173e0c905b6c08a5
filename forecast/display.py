"""What the forecast page, its downloads and the report show of a stored forecast, through the publication layer
(core.publication): a forecast stock is treated as a count of children (≤k hidden, else rounded up to k's multiples),
its cost hidden where the stock is, and the actual series before it published as every count is."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core import formatting, publication
from monitoring.runs.store import run_series
from monitoring.targets.progress import group_label

CHART_GROUPS = ("stay", "family_based", "residential")
HISTORY_MONTHS = 36
BAND_LABELS = {"all": "alle leeftijden", "0-11": "0-11 jaar", "12-17": "12-17 jaar", "18+": "18 jaar en ouder"}


def month_end(label: str) -> dt.date:
    year, month = int(label[:4]), int(label[5:7])
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def _published(value: float | None, k: int) -> float | None:
    return publication.count(value, k=k).value if value is not None else None


def actual_series(run, *, scope_key: str, group: str) -> list[tuple[str, float]]:
    """The measured stock of the group (all ages) per month of the run, oldest first."""
    rows = run_series(run, scope=scope_key, metric="stock", group=group, band="all")
    values = rows[0].values if rows else {}
    return sorted((label, float(v)) for label, v in values.items() if len(label) == 7 and label[4] == "-")


def fan_figure(forecast, *, scenario: dict, group: str, k: int) -> dict:
    """A Plotly fan chart: the last HISTORY_MONTHS months measured, then the forecast's mean with its 10–90% band,
    every value published (a hidden value is a gap)."""
    result = forecast.result
    entry = scenario["series"].get(group, {}).get("all")
    months = result["months"]
    history = actual_series(forecast.run, scope_key=forecast.scope_key, group=group)[-HISTORY_MONTHS:]
    x_hist = [month_end(m).isoformat() for m, _v in history]
    x = [month_end(m).isoformat() for m in months]
    data = [{
        "type": "scatter", "mode": "lines", "name": _("Gemeten"), "x": x_hist, "y": [_published(v, k) for _m, v in history],
        "line": {"color": "#2b6a4f", "width": 2}, "connectgaps": False, "hovertemplate": "%{x|%b %Y}: %{y}<extra></extra>",
    }]
    if entry:
        if history:  # the forecast starts from the last measured month
            x = [x_hist[-1], *x]
            entry = {key: [history[-1][1], *entry[key]] for key in ("mean", "p10", "p90")}
        data += [
            {"type": "scatter", "mode": "lines", "name": _("bovengrens"), "x": x, "y": [_published(v, k) for v in entry["p90"]],
             "line": {"width": 0, "color": "#7fa7c9"}, "hoverinfo": "skip", "showlegend": False},
            {"type": "scatter", "mode": "lines", "name": _("10–90% van de simulaties"), "x": x, "y": [_published(v, k) for v in entry["p10"]],
             "fill": "tonexty", "fillcolor": "rgba(41, 98, 155, 0.18)", "line": {"width": 0, "color": "#7fa7c9"}, "hoverinfo": "skip"},
            {"type": "scatter", "mode": "lines", "name": _("Prognose (gemiddelde)"), "x": x, "y": [_published(v, k) for v in entry["mean"]],
             "line": {"color": "#1f4e79", "width": 2, "dash": "dot"}, "connectgaps": False,
             "hovertemplate": "%{x|%b %Y}: %{y}<extra></extra>"},
        ]
    layout = {
        "height": 230, "margin": {"l": 40, "r": 10, "t": 8, "b": 28}, "showlegend": False, "hovermode": "x",
        "xaxis": {"type": "date", "fixedrange": True, "dtick": "M12", "tickformat": "%Y"},
        "yaxis": {"rangemode": "tozero", "fixedrange": True, "tickformat": ",~f"}, "separators": ",.",
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "font": {"size": 11},
    }
    return {"data": data, "layout": layout}


def fan_table(forecast, *, scenario: dict, group: str, k: int) -> list[dict]:
    """The text alternative of a fan chart: each forecast year's last month with mean and band, published."""
    entry = scenario["series"].get(group, {}).get("all")
    if not entry:
        return []
    months = forecast.result["months"]
    picks = [i for i, m in enumerate(months) if m.endswith("-12")] + [len(months) - 1]
    out = []
    for i in sorted(set(picks)):
        out.append({"month": formatting.date(month_end(months[i])), "mean": publication.count(entry["mean"][i], k=k),
                    "p10": publication.count(entry["p10"][i], k=k), "p90": publication.count(entry["p90"][i], k=k)})
    return out


@dataclass
class Comparison:
    years: list[str]
    rows: list[dict]  # per scenario: name, per year (end stock cell, band text, cost cell)


def comparison(forecast, *, group: str = "stay", k: int) -> Comparison:
    """The scenarios side by side: children in the group at the end of each full forecast year and the year's cost."""
    scenarios = forecast.result.get("scenarios", [])
    years = sorted(scenarios[0]["series"].get(group, {}).get("all", {}).get("years", {})) if scenarios else []
    rows = []
    for sc in scenarios:
        per_year = sc["series"].get(group, {}).get("all", {}).get("years", {})
        cells = []
        for year in years:
            y = per_year.get(year)
            if y is None:
                cells.append(None)
                continue
            end = publication.count(y["end_mean"], k=k)
            lo, hi = publication.count(y["end_p10"], k=k), publication.count(y["end_p90"], k=k)
            cost = publication.dependent(y["cost_mean"], y["end_mean"], fmt=formatting.euro_whole, k=k)
            cells.append({"end": end, "band": f"{lo.text}–{hi.text}", "cost": cost})
        rows.append({"name": sc["name"], "description": sc.get("description", ""), "id": sc.get("id"), "cells": cells})
    return Comparison(years=years, rows=rows)


def backtest_rows(forecast) -> list[dict]:
    """The backtest in words: fitted until, months, MAPE and coverage (shares of model errors: no counts)."""
    out = []
    for b in forecast.result.get("backtest", []):
        out.append({"months": b["months"], "fitted_until": formatting.date(dt.date.fromisoformat(b["fitted_until"])),
                    "mape": formatting.percent(b["mape"]) if b["mape"] is not None else "–",
                    "coverage": formatting.percent(b["coverage"])})
    return out


HEADER = ["maand", "gebied", "scenario", "zorgvormgroep", "leeftijd", "kinderen_gemiddeld", "kinderen_p10", "kinderen_p50",
          "kinderen_p90", "kosten_gemiddeld", "kosten_p10", "kosten_p50", "kosten_p90"]


def download_rows(forecast, *, k: int) -> list[list]:
    """Every month, scenario, group and band, published: counts as counts (≤k as text), costs hidden with them."""
    rows = []
    result = forecast.result
    for sc in result.get("scenarios", []):
        for group, bands in sc["series"].items():
            for band, e in bands.items():
                for t, month in enumerate(result["months"]):
                    counts = [publication.count(e[key][t], k=k) for key in ("mean", "p10", "p50", "p90")]
                    costs = [publication.dependent(e[f"cost_{key}"][t], e["mean"][t], k=k) for key in ("mean", "p10", "p50", "p90")]
                    rows.append([month, result["scope"], sc["name"], group_label(group), BAND_LABELS.get(band, band),
                                 *(c.value if c.value is not None else c.text for c in counts),
                                 *(round(c.value, 2) if c.value is not None else c.text for c in costs)])
    return rows


def solver_rows(result: dict) -> list[dict]:
    """The target solver's answers with the end date as a date and each entries factor as a reduction in %."""
    rows = []
    for s in result.get("targets", []):
        row = dict(s, end_date=dt.date.fromisoformat(s["period_end"]))
        for key in ("entries_mean", "entries_p80"):
            row[key] = dict(s[key], reduction=round(100 * (1 - s[key]["factor"]), 0))
        rows.append(row)
    return rows
