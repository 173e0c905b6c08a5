"""The disclosure audit (issue 14): an attacker with the project team's login collects everything the dashboard,
its exports, the quarterly report and the cost table show for the demo region — every scope (region and its
municipalities), care-form group, age band and month — and subtracts along every hierarchy:
municipalities → region, care forms → rung and group → all, age bands → all ages, months → quarter, care forms →
the cost table's total, municipalities' cost tables → the region's. It must pin down no count of 1–4.

Two attackers: one who assumes every hierarchy adds up and tries every difference, one relation at a time; and
one who uses every relation that holds in the data (a child in ambulant help and a placement counts once in "all"
but in two rungs, so a few do not) and chains them to a fixed point. The same collection, published under the old
rule (exact counts, 1–4 as "<5"), gives hundreds of values away to both: that proves the audit can fail.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from core import publication
from demo.region import DemoOptions, build_demo
from monitoring.dashboard import selectors
from monitoring.exports.figures import dashboard_sheets
from monitoring.runs.services import run_compute, run_create
from reports import content
from reports.cost_table import cost_table
from tests.system.attacker import given_away, parse_number

COUNT_METRICS = {"stock", "entries", "exits", "escalations", "step_downs"}
DATA_DATE = dt.date(2025, 12, 31)


def _collect_dashboards(user, run, *, exact: bool):
    """{(scope label, group, band, metric, period): text} of every count in every dashboard export the user can make."""
    choices = selectors.dashboard_scopes(user)
    forms = selectors.care_forms()
    seen: dict[tuple, str] = {}
    clashes = []
    for scope in choices.scopes:
        for group in selectors.SPECIAL_GROUPS:
            for band in selectors.BANDS:
                dash = selectors.dashboard(user=user, run=run, scope=scope, choices=choices, month=run.last_month, group=group,
                                           band=band, exact=exact, forms=forms)
                for sheet in dashboard_sheets(dash, words=False):
                    for _figure, period, scope_label, _name, g, b, metric, value in sheet.rows:
                        if metric not in COUNT_METRICS:
                            continue
                        key = (scope_label, g, b, metric, period)
                        text = str(value)
                        if key in seen and seen[key] != text:
                            clashes.append((key, seen[key], text))
                        seen[key] = text
    return seen, clashes, choices, forms


def _relations(keys, choices, forms, region_label):
    """total = sum(parts) along every hierarchy, for the keys that were published."""
    keys = set(keys)
    munis = [s.label for s in choices.scopes if s.level == "municipality"]
    by_rest = defaultdict(set)
    for scope, group, band, metric, period in keys:
        by_rest[(group, band, metric, period)].add(scope)
    relations = []
    for group, band, metric, period in by_rest:  # municipalities → region
        relations.append(((region_label, group, band, metric, period), [(m, group, band, metric, period) for m in munis]))
    rungs = sorted({f.rung for f in forms})
    for scope, group, band, metric, period in keys:
        if band == "all":  # age bands → all ages
            relations.append(((scope, group, "all", metric, period), [(scope, group, b, metric, period) for b in ("0-11", "12-17", "18+")]))
        if metric == "stock" and group in selectors.SPECIAL_GROUPS:  # care forms → group
            relations.append(((scope, group, band, "stock", period), [(scope, f.code, band, "stock", period)
                                                                       for f in selectors.forms_of_group(group, forms)]))
        if metric == "stock" and group.startswith("rung"):  # care forms → rung
            rung = int(group[4:])
            relations.append(((scope, group, band, "stock", period), [(scope, f.code, band, "stock", period) for f in forms if f.rung == rung]))
        if metric == "stock" and group == "all":  # rungs → all
            relations.append(((scope, "all", band, "stock", period), [(scope, f"rung{r}", band, "stock", period) for r in rungs]))
    return [(t, ps) for t, ps in relations if t in keys and all(p in keys for p in ps)]


def _quarters(published, truth, region, run, k):
    """The report's quarter sums (flows) next to the dashboard's months: months → quarter."""
    quarter = f"{run.last_month[:4]}-Q{(int(run.last_month[5:]) - 1) // 3 + 1}"
    report = content.build_report(run=run, region=region, quarter=quarter)
    months = content.quarter_months(quarter)
    relations = []
    label = region.name
    for h in report.headlines:
        if h.key in ("entries", "exits", "escalations", "step_downs"):
            key = (label, "stay", "all", h.key, quarter)
            published[key] = h.now.text
            parts = [(label, "stay", "all", h.key, m) for m in months]
            truth[key] = sum(truth.get(p, 0) for p in parts)
            relations.append((key, parts))
    for row in report.muni_rows:  # the report's municipality table: stocks at the quarter's end, flows over the quarter
        scope = label if row.is_total else row.label
        for (group, metric), cell in zip(content.MUNI_COLUMNS, [row.cells[0], row.cells[1], row.cells[2], row.cells[4], row.cells[5]], strict=True):
            period = months[-1] if metric == "stock" else quarter
            key = (scope, group, "all", metric, period)
            if metric != "stock":
                truth[key] = sum(truth.get((scope, group, "all", metric, m), 0) for m in months)
                relations.append((key, [(scope, group, "all", metric, m) for m in months]))
            if key in published:
                assert published[key] == cell.text, (key, published[key], cell.text)  # the report shows what the dashboard shows
            published[key] = cell.text
    return relations, report


def _cost_tables(published, truth, region, choices, k):
    """Every protected cost table of the region and its municipalities: forms → total, municipalities → region."""
    relations = []
    tables = {}
    for scope in choices.scopes:
        kwargs = {"region": region} if scope.level == "region" else {"municipality": region.municipalities.get(cbs_code=scope.key)}
        tables[scope.label] = (cost_table(**kwargs, suppress=True, k=k, scope_label=scope.label), cost_table(**kwargs, k=k, scope_label=scope.label))
    munis = [s.label for s in choices.scopes if s.level == "municipality"]
    for label, (shown, exact) in tables.items():
        for y_shown, y_exact in zip(shown.years, exact.years, strict=True):
            parts = []
            for row, row_exact in zip(y_shown.all_rows, y_exact.all_rows, strict=True):
                key = (label, row.code, "all", "clients_year", str(y_shown.year))
                published[key] = row.shown.clients.text
                truth[key] = row_exact.clients
                assert row.shown.per_client.value is None  # cost ÷ cost per client would give the exact count back
                if not row.is_total:
                    parts.append(key)
            relations.append(((label, "TOTAL", "all", "clients_year", str(y_shown.year)), parts))
    codes = {key[1] for key in published if key[3] == "clients_year"}
    years = {key[4] for key in published if key[3] == "clients_year"}
    for code in codes:
        for year in years:
            relations.append(((region.name, code, "all", "clients_year", year), [(m, code, "all", "clients_year", year) for m in munis]))
    return relations


@pytest.mark.django_db
def test_the_attacker_pins_down_no_small_count_and_would_have_under_the_old_rule(project_user, foodvalley):
    build_demo(DemoOptions(children=1200, from_year=2023, until=DATA_DATE, seed=14))
    run = run_compute(run_create(today=DATA_DATE + dt.timedelta(days=3)))
    k = publication.threshold()

    published, clashes, choices, forms = _collect_dashboards(project_user, run, exact=False)
    assert clashes == []  # a tile, a chart and a table never show one figure two ways
    exact, _c, _ch, _f = _collect_dashboards(project_user, run, exact=True)
    truth = {key: parse_number(text) for key, text in exact.items()}
    relations = _relations(published.keys(), choices, forms, foodvalley.name)
    quarter_relations, _report = _quarters(published, truth, foodvalley, run, k)
    relations += quarter_relations
    relations += _cost_tables(published, truth, foodvalley, choices, k)

    small = [key for key, v in truth.items() if v is not None and 1 <= v <= k - 1]
    assert len(published) > 20_000 and len(relations) > 5_000 and len(small) > 1_000  # the audit looks at a lot

    # every difference on its own, assuming every hierarchy adds up, with the conclusions of all of them combined
    assert given_away(published, truth, relations, k=k, method="rounded", chained=False) == {}
    # every relation that holds in the data (a child in two care forms or municipalities breaks a few), chained to a
    # fixed point: what follows from true facts only
    holds = [(t, ps) for t, ps in relations
             if truth.get(t) is not None and all(truth.get(p) is not None for p in ps) and truth[t] == sum(truth[p] for p in ps)]
    assert len(holds) > 0.95 * len(relations)
    assert given_away(published, truth, holds, k=k, method="rounded") == {}

    # the same figures as the old rule published them: exact counts, 1..k−1 as "<k"
    old = {key: (f"<{k}" if v is not None and 1 <= v <= k - 1 else ("–" if v is None else str(int(v)))) for key, v in truth.items()}
    assert len(given_away(old, truth, relations, k=k, method="old", chained=False)) > 100
    assert len(given_away(old, truth, holds, k=k, method="old")) > 100
