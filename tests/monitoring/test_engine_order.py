"""The engine's shortcuts for sorted data give the figures of its general paths, whatever the order of the rows.

A run puts the episodes in (child, municipality, start) order (`presort`) so that merges skip their sort and
distinct events are counted by comparing neighbours. These tests compute every figure on random data with
children moving between municipalities and regions, episodes touching, overlapping, open and on the same day,
in the order given, reversed and shuffled, and demand identical frames; and they check the shortcuts against
the sorting paths directly.
"""
from __future__ import annotations

import resource

import numpy as np
import pandas as pd
import pytest

from monitoring import engine as E
from monitoring.engine import memory
from monitoring.engine.calendar import month_first_day
from monitoring.engine.providers import PROVIDER_BASE, provider_declaration_figures, provider_episode_figures

FORMS = (1, 7, 9, 12, 14)
RUNG = {1: 1, 7: 2, 9: 3, 12: 5, 14: 6}
STAY = {1: False, 7: True, 9: True, 12: True, 14: True}
FAMILY = {1: False, 7: True, 9: True, 12: False, 14: False}
REGION = {10: 100, 11: 100, 12: 100, 20: 200, 21: 200, 30: 300}
FIRST_DAY = 16436  # 2015-01-01
DATA_DATE = 18992  # 2021-12-31


def random_data(seed: int, children: int = 300) -> dict:
    rng = np.random.default_rng(seed)
    rows = []
    for child in range(children):
        home = rng.choice(list(REGION))
        day = FIRST_DAY + int(rng.integers(0, 800))
        for _ in range(int(rng.integers(1, 7))):
            muni = home if rng.random() < 0.7 else rng.choice(list(REGION))  # some children move, across regions too
            form = int(rng.choice(FORMS))
            length = int(rng.choice([1, 5, 20, 31, 45, 200, 400]))
            end = day + length if rng.random() > 0.15 else int(E.OPEN)
            rows.append((child, form, muni, day, end, int(rng.choice([0, 0, 0, 32, 33]))))
            if rng.random() < 0.1:  # a second episode starting the same day
                rows.append((child, int(rng.choice(FORMS)), muni, day, day + 30, 0))
            step = int(rng.choice([0, 1, 2, 10, 40, 90]))
            day = (day + length + step - int(rng.integers(0, 3)) * 10) if end != E.OPEN else day + 500
            if day > DATA_DATE:
                break
    decs = []
    for child in range(children):
        for _ in range(int(rng.integers(0, 6))):
            decs.append((child, int(rng.choice(FORMS)), rng.choice(list(REGION)), FIRST_DAY + int(rng.integers(0, 2500)),
                         int(rng.integers(-50_000, 400_000))))
    ep, dec = np.array(rows, np.int64), np.array(decs, np.int64)
    births = FIRST_DAY - rng.integers(0, 17 * 365, children)
    return {"ep": ep, "dec": dec, "births": births}


def dataset(data: dict, order: np.ndarray | None = None) -> E.Dataset:
    ep = data["ep"] if order is None else data["ep"][order]
    dec = data["dec"]
    return E.Dataset(
        ep_child=ep[:, 0].copy(), ep_form=ep[:, 1].copy(), ep_muni=ep[:, 2].copy(), ep_start=ep[:, 3].copy(),
        ep_end=ep[:, 4].copy(), ep_reason=ep[:, 5].astype(np.int16),
        child_birth=data["births"].astype(np.int64), form_rung=RUNG, form_stay=STAY, form_family=FAMILY, muni_region=REGION,
        dec_child=dec[:, 0].copy(), dec_form=dec[:, 1].copy(), dec_muni=dec[:, 2].copy(), dec_start=dec[:, 3].copy(),
        dec_cents=dec[:, 4].copy(), population={(m, y): 5000 for m in REGION for y in range(2014, 2023)}, data_date=DATA_DATE,
        # three providers, by child and form (so a child changes provider when it changes form)
        ep_provider=(1 + (ep[:, 0] + ep[:, 1]) % 3).astype(np.int32), dec_provider=(1 + (dec[:, 0] + dec[:, 1]) % 3).astype(np.int32),
    )


