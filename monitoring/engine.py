"""Set-wise computation of the monthly figures of design/metrics.md.

Everything here works on numpy arrays of all episodes at once; no loop runs per child or per month.
Cost grows linearly with the number of episodes: distinct-child counts are made by merging each child's
intervals per (scope, group) and turning the merged month ranges into +1/-1 events on a month grid
(a difference array), so an episode of ten years costs the same as one of ten days.

Conventions
- Days are integers (days since 1970-01-01); months are integers (months since 1970-01).
- An episode is active on day d when start <= d < end; an open episode has end = OPEN.
- Groups: a care form's own id (>= 1) and the special groups ALL, STAY, FAMILY_BASED, RESIDENTIAL.
- Bands: 0 = 0-11, 1 = 12-17, 2 = 18+, and BAND_ALL.
- Scopes: level "municipality" (id = municipality id), "region" (id = region id), "country" (id = 0).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

OPEN = np.int32(2**31 - 1)
ALL, STAY, FAMILY_BASED, RESIDENTIAL = -1, -2, -3, -4
GROUP_NAMES = {ALL: "all", STAY: "stay", FAMILY_BASED: "family_based", RESIDENTIAL: "residential"}
BAND_ALL = 9
BAND_NAMES = {0: "0-11", 1: "12-17", 2: "18+", BAND_ALL: "all"}
LEVELS = ("municipality", "region", "country")
DROPOUT_REASONS = (32, 33)  # iJw end reasons one-sided by client / provider (CBS 03/04)
GAP_DAYS = 30


# --------------------------------------------------------------------------------------------- dates
def days_to_months(days: np.ndarray) -> np.ndarray:
    """Month index (months since 1970-01) of each day; OPEN stays a very large month."""
    days = np.asarray(days)
    out = np.asarray(days, dtype="int64").astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return np.where(days >= OPEN, np.int64(10**7), out)


def month_first_day(months: np.ndarray) -> np.ndarray:
    return np.asarray(months, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def month_last_day(months: np.ndarray) -> np.ndarray:
    return month_first_day(np.asarray(months) + 1) - 1


def birthday(birth_days: np.ndarray, years: int) -> np.ndarray:
    """Day of the n-th birthday (29 February rolls over to 1 March in other years)."""
    b = np.asarray(birth_days, dtype=np.int64).astype("datetime64[D]")
    months = b.astype("datetime64[M]")
    day_of_month = (b - months.astype("datetime64[D]")).astype(np.int64)
    return ((months + 12 * years).astype("datetime64[D]") + day_of_month).astype(np.int64)


def band_on(birth_days: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Age band (0, 1, 2) on the given day, age in full years."""
    return np.where(day < birthday(birth_days, 12), 0, np.where(day < birthday(birth_days, 18), 1, 2)).astype(np.int8)


def month_label(month: int) -> str:
    return f"{1970 + month // 12:04d}-{month % 12 + 1:02d}"


# --------------------------------------------------------------------------------------------- data
@dataclass
class Dataset:
    """Everything the figures need, as compact arrays. Built by monitoring.data.load_dataset."""

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
    # which scope levels to compute (a region task computes municipality + region, the country task country)
    levels: tuple[str, ...] = LEVELS

    def birthdays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per child: the day of the 12th and 18th birthday and their months (computed once)."""
        cached = self.__dict__.get("_birthdays")
        if cached is None:
            b12, b18 = birthday(self.child_birth, 12), birthday(self.child_birth, 18)
            cached = (b12, b18, days_to_months(b12), days_to_months(b18))
            self.__dict__["_birthdays"] = cached
        return cached

    def band_on(self, child: np.ndarray, day: np.ndarray) -> np.ndarray:
        b12, b18, _, _ = self.birthdays()
        return np.where(day < b12[child], 0, np.where(day < b18[child], 1, 2)).astype(np.int8)

    def dec_months(self) -> np.ndarray:
        """Month of each declaration's period start (computed once)."""
        cached = self.__dict__.get("_dec_months")
        if cached is None or len(cached) != len(self.dec_start):
            cached = days_to_months(self.dec_start)
            self.__dict__["_dec_months"] = cached
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


def _lookup(mapping: dict[int, object], keys: np.ndarray, dtype) -> np.ndarray:
    if len(keys) == 0:
        return np.zeros(0, dtype=dtype)
    ids = np.array(sorted(mapping), dtype=np.int64)
    values = np.array([mapping[i] for i in ids], dtype=dtype)
    pos = np.searchsorted(ids, keys)
    return values[pos]


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
    Episode indexes computed before the call no longer apply."""
    if ds.__dict__.get("_presorted") or len(ds.ep_child) < 2:
        ds.__dict__["_presorted"] = True
        return ds
    code, _ = _combine([ds.ep_child, ds.ep_muni, ds.ep_start])
    if not bool(np.all(code[1:] >= code[:-1])):
        order = np.argsort(code, kind="stable")
        del code
        ds.__dict__.pop("_episode_cache", None)  # episode indexes change
        for name in ("ep_child", "ep_form", "ep_muni", "ep_start", "ep_end", "ep_reason"):
            setattr(ds, name, getattr(ds, name)[order])
    ds.__dict__["_presorted"] = True
    return ds


def scope_ids(ds: Dataset, munis: np.ndarray, level: str) -> np.ndarray:
    if level == "municipality":
        return munis.astype(np.int64)
    if level == "region":
        return _lookup(ds.muni_region, munis, np.int64)
    return np.zeros(len(munis), np.int64)


# --------------------------------------------------------------------------------------------- core tools
def _combine(keys: list[np.ndarray]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Mixed-radix encoding of several small-range integer keys into one int64 (no sorting needed).
    Returns the codes and the (offset, span) of each key for decoding. Works in place on one new array;
    a key with a single value adds nothing to the code."""
    code = np.zeros(len(keys[0]), np.int64)
    radix = []
    for i, k in enumerate(keys):
        k = np.asarray(k)
        lo = int(k.min()) if len(k) else 0
        span = (int(k.max()) - lo + 1) if len(k) else 1
        radix.append((lo, span))
        if i == 0:
            code = k.astype(np.int64)  # a copy
        elif span > 1:
            code *= span
            code += k
        else:
            continue  # code * 1 + (k - lo) == code
        if lo:
            code -= lo
    return code, radix


def _order_by(keys: list[np.ndarray]) -> np.ndarray:
    """Indexes that sort the rows by the keys, the first most significant: one argsort of a combined code
    when the keys' ranges fit in 63 bits together, else np.lexsort."""
    spans = [(int(np.max(k)) - int(np.min(k)) + 1) if len(k) else 1 for k in keys]
    if float(np.prod([float(x) for x in spans])) < 2.0**62:
        return np.argsort(_combine(keys)[0])
    return np.lexsort(tuple(reversed(keys)))


def _decode(code: np.ndarray, radix: list[tuple[int, int]]) -> list[np.ndarray]:
    out = []
    for lo, span in reversed(radix):
        out.append(code % span + lo)
        code = code // span
    return out[::-1]


