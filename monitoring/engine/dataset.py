"""The engine's input (`Dataset`: everything the figures need as compact arrays, built by engine.load) and the
ways to look at it: care-form groups, scope levels, subsets of children, and the roll-up from municipalities to
regions and the country.

Groups: a care form's own id (>= 1) and the special groups ALL, STAY, FAMILY_BASED, RESIDENTIAL.
Bands: 0 = 0-11, 1 = 12-17, 2 = 18+, and BAND_ALL.
Scopes: level "municipality" (id = municipality id), "region" (id = region id), "country" (id = 0).

A Dataset is never changed after it is built: `presort` and the subsets return new datasets (sharing arrays
where they can), and values derived from its arrays are kept in its `memo`, which belongs to those arrays.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .calendar import birthday, days_to_months
from .kernels import _combine, _lookup, _sum_cells

ALL, STAY, FAMILY_BASED, RESIDENTIAL = -1, -2, -3, -4
#: a target group's group id: TARGET_GROUP_BASE - its database id (engine.cohorts.group_los_figures)
TARGET_GROUP_BASE = -100
GROUP_NAMES = {ALL: "all", STAY: "stay", FAMILY_BASED: "family_based", RESIDENTIAL: "residential"}
LEVELS = ("municipality", "region", "country")


@dataclass(frozen=True, eq=False)
class Dataset:
    """Everything the figures need, as compact arrays. Built by engine.load; never changed afterwards."""

    # episodes
    ep_child: np.ndarray  # child index 0..n-1
    ep_form: np.ndarray  # care form id
    ep_muni: np.ndarray  # municipality id
    ep_start: np.ndarray  # day
    ep_end: np.ndarray  # day or OPEN
    ep_reason: np.ndarray  # iJw end reason as an integer (0 when none)
    # children
    child_birth: np.ndarray  # day, indexed by child index
    # reference data
    form_rung: dict[int, int]
    form_stay: dict[int, bool]
    form_family: dict[int, bool]
    muni_region: dict[int, int]
    # provider id per episode and per declaration (engine.providers; empty when not loaded)
    ep_provider: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    dec_provider: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    # target group id per child index (0: none), for the stay durations per target group
    child_target_group: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    # declarations
    dec_child: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    dec_form: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    dec_muni: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    dec_start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    dec_cents: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # population 0-17 per (municipality id, year)
    population: dict[tuple[int, int], int] = field(default_factory=dict)
    # last day with data (inclusive) = last day of the last complete month
    data_date: int = 0
    # which scope levels to compute
    levels: tuple[str, ...] = LEVELS
    # the database id of each child index (sorted; engine.load maps ids to indexes with it)
    child_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # episodes in (child, municipality, start) order (see `presort`)
    presorted: bool = False
    # values derived from these arrays, computed once (birthdays, declaration months, movers, breakdown episodes)
    memo: dict = field(default_factory=dict, repr=False)

    def derive(self, *, keep_memo: tuple[str, ...] = ("birthdays",), **changes) -> Dataset:
        """A new dataset with `changes`; of the memo only `keep_memo` (values that do not depend on the changes)."""
        memo = {k: v for k, v in self.memo.items() if k in keep_memo}
        return dataclasses.replace(self, memo=memo, **changes)

    def birthdays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per child: the day of the 12th and 18th birthday and their months (computed once)."""
        cached = self.memo.get("birthdays")
        if cached is None:
            b12, b18 = birthday(self.child_birth, 12), birthday(self.child_birth, 18)
            cached = self.memo["birthdays"] = (b12, b18, days_to_months(b12), days_to_months(b18))
        return cached

    def band_on(self, child: np.ndarray, day: np.ndarray) -> np.ndarray:
        b12, b18, _, _ = self.birthdays()
        return np.where(day < b12[child], 0, np.where(day < b18[child], 1, 2)).astype(np.int8)

    def dec_months(self) -> np.ndarray:
        """Month of each declaration's period start (computed once)."""
        cached = self.memo.get("dec_months")
        if cached is None:
            cached = self.memo["dec_months"] = days_to_months(self.dec_start)
        return cached

    @property
    def last_month(self) -> int:
        return int(days_to_months(np.array([self.data_date]))[0])

    @property
    def first_month(self) -> int:
        candidates = []
        if len(self.ep_start):
            candidates.append(int(days_to_months(self.ep_start.min(keepdims=True))[0]))
        if len(self.dec_start):
            candidates.append(int(days_to_months(self.dec_start.min(keepdims=True))[0]))
        return min(candidates) if candidates else self.last_month


