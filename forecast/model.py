"""A stock-and-flow forecast of the ladder (issue 18): a Markov chain on (stay care form × age band) with entries
from home as Poisson arrivals per 1,000 youths, stepped forward month by month in many simulations.

How it works (the method the page and the README explain in Dutch):
- States: each care form with stay × age band (0-11, 12-17, 18+), plus "at home" (no stay; ambulant care counts as
  home). A child's state at a month's end is the stay care form of highest rung active on that day.
- Estimation over a reference window (default the last 24 complete months up to the data date): for every child in
  stay care at the end of month m, where it is at the end of m + 1 (the same form, another form — a move, an
  escalation or a step-down —, another age band — ageing —, or home) gives the monthly transition probabilities of
  its (form, band); children at home at the end of m and in stay care at the end of m + 1 are the entries, counted
  per (form, band) and divided by the scope's youths aged 0-17 (per 1,000) over the window.
- Small scopes borrow strength from their region (empirical Bayes): a municipality's transition row is its own counts
  plus ALPHA pseudo-months spread as the region's row, its entry rate its own entries plus BETA thousand-youth-months
  at the region's rate. With few observations a municipality's forecast follows the region's pattern at its own
  size; with many, its own.
- Simulation: from the stock at the data date, every month each (form, band) sends its children on by a multinomial
  draw over the transition row, and entries arrive by a Poisson draw; SIMULATIONS runs give the mean and the 10, 50
  and 90% points per month, form and band (and summed per group). Rates stay as estimated over the horizon unless a
  scenario changes them; the youths (and so the entries) grow or shrink each month by the yearly change of the
  scope's youths over the last five known years of the population reference data (a scenario may set another).
- Costs: a cost per care day per care form, the declared amounts of the window divided by the care days of the window
  (stock at each month's end × days of that month); the forecast's cost is its stock × that cost × days, indexed yearly (forecast.services).

Assumptions to keep in mind: the future looks like the reference window (no trend in the rates); a month's end is a
snapshot (a stay shorter than a month between two month ends is not seen); the population follows its recent trend.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from monitoring.engine.calendar import OPEN, birthday, days_to_months, month_last_day

BANDS = ("0-11", "12-17", "18+")
ALPHA = 24.0  # pseudo person-months of the region's transition row in a municipality's
BETA = 60.0  # pseudo thousand-youth-months of the region's entry rate in a municipality's
SIMULATIONS = 1000
WINDOW_MONTHS = 24


@dataclass
class Episodes:
    """The episodes a forecast is fitted on (engine days; `end` OPEN while running), with the child's birth day."""

    child: np.ndarray
    form: np.ndarray  # care-form id
    start: np.ndarray
    end: np.ndarray
    birth: np.ndarray  # birth day per child index


@dataclass
class Fit:
    """Monthly transition probabilities and entry rates of one scope."""

    forms: list[int]  # stay care-form ids, the states (index i ↔ forms[i // 3], band i % 3)
    transitions: np.ndarray  # (S, S + 1): to each state, last column home; rows sum to 1
    counts: np.ndarray  # (S, S + 1) observed transitions (person-months)
    entries: np.ndarray  # (S,) entries per month per 1,000 youths
    entry_counts: np.ndarray  # (S,) observed entries over the window
    exposure: float  # thousand-youth-months of the window
    stock: np.ndarray  # (S,) children per state at the end of the last month
    last_month: int  # engine month index of the data date's month
    youths: float  # youths 0-17 of the scope (latest year)
    youths_growth: float = 0.0  # yearly change of the youths (0.01: +1% a year), from the population reference data
    cost_per_day: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (forms,) euro per care day

    @property
    def states(self) -> int:
        return len(self.forms) * len(BANDS)


