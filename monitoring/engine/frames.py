"""From the engine's long-form frames to stored series, without per-value Python work.

A snapshot run holds a few hundred thousand series of, together, some fifteen million values. Building them
value by value in Python costs more than the whole computation, so this module:
- groups a frame's rows into series with one sort of an integer code per frame (numpy), converts all values
  and period labels of the frame to Python objects in one call each, and builds each series' dict from list
  slices (C speed);
- computes `stock_per_1000` from the stock frame directly (vectorised division by the population);
- hands series out as they are made (monitoring.runs writes them with COPY in chunks), so a run never holds
  all series in memory at once.

`part_series(ds, part)` is the engine's entry point for a run: every series of one part of the figures.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd

from placements.models import PROVIDER_PREFIX, TARGET_GROUP_PREFIX, CareForm, Municipality, Provider, Region, TargetGroup

from .calendar import BAND_NAMES, month_label
from .cohorts import cohort_figures, yearly_cost_figures
from .dataset import GROUP_NAMES, TARGET_GROUP_BASE, Dataset, presort
from .kernels import _combine, _decode, _lookup, _runs
from .memory import reuse_freed_memory
from .monthly import DROPOUT_REASONS, monthly_frames
from .providers import PROVIDER_BASE, provider_declaration_figures, provider_episode_figures

Series = tuple[str, str, str, str, str, dict]

INTEGER_METRICS = {"stock", "served", "entries", "exits", "escalations", "step_downs", "moves", "breakdowns", "care_days",
                   "clients_declared", "clients_declared_year", "cohort_size",
                   # denominators of the shares (stored for their 95% intervals, see cohorts._shares)
                   "dropout_n", "foster_breakdown_12m_n", "no_new_start_n", "reentry_within_12m_n",
                   # per provider (engine.providers)
                   "provider_stock", "provider_stay_stock", "provider_entries", "provider_exits", "provider_moves_out",
                   "provider_breakdowns", "provider_dropout_n", "provider_cohort_size", "provider_clients_year"}
LEVEL_CODES = {"municipality": 0, "region": 1, "country": 2}


class Labels:
    """Names of the engine's integer ids: care-form codes and group names, CBS codes, region names."""

    def __init__(self):
        self.groups = {**dict(CareForm.objects.values_list("id", "code")), **GROUP_NAMES,
                       **{TARGET_GROUP_BASE - pk: f"{TARGET_GROUP_PREFIX}{code}" for pk, code in TargetGroup.objects.values_list("id", "code")},
                       **{PROVIDER_BASE - pk: f"{PROVIDER_PREFIX}{pk}" for pk in Provider.objects.values_list("id", flat=True)}}
        self.munis = dict(Municipality.objects.values_list("id", "cbs_code"))
        self.regions = {k: v.replace("\t", " ") for k, v in Region.objects.values_list("id", "name")}

    def scope(self, level: str, scope: int) -> str:
        if level == "municipality":
            return self.munis[scope]
        if level == "region":
            return self.regions[scope]
        return "NL"

    def group(self, group: int) -> str:
        return self.groups.get(group, str(group))


