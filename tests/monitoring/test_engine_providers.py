"""The figures per provider (monitoring.engine.providers) against hand-computed expectations.

Providers A = 1 and B = 2 (groups PROVIDER_BASE - 1 and - 2). Municipalities 10 and 11 lie in region 100, 20 in
region 200. The data: a child moved from A to B (a doorplaatsing away from A), a child with ambulant care and a
foster placement at A that breaks down, a foster stay of five days (too short for a duration) in another region,
and a child with ambulant care at B in two municipalities.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from monitoring import engine as E
from monitoring.engine.providers import PROVIDER_BASE, provider_declaration_figures, provider_episode_figures

from .test_engine import FAMILY, FORMS, REGION, RUNG, STAY, day, month

A, B = PROVIDER_BASE - 1, PROVIDER_BASE - 2

EPISODES = [  # child, form, municipality, start, end, reason, provider
    (0, "RES", 10, "2020-01-10", "2020-03-15", "", 1),
    (0, "RES", 10, "2020-03-15", None, "", 2),
    (1, "AMB", 11, "2020-01-01", None, "", 1),
    (1, "PLZ", 11, "2020-02-01", "2020-06-30", "32", 1),
    (2, "PLZ", 20, "2020-01-31", "2020-02-05", "31", 1),
    (3, "AMB", 10, "2020-01-01", "2020-02-01", "", 2),
    (3, "AMB", 11, "2020-02-01", None, "", 2),
]
DECLARATIONS = [  # child, form, municipality, period start, amount, provider
    (0, "RES", 10, "2020-01-01", 1000.00, 1),
    (0, "RES", 10, "2020-02-01", 1000.00, 1),
    (1, "AMB", 11, "2020-01-01", 200.00, 1),
    (1, "AMB", 11, "2020-02-01", -50.00, 1),  # a correction
    (3, "AMB", 10, "2020-01-01", 300.00, 2),
    (3, "AMB", 10, "2021-01-01", 300.00, 2),
    (3, "AMB", 11, "2021-01-01", 0.01, 2),
]


def build(data_date="2021-12-31"):
    ep, dec = EPISODES, DECLARATIONS
    return E.Dataset(
        ep_child=np.array([e[0] for e in ep], np.int32), ep_form=np.array([FORMS[e[1]] for e in ep], np.int32),
        ep_muni=np.array([e[2] for e in ep], np.int32), ep_start=np.array([day(e[3]) for e in ep], np.int32),
        ep_end=np.array([day(e[4]) if e[4] else E.OPEN for e in ep], np.int32),
        ep_reason=np.array([int(e[5]) if e[5] else 0 for e in ep], np.int16),
        ep_provider=np.array([e[6] for e in ep], np.int32),
        child_birth=np.array([day(b) for b in ["2008-05-01", "2012-01-01", "2010-01-01", "2015-01-01"]], np.int32),
        form_rung=RUNG, form_stay=STAY, form_family=FAMILY, muni_region=REGION,
        dec_child=np.array([d[0] for d in dec], np.int32), dec_form=np.array([FORMS[d[1]] for d in dec], np.int32),
        dec_muni=np.array([d[2] for d in dec], np.int32), dec_start=np.array([day(d[3]) for d in dec], np.int32),
        dec_cents=np.array([round(d[4] * 100) for d in dec], np.int64), dec_provider=np.array([d[5] for d in dec], np.int32),
        data_date=day(data_date),
    )


def figures(ds=None) -> pd.DataFrame:
    ds = ds or build()
    return pd.concat(provider_episode_figures(ds) + provider_declaration_figures(ds), ignore_index=True)


def get(frame, metric, group, *, level="country", scope=0, m=None, period=None):
    rows = frame[(frame["metric"] == metric) & (frame["level"] == level) & (frame["scope"] == scope) & (frame["group"] == group)]
    rows = rows[rows["month"] == month(m)] if m else rows[rows["period"] == period]
    assert len(rows) <= 1, rows
    return rows["value"].iloc[0] if len(rows) else 0


def test_it_counts_children_in_care_per_provider_and_level():
    f = figures()
    assert get(f, "provider_stock", A, m="2020-01") == 3  # children 0, 1 and 2 (whose stay runs over 31 January)
    assert get(f, "provider_stock", A, level="region", scope=100, m="2020-01") == 2
    assert get(f, "provider_stock", A, level="region", scope=200, m="2020-01") == 1
    assert get(f, "provider_stock", A, m="2020-02") == 2  # child 2 left on 5 February
    # in stay care on the year's peildatum: at the end of 2020 nobody at A (all three stays ended), child 0 at B
    assert get(f, "provider_stay_stock", A, period="2020") == 0
    assert get(f, "provider_stay_stock", B, period="2020") == 1
    # with data up to February 2020 the peildatum of 2020 is 29 February: children 0 and 1 (foster care from 1 February)
    early = figures(build(data_date="2020-02-29"))
    assert get(early, "provider_stay_stock", A, period="2020") == 2
    assert get(early, "provider_stock", A, m="2020-02") == 2
    assert get(f, "provider_stock", A, m="2020-03") == 1  # child 0 moved to B on 15 March
    assert get(f, "provider_stock", B, m="2020-03") == 2
    # a child in two municipalities: at municipality 10 in January, 11 from February; once in the region
    assert get(f, "provider_stock", B, level="municipality", scope=10, m="2020-01") == 1
    assert get(f, "provider_stock", B, level="municipality", scope=10, m="2020-02") == 0
    assert get(f, "provider_stock", B, level="municipality", scope=11, m="2020-02") == 1
    assert get(f, "provider_stock", B, level="region", scope=100, m="2020-01") == 1
    assert get(f, "provider_stock", B, level="region", scope=100, m="2020-02") == 1


def test_it_counts_entries_and_exits_at_the_provider_not_within_it():
    f = figures()
    # A in 2020: children 0, 1 and 2 in January; child 1's foster stay starts while in A's ambulant care (no entry)
    assert get(f, "provider_entries", A, period="2020") == 3
    # out of A: child 2 (February), child 0 (March, to B); child 1 still has ambulant care at A after June
    assert get(f, "provider_exits", A, period="2020") == 2
    # B: child 3 in January (its change of municipality in February is no entry), child 0 in March
    assert get(f, "provider_entries", B, period="2020") == 2
    assert get(f, "provider_entries", B, level="municipality", scope=11, period="2020") == 0
    assert get(f, "provider_entries", A, period="2021") == 0


def test_it_counts_moves_away_breakdowns_and_dropout_per_provider():
    f = figures()
    assert get(f, "provider_moves_out", A, period="2020") == 1
    assert get(f, "provider_moves_out", A, level="municipality", scope=10, period="2020") == 1
    assert get(f, "provider_moves_out", B, period="2020") == 0
    assert get(f, "provider_breakdowns", A, period="2020") == 1  # child 1's foster stay (32); child 2's planned end (31) is none
    # A's episodes ending in 2020: child 0 (March), child 2 (February, 31), child 1's foster stay (June, 32)
    assert get(f, "provider_dropout_n", A, period="2020") == 3
    assert math.isclose(get(f, "provider_dropout", A, period="2020"), 1 / 3)


def test_it_measures_stay_durations_per_provider_with_moves_ending_the_run():
    f = figures()
    # A's runs of 2020: 65 days (child 0, to 15 March) and 150 days (child 1); child 2's five days do not count
    assert get(f, "provider_cohort_size", A, period="2020") == 2
    assert get(f, "provider_los_median", A, period="2020") == 65
    assert get(f, "provider_cohort_size", B, period="2020") == 1
    assert math.isnan(get(f, "provider_los_median", B, period="2020"))  # still running: undefined


def test_it_sums_cost_and_cost_per_client_per_provider():
    f = figures()
    assert get(f, "provider_clients_year", A, period="2020") == 2
    assert get(f, "provider_cost_year", A, period="2020") == 2150.0  # the correction of -50 subtracts
    assert get(f, "provider_cost_per_client", A, period="2020") == 1075.0
    # B in 2021: one child in two municipalities, 300.01 euros
    assert get(f, "provider_clients_year", B, level="region", scope=100, period="2021") == 1
    assert get(f, "provider_clients_year", B, level="municipality", scope=11, period="2021") == 1
    assert get(f, "provider_cost_per_client", B, period="2021") == 300.01


def test_it_leaves_out_what_starts_after_the_data_date():
    ds = build(data_date="2020-01-31")
    f = pd.concat(provider_episode_figures(ds, month("2020-01")), ignore_index=True)
    assert set(f.loc[f["month"].notna(), "month"].astype(int)) <= {month("2020-01")}