def month_states(episodes: Episodes, forms: list[int], rungs: dict[int, int], month_ends: np.ndarray) -> np.ndarray:
    """(children, months) state index + 1 of each child at each month end (0 = home): the stay form of highest rung
    active on that day (ties: the higher form id), with the child's age band on that day."""
    n_children = len(episodes.birth)
    out = np.zeros((n_children, len(month_ends)), np.int32)
    form_index = {f: i for i, f in enumerate(forms)}
    stay = np.isin(episodes.form, forms)
    child, form, start, end = episodes.child[stay], episodes.form[stay], episodes.start[stay], episodes.end[stay]
    rung = np.array([rungs[int(f)] for f in form], np.int64) if len(form) else np.zeros(0, np.int64)
    idx = np.array([form_index[int(f)] for f in form], np.int64) if len(form) else np.zeros(0, np.int64)
    b12, b18 = birthday(episodes.birth, 12), birthday(episodes.birth, 18)
    for j, day in enumerate(month_ends):
        active = (start <= day) & (end > day)
        if not active.any():
            continue
        c, key = child[active], rung[active] * 10_000 + idx[active]
        order = np.lexsort((key, c))
        c, chosen = c[order], idx[active][order]
        last = np.append(c[1:] != c[:-1], True)
        c, chosen = c[last], chosen[last]
        band = np.where(day < b12[c], 0, np.where(day < b18[c], 1, 2))
        out[c, j] = chosen * len(BANDS) + band + 1
    return out


def estimate(episodes: Episodes, *, forms: list[int], rungs: dict[int, int], last_month: int, youths_by_month: np.ndarray,
             window: int = WINDOW_MONTHS) -> Fit:
    """Fit transitions and entries over the `window` months up to `last_month` (engine month index). youths_by_month:
    youths 0-17 of the scope in each of the window's months (the first month m of each transition m → m + 1)."""
    months = np.arange(last_month - window, last_month + 1)
    states = month_states(episodes, forms, rungs, month_last_day(months))
    s_count = len(forms) * len(BANDS)
    before, after = states[:, :-1].ravel(), states[:, 1:].ravel()
    in_care = before > 0
    dest = np.where(after > 0, after - 1, s_count)  # home is the last column
    counts = np.zeros((s_count, s_count + 1))
    np.add.at(counts, (before[in_care] - 1, dest[in_care]), 1)
    entered = (before == 0) & (after > 0)
    entry_counts = np.bincount(after[entered] - 1, minlength=s_count).astype(float)
    exposure = float(np.sum(youths_by_month) / 1000.0)
    return Fit(forms=list(forms), transitions=_rows(counts), counts=counts, entries=entry_counts / max(exposure, 1e-9),
               entry_counts=entry_counts, exposure=exposure, stock=np.bincount(states[:, -1][states[:, -1] > 0] - 1,
                                                                                     minlength=s_count).astype(float),
               last_month=int(last_month), youths=float(youths_by_month[-1]) if len(youths_by_month) else 0.0)


def _rows(counts: np.ndarray) -> np.ndarray:
    """Transition probabilities from counts; a state never observed stays where it is."""
    totals = counts.sum(axis=1, keepdims=True)
    probs = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    for i in np.flatnonzero(totals[:, 0] == 0):
        probs[i, i] = 1.0
    return probs


def shrink(local: Fit, region: Fit, *, alpha: float = ALPHA, beta: float = BETA) -> Fit:
    """A municipality's fit drawn towards its region's (empirical Bayes; see the module docstring)."""
    counts = local.counts + alpha * region.transitions
    rate = (local.entry_counts + beta * region.entries) / (local.exposure + beta)
    return Fit(forms=local.forms, transitions=_rows(counts), counts=local.counts, entries=rate, entry_counts=local.entry_counts,
               exposure=local.exposure, stock=local.stock, last_month=local.last_month, youths=local.youths,
               youths_growth=local.youths_growth, cost_per_day=local.cost_per_day if len(local.cost_per_day) else region.cost_per_day)


@dataclass
class Scenario:
    """Changes to a fit from a month on (months ahead, 1 = the first forecast month): entry rates multiplied per
    state (or all), and the probability of staying in a state multiplied (a shorter stay: < 1) — what leaves is
    spread over the row's other destinations in their own proportions."""

    name: str = "basis"
    from_month: int = 1
    entry_factor: dict[int, float] = field(default_factory=dict)  # state index → factor (-1: every state)
    stay_factor: dict[int, float] = field(default_factory=dict)
    youths_growth: float | None = None  # yearly change of the youths over the whole horizon; None: the fit's


