"""The monthly figures of design/metrics.md, set-wise over all episodes and declarations at once.

Cost grows linearly with the number of episodes: distinct-child counts are made by merging each child's
intervals per (scope, group) and turning the merged month ranges into +1/-1 events on a month grid (a
difference array), so an episode of ten years costs the same as one of ten days. An episode is active on
day d when start <= d < end.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import BAND_ALL, OPEN, days_to_months, month_first_day, month_last_day
from .dataset import (
    Dataset,
    _form_groups,
    at_municipality,
    by_levels,
    expand_groups,
    group_blocks,
    presort,
    roll_up,
    scope_ids,
    split_by_band,
)
from .kernels import (
    _add_band_all,
    _combine,
    _count_cells,
    _decode,
    _distinct_in_key_order,
    _lookup,
    _sum_cells,
    _unique,
    _with_level,
    count_events,
    count_ranges,
    merge_ranges,
)

DROPOUT_REASONS = (32, 33)  # iJw end reasons one-sided by client / provider (CBS 03/04)


GAP_DAYS = 30


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


def care_level_changes(ds: Dataset) -> pd.DataFrame:
    """Days on which a child's care level (highest active rung, 0 when none) changes, after the gap rule:
    a gap of at most 30 days at level 0 between two days with care keeps the level from before the gap.
    Returns one row per change with columns child, day, level, prev_level. Pure numpy: one sort of the
    start/end events, a running count of active episodes per rung within each child."""
    n = len(ds.ep_child)
    if n == 0:
        return pd.DataFrame(columns=["child", "day", "level", "prev_level"])
    rung = _lookup(ds.form_rung, ds.ep_form, np.int8)
    # every episode gets an end event, an open one at `beyond` (after every real day): each child's counts return to 0
    # at its last event, so a running sum over all children needs no per-child offset; rows at `beyond` go at the end
    beyond = int(max(int(ds.ep_start.max()), int(np.where(ds.ep_end < OPEN, ds.ep_end, 0).max()))) + 1
    ev_child = np.concatenate([ds.ep_child, ds.ep_child]).astype(np.int64)
    ev_day = np.concatenate([ds.ep_start, np.where(ds.ep_end < OPEN, ds.ep_end, beyond)]).astype(np.int64)
    # the active episodes per rung packed in one integer, 10 bits a rung (a child never has 1,024 at once): one
    # running sum gives all six counts; starts come before ends within a day (stable sort), so no field goes negative
    shift = (rung.astype(np.int64) - 1) * 10
    ev_delta = np.concatenate([np.left_shift(1, shift), -np.left_shift(1, shift)])
    d_lo = int(ev_day.min())
    code = ev_child * (int(ev_day.max()) - d_lo + 1) + (ev_day - d_lo)
    order = np.argsort(code, kind="stable")
    code, ev_child, ev_day, ev_delta = code[order], ev_child[order], ev_day[order], ev_delta[order]
    del order
    # last event of each (child, day): the state after all that day's starts and ends
    last_of_day = np.append(np.flatnonzero(code[1:] != code[:-1]), len(code) - 1)
    del code
    packed = np.cumsum(ev_delta)[last_of_day]
    del ev_delta
    level = np.zeros(len(last_of_day), np.int64)
    for r in range(1, 7):
        level[((packed >> (10 * (r - 1))) & 1023) > 0] = r  # rungs ascend, so the highest active rung wins
    real = ev_day[last_of_day] < beyond
    last_of_day, level = last_of_day[real], level[real]
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
    cache = ds.memo.setdefault("episodes", {})
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
    """Days in care within each month, a child counted once per day per group and scope, split by the age band
    on each day: at each level of `ds.levels` the child's ranges are merged per scope of that level, so a child in
    care in two municipalities of a region on the same day is one care day in the region (metrics.md). Called
    through `by_levels`: children in one municipality are counted there and summed upwards, the few in several
    municipalities at each level itself. One group block at a time (`group_blocks`)."""
    first_day = int(month_first_day(np.array([first_month]))[0])
    last_day = int(month_last_day(np.array([last_month]))[0])
    child_b12, child_b18, _, _ = ds.birthdays()
    parts: dict[str, list[pd.DataFrame]] = {}
    for rows, groups in group_blocks(ds):
        start = np.maximum(ds.ep_start[rows].astype(np.int64), first_day)
        end_incl = np.minimum(ds.ep_end[rows].astype(np.int64) - 1, last_day)
        valid = start <= end_incl
        for level in ds.levels:
            scope = scope_ids(ds, ds.ep_muni[rows][valid], level)
            (m_grp, m_child, m_scope), ms, me, _ = merge_ranges([groups[valid], ds.ep_child[rows][valid], scope],
                                                                start[valid], end_incl[valid], touch=1)
            del scope
            b12, b18 = child_b12[m_child], child_b18[m_child]
            pieces = []
            for lo, hi, band in ((None, b12 - 1, 0), (b12, b18 - 1, 1), (b18, None, 2)):
                s = ms if lo is None else np.maximum(ms, lo)
                e = me if hi is None else np.minimum(me, hi)
                k = s <= e
                pieces.append((m_scope[k], m_grp[k], np.full(int(k.sum()), band, np.int8), s[k], e[k]))
            sc, grp, band, s, e = (np.concatenate([p[i] for p in pieces]) for i in range(5))
            del pieces, m_grp, m_child, m_scope, ms, me, b12, b18
            parts.setdefault(level, []).append(_days_per_month(sc, grp, band, s, e, first_month, last_month))
        del start, end_incl, valid
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
    del child, form, muni, month, keep
    # the distinct tuples as 32-bit columns (ids, months and forms fit): half the memory of every copy below
    u_child, u_muni, u_month, u_form = (a.astype(np.int32) for a in _decode(_unique(code), radix))
    del code
    _, _, child_m12, child_m18 = ds.birthdays()
    u_band = np.where(u_month < child_m12[u_child], 0, np.where(u_month < child_m18[u_child], 1, 2)).astype(np.int8)
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
    ds = presort(ds)
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
            frames += roll_up(additive, ds, ds.levels)
            frames += by_levels(ds, lambda d: care_days(d, first_month, last_month))  # a child once per day in each scope
        elif name == "cost":
            frames += roll_up(declaration_cost(at_municipality(ds), first_month, last_month), ds, ds.levels)
        else:
            raise ValueError(f"unknown part of the monthly figures: {name}")
    return [f for f in frames if not f.empty]


def _moves_table(ds: Dataset) -> pd.DataFrame:
    stay = _lookup(ds.form_stay, ds.ep_form, bool)
    idx = np.flatnonzero(stay)
    eps = pd.DataFrame({"child": ds.ep_child[idx], "start": ds.ep_start[idx], "end": ds.ep_end[idx], "ep": idx,
                        # what tells two earlier episodes apart whatever the order of the rows
                        "form": ds.ep_form[idx], "muni": ds.ep_muni[idx],
                        "provider": ds.ep_provider[idx] if len(ds.ep_provider) else 0})
    multi = eps[eps.duplicated("child", keep=False)]
    pairs = multi.merge(multi, on="child", suffixes=("", "_prev"))
    pairs = pairs[(pairs["ep"] != pairs["ep_prev"]) & (pairs["start_prev"] < pairs["start"]) & (pairs["end_prev"] >= pairs["start"])]
    # the episode moved from: of several, the one that started last, then ended last (then by form, municipality
    # and provider, so that the choice does not depend on the order of the rows)
    moved = pairs.sort_values(["ep", "start_prev", "end_prev", "form_prev", "muni_prev", "provider_prev"]).drop_duplicates("ep", keep="last")
    return pd.DataFrame({"child": moved["child"].to_numpy(), "day": moved["start"].to_numpy(), "ep": moved["ep"].to_numpy(),
                         "prev": moved["ep_prev"].to_numpy()})
