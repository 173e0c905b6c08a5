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


def _table(values: dict[str, dict], groups: list[tuple[str, str]], totals: dict[str, float], quarters: list[str], exact: bool) -> list[dict]:
    rows = []
    for code, label in groups:
        series = values.get(code, {})
        cells = []
        for q in quarters:
            count = sum(series.get(m) or 0 for m in quarter_months(q))
            total = totals.get(q, 0)
            cell = publication.count(count, exact=exact)
            share = publication.share(count / total, n=total, exact=exact) if total else publication.NO_VALUE
            cells.append({"count": cell.text, "share": share.text, "suppressed": cell.suppressed or share.suppressed})
        if any(sum(series.get(m) or 0 for m in quarter_months(q)) for q in quarters):
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

    def totals(by_group: dict) -> dict[str, float]:
        return {q: sum(v.get(m) or 0 for v in by_group.values() for m in quarter_months(q)) for q in quarters}

    _title, signal_groups = registry.APP_GROUPS.get(registry.SIGNALLER_GROUPS, ("", []))
    signals = {g: v for g, v in series[SIGNALS].items() if g != "all"}
    referrers = series[REFERRALS]
    tables = [
        ("signallers", _("Wie signaleert een dreigende uithuisplaatsing"), _table(signals, list(signal_groups), totals(signals), quarters, dash.exact)),
        ("referrers", _("Wie verwijst naar verblijf (instroom)"),
         _table(referrers, [*Referrer.choices, UNKNOWN_REFERRER], totals(referrers), quarters, dash.exact)),
    ]
    if not any(rows for _k, _c, rows in tables):
        return {}
    return {"quarters": [quarter_label(q) for q in quarters], "tables": tables}
