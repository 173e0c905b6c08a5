"""The "Uitkomsten" of the dashboard and of the quarterly report (template tags in monitoring.templatetags.outcome_figures): what the region's work achieves, from the
engine's figures (moves, re-entry, return home, drop-out, no new start, foster breakdowns per age band) and the
casework's (RET advice followed after six months, JIM and systemic families still at home), and who signals
threatened placements and who refers to stay care, per quarter. Counts and shares pass core.publication."""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from core import publication
from core.periods import quarter_key, quarter_label, quarter_months, quarter_shift
from monitoring import registry
from monitoring.dashboard import sections
from monitoring.dashboard.sections import Tile
from placements.models import Referrer

SECTION = (
    Tile("moves", "stay", label=_("Doorplaatsingen (verblijf)")),
    Tile("moves_per_1000_days", "stay"),
    Tile("home_within_12m", "stay"),
    Tile("reentry_within_12m", "stay"),
    "dropout",
    "no_new_start",
    Tile("breakdowns", "family_based", "0-11", label=_("Breakdowns pleegzorg en gezinshuis, 0–11 jaar")),
    Tile("breakdowns", "family_based", "12-17", label=_("Breakdowns pleegzorg en gezinshuis, 12–17 jaar")),
    Tile("breakdowns", "family_based", "18+", label=_("Breakdowns pleegzorg en gezinshuis, 18 jaar en ouder")),
    "ret_advice_followed_6m",
    "jim_home_6m",
    "jim_home_12m",
    "systemic_home_6m",
    "systemic_home_12m",
)
QUARTERS = 4
SIGNALS, REFERRALS = "signals", "stay_entries_referrer"
UNKNOWN_REFERRER = ("onbekend", _("Onbekend"))  # protection.figures.UNKNOWN_REFERRER


def outcome_rows(dash) -> dict:
    return sections.section_rows(dash, SECTION)


def last_quarters(month: str, n: int = QUARTERS) -> list[str]:
    """The last `n` whole quarters ending in or before `month`, oldest first."""
    q = quarter_key(dt.date(int(month[:4]), int(month[5:]), 1))
    if quarter_months(q)[-1] != month:
        q = quarter_shift(q, -1)
    return [quarter_shift(q, -i) for i in range(n - 1, -1, -1)]


def _cell(count: float, total: float, exact: bool) -> dict:
    """A published count and its share of the total (the share only where the count is shown)."""
    cell = publication.count(count, exact=exact)
    share = publication.share(count / total, n=total, exact=exact) if total and not cell.suppressed else None
    return {"count": cell.text, "share": share.text if share else "", "suppressed": cell.suppressed or bool(share and share.suppressed)}


def _table(values: dict[str, dict], groups: list[tuple[str, str]], quarters: list[str], exact: bool) -> list[dict]:
    """Per group: its count and share in each quarter, then in the four together (a larger count, more often shown;
    the rounding of core.publication keeps a small quarter from being worked back from it)."""
    def count(series: dict, q: str) -> float:
        return sum(series.get(m) or 0 for m in quarter_months(q))

    totals = {q: sum(count(v, q) for v in values.values()) for q in quarters}
    rows = []
    for code, label in groups:
        series = values.get(code, {})
        counts = [count(series, q) for q in quarters]
        if not any(counts):
            continue
        cells = [_cell(c, totals[q], exact) for c, q in zip(counts, quarters, strict=True)]
        cells.append(_cell(sum(counts), sum(totals.values()), exact))
        rows.append({"code": code, "label": str(label), "cells": cells})
    return rows


def outcome_sources(dash) -> dict:
    """Who signals threatened placements and who refers to stay care, in the last four whole quarters up to the chosen
    month: per group the published count and its share of the quarter's total (hidden with a small count)."""
    from monitoring.runs import store

    if dash is None or dash.run is None:
        return {}
    quarters = last_quarters(dash.month or dash.run.last_month)
    series: dict[str, dict[str, dict]] = {SIGNALS: {}, REFERRALS: {}}
    for r in store.run_series(dash.run, scope=dash.scope.key, band="all", metric__in=[SIGNALS, REFERRALS]):
        series[r.metric][r.group] = r.values

    _title, signal_groups = registry.APP_GROUPS.get(registry.SIGNALLER_GROUPS, ("", []))
    signals = {g: v for g, v in series[SIGNALS].items() if g != "all"}
    referrers = series[REFERRALS]
    tables = [
        ("signallers", _("Wie signaleert een dreigende uithuisplaatsing"), _table(signals, list(signal_groups), quarters, dash.exact)),
        ("referrers", _("Wie verwijst naar verblijf (instroom)"), _table(referrers, [*Referrer.choices, UNKNOWN_REFERRER], quarters, dash.exact)),
    ]
    if not any(rows for _k, _c, rows in tables):
        return {}
    return {"quarters": [quarter_label(q) for q in quarters], "tables": tables, "together": _("4 kwartalen")}
