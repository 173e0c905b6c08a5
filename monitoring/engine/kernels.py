"""Array kernels of the engine: combined integer keys, merged ranges, difference arrays on a month grid,
distinct counts and sums per cell. Pure numpy on whole columns; no loop per child or per month, and nothing
here knows what a child, an episode or a municipality is."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import BAND_ALL


def _lookup(mapping: dict[int, object], keys: np.ndarray, dtype) -> np.ndarray:
    if len(keys) == 0:
        return np.zeros(0, dtype=dtype)
    ids = np.array(sorted(mapping), dtype=np.int64)
    values = np.array([mapping[i] for i in ids], dtype=dtype)
    pos = np.searchsorted(ids, keys)
    return values[pos]


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