def _period_codes(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes whose order is the labels' order, and the label of each code."""
    if "month" in frame.columns:
        months = frame["month"].to_numpy(np.int64)
        lo = int(months.min())
        labels = np.array([month_label(m) for m in range(lo, int(months.max()) + 1)], dtype=object)
        return months - lo, labels
    codes, uniques = pd.factorize(frame["period"])
    uniques = np.asarray(uniques, dtype=object)
    order = np.argsort(uniques.astype(str), kind="stable")
    rank = np.empty(len(order), np.int64)
    rank[order] = np.arange(len(order))
    return rank[codes], uniques[order]


def _factorize(column: pd.Series) -> tuple[np.ndarray, list]:
    """pd.factorize, with a fast path for the common column that holds one value (a frame of one level or
    one metric): one comparison instead of hashing every string."""
    values = column.to_numpy()
    if len(values) and bool((values == values[0]).all()):
        return np.zeros(len(values), np.int64), [values[0]]
    codes, uniques = pd.factorize(values)
    return codes, list(uniques)


def frame_series(frame: pd.DataFrame, labels: Labels) -> Iterator[Series]:
    """One (level, scope, group, band, metric, {period: value}) per series of a long-form frame with columns
    level, scope, group, band, metric, value and either month (engine month index) or period (label).
    Periods within a series are in label order; series are in (level, metric, scope, group, band) order."""
    if frame.empty:
        return
    lv_idx, lv_uni = _factorize(frame["level"])
    lv_codes = np.array([LEVEL_CODES[x] for x in lv_uni], dtype=np.int64)[lv_idx]
    mt_codes, mt_uni = _factorize(frame["metric"])
    pr_codes, pr_labels = _period_codes(frame)
    scope = frame["scope"].to_numpy(np.int64)
    group = frame["group"].to_numpy(np.int64)
    band = frame["band"].to_numpy(np.int64)
    key, radix = _combine([lv_codes, mt_codes, scope, group, band])
    code = key * (len(pr_labels) + 1) + pr_codes
    order = None if len(code) < 2 or bool(np.all(code[1:] >= code[:-1])) else np.argsort(code, kind="stable")

    def take(a):
        return a if order is None else a[order]

    key = take(key)
    starts = _runs(key)
    ends = np.append(starts[1:], len(key))
    lv_s, mt_s, sc_s, gr_s, bd_s = _decode(key[starts], radix)
    values = take(frame["value"].to_numpy(dtype=float))
    periods = pr_labels[take(pr_codes)].tolist()
    metrics = list(mt_uni)
    integer = np.isin(np.asarray(metrics, dtype=object)[mt_s], list(INTEGER_METRICS))
    as_int = as_float = None
    if integer.any():
        int_rows = np.repeat(integer, ends - starts)
        as_int = np.rint(np.where(int_rows, values, 0)).astype(np.int64).tolist()
    if not integer.all():
        rounded = np.round(values, 6)
        as_float = rounded.tolist()
        for i in np.flatnonzero(np.isnan(rounded)).tolist():
            as_float[i] = None
    level_names = {v: k for k, v in LEVEL_CODES.items()}
    for i, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        level = level_names[int(lv_s[i])]
        vals = as_int[a:b] if integer[i] else as_float[a:b]
        yield (level, labels.scope(level, int(sc_s[i])), labels.group(int(gr_s[i])), BAND_NAMES[int(bd_s[i])],
               metrics[int(mt_s[i])], dict(zip(periods[a:b], vals, strict=True)))


def per_1000_frame(stock: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    """stock_per_1000 rows from stock rows: stock / youths aged 0-17 of that year in the scope × 1000,
    rounded to 4 decimals; periods without a population are left out."""
    if stock.empty or not ds.population:
        return stock.iloc[:0]
    pop = pd.DataFrame([(m, y, n) for (m, y), n in ds.population.items()], columns=["muni", "year", "n"])
    tables = {"municipality": pop.groupby(["muni", "year"])["n"].sum()}
    pop["region"] = _lookup(ds.muni_region, pop["muni"].to_numpy(np.int64), np.int64) if ds.muni_region else 0
    tables["region"] = pop.groupby(["region", "year"])["n"].sum()
    tables["country"] = pop.assign(c=0).groupby(["c", "year"])["n"].sum()
    parts = []
    for level, f in stock.groupby("level", sort=False):
        year = 1970 + f["month"].to_numpy(np.int64) // 12
        idx = pd.MultiIndex.from_arrays([f["scope"].to_numpy(np.int64), year])
        n = tables[level].reindex(idx).to_numpy(dtype=float)
        ok = np.nan_to_num(n) > 0
        rate = np.round(1000 * f["value"].to_numpy(dtype=float)[ok] / n[ok], 4)
        parts.append(f[ok].assign(value=rate, metric="stock_per_1000"))
    return pd.concat(parts, ignore_index=True) if parts else stock.iloc[:0]


#: The engine's figures in the groups that a run computes apart, and the table each group needs: the figures of
#: the episodes (monthly figures of episodes and the cohorts) and those of the declarations (monthly cost and
#: declared clients, and the yearly cost table).
EPISODE_FIGURES = ("additive", "stock_served", "entries_exits", "cohort", "providers")
DECLARATION_FIGURES = ("clients_declared", "cost", "yearly", "provider_yearly")
#: the figures per provider (engine.providers): frames of one level and metric each already
PROVIDER_FIGURES = {"providers": provider_episode_figures, "provider_yearly": provider_declaration_figures}


def figure_frames(ds: Dataset, figures: tuple[str, ...], breakdown_reasons: tuple[int, ...] = DROPOUT_REASONS) -> Iterator[pd.DataFrame]:
    """Frames of the given figures (names of EPISODE_FIGURES and DECLARATION_FIGURES), one figure after the other,
    each as frames of one level and metric (a series lies wholly in one frame), with stock_per_1000 next to stock.
    A figure's frames are handed out before the next figure is computed, so a part never holds more than one
    figure's frames."""
    ds = presort(ds)
    for name in figures:
        if name in PROVIDER_FIGURES:
            # a series lies wholly in one frame: the quarter and year frames of a metric go together
            by_key: dict[tuple[str, str], list[pd.DataFrame]] = {}
            for frame in PROVIDER_FIGURES[name](ds, ds.last_month):
                if not frame.empty and frame["level"].iat[0] in ds.levels:
                    by_key.setdefault((frame["level"].iat[0], frame["metric"].iat[0]), []).append(frame)
            while by_key:
                _key, parts = by_key.popitem()
                yield parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
            continue
        if name == "cohort":
            extra = cohort_figures(ds, ds.last_month, breakdown_reasons)
        elif name == "yearly":
            extra = yearly_cost_figures(ds, ds.last_month)
        else:
            frames = monthly_frames(ds, part=name)
            stock = [f for f in frames if f["metric"].iat[0] == "stock"]
            if stock:
                rates = per_1000_frame(pd.concat(stock, ignore_index=True), ds)
                if not rates.empty:
                    frames.append(rates)
            while frames:
                frame = frames.pop(0)
                if not frame.empty:
                    yield frame
            continue
        extra = extra[extra["level"].isin(ds.levels)] if not extra.empty else extra
        for _metric, frame in extra.groupby("metric", sort=False):
            if not frame.empty:
                yield frame


def figure_series(data: Dataset | Callable[[], Dataset], figures: tuple[str, ...], labels: Labels | None = None) -> Iterator[Series]:
    """Every series of the given figures, as (level, scope, group, band, metric, {period: value}), of a dataset or
    of what `data()` loads; loading and computing keep the process's freed memory for reuse (engine.memory)."""
    labels = labels or Labels()
    with reuse_freed_memory():
        ds = data() if callable(data) else data
        for frame in figure_frames(ds, figures):
            yield from frame_series(frame, labels)