def expand_groups(ds: Dataset, forms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions into `forms` and the group of each: every row counts under its own form, ALL, and where it
    applies STAY, FAMILY_BASED and RESIDENTIAL (metrics.md, care-form groups)."""
    pos = np.arange(len(forms))
    parts_pos = [pos, pos]
    parts_grp = [np.asarray(forms, dtype=np.int64), np.full(len(forms), ALL, np.int64)]
    for grp, sel in _form_groups(ds, forms)[1:]:
        parts_pos.append(pos[sel])
        parts_grp.append(np.full(int(sel.sum()), grp, np.int64))
    return np.concatenate(parts_pos), np.concatenate(parts_grp)


def episode_groups(ds: Dataset, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Row indexes into the episode arrays and the group of each row (see `expand_groups`)."""
    idx = np.arange(len(ds.ep_child)) if mask is None else np.flatnonzero(mask)
    pos, groups = expand_groups(ds, ds.ep_form[idx])
    return idx[pos], groups


def group_blocks(ds: Dataset, mask: np.ndarray | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The rows of `episode_groups` one block at a time: row indexes into the episode arrays and the group of
    each row, first the forms' own groups (rows ordered by form, otherwise in dataset order), then one block
    per special group (ALL, STAY, FAMILY_BASED, RESIDENTIAL; rows in dataset order). On a presorted dataset
    each block is in (group, child, municipality, start) order, so merges per child skip their sort; and a
    block holds at most one row per episode (a quarter to a fifth of the expanded rows at once)."""
    idx = np.arange(len(ds.ep_child)) if mask is None else np.flatnonzero(mask)
    forms = ds.ep_form[idx]
    own = idx[np.argsort(forms, kind="stable")]
    yield own, ds.ep_form[own].astype(np.int64)
    del own
    for grp, sel in _form_groups(ds, forms):
        rows = idx if grp == ALL else idx[sel]
        yield rows, np.full(len(rows), grp, np.int64)


def presort(ds: Dataset) -> Dataset:
    """Put the episodes in (child, municipality, start) order, in place (once; a no-op when they are). No figure
    depends on the order of the rows; sorted rows let `merge_ranges` and the distinct counts skip their sorts.
    Returns a new dataset (or `ds` itself when it is in order already): episode indexes computed on `ds` do not
    apply to the result."""
    if ds.presorted:
        return ds
    if len(ds.ep_child) >= 2:
        code, _ = _combine([ds.ep_child, ds.ep_muni, ds.ep_start])
        if not bool(np.all(code[1:] >= code[:-1])):
            order = np.argsort(code, kind="stable")
            del code
            names = ("ep_child", "ep_form", "ep_muni", "ep_start", "ep_end", "ep_reason") + (("ep_provider",) if len(ds.ep_provider) else ())
            episodes = {name: getattr(ds, name)[order] for name in names}
            return ds.derive(presorted=True, keep_memo=("birthdays", "dec_months", "movers"), **episodes)
    return ds.derive(presorted=True, keep_memo=tuple(ds.memo))


def scope_ids(ds: Dataset, munis: np.ndarray, level: str) -> np.ndarray:
    if level == "municipality":
        return munis.astype(np.int64)
    if level == "region":
        return _lookup(ds.muni_region, munis, np.int64)
    return np.zeros(len(munis), np.int64)


def split_by_band(ds: Dataset, child: np.ndarray, start_m: np.ndarray, end_m: np.ndarray, extra: list[np.ndarray]):
    """Split inclusive month ranges where the age band (age on the last day of the month) changes."""
    _, _, child_m12, child_m18 = ds.birthdays()
    m12, m18 = child_m12[child], child_m18[child]
    bounds = [(np.full(len(start_m), -(10**9)), m12 - 1, 0), (m12, m18 - 1, 1), (m18, np.full(len(start_m), 10**9), 2)]
    out_s, out_e, out_b, out_x = [], [], [], [[] for _ in extra]
    for lo, hi, band in bounds:
        s = np.maximum(start_m, lo)
        e = np.minimum(end_m, hi)
        keep = s <= e
        out_s.append(s[keep])
        out_e.append(e[keep])
        out_b.append(np.full(int(keep.sum()), band, np.int8))
        for i, x in enumerate(extra):
            out_x[i].append(x[keep])
    return np.concatenate(out_s), np.concatenate(out_e), np.concatenate(out_b), [np.concatenate(x) for x in out_x]


def _form_groups(ds: Dataset, forms: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """For each special group, a mask over `forms` of the rows that belong to it."""
    stay = _lookup(ds.form_stay, forms, bool)
    family = _lookup(ds.form_family, forms, bool)
    rung = _lookup(ds.form_rung, forms, np.int16)
    return [(ALL, np.ones(len(forms), bool)), (STAY, stay), (FAMILY_BASED, stay & family), (RESIDENTIAL, stay & (rung >= 5))]


def mover_children(ds: Dataset) -> np.ndarray:
    """Per child index: True when the child's episodes and declarations lie in more than one municipality."""
    n = len(ds.child_birth)
    cached = ds.memo.get("movers")
    if cached is not None:
        return cached
    child = np.concatenate([ds.ep_child, ds.dec_child]).astype(np.int64)
    muni = np.concatenate([ds.ep_muni, ds.dec_muni]).astype(np.int64)
    lo = np.full(n, np.iinfo(np.int64).max)
    hi = np.full(n, -1, np.int64)
    np.minimum.at(lo, child, muni)
    np.maximum.at(hi, child, muni)
    movers = ds.memo["movers"] = (hi >= 0) & (lo != hi)
    return movers


def subset_children(ds: Dataset, child_mask: np.ndarray, levels: tuple[str, ...]) -> Dataset:
    """The episodes and declarations of the children in `child_mask` (child indexes stay the same)."""
    ek, dk = child_mask[ds.ep_child], child_mask[ds.dec_child]
    ds.birthdays()  # computed once, kept by the subset
    return ds.derive(
        ep_child=ds.ep_child[ek], ep_form=ds.ep_form[ek], ep_muni=ds.ep_muni[ek], ep_start=ds.ep_start[ek],
        ep_end=ds.ep_end[ek], ep_reason=ds.ep_reason[ek],
        dec_child=ds.dec_child[dk], dec_form=ds.dec_form[dk], dec_muni=ds.dec_muni[dk], dec_start=ds.dec_start[dk],
        dec_cents=ds.dec_cents[dk], levels=levels,
        ep_provider=ds.ep_provider[ek] if len(ds.ep_provider) else ds.ep_provider,
        dec_provider=ds.dec_provider[dk] if len(ds.dec_provider) else ds.dec_provider,
    )


def _frame_sum(frames: list[pd.DataFrame], ds: Dataset, level: str, metric: str) -> pd.DataFrame:
    """Frames of one metric (municipality scopes or already at `level`) summed per cell at `level`."""
    parts = [f for f in frames if not f.empty]
    col = {k: np.concatenate([f[k].to_numpy(np.int64) for f in parts]) for k in ("scope", "group", "band", "month")}
    value = np.concatenate([f["value"].to_numpy() for f in parts])
    integer = all(np.issubdtype(f["value"].dtype, np.integer) for f in parts)
    scopes = np.concatenate([f["scope"].to_numpy(np.int64) if f["level"].iat[0] == level else scope_ids(ds, f["scope"].to_numpy(), level) for f in parts])
    out = _sum_cells(scopes, col["group"], col["band"], col["month"], value)
    if integer:
        out["value"] = np.rint(out["value"].to_numpy()).astype(np.int64)
    elif metric == "cost":
        out["value"] = np.round(out["value"].to_numpy(), 2)
    out["level"] = level
    out["metric"] = metric
    return out


def roll_up(frames: list[pd.DataFrame], ds: Dataset, levels: tuple[str, ...], extra: list[pd.DataFrame] = ()) -> list[pd.DataFrame]:
    """Municipality-level frames of figures that add up (sums, or distinct counts of children who stay in one
    municipality) → the same figures at each of `levels`: region and country are sums over municipalities.
    `extra` frames (already at their level) are added cell by cell. Pure numpy (bincount), one frame per
    level and metric."""
    by_metric: dict[str, list[pd.DataFrame]] = {}
    for f in frames:
        if not f.empty:
            by_metric.setdefault(f["metric"].iat[0], []).append(f)
    extras: dict[tuple[str, str], list[pd.DataFrame]] = {}
    for f in extra:
        if not f.empty:
            extras.setdefault((f["level"].iat[0], f["metric"].iat[0]), []).append(f)
    out = []
    for level in levels:
        for metric in sorted(set(by_metric) | {m for lv, m in extras if lv == level}):
            parts = by_metric.get(metric, []) + extras.get((level, metric), [])
            if level == "municipality" and len(parts) == 1:
                out.append(parts[0].assign(level=level))
            else:
                out.append(_frame_sum(parts, ds, level, metric))
    return out


def by_levels(ds: Dataset, compute) -> list[pd.DataFrame]:
    """Distinct-child figures at every level of `ds.levels` with the work of about one level: children whose
    data lie in one municipality are counted at the municipality level only and summed upwards (they are the
    same child in the region and the country); the few children in several municipalities are counted at
    each level itself. `compute(dataset)` returns frames for `dataset.levels`."""
    if tuple(ds.levels) == ("municipality",):
        return compute(ds)
    movers = mover_children(ds)
    simple = compute(subset_children(ds, ~movers, ("municipality",)))
    moving = compute(subset_children(ds, movers, ds.levels)) if movers.any() else []
    return roll_up(simple, ds, ds.levels, extra=moving)


def at_municipality(ds: Dataset) -> Dataset:
    """The same data computed at the municipality level only (the same arrays, so the same memo)."""
    return dataclasses.replace(ds, levels=("municipality",))