def merge_ranges(keys: list[np.ndarray], start: np.ndarray, end: np.ndarray, *, touch: int = 0, last_rows: bool = False):
    """Merge ranges [start, end] per key (inclusive ends). Ranges merge when the next one starts no later
    than `touch` after the running end of the earlier ones. Returns the merged keys, starts, ends and, for
    each merged range, the index (into the input) of the row that started it; with `last_rows` also the
    index of a row that reaches the merged end (the episode that ends the range). Merged ranges come out in
    (keys, start) order. Pure numpy: one sort, skipped when the rows already are in (keys, start) order
    (see `presort` and `group_blocks`)."""
    if len(start) == 0:
        empty = np.zeros(0, np.int64)
        return ([k[:0] for k in keys], start[:0], end[:0], empty, empty) if last_rows else ([k[:0] for k in keys], start[:0], end[:0], empty)
    start = np.asarray(start, dtype=np.int64)
    end = np.asarray(end, dtype=np.int64)
    code, _ = _combine(keys)
    s_lo = int(start.min())
    s_span = int(start.max()) - s_lo + 1
    full = code * s_span + (start - s_lo)
    if len(full) > 1 and not bool(np.all(full[1:] >= full[:-1])):
        order = np.argsort(full)
        c, s, e = code[order], start[order], end[order]
    else:
        order, c, s, e = None, code, start, end
    del full
    new_key = np.empty(len(c), bool)
    new_key[0] = True
    np.not_equal(c[1:], c[:-1], out=new_key[1:])
    del c, code
    key_id = np.cumsum(new_key) - 1
    e_lo = int(e.min())
    e_span = int(e.max()) - e_lo + 2
    running = np.maximum.accumulate(key_id * e_span + (e - e_lo)) - key_id * e_span + e_lo
    del key_id
    new_range = new_key
    new_range[1:] |= s[1:] > running[:-1] + touch
    del running
    first = np.flatnonzero(new_range)
    merged_end = np.maximum.reduceat(e, first)
    rows = first if order is None else order[first]
    merged_keys = [np.asarray(k)[rows] for k in keys]
    if not last_rows:
        return merged_keys, s[first], merged_end, rows
    range_id = np.cumsum(new_range) - 1
    candidates = np.where(e == merged_end[range_id], np.arange(len(e)), -1)
    last = np.maximum.reduceat(candidates, first)
    return merged_keys, s[first], merged_end, rows, (last if order is None else order[last])


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


def _grid_frame(cells: np.ndarray, radix: list[tuple[int, int]], month: np.ndarray, value: np.ndarray) -> pd.DataFrame:
    scope, group, band = _decode(cells, radix)
    return pd.DataFrame({"scope": scope, "group": group, "band": band, "month": month, "value": value})


def count_ranges(scope: np.ndarray, group: np.ndarray, band: np.ndarray, start_m: np.ndarray, end_m: np.ndarray, first_month: int, last_month: int, weight: np.ndarray | None = None) -> pd.DataFrame:
    """Turn inclusive month ranges into counts per (scope, group, band, month) with a difference array
    on a dense grid of cells × months (np.bincount; no sorting)."""
    s = np.maximum(start_m, first_month)
    e = np.minimum(end_m, last_month)
    keep = s <= e
    if not keep.any():
        return pd.DataFrame(columns=["scope", "group", "band", "month", "value"])
    cells, radix = _combine([scope[keep], group[keep], band[keep]])
    s, e = s[keep] - first_month, e[keep] - first_month
    w = None if weight is None else weight[keep].astype(np.float64)
    n_months = last_month - first_month + 2
    n_cells = int(np.prod([span for _, span in radix]))
    size = n_cells * n_months
    grid = np.bincount(cells * n_months + s, weights=w, minlength=size) - np.bincount(cells * n_months + e + 1, weights=w, minlength=size)
    grid = np.cumsum(grid.reshape(n_cells, n_months), axis=1)[:, :-1]
    rows, cols = np.nonzero(grid)
    values = grid[rows, cols]
    if weight is None or np.issubdtype(weight.dtype, np.integer):
        values = np.rint(values).astype(np.int64)
    return _grid_frame(rows, radix, cols + first_month, values)


def _runs(sorted_codes: np.ndarray) -> np.ndarray:
    """Start index of each run of equal values in a sorted array."""
    change = np.empty(len(sorted_codes), bool)
    change[:1] = True
    np.not_equal(sorted_codes[1:], sorted_codes[:-1], out=change[1:])
    return np.flatnonzero(change)


def _unique(codes: np.ndarray) -> np.ndarray:
    """Sorted unique values (a plain sort; faster here than numpy's hash-based unique)."""
    if len(codes) == 0:
        return codes
    b = np.sort(codes)
    return b[_runs(b)]


def _count_cells(scope, group, band, month, weights=None) -> pd.DataFrame:
    """Rows (or summed weights, zero sums kept) per (scope, group, band, month). Counts use a dense bincount
    when the grid of cells is small, else one sort."""
    cells, radix = _combine([scope, group, band, month])
    size = int(np.prod([span for _, span in radix]))
    if weights is None and size <= 64_000_000:
        grid = np.bincount(cells, minlength=size)
        uniq = np.flatnonzero(grid)
        values = grid[uniq]
    elif weights is None:
        b = np.sort(cells)
        first = _runs(b)
        uniq = b[first]
        values = np.diff(np.append(first, len(b)))
    else:
        order = np.argsort(cells)
        b = cells[order]
        first = _runs(b)
        uniq = b[first]
        values = np.add.reduceat(np.asarray(weights)[order], first)
    scope_, group_, band_, month_ = _decode(uniq, radix)
    return pd.DataFrame({"scope": scope_, "group": group_, "band": band_, "month": month_, "value": values})


def count_events(child: np.ndarray, scope: np.ndarray, group: np.ndarray, band: np.ndarray, month: np.ndarray, *, distinct: bool) -> pd.DataFrame:
    """Count events per (scope, group, band, month), and per band ALL; distinct children if asked."""
    if len(child) == 0:
        return pd.DataFrame(columns=["scope", "group", "band", "month", "value"])
    frames = []
    band = band.astype(np.int64)
    for b in (band, np.full(len(band), BAND_ALL, np.int64)):
        if distinct:
            code, radix = _combine([child, scope, group, b, month])
            uniq = _unique(code)
            _, sc, gr, bd, mo = _decode(uniq, radix)
            frame = _count_cells(sc, gr, bd, mo)
        else:
            frame = _count_cells(scope, group, b, month)
        frame["value"] = frame["value"].astype(np.int64)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _with_level(frame: pd.DataFrame, level: str, metric: str) -> pd.DataFrame:
    frame = frame[frame["value"] != 0].copy()
    frame["level"] = level
    frame["metric"] = metric
    return frame


def _add_band_all(frame: pd.DataFrame) -> pd.DataFrame:
    """Within one month a child has one band (age on the last day), so ALL is the sum over bands."""
    if frame.empty:
        return frame
    total = frame.groupby(["scope", "group", "month"], sort=False)["value"].sum().reset_index()
    total["band"] = BAND_ALL
    return pd.concat([frame, total[frame.columns]], ignore_index=True)


# --------------------------------------------------------------------------------------------- figures
def stock_and_served(ds: Dataset, first_month: int, last_month: int) -> list[pd.DataFrame]:
    """`stock` (active on the last day of the month) and `served` (active some day in the month):
    distinct children per scope level, group and band (age on the last day of the month). Each child's
    month ranges are merged per (group, scope) one group block at a time (`group_blocks`)."""
    ep_start_m = days_to_months(ds.ep_start)
    open_ = ds.ep_end >= OPEN
    ends = {
        # stock months: L_m in [start, end) <=> m in [month(start), month(end) - 1]
        "stock": np.where(open_, 10**7, days_to_months(ds.ep_end) - 1),
        # served months: [month(start), month(end - 1)]
        "served": np.where(open_, 10**7, days_to_months(ds.ep_end - 1)),
    }
    parts: dict[tuple[str, str], list[pd.DataFrame]] = {}
    for rows, groups in group_blocks(ds):
        child, munis, start_m = ds.ep_child[rows], ds.ep_muni[rows], ep_start_m[rows]
        for metric, ep_end_m in ends.items():
            end_m = ep_end_m[rows]
            valid = end_m >= start_m
            for level in ds.levels:
                scope = scope_ids(ds, munis[valid], level)
                (m_group, m_child, m_scope), ms, me, _ = merge_ranges([groups[valid], child[valid], scope], start_m[valid], end_m[valid], touch=1)
                s, e, band, (sc, gr) = split_by_band(ds, m_child, ms, me, [m_scope, m_group])
                counts = count_ranges(sc, gr, band, s, e, first_month, last_month)
                parts.setdefault((metric, level), []).append(_add_band_all(counts))
    out = []
    for metric in ends:
        for level in ds.levels:
            frames = [f for f in parts.get((metric, level), []) if not f.empty]
            if frames:
                out.append(_with_level(pd.concat(frames, ignore_index=True), level, metric))
    return out