def _apply(fit: Fit, scenario: Scenario) -> tuple[np.ndarray, np.ndarray]:
    probs, entries = fit.transitions.copy(), fit.entries.copy()
    for state, factor in scenario.entry_factor.items():
        if state < 0:
            entries *= factor
        else:
            entries[state] *= factor
    for state, factor in scenario.stay_factor.items():
        rows = range(fit.states) if state < 0 else (state,)
        for i in rows:
            stay = probs[i, i]
            new = min(1.0, stay * factor)
            rest = 1.0 - stay
            if rest > 1e-9:
                probs[i, :] *= (1.0 - new) / rest
            else:  # nobody was seen leaving: who leaves now goes home
                probs[i, :] = 0.0
                probs[i, -1] = 1.0 - new
            probs[i, i] = new
    probs = np.clip(probs, 0.0, 1.0)
    return probs / probs.sum(axis=1, keepdims=True), entries


@dataclass
class Result:
    months: list[int]  # engine month indexes of the forecast months
    draws: np.ndarray  # (simulations, months, states) children per state at each month end


def simulate(fit: Fit, *, months: int = 36, simulations: int = SIMULATIONS, scenario: Scenario | None = None,
             seed: int = 2026) -> Result:
    """Step the stock at the data date forward `months` months in `simulations` runs."""
    rng = np.random.default_rng(seed)
    s = fit.states
    base = (fit.transitions, fit.entries)
    changed = _apply(fit, scenario) if scenario is not None else base
    growth = scenario.youths_growth if scenario is not None and scenario.youths_growth is not None else fit.youths_growth
    n = np.tile(fit.stock.astype(np.int64), (simulations, 1))
    out = np.zeros((simulations, months, s), np.int32)
    for t in range(months):
        probs, entries = changed if scenario is not None and t + 1 >= scenario.from_month else base
        youths = fit.youths * (1.0 + growth) ** ((t + 1) / 12.0)
        new = rng.poisson(entries * youths / 1000.0, size=(simulations, s)).astype(np.int64)
        for i in range(s):
            if not n[:, i].any():
                continue
            moved = rng.multinomial(n[:, i], probs[i])
            new += moved[:, :s]
        n = new
        out[:, t, :] = n
    return Result(months=list(range(fit.last_month + 1, fit.last_month + months + 1)), draws=out)


@dataclass
class Solution:
    """The smallest change of a lever that reaches a target: the factor (1 = no change), the forecast it gives at the
    target month (mean, or the chosen quantile), and whether the target is reachable with the lever at all."""

    factor: float
    value: float
    reachable: bool


def solve(fit: Fit, *, states: list[int], target: float, month: int, lever: str = "entries", quantile: float | None = None,
          simulations: int = 400, seed: int = 2026, tolerance: float = 0.005) -> Solution:
    """The largest factor f ≤ 1 on the lever — entries into `states` × f ("entries"), or the probability of staying in
    them × f ("stay") — for which the forecast of the children in `states` at `month` (months ahead) is at most
    `target`: in the mean, or at the given quantile (0.8: with 80% probability). Bisection with the same random
    draws for every factor, so the forecast falls as the factor falls."""
    def value(factor: float) -> float:
        scenario = Scenario(name="doel", entry_factor={s: factor for s in states} if lever == "entries" else {},
                            stay_factor={s: factor for s in states} if lever == "stay" else {})
        draws = simulate(fit, months=month, simulations=simulations, scenario=scenario, seed=seed).draws[:, month - 1, states].sum(axis=1)
        return float(np.quantile(draws, quantile)) if quantile is not None else float(draws.mean())

    if (now := value(1.0)) <= target:
        return Solution(1.0, now, True)
    if (floor := value(0.0)) > target:
        return Solution(0.0, floor, False)
    lo, hi = 0.0, 1.0  # value(lo) <= target < value(hi)
    while hi - lo > tolerance:
        mid = (lo + hi) / 2
        if value(mid) <= target:
            lo = mid
        else:
            hi = mid
    return Solution(lo, value(lo), True)


def summary(draws: np.ndarray) -> dict[str, np.ndarray]:
    """mean and 10/50/90% points over the simulations (axis 0)."""
    return {"mean": draws.mean(axis=0), "p10": np.percentile(draws, 10, axis=0), "p50": np.percentile(draws, 50, axis=0),
            "p90": np.percentile(draws, 90, axis=0)}


def day_number(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def month_of(day: dt.date) -> int:
    return int(days_to_months(np.array([day_number(day)]))[0])


__all__ = ["BANDS", "OPEN", "Episodes", "Fit", "Result", "Scenario", "Solution", "estimate", "month_states", "shrink", "simulate",
           "solve", "summary"]
