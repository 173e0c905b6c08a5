"""Forecasts of a scope (a region by name, a municipality by CBS code or name, or NL): load the episodes up to the
data date, fit (forecast.model; a municipality drawn towards its region), simulate, and summarise per month, care-form
group and age band with costs."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from monitoring.engine.calendar import month_label, month_last_day
from monitoring.engine.load import load_declarations, load_episodes
from placements.models import CareForm, Municipality, Region

from . import model

HEADER = ["month", "scope", "state", "age_band", "mean", "p10", "p50", "p90", "cost_mean", "cost_p10", "cost_p50", "cost_p90"]


@dataclass
class Scope:
    label: str
    municipalities: set[int] | None  # None: the whole country
    region: Region | None


def scope_get(name: str) -> Scope:
    """A region by name, a municipality by CBS code (GM0228) or name, or NL; ValueError when unknown."""
    text = name.strip()
    if text.upper() == "NL":
        return Scope("NL", None, None)
    region = Region.objects.filter(name__iexact=text).first()
    if region is not None:
        return Scope(region.name, set(region.municipalities.values_list("pk", flat=True)), region)
    muni = (Municipality.objects.filter(cbs_code__iexact=text).first() or Municipality.objects.filter(name__iexact=text).first())
    if muni is not None:
        return Scope(muni.cbs_code, {muni.pk}, muni.region)
    raise ValueError(f"Onbekend gebied: {name}")


def _episodes(ds, munis: set[int] | None) -> model.Episodes:
    keep = np.ones(len(ds.ep_child), bool) if munis is None else np.isin(ds.ep_muni, list(munis))
    return model.Episodes(child=ds.ep_child[keep], form=ds.ep_form[keep], start=ds.ep_start[keep], end=ds.ep_end[keep],
                          birth=ds.child_birth)


def _youths(ds, munis: set[int] | None, months: np.ndarray) -> np.ndarray:
    """Youths 0-17 of the scope in each month (the year's figure; a year without one takes the nearest earlier)."""
    by_year: dict[int, float] = {}
    for (muni, year), n in ds.population.items():
        if munis is None or muni in munis:
            by_year[year] = by_year.get(year, 0) + n
    years = sorted(by_year)
    if not years:  # no population known: entries are then counted per month (1,000 "youths", rate = entries a month)
        return np.full(len(months), 1000.0)
    out = []
    for m in months:
        year = 1970 + int(m) // 12
        known = [y for y in years if y <= year] or years[:1]
        out.append(by_year[known[-1]] if known else 0.0)
    return np.array(out, float)


def _fit_of(ds, munis: set[int] | None, forms: list[int], last: int, window: int) -> model.Fit:
    """Transitions, entries and cost per care day of the episodes in `munis` (None: all)."""
    window_months = np.arange(last - window, last)
    episodes = _episodes(ds, munis)
    fit = model.estimate(episodes, forms=forms, rungs=ds.form_rung, last_month=last, youths_by_month=_youths(ds, munis, window_months),
                         window=window)
    fit.cost_per_day = _cost_per_day(ds, munis, forms, window_months, episodes)
    return fit


def _fit(ds, scope: Scope, forms: list[int], window: int) -> model.Fit:
    """The scope's fit; a single municipality's drawn towards its region's (model.shrink)."""
    last = int(model.month_of(dt.date(1970, 1, 1) + dt.timedelta(days=int(ds.data_date))))
    fit = _fit_of(ds, scope.municipalities, forms, last, window)
    if scope.municipalities is not None and len(scope.municipalities) == 1 and scope.region is not None:
        region_munis = set(scope.region.municipalities.values_list("pk", flat=True))
        fit = model.shrink(fit, _fit_of(ds, region_munis, forms, last, window))
    return fit


def _cost_per_day(ds, munis: set[int] | None, forms: list[int], months: np.ndarray, episodes: model.Episodes) -> np.ndarray:
    """Euro per care day per form over the window: declared amounts / (stock at each month end × days of the month)."""
    if not len(ds.dec_form):
        return np.zeros(len(forms))
    ends = month_last_day(months)
    first = int(month_last_day(months[:1] - 1)[0]) + 1
    keep = (ds.dec_start >= first) & (ds.dec_start <= ends[-1])
    if munis is not None:
        keep &= np.isin(ds.dec_muni, list(munis))
    cents = {f: float(ds.dec_cents[keep & (ds.dec_form == f)].sum()) for f in forms}
    states = model.month_states(episodes, forms, ds.form_rung, ends)
    days_in = (ends - month_last_day(months - 1)).astype(float)
    out = []
    for i, f in enumerate(forms):
        in_form = ((states - 1) // len(model.BANDS) == i) & (states > 0)
        care_days = float((in_form.sum(axis=0) * days_in).sum())
        out.append(cents[f] / 100 / care_days if care_days else 0.0)
    return np.array(out)


def groups(forms: list[int]) -> dict[str, list[int]]:
    """The care-form groups of the figure export → indexes of the forms in them."""
    info = {cf.pk: cf for cf in CareForm.objects.filter(pk__in=forms)}
    out = {"stay": list(range(len(forms)))}
    out["family_based"] = [i for i, f in enumerate(forms) if info[f].family_based]
    out["residential"] = [i for i, f in enumerate(forms) if info[f].rung >= 5]
    for i, f in enumerate(forms):
        out[info[f].code] = [i]
    return out


def scenario_for(saved, fit: model.Fit, forms: list[int]) -> model.Scenario:
    """A saved ForecastScenario in the model's terms: entries into the group's states × (1 + pct/100); the chance of
    staying a month in each of its states set so that the mean stay L = 1 / (1 − p) becomes L − k months (at least one)."""
    states = [i * len(model.BANDS) + b for i in groups(forms).get(saved.group, []) for b in range(len(model.BANDS))]
    stay_factor = {}
    if saved.stay_months_shorter:
        for s in states:
            p = float(fit.transitions[s, s])
            if 0 < p < 1:
                longer = max(1.0, 1.0 / (1.0 - p) - saved.stay_months_shorter)
                stay_factor[s] = (1.0 - 1.0 / longer) / p
    start = model.month_of(saved.start) - fit.last_month
    return model.Scenario(name=saved.name, from_month=max(1, start),
                          entry_factor={s: 1.0 + saved.entries_pct / 100.0 for s in states} if saved.entries_pct else {},
                          stay_factor=stay_factor)


def forecast_rows(*, scope_name: str, data_until: dt.date, months: int = 36, simulations: int = model.SIMULATIONS,
                  scenario: model.Scenario | None = None, window: int = model.WINDOW_MONTHS, seed: int = 2026,
                  scenario_name: str = "") -> list[list]:
    """One row per month, group and age band (all included): the stock's mean, 10/50/90% points and the cost's.
    `scenario_name`: a saved scenario of the scope's region (ValueError when it has none of that name)."""
    from .models import ForecastScenario

    scope = scope_get(scope_name)
    ds = load_declarations(load_episodes(data_date=data_until))
    forms = [cf.pk for cf in CareForm.objects.filter(with_stay=True).order_by("rung", "code")]
    fit = _fit(ds, scope, forms, window)
    if scenario_name:
        saved = ForecastScenario.objects.filter(region=scope.region, name__iexact=scenario_name).first() if scope.region else None
        if saved is None:
            raise ValueError(f"Onbekend scenario voor dit gebied: {scenario_name}")
        scenario = scenario_for(saved, fit, forms)
    result = model.simulate(fit, months=months, simulations=simulations, scenario=scenario, seed=seed)
    draws = result.draws.reshape(simulations, months, len(forms), len(model.BANDS)).astype(float)
    ends = month_last_day(np.array(result.months))
    days = (ends - month_last_day(np.array(result.months) - 1)).astype(float)
    cost = draws * fit.cost_per_day[None, None, :, None] * days[None, :, None, None]
    rows = []
    for group, idx in groups(forms).items():
        if not idx:
            continue
        for b, band in enumerate([*model.BANDS, "all"]):
            stock = draws[:, :, idx, :].sum(axis=2)
            money = cost[:, :, idx, :].sum(axis=2)
            stock = stock.sum(axis=2) if band == "all" else stock[:, :, b]
            money = money.sum(axis=2) if band == "all" else money[:, :, b]
            s, c = model.summary(stock), model.summary(money)
            for t, m in enumerate(result.months):
                rows.append([month_label(m), scope.label, group, band, *(round(float(s[k][t]), 2) for k in ("mean", "p10", "p50", "p90")),
                             *(round(float(c[k][t]), 2) for k in ("mean", "p10", "p50", "p90"))])
    return rows


@dataclass
class Backtest:
    """How the model fitted `months` months before the data date did against what happened."""

    fitted_until: dt.date
    months: int
    mape: float | None  # mean absolute percentage error of the stock in stay care (all forms, all ages) per month
    coverage: float  # share of (month, care form) where the truth fell inside the 10–90% band
    rows: list[tuple[str, float, float, float, float]]  # month, actual, mean, p10, p90 (stay, all ages)


def backtest(*, scope_name: str, data_until: dt.date, months: int = 12, simulations: int = model.SIMULATIONS,
             window: int = model.WINDOW_MONTHS, seed: int = 2026) -> Backtest:
    """Fit on the data known `months` months before `data_until` (later starts ignored, later ends still open), forecast
    `months` months, and compare with the stock that the data up to `data_until` shows at each month's end."""
    scope = scope_get(scope_name)
    last = model.month_of(data_until)
    fitted_until = dt.date(1970, 1, 1) + dt.timedelta(days=int(month_last_day(np.array([last - months]))[0]))
    past = load_declarations(load_episodes(data_date=fitted_until))
    forms = [cf.pk for cf in CareForm.objects.filter(with_stay=True).order_by("rung", "code")]
    fit = _fit(past, scope, forms, window)
    result = model.simulate(fit, months=months, simulations=simulations, seed=seed)
    now = load_episodes(data_date=data_until)
    actual_states = model.month_states(_episodes(now, scope.municipalities), forms, now.form_rung, month_last_day(np.array(result.months)))
    per_form = np.zeros((months, len(forms)))
    for i in range(len(forms)):
        in_form = ((actual_states - 1) // len(model.BANDS) == i) & (actual_states > 0)
        per_form[:, i] = in_form.sum(axis=0)
    draws = result.draws.reshape(simulations, months, len(forms), len(model.BANDS)).sum(axis=3).astype(float)
    p10, p90 = np.percentile(draws, 10, axis=0), np.percentile(draws, 90, axis=0)
    inside = (per_form >= p10) & (per_form <= p90)
    present = (per_form > 0) | (draws.mean(axis=0) > 0.5)  # forms nobody is in, in forecast or truth, do not count
    total_actual, total = per_form.sum(axis=1), draws.sum(axis=2)
    mean = total.mean(axis=0)
    errors = [abs(m - a) / a for m, a in zip(mean, total_actual, strict=True) if a > 0]
    rows = [(month_label(m), float(a), float(mu), float(lo), float(hi)) for m, a, mu, lo, hi in
            zip(result.months, total_actual, mean, np.percentile(total, 10, axis=0), np.percentile(total, 90, axis=0), strict=True)]
    return Backtest(fitted_until=fitted_until, months=months, mape=float(np.mean(errors)) if errors else None,
                    coverage=float(inside[present].mean()) if present.any() else 0.0, rows=rows)