def entries_and_exits(ds: Dataset, first_month: int, last_month: int) -> list[pd.DataFrame]:
    """`entries`: a child starts an episode of the group and was in none of the group the day before.
    `exits`: an episode of the group ends and the child is in none of the group on that end date.
    Counted at the starting / ending episode's municipality, age on the day of the event. One group block
    at a time (`group_blocks`)."""
    parts: dict[tuple[str, str], list[pd.DataFrame]] = {}
    for rows, groups in group_blocks(ds):
        child = ds.ep_child[rows]
        # merge per (group, child) with half-open days: next start <= running end continues the stay.
        # As inclusive ranges [start, end-1], continuing means start <= (end-1) + 1.
        (m_group, m_child), m_start, m_end_incl, first_row, last_row = merge_ranges(
            [groups, child], ds.ep_start[rows], ds.ep_end[rows].astype(np.int64) - 1, touch=1, last_rows=True)
        munis = ds.ep_muni[rows]
        # entries: each merged range start, at the municipality of the episode that starts it;
        # exits: each closed merged range end (exclusive end = inclusive end + 1), at the ending episode's municipality
        exit_day = m_end_incl + 1
        for metric, day, at_row in (("entries", m_start, first_row), ("exits", exit_day, last_row)):
            month = days_to_months(day)
            keep = (day < OPEN) & (month >= first_month) & (month <= last_month)
            k_child, k_group, k_day, k_month = m_child[keep], m_group[keep], day[keep], month[keep]
            band = ds.band_on(k_child, k_day)
            for level in ds.levels:
                scope = scope_ids(ds, munis[at_row[keep]], level)
                counted = _distinct_in_key_order(k_child, k_group, scope, band, k_month)
                if counted is None:
                    counted = count_events(k_child, scope, k_group, band, k_month, distinct=True)
                parts.setdefault((metric, level), []).append(counted)
    out = []
    for metric in ("entries", "exits"):
        for level in ds.levels:
            frames = [f for f in parts.get((metric, level), []) if not f.empty]
            if frames:
                out.append(_with_level(pd.concat(frames, ignore_index=True), level, metric))
    return out


def _distinct_in_key_order(child: np.ndarray, group: np.ndarray, scope: np.ndarray, band: np.ndarray, month: np.ndarray, *,
                           band_all: bool = True) -> pd.DataFrame | None:
    """`count_events(..., distinct=True)` for events in (child, group, day) order (merged ranges are): the
    same child counted twice in a cell can only be two neighbouring rows, so duplicates drop by comparing
    each row with the one before and the cells are counted with a bincount, without a sort. Exact when the
    rows of each (child, group) are neighbours, in month order and all of one scope; when the last two are
    not so (checked here), returns None and the caller sorts. `band_all`: also count band ALL."""
    n = len(child)
    same = np.zeros(n, bool)
    if n > 1:
        same[1:] = (child[1:] == child[:-1]) & (group[1:] == group[:-1])
        if bool(np.any(same[1:] & ((scope[1:] != scope[:-1]) | (month[1:] < month[:-1])))):
            return None
    dup_all = same
    dup_all[1:] &= month[1:] == month[:-1]  # same (child, group, month): the child is counted once in band ALL
    dup_band = dup_all.copy()
    dup_band[1:] &= band[1:] == band[:-1]  # and once per band (bands rise with the day within a month)
    frames = []
    for bands, dup in ((band, dup_band), (np.full(n, BAND_ALL, np.int64), dup_all))[:2 if band_all else 1]:
        keep = ~dup
        frames.append(_count_cells(scope[keep], group[keep], bands[keep], month[keep]))
    return pd.concat(frames, ignore_index=True)


def care_level_changes(ds: Dataset) -> pd.DataFrame:
    """Days on which a child's care level (highest active rung, 0 when none) changes, after the gap rule:
    a gap of at most 30 days at level 0 between two days with care keeps the level from before the gap.
    Returns one row per change with columns child, day, level, prev_level. Pure numpy: one sort of the
    start/end events, a running count of active episodes per rung within each child."""
    n = len(ds.ep_child)
    if n == 0:
        return pd.DataFrame(columns=["child", "day", "level", "prev_level"])
    rung = _lookup(ds.form_rung, ds.ep_form, np.int8)
    closed = ds.ep_end < OPEN
    ev_child = np.concatenate([ds.ep_child, ds.ep_child[closed]]).astype(np.int64)
    ev_day = np.concatenate([ds.ep_start, ds.ep_end[closed]]).astype(np.int64)
    ev_rung = np.concatenate([rung, rung[closed]])
    ev_delta = np.concatenate([np.ones(n, np.int32), -np.ones(int(closed.sum()), np.int32)])
    d_lo = int(ev_day.min())
    code = ev_child * (int(ev_day.max()) - d_lo + 1) + (ev_day - d_lo)
    order = np.argsort(code, kind="stable")
    code = code[order]
    ev_child, ev_day, ev_rung, ev_delta = ev_child[order], ev_day[order], ev_rung[order], ev_delta[order]
    del order
    child_first = _runs(ev_child)  # first event of each child
    child_len = np.diff(np.append(child_first, len(ev_child)))
    # last event of each (child, day): the state after all that day's starts and ends
    last_of_day = np.append(np.flatnonzero(code[1:] != code[:-1]), len(code) - 1)
    del code
    level = np.zeros(len(last_of_day), np.int64)
    for r in range(1, 7):
        running = np.cumsum(np.where(ev_rung == r, ev_delta, 0), dtype=np.int64)
        before_child = np.repeat(running[child_first] - np.where(ev_rung[child_first] == r, ev_delta[child_first], 0), child_len)
        active = (running - before_child)[last_of_day] > 0
        level[active] = r  # rungs ascend, so the highest active rung wins
    del ev_rung, ev_delta
    child = ev_child[last_of_day]
    day = ev_day[last_of_day]
    same_prev = np.zeros(len(child), bool)
    same_prev[1:] = child[1:] == child[:-1]
    same_next = np.zeros(len(child), bool)
    same_next[:-1] = same_prev[1:]
    next_day = np.where(same_next, np.roll(day, -1), np.iinfo(np.int64).max)
    # gap rule: a level-0 segment of <= GAP_DAYS between care keeps the level from before
    prev_level = np.where(same_prev, np.roll(level, 1), 0)
    next_level = np.where(same_next, np.roll(level, -1), 0)
    gap = (level == 0) & same_prev & same_next & (prev_level > 0) & (next_level > 0) & (next_day - day <= GAP_DAYS)
    level = np.where(gap, prev_level, level)
    prev_level = np.where(same_prev, np.roll(level, 1), 0)
    change = level != prev_level
    return pd.DataFrame({"child": child[change], "day": day[change], "level": level[change], "prev_level": prev_level[change]})