def normalised(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frame = pd.concat([f for f in frames if not f.empty], ignore_index=True)
    keys = [c for c in ("level", "metric", "scope", "group", "band", "month", "period") if c in frame.columns]
    frame = frame.fillna({"month": -1, "period": ""}) if {"month", "period"} <= set(keys) else frame
    frame = frame[keys + ["value"]].astype({k: np.int64 for k in ("scope", "group", "band", "month") if k in keys})
    return frame.sort_values(keys).reset_index(drop=True)


def all_figures(ds: E.Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    monthly = normalised(E.monthly_frames(ds))
    other = normalised([E.cohort_figures(ds, ds.last_month), E.yearly_cost_figures(ds, ds.last_month)])
    provider = normalised(provider_episode_figures(ds) + provider_declaration_figures(ds))
    return monthly, other, provider


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_figure_is_the_same_in_any_order_of_the_rows(seed):
    data = random_data(seed)
    n = len(data["ep"])
    reference = all_figures(dataset(data))
    assert len(reference[0]) > 1000 and len(reference[1]) > 100
    for order in (np.arange(n)[::-1], np.random.default_rng(seed).permutation(n)):
        figures = all_figures(dataset(data, order))
        pd.testing.assert_frame_equal(figures[0], reference[0])
        pd.testing.assert_frame_equal(figures[1], reference[1])
        pd.testing.assert_frame_equal(figures[2], reference[2])


def test_presort_orders_episodes_by_child_municipality_and_start_in_a_new_dataset_with_its_own_episode_indexes():
    data = random_data(4)
    ds = dataset(data, np.random.default_rng(4).permutation(len(data["ep"])))
    before = E.breakdown_episodes(ds)
    rows_before = {tuple(r) for r in np.stack([ds.ep_child, ds.ep_muni, ds.ep_start, ds.ep_end, ds.ep_form], 1)[before].tolist()}
    ds = E.presort(ds)
    code = (ds.ep_child * 1000 + ds.ep_muni) * 100_000 + ds.ep_start
    assert np.all(code[1:] >= code[:-1])
    after = E.breakdown_episodes(ds)  # recomputed: the cached indexes pointed at the old rows
    rows_after = {tuple(r) for r in np.stack([ds.ep_child, ds.ep_muni, ds.ep_start, ds.ep_end, ds.ep_form], 1)[after].tolist()}
    assert rows_after == rows_before and len(rows_after) > 0


def test_merge_ranges_gives_the_same_ranges_sorted_or_not_and_points_at_the_input_rows():
    rng = np.random.default_rng(5)
    key = rng.integers(0, 30, 2000)
    start = rng.integers(0, 400, 2000)
    end = start + rng.integers(0, 40, 2000)
    order = np.lexsort((start, key))
    sorted_ = E.merge_ranges([key[order]], start[order], end[order], touch=1, last_rows=True)
    shuffled = E.merge_ranges([key], start, end, touch=1, last_rows=True)
    assert np.array_equal(sorted_[0][0], shuffled[0][0])
    assert np.array_equal(sorted_[1], shuffled[1]) and np.array_equal(sorted_[2], shuffled[2])
    # the first / last row indexes point at rows that start / end the merged range, in each input
    assert np.array_equal(start[order][sorted_[3]], sorted_[1]) and np.array_equal(start[shuffled[3]], shuffled[1])
    assert np.array_equal(end[order][sorted_[4]], sorted_[2]) and np.array_equal(end[shuffled[4]], shuffled[2])


def test_counting_distinct_events_by_neighbours_equals_counting_by_sorting_and_refuses_when_it_cannot():
    rng = np.random.default_rng(6)
    n = 5000
    child = np.sort(rng.integers(0, 400, n))
    group = np.full(n, E.ALL, np.int64)
    month = np.zeros(n, np.int64)
    for c in np.unique(child):  # months rising within each child
        rows = np.flatnonzero(child == c)
        month[rows] = np.sort(rng.integers(540, 560, len(rows)))
    band = (month > 550).astype(np.int64)  # bands rise with the month
    scope = (child % 7).astype(np.int64)  # one scope per child
    fast = E._distinct_in_key_order(child, group, scope, band, month)
    slow = E.count_events(child, scope, group, band, month, distinct=True)
    cols = ["scope", "group", "band", "month"]
    assert fast is not None
    pd.testing.assert_frame_equal(fast.sort_values(cols).reset_index(drop=True), slow.sort_values(cols).reset_index(drop=True), check_dtype=False)
    assert fast.loc[fast["band"] != E.BAND_ALL, "value"].sum() < n  # duplicates were there to drop
    moving = scope.copy()
    moving[1::2] += 1  # a child's rows in two scopes: neighbours no longer find every duplicate
    assert E._distinct_in_key_order(child, group, moving, band, month) is None
    assert E._distinct_in_key_order(child, group, scope, band, month[::-1].copy()) is None  # months not rising


def _faults_of_second_allocation(size: int) -> int:
    first = np.ones(size, np.uint8)
    del first
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    second = np.ones(size, np.uint8)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    del second
    return faults


def test_memory_freed_inside_a_run_is_reused_without_new_page_faults():
    if memory._glibc() is None:
        pytest.skip("the malloc knobs are glibc's")
    from numpy._core import multiarray

    multiarray._set_madvise_hugepage(False)  # count 4 KiB pages
    try:
        size = 64 * 2**20
        outside = _faults_of_second_allocation(size)
        with memory.reuse_freed_memory() as available:
            assert available
            inside = _faults_of_second_allocation(size)
        after = _faults_of_second_allocation(size)
    finally:
        multiarray._set_madvise_hugepage(True)
    assert outside > 10_000  # every page of a fresh mmap is faulted in
    assert inside < outside / 10  # the freed block is taken again
    assert after > 10_000  # the defaults are back after the block


def test_stock_and_clients_declared_match_a_brute_force_count_at_every_level():
    """Against the definitions counted the slow way (per month: filter, then distinct children), on data with
    children in several municipalities and regions."""
    data = random_data(7, children=150)
    ds = dataset(data, np.random.default_rng(7).permutation(len(data["ep"])))
    figures = normalised(E.monthly_frames(ds))
    eps = pd.DataFrame(data["ep"][:, :5], columns=["child", "form", "muni", "start", "end"])
    decs = pd.DataFrame(data["dec"][:, :4], columns=["child", "form", "muni", "start"])
    decs["month"] = E.days_to_months(decs["start"].to_numpy())
    scopes = {"municipality": lambda m: m, "region": lambda m: REGION[m], "country": lambda m: 0}
    checked = 0
    for m in range(ds.first_month, ds.last_month + 1, 3):
        last = int(E.month_last_day(np.array([m]))[0])
        active = eps[(eps["start"] <= last) & (eps["end"] > last)]
        declared = decs[decs["month"] == m]
        for level, of in scopes.items():
            for metric, rows in (("stock", active), ("clients_declared", declared)):
                expected = rows.assign(scope=rows["muni"].map(of)).groupby("scope")["child"].nunique()
                got = figures[(figures["level"] == level) & (figures["metric"] == metric) & (figures["group"] == E.ALL)
                              & (figures["band"] == E.BAND_ALL) & (figures["month"] == m)].set_index("scope")["value"]
                assert got.sort_index().to_dict() == {int(k): int(v) for k, v in expected.sort_index().items()}, (m, level, metric)
                checked += len(expected)
    assert checked > 250


def test_provider_stock_and_entries_match_a_brute_force_count_at_every_level():
    """The figures per provider against their definitions counted the slow way, on the same kind of data: the stock
    per month, the entries as distinct children per month summed over the year."""
    data = random_data(9, children=150)
    ds = dataset(data, np.random.default_rng(9).permutation(len(data["ep"])))
    figures = normalised(provider_episode_figures(ds))
    eps = pd.DataFrame(data["ep"][:, :5], columns=["child", "form", "muni", "start", "end"])
    eps["provider"] = 1 + (eps["child"] + eps["form"]) % 3
    scopes = {"municipality": lambda m: m, "region": lambda m: REGION[m], "country": lambda m: 0}
    checked = 0
    entries = {level: {} for level in scopes}
    for m in range(ds.first_month, ds.last_month + 1):
        first, last = int(month_first_day(np.array([m]))[0]), int(E.month_last_day(np.array([m]))[0])
        starting = eps[(eps["start"] >= first) & (eps["start"] <= last)]
        for level, of in scopes.items():
            # entries: a start at the provider while the child was in none of its episodes the day before
            month_entries = {}
            for row in starting.itertuples():
                before = eps[(eps["child"] == row.child) & (eps["provider"] == row.provider) & (eps["start"] <= row.start - 1) & (eps["end"] > row.start - 1)]
                if before.empty:
                    month_entries.setdefault((of(row.muni), row.provider), set()).add(row.child)
            for (scope, provider), children in month_entries.items():
                key = (scope, provider, str(1970 + m // 12))
                entries[level][key] = entries[level].get(key, 0) + len(children)
            if (m - ds.first_month) % 2:
                continue
            active = eps[(eps["start"] <= last) & (eps["end"] > last)]
            got = figures[(figures["level"] == level) & (figures["month"] == m)]
            expected = active.assign(scope=active["muni"].map(of)).groupby(["scope", "provider"])["child"].nunique()
            stock = got[got["metric"] == "provider_stock"]
            assert {(int(s), int(PROVIDER_BASE - g)): int(v) for s, g, v in stock[["scope", "group", "value"]].to_numpy()} == \
                {(int(s), int(p)): int(v) for (s, p), v in expected.items()}, (m, level)
            checked += len(expected)
    for level in scopes:
        got = figures[(figures["level"] == level) & (figures["metric"] == "provider_entries")]
        assert {(int(s), int(PROVIDER_BASE - g), p): int(v) for s, g, p, v in got[["scope", "group", "period", "value"]].to_numpy()} == entries[level], level
        checked += len(entries[level])
    assert checked > 150
