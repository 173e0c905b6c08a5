"""Cohort and yearly figures: stay durations (Kaplan–Meier), outcomes of entry and exit cohorts per quarter,
year and half-year, and the yearly cost table per care form."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.intervals import Z95

from .calendar import (
    BAND_ALL,
    OPEN,
    birthday,
    days_to_months,
    half_label,
    month_first_day,
    month_to_quarter,
    quarter_label,
    year_label,
)
from .dataset import ALL, FAMILY_BASED, RESIDENTIAL, STAY, TARGET_GROUP_BASE, Dataset, episode_groups, presort, scope_ids
from .kernels import _combine, _decode, _lookup, _order_by, _sum_cells, _unique, merge_ranges
from .monthly import DROPOUT_REASONS, _moves_table, breakdown_episodes

#: the Kaplan–Meier figures and their quantile; each is stored with `<metric>_low` / `<metric>_high` (95% interval)
KM_METRICS = (("los_q1", 0.25), ("los_median", 0.5), ("los_q3", 0.75))


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


def spells(ds: Dataset, mask: np.ndarray | None = None) -> pd.DataFrame:
    """Out-of-home spells: maximal runs of stay episodes where the next starts no later than one day after
    the previous one ends. Columns: child, start, end (exclusive, OPEN when running), muni (first episode).
    With `mask` (a boolean per episode) the runs of those episodes only: the spells of one care-form group."""
    stay = _lookup(ds.form_stay, ds.ep_form, bool) if mask is None else mask
    idx = np.flatnonzero(stay)
    if len(idx) == 0:
        return pd.DataFrame(columns=["child", "start", "end", "muni", "first_ep"])
    end_incl = ds.ep_end[idx].astype(np.int64) - 1
    (child,), s, e_incl, first = merge_ranges([ds.ep_child[idx]], ds.ep_start[idx].astype(np.int64), end_incl, touch=2)
    end = np.where(e_incl >= OPEN - 1, OPEN, e_incl + 1)
    return pd.DataFrame({"child": child, "start": s, "end": end, "muni": ds.ep_muni[idx][first], "first_ep": idx[first]})


def _los_spells(ds: Dataset, sp: pd.DataFrame, last_month: int) -> pd.DataFrame:
    """The spells a stay duration is measured on: started up to `last_month`, before the 18th birthday, and not
    closed within 8 days; with their duration (days, to the data date for open ones) and whether they closed."""
    sp = sp[days_to_months(sp["start"].to_numpy()) <= last_month]
    birth = ds.child_birth[sp["child"].to_numpy()]
    start = sp["start"].to_numpy()
    end = sp["end"].to_numpy()
    closed = end < OPEN
    duration = np.where(closed, end, ds.data_date + 1) - start
    eligible = (duration >= 8) | ~closed
    eligible &= start < birthday(birth, 18)
    # open spells shorter than 8 days so far are kept only if they may still last; drop the too-short closed ones
    return sp[eligible].assign(duration=duration[eligible], closed=closed[eligible])


def _los_frames(level: str, scopes: np.ndarray, labels: list[str], km: pd.DataFrame, group: int | np.ndarray) -> list[pd.DataFrame]:
    """The Kaplan–Meier quartiles and their 95% bounds of one level as frames (`km` indexed by code, as `labels`)."""
    cells = {"level": level, "scope": scopes, "group": group, "band": BAND_ALL, "period": labels}
    out = [pd.DataFrame({**cells, "metric": metric, "value": km[q].to_numpy()}) for metric, q in KM_METRICS]
    out += [pd.DataFrame({**cells, "metric": f"{metric}_{side}", "value": km[(side, q)].to_numpy()})
            for metric, q in KM_METRICS for side in ("low", "high")]
    return out


#: the care-form groups whose stays get their own durations (besides all stay: the spells of STAY)
def los_groups(ds: Dataset) -> list[tuple[int, np.ndarray]]:
    """(group, episode mask) of each stay form, family-based and residential care (seed 004 states stay durations
    per care form: "één jaar … 10 maanden")."""
    stay = _lookup(ds.form_stay, ds.ep_form, bool)
    family = _lookup(ds.form_family, ds.ep_form, bool)
    rung = _lookup(ds.form_rung, ds.ep_form, np.int64)
    groups = [(FAMILY_BASED, stay & family), (RESIDENTIAL, stay & (rung >= 5))]
    groups += [(int(form), ds.ep_form == form) for form in sorted(f for f, with_stay in ds.form_stay.items() if with_stay)]
    return [(g, m) for g, m in groups if m.any()]


def group_los_figures(ds: Dataset, last_month: int, stay: pd.DataFrame | None = None) -> list[pd.DataFrame]:
    """Stay durations per care-form group (los_groups): the runs of that group's episodes of a child (a move within
    the group continues the run, a move out of it ends it), measured as the spells of all stay are (`_los_spells`:
    per entry quarter and year, Kaplan–Meier, open runs censored at the data date), with their cohort size; and per
    target group of the child (group TARGET_GROUP_BASE - its id): the spells of all stay (`stay`, as cohort_figures
    made them) of those children. All groups go through one Kaplan–Meier pass per level and kind of period."""
    runs = [(group, _los_spells(ds, spells(ds, mask), last_month)) for group, mask in los_groups(ds)]
    if stay is None:
        stay = spells(ds)
        stay = _los_spells(ds, stay, last_month) if not stay.empty else stay
    if len(ds.child_target_group) and not stay.empty:
        child_group = ds.child_target_group[stay["child"].to_numpy(dtype=np.int64)]
        runs += [(TARGET_GROUP_BASE - int(tg), stay[child_group == tg]) for tg in np.unique(child_group) if tg]
    parts = [sp[["muni", "start", "duration", "closed"]].assign(grp=group) for group, sp in runs if not sp.empty]
    if not parts:
        return []
    every = pd.concat(parts, ignore_index=True)
    grp, muni = every["grp"].to_numpy(np.int64), every["muni"].to_numpy(np.int64)
    duration, closed = every["duration"].to_numpy(), every["closed"].to_numpy(bool)
    month = days_to_months(every["start"].to_numpy())
    frames = []
    for period, label in ((month_to_quarter(month), quarter_label), (month // 12, year_label)):
        for level in ds.levels:
            code, radix = _combine([grp, scope_ids(ds, muni, level), period])
            codes, uniq = pd.factorize(code)
            km = kaplan_meier_quantiles(codes, duration, closed, interval=Z95).set_index("g").reindex(range(len(uniq)))
            groups, scopes, periods = _decode(np.asarray(uniq, np.int64), radix)
            labels = [label(int(p)) for p in periods]
            frames += _los_frames(level, scopes, labels, km, groups)
            frames.append(pd.DataFrame({"level": level, "scope": scopes, "group": groups, "band": BAND_ALL, "period": labels,
                                        "metric": "cohort_size", "value": np.bincount(codes, minlength=len(uniq)).astype(float)}))
    return frames


def kaplan_meier_quantiles(group: np.ndarray, duration: np.ndarray, event: np.ndarray, quantiles=(0.25, 0.5, 0.75),
                           interval: float | None = None) -> pd.DataFrame:
    """Kaplan–Meier quantiles per group: the smallest t with S(t) <= 1 - q; NaN while the curve has not
    passed the quantile (undefined). Vectorised over all groups at once.

    With `interval` (a z value, e.g. core.intervals.Z95 for 95%) also the Brookmeyer–Crowley confidence interval
    of each quantile, in columns ("low", q) and ("high", q): the set of t where the pointwise test of S(t) = 1 - q is
    not rejected, i.e. where the confidence band of S(t) contains 1 - q. The band uses Greenwood's variance on the
    log(-log) scale (Kalbfleisch & Prentice; lifelines' default, R survival's conf.type="log-log"):

        V(t)      = sum over event times t_i <= t of d_i / (n_i (n_i - d_i))       (Greenwood)
        sigma(t)  = sqrt(V(t)) / |log S(t)|
        band(t)   = S(t) ** exp(+z sigma(t))  (lower)   and   S(t) ** exp(-z sigma(t))  (upper)

    As R's quantile.survfit does, each bound is read off its band the way the estimate is read off S: the lower
    bound is the smallest t where the lower band is <= 1 - q, the upper bound the smallest t where the upper band
    is (NaN while it is not: the interval is open upwards). Where S(t) = 1 the band is 1. Where S(t) = 0 (everyone
    still at risk had the event) Greenwood's variance is infinite: the lower band is 0 there and the upper band is
    undefined, so it does not reach the quantile there (R reports NA, lifelines inf). (Brookmeyer & Crowley, "A confidence interval for the median survival time",
    Biometrics 38, 1982.)"""
    df = pd.DataFrame({"g": group, "t": duration, "d": event.astype(np.int64)})
    columns = ["g", *quantiles]
    if interval is not None:
        columns += [("low", q) for q in quantiles] + [("high", q) for q in quantiles]
    if df.empty:
        return pd.DataFrame(columns=columns)
    agg = df.groupby(["g", "t"], sort=True).agg(d=("d", "sum"), c=("d", "size")).reset_index()
    total = agg.groupby("g")["c"].transform("sum")
    before = agg.groupby("g")["c"].cumsum() - agg["c"]
    at_risk = total - before
    with np.errstate(divide="ignore"):
        log_factor = np.log1p(-agg["d"] / at_risk)
    log_s = log_factor.groupby(agg["g"]).cumsum()
    agg["S"] = np.exp(log_s)
    out = pd.DataFrame({"g": np.unique(group)})
    for q in quantiles:
        hit = agg[agg["S"] <= 1 - q + 1e-12].groupby("g")["t"].min()
        out[q] = out["g"].map(hit)
    if interval is None:
        return out
    d, n = agg["d"].to_numpy(float), at_risk.to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(d > 0, d / (n * (n - d)), 0.0)  # inf where everyone at risk has the event: then S = 0
        greenwood = pd.Series(term).groupby(agg["g"].to_numpy()).cumsum().to_numpy()
        ls = log_s.to_numpy()
        sigma = np.sqrt(greenwood) / np.abs(ls)
        s = agg["S"].to_numpy()
        lower = np.where(s <= 0, 0.0, np.where(ls == 0, 1.0, s ** np.exp(interval * sigma)))
        upper = np.where(s <= 0, np.nan, np.where(ls == 0, 1.0, s ** np.exp(-interval * sigma)))
    for name, band in (("low", lower), ("high", upper)):
        for q in quantiles:
            hit = agg["t"][band <= 1 - q + 1e-12].groupby(agg["g"][band <= 1 - q + 1e-12]).min()
            out[(name, q)] = out["g"].map(hit)
    return out


def cohort_figures(ds: Dataset, last_month: int, breakdown_reasons: tuple[int, ...] | None = DROPOUT_REASONS) -> pd.DataFrame:
    """Cohort figures per entry quarter and year (metrics.md): los_q1/median/q3 (Kaplan–Meier, open spells
    censored at the data date), home_within_12m, reentry_within_12m (per exit cohort), moves_per_1000_days,
    foster_breakdown_12m (breakdowns by `breakdown_reasons`; None leaves it out), dropout and no_new_start (per
    half-year). Works on the episodes in (child, municipality, start) order (`presort`)."""
    ds = presort(ds)
    breakdown_eps = None if breakdown_reasons is None else breakdown_episodes(ds, breakdown_reasons=breakdown_reasons)
    frames: list[pd.DataFrame] = []
    sp = spells(ds)
    if not sp.empty:
        sp = _los_spells(ds, sp, last_month)
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
                km = kaplan_meier_quantiles(codes, sp["duration"].to_numpy(), sp["closed"].to_numpy(), interval=Z95)
                base = pd.DataFrame({"code": codes, "home": home12, "moves": moves_in, "days": days_first_year})
                agg = base.groupby("code").agg(home=("home", "mean"), moves=("moves", "sum"), days=("days", "sum"), n=("home", "size"))
                scopes = np.array([u[0] for u in uniq])
                periods = np.array([u[1] for u in uniq])
                labels = [label(int(p)) for p in periods]
                km = km.set_index("g").reindex(range(len(uniq)))
                # the quartiles with their 95% Brookmeyer–Crowley intervals (home_within_12m's n is cohort_size)
                frames += _los_frames(level, scopes, labels, km, STAY)
                for metric, values in (
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
                agg = pd.DataFrame({"scope": scope, "period": period, "v": ended["reentry"].to_numpy()}).groupby(["scope", "period"])["v"].agg(["mean", "size"]).reset_index()
                labels = [label(int(p)) for p in agg["period"]]
                for metric, values in (("reentry_within_12m", agg["mean"]), ("reentry_within_12m_n", agg["size"].astype(float))):
                    frames.append(pd.DataFrame({"level": level, "scope": agg["scope"], "group": STAY, "band": BAND_ALL,
                                                "period": labels, "metric": metric, "value": values}))
    frames += group_los_figures(ds, last_month, stay=sp if not sp.empty else None)
    frames += _episode_cohorts(ds, last_month, breakdown_eps)
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=["level", "scope", "group", "band", "period", "metric", "value"])
    return pd.concat(frames, ignore_index=True)


def _shares(ds: Dataset, muni: np.ndarray, group: np.ndarray | int, period: np.ndarray, flag: np.ndarray, metric: str, label) -> list[pd.DataFrame]:
    """Share of flagged rows per (scope, group, period) at every level: numerator and denominator by a dense
    bincount per level (no pandas groupby), the share as their ratio (equal to the mean of the flags). The
    denominator is stored too, as `<metric>_n`: with the share it gives the Wilson interval (core.intervals) and
    lets the publication layer check both parts of the share (core.publication.share)."""
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
        cells_of = {"level": level, "scope": agg["scope"].to_numpy(), "group": agg["group"].to_numpy(), "band": BAND_ALL,
                    "period": [label(int(p)) for p in agg["month"].to_numpy()]}
        out.append(pd.DataFrame({**cells_of, "metric": metric, "value": agg["value_num"].to_numpy() / agg["value_den"].to_numpy()}))
        out.append(pd.DataFrame({**cells_of, "metric": f"{metric}_n", "value": agg["value_den"].to_numpy()}))
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