def _carrying_episode(ds: Dataset, child: np.ndarray, day: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Index of the episode that carries `level` for the child on `day` (latest start wins)."""
    rung = _lookup(ds.form_rung, ds.ep_form, np.int64)
    eps = pd.DataFrame({"child": ds.ep_child, "rung": rung, "start": ds.ep_start, "end": ds.ep_end, "ep": np.arange(len(rung))})
    ev = pd.DataFrame({"child": child, "rung": level, "day": day, "ev": np.arange(len(child))})
    joined = ev.merge(eps, on=["child", "rung"])
    joined = joined[(joined["start"] <= joined["day"]) & (joined["day"] < joined["end"])]
    joined = joined.sort_values(["ev", "start", "ep"]).drop_duplicates("ev", keep="last")
    out = np.full(len(child), -1, np.int64)
    out[joined["ev"].to_numpy()] = joined["ep"].to_numpy()
    return out


def _episode_events(ds: Dataset, metric: str, ep: np.ndarray, day: np.ndarray, first_month: int, last_month: int) -> list[pd.DataFrame]:
    """Count events tied to episodes (not distinct), under the episode's municipality and groups."""
    month = days_to_months(day)
    keep = (ep >= 0) & (month >= first_month) & (month <= last_month)
    ep, day, month = ep[keep], day[keep], month[keep]
    pos, grp = expand_groups(ds, ds.ep_form[ep])
    child = ds.ep_child[ep][pos]
    band = ds.band_on(child, day[pos])
    out = []
    for level in ds.levels:
        scope = scope_ids(ds, ds.ep_muni[ep][pos], level)
        out.append(_with_level(count_events(child, scope, grp, band, month[pos], distinct=False), level, metric))
    return out


def escalations_and_step_downs(ds: Dataset, first_month: int, last_month: int, changes: pd.DataFrame | None = None) -> list[pd.DataFrame]:
    changes = care_level_changes(ds) if changes is None else changes
    up = changes[(changes["prev_level"] >= 1) & (changes["level"] > changes["prev_level"])]
    down = changes[(changes["level"] >= 1) & (changes["level"] < changes["prev_level"])]
    out = []
    for metric, ev in (("escalations", up), ("step_downs", down)):
        child, day, level = ev["child"].to_numpy(), ev["day"].to_numpy(), ev["level"].to_numpy()
        ep = _carrying_episode(ds, child, day, level)
        out += _episode_events(ds, metric, ep, day, first_month, last_month)
    return out


def moves(ds: Dataset, first_month: int, last_month: int) -> list[pd.DataFrame]:
    """Stay episodes starting while the child was in another stay episode up to one day before
    (that episode started earlier and is active on the start day or the day before)."""
    moved = _moves_table(ds)
    return _episode_events(ds, "moves", moved["ep"].to_numpy(), moved["day"].to_numpy(), first_month, last_month)


def breakdown_episodes(ds: Dataset, changes: pd.DataFrame | None = None, breakdown_reasons: tuple[int, ...] = DROPOUT_REASONS) -> np.ndarray:
    """Foster / family-home episodes ending early and unplanned (end reason 32/33 or an explicit breakdown
    reason), or ending within 30 days before or after an escalation of the child above the episode's rung.
    Kept with the dataset's episodes (a run asks twice: for the monthly breakdowns and for the cohorts)."""
    cache = ds.__dict__.setdefault("_episode_cache", {})
    key = ("breakdown_episodes", tuple(breakdown_reasons))
    if key not in cache:
        cache[key] = _breakdown_episodes(ds, care_level_changes(ds) if changes is None else changes, breakdown_reasons)
    return cache[key]


def _breakdown_episodes(ds: Dataset, changes: pd.DataFrame, breakdown_reasons: tuple[int, ...]) -> np.ndarray:
    stay = _lookup(ds.form_stay, ds.ep_form, bool)
    family = _lookup(ds.form_family, ds.ep_form, bool)
    rung = _lookup(ds.form_rung, ds.ep_form, np.int64)
    sel = np.flatnonzero(stay & family & (ds.ep_end < OPEN))
    unplanned = np.isin(ds.ep_reason[sel], list(breakdown_reasons))
    up = changes[(changes["prev_level"] >= 1) & (changes["level"] > changes["prev_level"])]
    eps = pd.DataFrame({"child": ds.ep_child[sel], "end": ds.ep_end[sel], "rung": rung[sel], "ep": sel})
    near = eps.merge(up[["child", "day", "level"]], on="child")
    near = near[((near["day"] - near["end"]).abs() <= GAP_DAYS) & (near["level"] > near["rung"])]
    escalated = np.isin(sel, near["ep"].to_numpy())
    return sel[unplanned | escalated]


def breakdowns(ds: Dataset, first_month: int, last_month: int, chosen: np.ndarray) -> list[pd.DataFrame]:
    return _episode_events(ds, "breakdowns", chosen, ds.ep_end[chosen].astype(np.int64), first_month, last_month)


def care_days(ds: Dataset, first_month: int, last_month: int) -> list[pd.DataFrame]:
    """Days in care within each month, a child counted once per day per group (and municipality),
    split by the age band on each day. Adds up from municipality to region and country. One group block
    at a time (`group_blocks`)."""
    first_day = int(month_first_day(np.array([first_month]))[0])
    last_day = int(month_last_day(np.array([last_month]))[0])
    child_b12, child_b18, _, _ = ds.birthdays()
    parts: dict[str, list[pd.DataFrame]] = {}
    for rows, groups in group_blocks(ds):
        start = np.maximum(ds.ep_start[rows].astype(np.int64), first_day)
        end_incl = np.minimum(ds.ep_end[rows].astype(np.int64) - 1, last_day)
        valid = start <= end_incl
        (m_grp, m_child, m_muni), ms, me, _ = merge_ranges([groups[valid], ds.ep_child[rows][valid], ds.ep_muni[rows][valid]],
                                                           start[valid], end_incl[valid], touch=1)
        del start, end_incl, valid
        b12, b18 = child_b12[m_child], child_b18[m_child]
        pieces = []
        for lo, hi, band in ((None, b12 - 1, 0), (b12, b18 - 1, 1), (b18, None, 2)):
            s = ms if lo is None else np.maximum(ms, lo)
            e = me if hi is None else np.minimum(me, hi)
            k = s <= e
            pieces.append((m_muni[k], m_grp[k], np.full(int(k.sum()), band, np.int8), s[k], e[k]))
        muni, grp, band, s, e = (np.concatenate([p[i] for p in pieces]) for i in range(5))
        del pieces, m_grp, m_child, m_muni, ms, me, b12, b18
        for level in ds.levels:
            parts.setdefault(level, []).append(_days_per_month(scope_ids(ds, muni, level), grp, band, s, e, first_month, last_month))
    out = []
    for level in ds.levels:
        frames = [f for f in parts.get(level, []) if not f.empty]
        if frames:
            out.append(_with_level(_add_band_all(pd.concat(frames, ignore_index=True)), level, "care_days"))
    return out


def _days_per_month(scope: np.ndarray, group: np.ndarray, band: np.ndarray, s: np.ndarray, e: np.ndarray, first_month: int, last_month: int) -> pd.DataFrame:
    """Days of the inclusive day ranges [s, e] (within the months first..last) summed per (scope, group,
    band, month): the partial first and last month of each range by weighted bincounts, the whole months in
    between by a difference array times the month's length, all on one dense grid (no sort). A grid too
    large for memory goes through `_sum_cells` and `count_ranges` instead."""
    if len(s) == 0:
        return pd.DataFrame(columns=["scope", "group", "band", "month", "value"])
    sm, em = days_to_months(s), days_to_months(e)
    same = sm == em
    first_part = np.where(same, e - s + 1, month_last_day(sm) - s + 1)
    last_part = np.where(same, 0, e - month_first_day(em) + 1)
    cells, radix = _combine([scope, group, band])
    n_months = last_month - first_month + 1
    size = int(np.prod([span for _, span in radix])) * n_months
    if size > 64_000_000:
        partial = _sum_cells(np.concatenate([scope, scope]), np.concatenate([group, group]), np.concatenate([band, band]),
                             np.concatenate([sm, em]), np.concatenate([first_part, last_part]))
        inner = count_ranges(scope, group, band, sm + 1, em - 1, first_month, last_month)
        if not inner.empty:
            inner["value"] = inner["value"] * (month_last_day(inner["month"].to_numpy()) - month_first_day(inner["month"].to_numpy()) + 1)
        both = pd.concat([partial, inner], ignore_index=True)
        total = _sum_cells(*(both[c].to_numpy(np.int64) for c in ("scope", "group", "band", "month")), both["value"].to_numpy())
        total["value"] = np.rint(total["value"].to_numpy()).astype(np.int64)
        return total
    base = cells * n_months - first_month
    grid = np.bincount(base + sm, weights=first_part, minlength=size)
    grid += np.bincount(base + em, weights=last_part, minlength=size)
    # whole months sm+1 .. em-1: +1 at sm+1, -1 at em, running sum along the months of each cell
    inner = em >= sm + 2
    steps = np.bincount(base[inner] + sm[inner] + 1, minlength=size) - np.bincount(base[inner] + em[inner], minlength=size)
    months = np.arange(first_month, last_month + 1)
    grid += (np.cumsum(steps.reshape(-1, n_months), axis=1) * (month_last_day(months) - month_first_day(months) + 1)).ravel()
    where = np.flatnonzero(grid)
    sc, gr, bd = _decode(where // n_months, radix)
    return pd.DataFrame({"scope": sc, "group": gr, "band": bd, "month": where % n_months + first_month,
                         "value": np.rint(grid[where]).astype(np.int64)})


def _form_groups(ds: Dataset, forms: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """For each special group, a mask over `forms` of the rows that belong to it."""
    stay = _lookup(ds.form_stay, forms, bool)
    family = _lookup(ds.form_family, forms, bool)
    rung = _lookup(ds.form_rung, forms, np.int16)
    return [(ALL, np.ones(len(forms), bool)), (STAY, stay), (FAMILY_BASED, stay & family), (RESIDENTIAL, stay & (rung >= 5))]


def declaration_cost(ds: Dataset, first_month: int, last_month: int) -> list[pd.DataFrame]:
    """`cost`: sum of the declared amounts (corrections negative) by month of period start, in euros."""
    if len(ds.dec_child) == 0:
        return []
    month = ds.dec_months()
    keep = (month >= first_month) & (month <= last_month)
    child, form, muni, month, day = ds.dec_child[keep], ds.dec_form[keep], ds.dec_muni[keep], month[keep], ds.dec_start[keep]
    cents = ds.dec_cents[keep]
    out = []
    # cost: aggregate per municipality, form, band and month first (small), then groups and levels add up
    band = ds.band_on(child, day)
    # (sums of whole cents in float64 are exact; cells summing to zero drop out here, as they would below)
    base = _sum_cells(muni, form, band, month, cents.astype(np.float64)).rename(columns={"scope": "muni", "group": "form"})
    for level in ds.levels:
        lv = base.assign(scope=scope_ids(ds, base["muni"].to_numpy(), level))
        parts = [lv.assign(group=lv["form"])]
        for g, mask in _form_groups(ds, lv["form"].to_numpy()):
            parts.append(lv[mask].assign(group=g))
        allp = pd.concat(parts, ignore_index=True)
        frame = allp.groupby(["scope", "group", "band", "month"], sort=False)["value"].sum().reset_index()
        frame = pd.concat([frame, frame.groupby(["scope", "group", "month"], sort=False)["value"].sum().reset_index().assign(band=BAND_ALL)], ignore_index=True)
        frame["value"] = np.rint(frame["value"]) / 100.0
        out.append(_with_level(frame, level, "cost"))
    return out


def declaration_clients(ds: Dataset, first_month: int, last_month: int) -> list[pd.DataFrame]:
    """`clients_declared`: distinct children with a declaration whose period starts in the month."""
    if len(ds.dec_child) == 0:
        return []
    month = ds.dec_months()
    keep = (month >= first_month) & (month <= last_month)
    child, form, muni, month = ds.dec_child[keep], ds.dec_form[keep], ds.dec_muni[keep], month[keep]
    out = []
    # clients: distinct (child, municipality, month, form) once, in that order; band from the age on the last
    # day of the month
    code, radix = _combine([child, muni, month, form])
    u_child, u_muni, u_month, u_form = _decode(_unique(code), radix)
    del code
    _, _, child_m12, child_m18 = ds.birthdays()
    u_band = np.where(u_month < child_m12[u_child], 0, np.where(u_month < child_m18[u_child], 1, 2)).astype(np.int64)
    specials = _form_groups(ds, u_form)
    for level in ds.levels:
        scope = scope_ids(ds, u_muni, level)
        frames = []
        for g, mask in [(None, np.ones(len(u_form), bool)), *specials]:
            if level == "municipality" and g is None:
                frames.append(_count_cells(scope, u_form, u_band, u_month))  # the tuples are distinct already
                continue
            grp = u_form[mask] if g is None else np.full(int(mask.sum()), g, np.int64)
            counted = None
            if g is not None:
                # rows of the group in (child, municipality, month) order: a child's rows of one month are
                # neighbours when its scope is the same for all of them
                counted = _distinct_in_key_order(u_child[mask], grp, scope[mask], u_band[mask], u_month[mask], band_all=False)
            if counted is None:
                c2, r2 = _combine([u_child[mask], scope[mask], grp, u_band[mask], u_month[mask]])
                _, sc, gr, bd, mo = _decode(_unique(c2), r2)
                counted = _count_cells(sc, gr, bd, mo)
            frames.append(counted)
        frame = pd.concat(frames, ignore_index=True)
        frame = _add_band_all(frame)
        frame["value"] = frame["value"].astype(np.int64)
        out.append(_with_level(frame, level, "clients_declared"))
    return out


def subset(ds: Dataset, municipalities: set[int], levels: tuple[str, ...] = ("municipality", "region")) -> Dataset:
    """The data of every child with at least one episode or declaration in the given municipalities: all of
    that child's episodes (a child's care level and spells run across regions), so the figures of these
    municipalities and their region equal those computed on all data. Filter the result with `keep_scopes`."""
    muni_list = list(municipalities)
    children = np.union1d(ds.ep_child[np.isin(ds.ep_muni, muni_list)], ds.dec_child[np.isin(ds.dec_muni, muni_list)])
    keep = np.isin(ds.ep_child, children)
    dkeep = np.isin(ds.dec_muni, muni_list)
    out = Dataset(
        ep_child=ds.ep_child[keep], ep_form=ds.ep_form[keep], ep_muni=ds.ep_muni[keep], ep_start=ds.ep_start[keep],
        ep_end=ds.ep_end[keep], ep_reason=ds.ep_reason[keep], child_birth=ds.child_birth, form_rung=ds.form_rung,
        form_stay=ds.form_stay, form_family=ds.form_family, muni_region=ds.muni_region,
        dec_child=ds.dec_child[dkeep], dec_form=ds.dec_form[dkeep], dec_muni=ds.dec_muni[dkeep], dec_start=ds.dec_start[dkeep],
        dec_cents=ds.dec_cents[dkeep], population=ds.population, data_date=ds.data_date, levels=levels,
    )
    out.__dict__["_birthdays"] = ds.birthdays()
    return out


def keep_scopes(frame: pd.DataFrame, municipalities: set[int], region_id: int) -> pd.DataFrame:
    """Rows of a region task that belong to it: its municipalities and the region itself."""
    muni = (frame["level"] == "municipality") & frame["scope"].isin(list(municipalities))
    reg = (frame["level"] == "region") & (frame["scope"] == region_id)
    return frame[muni | reg | (frame["level"] == "country")]


def mover_children(ds: Dataset) -> np.ndarray:
    """Per child index: True when the child's episodes and declarations lie in more than one municipality."""
    n = len(ds.child_birth)
    cached = ds.__dict__.get("_movers")
    if cached is not None and len(cached) == n:
        return cached
    child = np.concatenate([ds.ep_child, ds.dec_child]).astype(np.int64)
    muni = np.concatenate([ds.ep_muni, ds.dec_muni]).astype(np.int64)
    lo = np.full(n, np.iinfo(np.int64).max)
    hi = np.full(n, -1, np.int64)
    np.minimum.at(lo, child, muni)
    np.maximum.at(hi, child, muni)
    movers = (hi >= 0) & (lo != hi)
    ds.__dict__["_movers"] = movers
    return movers


def subset_children(ds: Dataset, child_mask: np.ndarray, levels: tuple[str, ...]) -> Dataset:
    """The episodes and declarations of the children in `child_mask` (child indexes stay the same)."""
    ek, dk = child_mask[ds.ep_child], child_mask[ds.dec_child]
    out = Dataset(
        ep_child=ds.ep_child[ek], ep_form=ds.ep_form[ek], ep_muni=ds.ep_muni[ek], ep_start=ds.ep_start[ek],
        ep_end=ds.ep_end[ek], ep_reason=ds.ep_reason[ek], child_birth=ds.child_birth, form_rung=ds.form_rung,
        form_stay=ds.form_stay, form_family=ds.form_family, muni_region=ds.muni_region,
        dec_child=ds.dec_child[dk], dec_form=ds.dec_form[dk], dec_muni=ds.dec_muni[dk], dec_start=ds.dec_start[dk],
        dec_cents=ds.dec_cents[dk], population=ds.population, data_date=ds.data_date, levels=levels,
    )
    out.__dict__["_birthdays"] = ds.birthdays()
    return out


def _sum_cells(scope: np.ndarray, group: np.ndarray, band: np.ndarray, month: np.ndarray, value: np.ndarray) -> pd.DataFrame:
    """Sum values per (scope, group, band, month): a dense bincount when the grid is small, else one sort."""
    cells, radix = _combine([scope, group, band, month])
    size = int(np.prod([span for _, span in radix]))
    w = np.asarray(value, dtype=np.float64)
    if size <= 64_000_000:
        grid = np.bincount(cells, weights=w, minlength=size)
        uniq = np.flatnonzero(grid)
        sums = grid[uniq]
    else:
        order = np.argsort(cells)
        b = cells[order]
        first = _runs(b)
        uniq, sums = b[first], np.add.reduceat(w[order], first)
    sc, gr, bd, mo = _decode(uniq, radix)
    return pd.DataFrame({"scope": sc, "group": gr, "band": bd, "month": mo, "value": sums})


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
    """The same data computed at the municipality level only (sharing the arrays and the episode cache)."""
    import copy

    ds.__dict__.setdefault("_episode_cache", {})
    muni = copy.copy(ds)
    muni.__dict__ = dict(ds.__dict__)
    muni.levels = ("municipality",)
    return muni


def monthly_figures(ds: Dataset, first_month: int | None = None, last_month: int | None = None) -> pd.DataFrame:
    """All monthly figures in long form: level, scope, group, band, month, metric, value (zeros left out)."""
    frames = monthly_frames(ds, first_month, last_month)
    if not frames:
        return pd.DataFrame(columns=["level", "scope", "group", "band", "month", "metric", "value"])
    return pd.concat(frames, ignore_index=True)[["level", "scope", "group", "band", "month", "metric", "value"]]


DISTINCT_MONTHLY = ("stock", "served", "entries", "exits", "clients_declared")
#: The monthly figures in parts that can be computed apart (by two processes of a run): three of distinct
#: children (each through `by_levels`), the episode figures that add up, and the cost.
MONTHLY_PARTS = ("stock_served", "entries_exits", "clients_declared", "additive", "cost")
#: The parts that need the declarations (the others need only the episodes).
DECLARATION_PARTS = ("clients_declared", "cost")


def monthly_frames(ds: Dataset, first_month: int | None = None, last_month: int | None = None, *, part: str = "all") -> list[pd.DataFrame]:
    """The monthly figures as frames of one level and metric each (see `monthly_figures`).
    Figures that add up (days, money, episode events) are computed per municipality once and summed to the
    region and the country; distinct-child figures (DISTINCT_MONTHLY) go through `by_levels`.
    `part`: "all", "distinct" (the three distinct parts) or one of MONTHLY_PARTS."""
    presort(ds)
    first_month = ds.first_month if first_month is None else first_month
    last_month = ds.last_month if last_month is None else last_month
    parts = {"all": MONTHLY_PARTS, "distinct": MONTHLY_PARTS[:3]}.get(part, (part,))
    distinct = {
        "stock_served": lambda d: stock_and_served(d, first_month, last_month),
        "entries_exits": lambda d: entries_and_exits(d, first_month, last_month),
        "clients_declared": lambda d: declaration_clients(d, first_month, last_month),
    }
    frames = []
    for name in parts:
        if name in distinct:
            frames += by_levels(ds, distinct[name])
        elif name == "additive":
            changes = care_level_changes(ds)
            muni = at_municipality(ds)
            additive = escalations_and_step_downs(muni, first_month, last_month, changes)
            additive += moves(muni, first_month, last_month)
            additive += breakdowns(muni, first_month, last_month, breakdown_episodes(muni, changes))
            del changes
            additive += care_days(muni, first_month, last_month)
            frames += roll_up(additive, ds, ds.levels)
        elif name == "cost":
            frames += roll_up(declaration_cost(at_municipality(ds), first_month, last_month), ds, ds.levels)
        else:
            raise ValueError(f"unknown part of the monthly figures: {name}")
    return [f for f in frames if not f.empty]


# --------------------------------------------------------------------------------------------- periods
def month_to_quarter(month: np.ndarray) -> np.ndarray:
    """Quarter index: (year - 1970) * 4 + quarter - 1."""
    return np.asarray(month) // 3


def quarter_label(q: int) -> str:
    return f"{1970 + q // 4:04d}-Q{q % 4 + 1}"


def year_label(y: int) -> str:
    return f"{1970 + y:04d}"


def half_label(h: int) -> str:
    return f"{1970 + h // 2:04d}-H{h % 2 + 1}"


# --------------------------------------------------------------------------------------------- yearly
def yearly_cost_figures(ds: Dataset, last_month: int) -> pd.DataFrame:
    """Per care form and year: distinct children with >= 1 declaration (period start in the year), the
    summed amount and the cost per client. Group ALL is the regional reports' total row: the SUM of the
    per-form client counts (a child in two forms counts twice) and the total amount. Only complete years
    and the running year up to the last complete month are included. Numpy: one sort for the distinct
    (child, municipality, form, year) tuples, then per level a sort of those (far fewer than declarations)."""
    if len(ds.dec_child) == 0:
        return pd.DataFrame(columns=["level", "scope", "group", "band", "period", "metric", "value"])
    month = ds.dec_months()
    keep = month <= last_month
    child, form, muni, year = ds.dec_child[keep], ds.dec_form[keep], ds.dec_muni[keep].astype(np.int64), month[keep] // 12
    zero = np.zeros(len(child), np.int64)
    cents0 = _sum_cells(muni, form, zero, year, ds.dec_cents[keep].astype(np.float64))  # scope=muni, group=form, month=year
    code, radix = _combine([child, muni, form, year])
    u_child, u_muni, u_form, u_year = _decode(_unique(code), radix)
    frames = []
    for level in ds.levels:
        scope = scope_ids(ds, u_muni, level)
        c2, r2 = _combine([u_child, scope, u_form, u_year])
        if level != "municipality":
            c2 = _unique(c2)
        _, sc, fo, yr = _decode(c2, r2)
        clients = _sum_cells(sc, fo, np.zeros(len(sc), np.int64), yr, np.ones(len(sc)))
        cents = cents0 if level == "municipality" else _sum_cells(scope_ids(ds, cents0["scope"].to_numpy(), level), cents0["group"].to_numpy(),
                                                                   cents0["band"].to_numpy(), cents0["month"].to_numpy(), cents0["value"].to_numpy())
        per_form = clients.rename(columns={"value": "clients"}).merge(cents.rename(columns={"value": "cents"}), on=["scope", "group", "band", "month"], how="outer").fillna(0.0)
        per_form = per_form.rename(columns={"group": "form", "month": "year"})[["scope", "form", "year", "clients", "cents"]]
        per_form["cents"] = np.rint(per_form["cents"])
        total = per_form.groupby(["scope", "year"]).agg(clients=("clients", "sum"), cents=("cents", "sum")).reset_index()
        total["form"] = ALL
        both = pd.concat([per_form, total[per_form.columns]], ignore_index=True)
        both = both[both["clients"] > 0]
        cost = both["cents"] / 100.0
        # half a cent rounds away from zero, as the published tables (and reports.cost_table) do
        quotient = both["cents"].to_numpy(dtype=float) / both["clients"].to_numpy(dtype=float)
        per_client = pd.Series(np.sign(quotient) * np.floor(np.abs(quotient) + 0.5 + 1e-9) / 100.0, index=both.index)
        for metric, values in (("clients_declared_year", both["clients"].astype(float)), ("cost_year", cost), ("cost_per_client", per_client)):
            frames.append(pd.DataFrame({"level": level, "scope": both["scope"].to_numpy(), "group": both["form"].to_numpy(), "band": BAND_ALL,
                                        "period": [year_label(int(y)) for y in both["year"]], "metric": metric, "value": values.to_numpy()}))
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------------------------- cohorts
def spells(ds: Dataset) -> pd.DataFrame:
    """Out-of-home spells: maximal runs of stay episodes where the next starts no later than one day after
    the previous one ends. Columns: child, start, end (exclusive, OPEN when running), muni (first episode)."""
    stay = _lookup(ds.form_stay, ds.ep_form, bool)
    idx = np.flatnonzero(stay)
    if len(idx) == 0:
        return pd.DataFrame(columns=["child", "start", "end", "muni", "first_ep"])
    end_incl = ds.ep_end[idx].astype(np.int64) - 1
    (child,), s, e_incl, first = merge_ranges([ds.ep_child[idx]], ds.ep_start[idx].astype(np.int64), end_incl, touch=2)
    end = np.where(e_incl >= OPEN - 1, OPEN, e_incl + 1)
    return pd.DataFrame({"child": child, "start": s, "end": end, "muni": ds.ep_muni[idx][first], "first_ep": idx[first]})


def kaplan_meier_quantiles(group: np.ndarray, duration: np.ndarray, event: np.ndarray, quantiles=(0.25, 0.5, 0.75)) -> pd.DataFrame:
    """Kaplan–Meier quantiles per group: the smallest t with S(t) <= 1 - q; NaN while the curve has not
    passed the quantile (undefined). Vectorised over all groups at once."""
    df = pd.DataFrame({"g": group, "t": duration, "d": event.astype(np.int64)})
    if df.empty:
        return pd.DataFrame(columns=["g", *quantiles])
    agg = df.groupby(["g", "t"], sort=True).agg(d=("d", "sum"), c=("d", "size")).reset_index()
    total = agg.groupby("g")["c"].transform("sum")
    before = agg.groupby("g")["c"].cumsum() - agg["c"]
    at_risk = total - before
    with np.errstate(divide="ignore"):
        log_factor = np.log1p(-agg["d"] / at_risk)
    agg["S"] = np.exp(log_factor.groupby(agg["g"]).cumsum())
    out = pd.DataFrame({"g": np.unique(group)})
    for q in quantiles:
        hit = agg[agg["S"] <= 1 - q + 1e-12].groupby("g")["t"].min()
        out[q] = out["g"].map(hit)
    return out


def cohort_figures(ds: Dataset, last_month: int, breakdown_eps: np.ndarray | None = None) -> pd.DataFrame:
    """Cohort figures per entry quarter and year (metrics.md): los_q1/median/q3 (Kaplan–Meier, open spells
    censored at the data date), home_within_12m, reentry_within_12m (per exit cohort), moves_per_1000_days,
    foster_breakdown_12m, dropout and no_new_start (per half-year)."""
    frames: list[pd.DataFrame] = []
    data_end = ds.data_date + 1
    sp = spells(ds)
    if not sp.empty:
        sp = sp[days_to_months(sp["start"].to_numpy()) <= last_month]
        birth = ds.child_birth[sp["child"].to_numpy()]
        start = sp["start"].to_numpy()
        end = sp["end"].to_numpy()
        closed = end < OPEN
        duration = np.where(closed, end, data_end) - start
        eligible = (duration >= 8) | ~closed
        eligible &= start < birthday(birth, 18)
        # open spells shorter than 8 days so far are kept only if they may still last; drop the too-short closed ones
        sp = sp[eligible].assign(duration=duration[eligible], closed=closed[eligible])
        start = sp["start"].to_numpy()
        month = days_to_months(start)
        # moves within the spell's first 12 months, days in care in the first 12 months
        mv = _moves_table(ds)
        sp_key = pd.DataFrame({"child": sp["child"].to_numpy(), "sstart": start, "send": np.where(sp["closed"], sp["start"] + sp["duration"], OPEN), "sid": np.arange(len(sp))})
        joined = mv.merge(sp_key, on="child")
        joined = joined[(joined["day"] >= joined["sstart"]) & (joined["day"] < joined["send"]) & (joined["day"] < joined["sstart"] + 365)]
        moves_in = np.bincount(joined["sid"].to_numpy(), minlength=len(sp))
        days_first_year = np.minimum(sp["duration"].to_numpy(), 365)
        home12 = (sp["closed"].to_numpy() & (sp["duration"].to_numpy() <= 365)).astype(float)
        for period_kind, period in (("quarter", month_to_quarter(month)), ("year", month // 12)):
            label = quarter_label if period_kind == "quarter" else year_label
            for level in ds.levels:
                scope = scope_ids(ds, sp["muni"].to_numpy(), level)
                key = pd.MultiIndex.from_arrays([scope, period]).to_flat_index()
                codes, uniq = pd.factorize(key)
                km = kaplan_meier_quantiles(codes, sp["duration"].to_numpy(), sp["closed"].to_numpy())
                base = pd.DataFrame({"code": codes, "home": home12, "moves": moves_in, "days": days_first_year})
                agg = base.groupby("code").agg(home=("home", "mean"), moves=("moves", "sum"), days=("days", "sum"), n=("home", "size"))
                scopes = np.array([u[0] for u in uniq])
                periods = np.array([u[1] for u in uniq])
                labels = [label(int(p)) for p in periods]
                km = km.set_index("g").reindex(range(len(uniq)))
                for metric, values in (
                    ("los_q1", km[0.25].to_numpy()), ("los_median", km[0.5].to_numpy()), ("los_q3", km[0.75].to_numpy()),
                    ("home_within_12m", agg["home"].reindex(range(len(uniq))).to_numpy()),
                    ("moves_per_1000_days", (1000 * agg["moves"] / agg["days"].where(agg["days"] > 0)).reindex(range(len(uniq))).to_numpy()),
                    ("cohort_size", agg["n"].reindex(range(len(uniq))).to_numpy().astype(float)),
                ):
                    frames.append(pd.DataFrame({"level": level, "scope": scopes, "group": STAY, "band": BAND_ALL, "period": labels, "metric": metric, "value": values}))
        # re-entry: per exit cohort (spells ending in the period), share starting a new spell within 365 days
        all_sp = spells(ds)
        all_sp = all_sp.sort_values(["child", "start"])
        nxt = all_sp.groupby("child")["start"].shift(-1)
        ended = all_sp[(all_sp["end"] < OPEN) & (days_to_months(all_sp["end"].to_numpy()) <= last_month)].copy()
        ended["reentry"] = ((nxt.loc[ended.index] - ended["end"]) <= 365).fillna(False).astype(float)
        emonth = days_to_months(ended["end"].to_numpy())
        for period_kind, period in (("quarter", month_to_quarter(emonth)), ("year", emonth // 12)):
            label = quarter_label if period_kind == "quarter" else year_label
            for level in ds.levels:
                scope = scope_ids(ds, ended["muni"].to_numpy(), level)
                agg = pd.DataFrame({"scope": scope, "period": period, "v": ended["reentry"].to_numpy()}).groupby(["scope", "period"])["v"].mean().reset_index()
                frames.append(pd.DataFrame({"level": level, "scope": agg["scope"], "group": STAY, "band": BAND_ALL,
                                            "period": [label(int(p)) for p in agg["period"]], "metric": "reentry_within_12m", "value": agg["v"]}))
    frames += _episode_cohorts(ds, last_month, breakdown_eps)
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=["level", "scope", "group", "band", "period", "metric", "value"])
    return pd.concat(frames, ignore_index=True)


def _moves_table(ds: Dataset) -> pd.DataFrame:
    stay = _lookup(ds.form_stay, ds.ep_form, bool)
    idx = np.flatnonzero(stay)
    eps = pd.DataFrame({"child": ds.ep_child[idx], "start": ds.ep_start[idx], "end": ds.ep_end[idx], "ep": idx})
    multi = eps[eps.duplicated("child", keep=False)]
    pairs = multi.merge(multi, on="child", suffixes=("", "_prev"))
    pairs = pairs[(pairs["ep"] != pairs["ep_prev"]) & (pairs["start_prev"] < pairs["start"]) & (pairs["end_prev"] >= pairs["start"])]
    moved = pairs.drop_duplicates("ep")
    return pd.DataFrame({"child": moved["child"].to_numpy(), "day": moved["start"].to_numpy(), "ep": moved["ep"].to_numpy()})


def _shares(ds: Dataset, muni: np.ndarray, group: np.ndarray | int, period: np.ndarray, flag: np.ndarray, metric: str, label) -> list[pd.DataFrame]:
    """Share of flagged rows per (scope, group, period) at every level: numerator and denominator by a dense
    bincount per level (no pandas groupby), the share as their ratio (equal to the mean of the flags)."""
    if len(muni) == 0:
        return []
    group = np.broadcast_to(np.asarray(group, dtype=np.int64), muni.shape)
    band = np.zeros(len(muni), np.int64)
    # per municipality once (the big arrays), then the small per-municipality sums roll up
    muni = np.asarray(muni, dtype=np.int64)
    den0 = _sum_cells(muni, group, band, period, np.ones(len(muni)))
    num0 = _sum_cells(muni, group, band, period, np.asarray(flag, dtype=np.float64))
    cells = ["scope", "group", "band", "month"]
    both0 = den0.merge(num0, on=cells, how="left", suffixes=("_den", "_num")).fillna({"value_num": 0.0})
    out = []
    for level in ds.levels:
        if level == "municipality":
            agg = both0
        else:
            agg = both0.assign(scope=scope_ids(ds, both0["scope"].to_numpy(), level)).groupby(cells, as_index=False)[["value_den", "value_num"]].sum()
        out.append(pd.DataFrame({"level": level, "scope": agg["scope"].to_numpy(), "group": agg["group"].to_numpy(), "band": BAND_ALL,
                                 "period": [label(int(p)) for p in agg["month"].to_numpy()], "metric": metric,
                                 "value": agg["value_num"].to_numpy() / agg["value_den"].to_numpy()}))
    return out


def _episode_cohorts(ds: Dataset, last_month: int, breakdown_eps: np.ndarray | None) -> list[pd.DataFrame]:
    frames = []
    pos, grp = episode_groups(ds)
    # dropout: share of ended episodes (end in the period) with an end reason one-sided by client or provider
    end = ds.ep_end[pos]
    closed = end < OPEN
    emonth = days_to_months(end[closed])
    ok = emonth <= last_month
    p_closed, g_closed, emonth = pos[closed][ok], grp[closed][ok], emonth[ok]
    drop = np.isin(ds.ep_reason[p_closed], list(DROPOUT_REASONS))
    for period, label in ((month_to_quarter(emonth), quarter_label), (emonth // 12, year_label)):
        frames += _shares(ds, ds.ep_muni[p_closed], g_closed, period, drop, "dropout", label)
    # foster_breakdown_12m: new foster (family-based stay) episodes in the period ending in a breakdown within 365 days
    if breakdown_eps is not None:
        stay = _lookup(ds.form_stay, ds.ep_form, bool)
        family = _lookup(ds.form_family, ds.ep_form, bool)
        fb = np.flatnonzero(stay & family)
        smonth = days_to_months(ds.ep_start[fb])
        ok = smonth <= last_month
        fb, smonth = fb[ok], smonth[ok]
        broke = np.isin(fb, breakdown_eps) & (ds.ep_end[fb] - ds.ep_start[fb] <= 365)
        for period, label in ((month_to_quarter(smonth), quarter_label), (smonth // 12, year_label)):
            frames += _shares(ds, ds.ep_muni[fb], FAMILY_BASED, period, broke, "foster_breakdown_12m", label)
    # no_new_start (NJi 3.2): children whose episode ended in a half-year; share without a new start of any
    # form after that end and before the end of the next half-year. Only half-years whose follow-up is complete.
    closed_idx = np.flatnonzero(ds.ep_end < OPEN)
    half = days_to_months(ds.ep_end[closed_idx]) // 6
    last_complete_half = (last_month + 1) // 6 - 2  # the next half-year must be complete too
    ok = half <= last_complete_half
    closed_idx, half = closed_idx[ok], half[ok]
    if len(closed_idx):
        e_child = ds.ep_child[closed_idx].astype(np.int64)
        e_end = ds.ep_end[closed_idx].astype(np.int64)
        # per (child, half-year) the episode that ends last (its municipality counts); of several ending that
        # day the one that started last, then the highest municipality id (not the order of the rows)
        hlo = int(half.min())
        key = e_child * (int(half.max()) - hlo + 1) + (half - hlo)
        order = _order_by([key, e_end, ds.ep_start[closed_idx], ds.ep_muni[closed_idx]])
        key_s = key[order]
        last = order[np.append(key_s[1:] != key_s[:-1], True)]
        e_child, e_end, e_half, e_muni = e_child[last], e_end[last], half[last], ds.ep_muni[closed_idx][last]
        horizon = month_first_day((e_half + 2) * 6)  # first day after the next half-year
        # a new start s of the same child with end <= s < horizon: one searchsorted in (child, start) order
        d_lo = int(min(ds.ep_start.min(), e_end.min()))
        span = int(max(ds.ep_start.max(), horizon.max())) - d_lo + 2
        starts = np.sort(ds.ep_child.astype(np.int64) * span + (ds.ep_start.astype(np.int64) - d_lo))
        at = np.searchsorted(starts, e_child * span + (e_end - d_lo))
        nxt = starts[np.minimum(at, len(starts) - 1)]
        found = (at < len(starts)) & (nxt < e_child * span + (horizon - d_lo))
        frames += _shares(ds, e_muni, ALL, e_half, ~found, "no_new_start", half_label)
    return frames
