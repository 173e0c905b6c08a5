"""Figures per care provider (issue 16; seed 000 §2.2.8 "sturen op aanbieders", seed 004 on P×Q and lengths of stay).

Every figure is counted per provider and scope (municipality, region, country), band "all"; a provider's group id is
PROVIDER_BASE - its database id (frames.Labels names it `prov_<id>`). The episodes and declarations carry their
provider (`Dataset.ep_provider`, `Dataset.dec_provider`, read with the rest by engine.load), so these figures cost no
read of their own: the episodes part of a run computes `provider_episode_figures`, the declarations part
`provider_declaration_figures`.

Definitions (the contract; the definitions page shows them too). Only the children in care are stored per month; the
other figures per year (the running year up to the last complete month), which is what the providers page and the
report read.
- provider_stock (month): distinct children with an episode at the provider active on the month's last day L
  (start <= L < end), at the episode's municipality. provider_stay_stock (year): the same for stay episodes, on the
  last day of the year's last month. Their ratio is the share of the provider's clients in stay care (the rest is
  ambulant care).
- provider_entries / provider_exits (year): per month, a child starts an episode at the provider and was in none of
  its episodes the day before / an episode at the provider ends and the child is in none of its episodes on that day
  (distinct children per month, at the municipality of the starting / ending episode); summed over the year's months.
- provider_moves_out (year): moves (the engine's `moves`: a stay episode starting while the child was in another stay
  episode up to the day before) whose earlier episode was at the provider and whose new episode is at another
  provider; counted at the earlier episode's municipality.
- provider_breakdowns (year): the engine's breakdowns (foster and family-home episodes ending early and unplanned) of
  the provider's episodes, in the year of the end.
- provider_dropout (year) with provider_dropout_n: of the provider's episodes ending in the year, the share ending
  one-sidedly by client or provider (end reasons 32/33, as `dropout`).
- provider_los_median (year) with its 95% bounds and provider_cohort_size: Kaplan–Meier median duration of the
  provider's stay runs (stay episodes of a child at the provider, continuing when the next starts within a day; a
  move to another provider ends the run), per entry year, measured as the stay durations are (no runs closed within
  8 days, no entry from 18, open runs censored at the data date).
- provider_clients_year, provider_cost_year and provider_cost_per_client (year): distinct children with a declaration
  at the provider with its period starting in the year, their amount (corrections negative), and the amount per child
  (rounded to cents).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from core.intervals import Z95

from .calendar import BAND_ALL, OPEN, days_to_months, year_label
from .cohorts import _los_spells, _shares, kaplan_meier_quantiles
from .dataset import Dataset, by_levels, presort, scope_ids
from .kernels import _combine, _count_cells, _decode, _lookup, _sum_cells, _unique, count_ranges, merge_ranges
from .monthly import DROPOUT_REASONS, _moves_table, breakdown_episodes

#: a provider's group id: PROVIDER_BASE - its database id (below every care form and target group)
PROVIDER_BASE = -1_000_000

def _frame(level: str, metric: str, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[frame["value"] != 0].copy()
    frame["level"] = level
    frame["metric"] = metric
    frame["band"] = BAND_ALL
    return frame


def _distinct(child, scope, group, month) -> pd.DataFrame:
    """Distinct children per (scope, group, month) of events in (group, child, time) order (merged ranges are): a
    child counts twice in a cell only through events of the same (group, child, month), which are neighbours, so
    only those few rows are made distinct by a sort; the rest are counted as they are."""
    n = len(child)
    same = np.zeros(n, bool)
    if n > 1:
        same[1:] = (group[1:] == group[:-1]) & (child[1:] == child[:-1]) & (month[1:] == month[:-1])
    runs = same.copy()
    runs[:-1] |= same[1:]  # rows in a run of two or more events of one (group, child, month)
    if runs.any():
        code, radix = _combine([child[runs], scope[runs], group[runs], month[runs]])
        _, sc, gr, mo = _decode(_unique(code), radix)
        single = ~runs
        scope, group, month = (np.concatenate([a[single], b]) for a, b in ((scope, sc), (group, gr), (month, mo)))
    frame = _count_cells(scope, group, np.full(len(scope), BAND_ALL, np.int64), month)
    frame["value"] = frame["value"].astype(np.int64)
    return frame


def _stock(ds: Dataset, first_month: int, last_month: int, metric: str, *, stay_only: bool) -> list[pd.DataFrame]:
    rows = np.flatnonzero(_lookup(ds.form_stay, ds.ep_form, bool)) if stay_only else np.arange(len(ds.ep_child))
    group = PROVIDER_BASE - ds.ep_provider[rows].astype(np.int64)
    start_m = days_to_months(ds.ep_start[rows])
    end_m = np.where(ds.ep_end[rows] >= OPEN, 10**7, days_to_months(ds.ep_end[rows]) - 1)
    valid = end_m >= start_m
    out = []
    for level in ds.levels:
        scope = scope_ids(ds, ds.ep_muni[rows][valid], level)
        (m_group, _m_child, m_scope), ms, me, _ = merge_ranges([group[valid], ds.ep_child[rows][valid], scope], start_m[valid], end_m[valid], touch=1)
        counts = count_ranges(m_scope, m_group, np.full(len(ms), BAND_ALL, np.int64), ms, me, first_month, last_month)
        out.append(_frame(level, metric, counts))
    return out


def _by_provider(ds: Dataset, rows: np.ndarray) -> np.ndarray:
    """`rows` in (provider, child, start, municipality) order (one stable sort of a combined code): merges per
    (provider, child) then skip their own sort, and of two episodes starting (or ending) on the same day the one that
    starts (ends) a merged range has the same municipality whatever the order of the rows."""
    if len(rows) < 2:
        return rows
    code, _ = _combine([ds.ep_provider[rows], ds.ep_child[rows], ds.ep_start[rows], ds.ep_muni[rows]])
    return rows[np.argsort(code, kind="stable")]


def _entries_exits(ds: Dataset, first_month: int, last_month: int) -> list[pd.DataFrame]:
    rows = _by_provider(ds, np.arange(len(ds.ep_child)))
    group = PROVIDER_BASE - ds.ep_provider[rows].astype(np.int64)
    (m_group, m_child), m_start, m_end_incl, first_row, last_row = merge_ranges(
        [group, ds.ep_child[rows]], ds.ep_start[rows].astype(np.int64), ds.ep_end[rows].astype(np.int64) - 1, touch=1, last_rows=True)
    first_row, last_row = rows[first_row], rows[last_row]
    out = []
    for metric, day, at_row in (("provider_entries", m_start, first_row), ("provider_exits", m_end_incl + 1, last_row)):
        month = days_to_months(day)
        keep = (day < OPEN) & (month >= first_month) & (month <= last_month)
        for level in ds.levels:
            scope = scope_ids(ds, ds.ep_muni[at_row[keep]], level)
            out.append(_frame(level, metric, _distinct(m_child[keep], scope, m_group[keep], month[keep])))
    return out


def _episode_counts(ds: Dataset, metric: str, ep: np.ndarray, day: np.ndarray, provider: np.ndarray,
                    first_month: int, last_month: int) -> list[pd.DataFrame]:
    """Events tied to episodes (not distinct), per provider, at the episode's municipality."""
    month = days_to_months(day)
    keep = (month >= first_month) & (month <= last_month)
    ep, month, group = ep[keep], month[keep], PROVIDER_BASE - provider[keep].astype(np.int64)
    out = []
    for level in ds.levels:
        scope = scope_ids(ds, ds.ep_muni[ep], level)
        out.append(_frame(level, metric, _sum_cells(scope, group, np.full(len(ep), BAND_ALL, np.int64), month, np.ones(len(ep)))))
    for frame in out:
        frame["value"] = np.rint(frame["value"].to_numpy()).astype(np.int64)
    return out


def _stay_runs(ds: Dataset, last_month: int) -> pd.DataFrame:
    """The runs of each child's stay episodes at one provider (`_los_spells` applied), with their provider."""
    idx = _by_provider(ds, np.flatnonzero(_lookup(ds.form_stay, ds.ep_form, bool)))
    if len(idx) == 0:
        return pd.DataFrame(columns=["child", "start", "end", "muni", "provider", "duration", "closed"])
    (provider, child), s, e_incl, first = merge_ranges([ds.ep_provider[idx], ds.ep_child[idx]], ds.ep_start[idx].astype(np.int64),
                                                       ds.ep_end[idx].astype(np.int64) - 1, touch=2)
    runs = pd.DataFrame({"child": child, "start": s, "end": np.where(e_incl >= OPEN - 1, OPEN, e_incl + 1),
                         "muni": ds.ep_muni[idx][first], "provider": provider})
    return _los_spells(ds, runs, last_month)


def _durations(ds: Dataset, last_month: int) -> list[pd.DataFrame]:
    runs = _stay_runs(ds, last_month)
    if runs.empty:
        return []
    grp = PROVIDER_BASE - runs["provider"].to_numpy(np.int64)
    muni = runs["muni"].to_numpy(np.int64)
    duration, closed = runs["duration"].to_numpy(), runs["closed"].to_numpy(bool)
    month = days_to_months(runs["start"].to_numpy())
    frames = []
    for period, label in ((month // 12, year_label),):
        for level in ds.levels:
            code, radix = _combine([grp, scope_ids(ds, muni, level), period])
            codes, uniq = pd.factorize(code)
            km = kaplan_meier_quantiles(codes, duration, closed, quantiles=(0.5,), interval=Z95).set_index("g").reindex(range(len(uniq)))
            groups, scopes, periods = _decode(np.asarray(uniq, np.int64), radix)
            labels = [label(int(p)) for p in periods]
            cells = {"level": level, "scope": scopes, "group": groups, "band": BAND_ALL, "period": labels}
            for metric, column in (("provider_los_median", 0.5), ("provider_los_median_low", ("low", 0.5)), ("provider_los_median_high", ("high", 0.5))):
                frames.append(pd.DataFrame({**cells, "metric": metric, "value": km[column].to_numpy(dtype=float)}))
            frames.append(pd.DataFrame({"level": level, "scope": scopes, "group": groups, "band": BAND_ALL, "period": labels,
                                        "metric": "provider_cohort_size", "value": np.bincount(codes, minlength=len(uniq)).astype(float)}))
    return frames


def _per_year(frames: list[pd.DataFrame], last_month: int, *, how: str) -> list[pd.DataFrame]:
    """Monthly frames (one level and metric each) as yearly ones (`period` label): the sum of the months (`how="sum"`,
    flows) or the value of the year's last month up to `last_month` (`how="last"`, a stock on the peildatum)."""
    out = []
    for f in frames:
        if f.empty:
            continue
        month = f["month"].to_numpy(np.int64)
        year = month // 12
        if how == "last":
            f = f[month == np.minimum(year * 12 + 11, last_month)]
            year = f["month"].to_numpy(np.int64) // 12
        summed = _sum_cells(f["scope"].to_numpy(np.int64), f["group"].to_numpy(np.int64), f["band"].to_numpy(np.int64), year,
                            f["value"].to_numpy(np.float64))
        out.append(pd.DataFrame({"level": f["level"].iat[0] if len(f) else "", "scope": summed["scope"].to_numpy(),
                                 "group": summed["group"].to_numpy(), "band": BAND_ALL,
                                 "period": [year_label(int(y)) for y in summed["month"].to_numpy()],
                                 "metric": f["metric"].iat[0] if len(f) else "", "value": np.rint(summed["value"].to_numpy()).astype(np.int64)}))
    return [f for f in out if not f.empty]


def provider_episode_figures(ds: Dataset, last_month: int | None = None) -> list[pd.DataFrame]:
    """The provider figures of the episodes (see the module's docstring), as frames of one level and metric:
    monthly ones with a `month` column, the cohort ones with a `period` label."""
    ds = presort(ds)
    if len(ds.ep_child) == 0 or len(ds.ep_provider) != len(ds.ep_child):
        return []
    first_month = ds.first_month
    last_month = ds.last_month if last_month is None else last_month
    # distinct children: those in one municipality counted there and summed upwards, the few in several counted at
    # every level (dataset.by_levels), which spares two of the three merges per figure
    # Only the children in care are kept per month (a provider's course over the year); the rest per year: the flows
    # summed over the months, the stay stock on the year's peildatum. Per month they would be some six million values
    # nationally that no page reads, and writing them cost a run more than computing them.
    frames = by_levels(ds, lambda d: _stock(d, first_month, last_month, "provider_stock", stay_only=False))
    frames += _per_year(by_levels(ds, lambda d: _stock(d, first_month, last_month, "provider_stay_stock", stay_only=True)), last_month, how="last")
    flows = by_levels(ds, lambda d: _entries_exits(d, first_month, last_month))
    moved = _moves_table(ds)
    prev, new = moved["prev"].to_numpy(np.int64), moved["ep"].to_numpy(np.int64)
    away = ds.ep_provider[prev] != ds.ep_provider[new]
    flows += _episode_counts(ds, "provider_moves_out", prev[away], moved["day"].to_numpy()[away], ds.ep_provider[prev[away]], first_month, last_month)
    broke = breakdown_episodes(ds)
    flows += _episode_counts(ds, "provider_breakdowns", broke, ds.ep_end[broke].astype(np.int64), ds.ep_provider[broke], first_month, last_month)
    frames += _per_year(flows, last_month, how="sum")
    # drop-out: of the provider's episodes ending in the year, the share one-sided by client or provider
    ended = np.flatnonzero(ds.ep_end < OPEN)
    emonth = days_to_months(ds.ep_end[ended])
    ended, emonth = ended[emonth <= last_month], emonth[emonth <= last_month]
    drop = np.isin(ds.ep_reason[ended], list(DROPOUT_REASONS))
    group = PROVIDER_BASE - ds.ep_provider[ended].astype(np.int64)
    frames += _shares(ds, ds.ep_muni[ended], group, emonth // 12, drop, "provider_dropout", year_label)
    frames += _durations(ds, last_month)
    return [f for f in frames if not f.empty]


def provider_declaration_figures(ds: Dataset, last_month: int | None = None) -> list[pd.DataFrame]:
    """The provider figures of the declarations: per year clients, cost and cost per client."""
    if len(ds.dec_child) == 0 or len(ds.dec_provider) != len(ds.dec_child):
        return []
    last_month = ds.last_month if last_month is None else last_month
    month = ds.dec_months()
    keep = (month >= ds.first_month) & (month <= last_month)
    child, muni, month = ds.dec_child[keep], ds.dec_muni[keep].astype(np.int64), month[keep]
    group = PROVIDER_BASE - ds.dec_provider[keep].astype(np.int64)
    cents = ds.dec_cents[keep].astype(np.float64)
    band = np.full(len(child), BAND_ALL, np.int64)
    year = month // 12
    yearly = _sum_cells(muni, group, band, year, cents)  # per municipality first (small), then the levels add up
    # the distinct (child, municipality, provider, year) once (one sort); each level counts those (far fewer rows)
    code, radix = _combine([child, muni, group, year])
    u_child, u_muni, u_group, u_year = _decode(_unique(code), radix)
    del code, child, muni, group, month, cents, year
    frames = []
    for level in ds.levels:
        u_scope = scope_ids(ds, u_muni, level)
        if level == "municipality":
            sc, gr, yr = u_scope, u_group, u_year
        else:
            c2, r2 = _combine([u_child, u_scope, u_group, u_year])
            _, sc, gr, yr = _decode(_unique(c2), r2)
        clients = _count_cells(sc, gr, np.full(len(sc), BAND_ALL, np.int64), yr).rename(columns={"value": "clients"})
        amount = _sum_cells(scope_ids(ds, yearly["scope"].to_numpy(), level), yearly["group"].to_numpy(), yearly["band"].to_numpy(),
                            yearly["month"].to_numpy(), yearly["value"].to_numpy()).rename(columns={"value": "cents"})
        both = clients.merge(amount, on=["scope", "group", "band", "month"], how="left").fillna({"cents": 0.0})
        both = both[both["clients"] > 0]
        cents_y = np.rint(both["cents"].to_numpy())
        quotient = cents_y / both["clients"].to_numpy(dtype=float)
        per_client = np.sign(quotient) * np.floor(np.abs(quotient) + 0.5 + 1e-9) / 100.0
        labels = [year_label(int(y)) for y in both["month"].to_numpy()]
        cells = {"level": level, "scope": both["scope"].to_numpy(), "group": both["group"].to_numpy(), "band": BAND_ALL, "period": labels}
        for metric, values in (("provider_clients_year", both["clients"].to_numpy(dtype=float)), ("provider_cost_year", cents_y / 100.0),
                               ("provider_cost_per_client", per_client)):
            frames.append(pd.DataFrame({**cells, "metric": metric, "value": values}))
    return [f for f in frames if not f.empty]
