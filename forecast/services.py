"""Forecasts of a scope (a region by name, a municipality by CBS code or name, or NL): load the episodes up to the
data date, fit (forecast.model; a municipality drawn towards its region), simulate, and summarise per month, care-form
group and age band with costs."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.utils import timezone

from core.jobs import job_fail
from core.models import JobStatus
from monitoring.engine.calendar import OPEN, month_label, month_last_day
from monitoring.engine.load import load_declarations, load_episodes
from placements.models import CareForm, Municipality, Region

from . import model

HEADER = ["month", "scope", "state", "age_band", "mean", "p10", "p50", "p90", "cost_mean", "cost_p10", "cost_p50", "cost_p90"]


@dataclass
class Scope:
    label: str
    municipalities: set[int] | None  # None: the whole country
    region: Region | None
    municipality: Municipality | None = None


def scope_get(name: str) -> Scope:
    """A region by name, a municipality by CBS code (GM0228) or name, or NL; ValueError when unknown."""
    text = name.strip()
    if text.upper() == "NL":
        return Scope("NL", None, None)
    region = Region.objects.filter(name__iexact=text).first()
    if region is not None:
        return scope_of(region=region)
    muni = (Municipality.objects.filter(cbs_code__iexact=text).first() or Municipality.objects.filter(name__iexact=text).first())
    if muni is not None:
        return scope_of(region=muni.region, municipality=muni)
    raise ValueError(f"Onbekend gebied: {name}")


def scope_of(*, region: Region | None, municipality: Municipality | None = None) -> Scope:
    if municipality is not None:
        return Scope(municipality.cbs_code, {municipality.pk}, region, municipality)
    return Scope(region.name, set(region.municipalities.values_list("pk", flat=True)), region)


def scope_read(scope: Scope, day: dt.date, *, declarations: bool = True):
    """The data a forecast of `scope` needs up to `day`: the episodes (and declarations) of its region's municipalities
    only — a municipality's fit is drawn towards its region's —, all of them for the country."""
    munis = None if scope.region is None else list(scope.region.municipalities.values_list("pk", flat=True))
    ds = load_episodes(data_date=day, municipalities=munis)
    return load_declarations(ds, municipalities=munis) if declarations else ds


def known_at(ds, day: dt.date):
    """`ds` as it was known on `day`: episodes starting later left out, later ends still open (as load_episodes with
    that data date), declarations of later periods left out."""
    cut = model.day_number(day)
    keep = ds.ep_start <= cut
    end = np.where(ds.ep_end > cut + 1, OPEN, ds.ep_end).astype(ds.ep_end.dtype)
    changes = {"ep_child": ds.ep_child[keep], "ep_form": ds.ep_form[keep], "ep_muni": ds.ep_muni[keep], "ep_start": ds.ep_start[keep],
               "ep_end": end[keep], "ep_reason": ds.ep_reason[keep], "data_date": cut}
    if getattr(ds, "ep_provider", None) is not None and len(ds.ep_provider) == len(keep):
        changes["ep_provider"] = ds.ep_provider[keep]
    if len(ds.dec_start):
        d_keep = ds.dec_start <= cut
        changes.update({name: getattr(ds, name)[d_keep] for name in ("dec_child", "dec_form", "dec_muni", "dec_start", "dec_cents", "dec_provider")
                        if len(getattr(ds, name)) == len(d_keep)})
    return ds.derive(keep_memo=("birthdays",), **changes)


def _episodes(ds, munis: set[int] | None) -> model.Episodes:
    """The stay episodes of the scope, with their children numbered 0…n−1 (only children with a stay in the scope: the
    state arrays stay the size of the scope's children in care, not of the country's children)."""
    keep = np.isin(ds.ep_form, np.array([f for f, stay in ds.form_stay.items() if stay], np.int64))
    if munis is not None:
        keep &= np.isin(ds.ep_muni, np.fromiter(munis, np.int64))
    children, child = np.unique(ds.ep_child[keep], return_inverse=True)
    return model.Episodes(child=child.astype(np.int64), form=ds.ep_form[keep], start=ds.ep_start[keep], end=ds.ep_end[keep],
                          birth=ds.child_birth[children])


def _population(ds, munis: set[int] | None) -> dict[int, float]:
    """Youths 0-17 of the scope per year of the population reference data."""
    by_year: dict[int, float] = {}
    for (muni, year), n in ds.population.items():
        if munis is None or muni in munis:
            by_year[year] = by_year.get(year, 0) + n
    return by_year


def _youths(by_year: dict[int, float], months: np.ndarray) -> np.ndarray:
    """Youths 0-17 in each month (the year's figure; a year without one takes the nearest earlier)."""
    years = sorted(by_year)
    if not years:  # no population known: entries are then counted per month (1,000 "youths", rate = entries a month)
        return np.full(len(months), 1000.0)
    out = []
    for m in months:
        year = 1970 + int(m) // 12
        known = [y for y in years if y <= year] or years[:1]
        out.append(by_year[known[-1]])
    return np.array(out, float)


def youths_growth(by_year: dict[int, float], *, until_year: int, years: int = 5) -> float:
    """The yearly change of the youths over the last `years` known years up to `until_year` (geometric mean); 0 with
    fewer than two known years."""
    known = [y for y in sorted(by_year) if y <= until_year and by_year[y] > 0][-years:]
    if len(known) < 2:
        return 0.0
    first, last = known[0], known[-1]
    return float((by_year[last] / by_year[first]) ** (1.0 / (last - first)) - 1.0)


def _fit_of(ds, munis: set[int] | None, forms: list[int], last: int, window: int) -> model.Fit:
    """Transitions, entries and cost per care day of the episodes in `munis` (None: all)."""
    window_months = np.arange(last - window, last)
    episodes = _episodes(ds, munis)
    population = _population(ds, munis)
    fit = model.estimate(episodes, forms=forms, rungs=ds.form_rung, last_month=last, youths_by_month=_youths(population, window_months),
                         window=window)
    fit.youths_growth = youths_growth(population, until_year=1970 + last // 12)
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
    staying a month in each of its states set so that the mean stay L = 1 / (1 − p) becomes L − k months (at least one);
    the youths' yearly growth when the scenario sets one."""
    states = [i * len(model.BANDS) + b for i in groups(forms).get(saved.group, []) for b in range(len(model.BANDS))]
    stay_factor = {}
    if saved.stay_months_shorter:
        for s in states:
            p = float(fit.transitions[s, s])
            if 0 < p < 1:
                longer = max(1.0, 1.0 / (1.0 - p) - saved.stay_months_shorter)
                stay_factor[s] = (1.0 - 1.0 / longer) / p
    start = model.month_of(saved.start) - fit.last_month
    growth = None if saved.population_growth_pct is None else saved.population_growth_pct / 100.0
    return model.Scenario(name=saved.name, from_month=max(1, start),
                          entry_factor={s: 1.0 + saved.entries_pct / 100.0 for s in states} if saved.entries_pct else {},
                          stay_factor=stay_factor, youths_growth=growth)


def cost_index_default() -> float:
    """The yearly indexation of the cost per care day in the base forecast (settings.FORECAST_COST_INDEX_PCT)."""
    return float(getattr(settings, "FORECAST_COST_INDEX_PCT", 3.0)) / 100.0


def costs_apply(fit: model.Fit, region: Region | None) -> dict[str, dict]:
    """The region's own costs per care day (CareDayCost) replace the estimated ones in `fit`; returns per care-form
    code the euro per day and where it comes from ("declaraties" or "ingesteld")."""
    from .models import CareDayCost

    own = {c.care_form_id: float(c.euro_per_day) for c in CareDayCost.objects.filter(region=region)} if region else {}
    codes = dict(CareForm.objects.filter(pk__in=fit.forms).values_list("pk", "code"))
    out = {}
    for i, f in enumerate(fit.forms):
        if f in own:
            fit.cost_per_day[i] = own[f]
        out[codes[f]] = {"euro": round(float(fit.cost_per_day[i]), 2), "source": "ingesteld" if f in own else "declaraties"}
    return out


def summarise(result: model.Result, fit: model.Fit, forms: list[int], *, cost_index: float, simulations: int) -> dict:
    """Per group and age band (all included): the stock's mean, 10/50/90% points and the cost's per month (cost
    indexed by `cost_index` a year from the data date's year on), and per calendar year inside the horizon the
    cost of the year and the stock at its end."""
    months = np.array(result.months)
    ends = month_last_day(months)
    days = (ends - month_last_day(months - 1)).astype(float)
    data_year = 1970 + fit.last_month // 12
    index = (1.0 + cost_index) ** (1970 + months // 12 - data_year)
    draws = result.draws.reshape(simulations, len(months), len(forms), len(model.BANDS)).astype(float)
    cost = draws * fit.cost_per_day[None, None, :, None] * (days * index)[None, :, None, None]
    present = set(months.tolist())
    years = [y for y in sorted({1970 + int(m) // 12 for m in months}) if {(y - 1970) * 12, (y - 1970) * 12 + 11} <= present]
    out: dict[str, dict] = {}
    for group, idx in groups(forms).items():
        if not idx:
            continue
        out[group] = {}
        for b, band in enumerate([*model.BANDS, "all"]):
            stock = draws[:, :, idx, :].sum(axis=2)
            money = cost[:, :, idx, :].sum(axis=2)
            stock = stock.sum(axis=2) if band == "all" else stock[:, :, b]
            money = money.sum(axis=2) if band == "all" else money[:, :, b]
            s, c = model.summary(stock), model.summary(money)
            entry = {k: [round(float(v), 2) for v in s[k]] for k in ("mean", "p10", "p50", "p90")}
            entry.update({f"cost_{k}": [round(float(v), 2) for v in c[k]] for k in ("mean", "p10", "p50", "p90")})
            entry["years"] = {}
            for year in years:
                in_year = (1970 + months // 12) == year
                yearly = money[:, in_year].sum(axis=1)
                end = stock[:, np.flatnonzero(in_year)[-1]]
                entry["years"][str(year)] = {
                    "cost_mean": round(float(yearly.mean()), 2), "cost_p10": round(float(np.percentile(yearly, 10)), 2),
                    "cost_p90": round(float(np.percentile(yearly, 90)), 2), "end_mean": round(float(end.mean()), 2),
                    "end_p10": round(float(np.percentile(end, 10)), 2), "end_p90": round(float(np.percentile(end, 90)), 2)}
            out[group][band] = entry
    return out


def forecast_rows(*, scope_name: str, data_until: dt.date, months: int = 36, simulations: int = model.SIMULATIONS,
                  scenario: model.Scenario | None = None, window: int = model.WINDOW_MONTHS, seed: int = 2026,
                  scenario_name: str = "") -> list[list]:
    """One row per month, group and age band (all included): the stock's mean, 10/50/90% points and the cost's.
    `scenario_name`: a saved scenario of the scope's region (ValueError when it has none of that name)."""
    from .models import ForecastScenario

    scope = scope_get(scope_name)
    ds = scope_read(scope, data_until)
    forms = stay_forms()
    fit = _fit(ds, scope, forms, window)
    costs_apply(fit, scope.region)
    cost_index = cost_index_default()
    if scenario_name:
        saved = ForecastScenario.objects.filter(region=scope.region, name__iexact=scenario_name).first() if scope.region else None
        if saved is None:
            raise ValueError(f"Onbekend scenario voor dit gebied: {scenario_name}")
        scenario = scenario_for(saved, fit, forms)
        cost_index = cost_index if saved.cost_index_pct is None else saved.cost_index_pct / 100.0
    result = model.simulate(fit, months=months, simulations=simulations, scenario=scenario, seed=seed)
    labels = [month_label(m) for m in result.months]
    rows = []
    for group, bands in summarise(result, fit, forms, cost_index=cost_index, simulations=simulations).items():
        for band, e in bands.items():
            for t, label in enumerate(labels):
                rows.append([label, scope.label, group, band, *(e[k][t] for k in ("mean", "p10", "p50", "p90")),
                             *(e[f"cost_{k}"][t] for k in ("mean", "p10", "p50", "p90"))])
    return rows


def stay_forms() -> list[int]:
    """The states' care forms: every form with stay, by rung."""
    return [cf.pk for cf in CareForm.objects.filter(with_stay=True).order_by("rung", "code")]


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
    return backtest_of(scope, now=scope_read(scope, data_until, declarations=False), months=months, simulations=simulations,
                       window=window, seed=seed)


def backtest_of(scope: Scope, *, now, months: int, simulations: int = model.SIMULATIONS, window: int = model.WINDOW_MONTHS,
                seed: int = 2026) -> Backtest:
    """backtest() on data already read up to the data date (`now`, a Dataset)."""
    last = model.month_of(dt.date(1970, 1, 1) + dt.timedelta(days=int(now.data_date)))
    fitted_until = dt.date(1970, 1, 1) + dt.timedelta(days=int(month_last_day(np.array([last - months]))[0]))
    past = known_at(now, fitted_until)
    forms = stay_forms()
    fit = _fit(past, scope, forms, window)
    result = model.simulate(fit, months=months, simulations=simulations, seed=seed)
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


# --------------------------------------------------------------------------------------------- forecast jobs
BACKTEST_MONTHS = (12, 24)


def forecast_create(*, user, run, region: Region, municipality: Municipality | None = None, months: int | None = None,
                    simulations: int = model.SIMULATIONS, window: int = model.WINDOW_MONTHS):
    """A pending forecast of the region (or one of its municipalities) on `run`'s data date. Without `months`: 36, or
    up to the end of the scope's furthest running stock target when that is later (at most 120), so the targets page's
    prognose can come from it."""
    from .models import Forecast
    from .targets import solver_targets

    if months is None:
        ends = [t.period_end for t in solver_targets(region=region, municipality=municipality, run=run)]
        data_month = run.data_date.year * 12 + run.data_date.month
        months = max([36] + [min(120, e.year * 12 + e.month - data_month) for e in ends])
    return Forecast.objects.create(created_by=user, run=run, region=region, municipality=municipality, months=months,
                                   simulations=simulations, window=window, phase="Wacht op verwerking")


def _mark(forecast, *, phase: str, progress: int) -> None:
    type(forecast).objects.filter(pk=forecast.pk).update(phase=phase, progress=progress)


def forecast_build(forecast_id: int, *, seed: int = 2026):
    """Compute a forecast job: read the data up to its run's data date, fit, simulate the base and every saved scenario
    of the region, backtest 12 and 24 months back, and store the outcome with the job. Safe to repeat (a finished one is
    left as it is)."""
    from .models import Forecast, ForecastScenario

    forecast = Forecast.objects.select_related("run", "region", "municipality").get(pk=forecast_id)
    if forecast.finished:
        return forecast
    clock = time.monotonic()
    Forecast.objects.filter(pk=forecast.pk).update(status=JobStatus.RUNNING, started_at=timezone.now(), phase="Gegevens lezen", progress=5)
    scope = scope_of(region=forecast.region, municipality=forecast.municipality)
    ds = scope_read(scope, forecast.run.data_date)
    _mark(forecast, phase="Model schatten", progress=20)
    forms = stay_forms()
    fit = _fit(ds, scope, forms, forecast.window)
    costs = costs_apply(fit, scope.region)
    base_index = cost_index_default()
    saved = list(ForecastScenario.objects.filter(region=forecast.region))
    scenarios = []
    for i, item in enumerate([None, *saved]):
        _mark(forecast, phase=f"Scenario {i + 1} van {len(saved) + 1} doorrekenen", progress=25 + round(45 * i / (len(saved) + 1)))
        scenario = scenario_for(item, fit, forms) if item is not None else None
        index = base_index if item is None or item.cost_index_pct is None else item.cost_index_pct / 100.0
        result = model.simulate(fit, months=forecast.months, simulations=forecast.simulations, scenario=scenario, seed=seed)
        scenarios.append({
            "id": item.pk if item else None, "name": item.name if item else "Basis: niets verandert",
            "description": item.description if item else "", "in_report": item.in_report if item else True,
            "cost_index": index, "youths_growth": fit.youths_growth if scenario is None or scenario.youths_growth is None else scenario.youths_growth,
            "series": summarise(result, fit, forms, cost_index=index, simulations=forecast.simulations)})
    from .targets import solve_target, solver_targets

    solved = []
    states_of = {g: [i * len(model.BANDS) + b for i in idx for b in range(len(model.BANDS))] for g, idx in groups(forms).items()}
    for target in solver_targets(region=forecast.region, municipality=forecast.municipality, run=forecast.run):
        _mark(forecast, phase=f"Doel doorrekenen: {target.name}"[:80], progress=72)
        answer = solve_target(target, run=forecast.run, fit=fit, group_states=states_of)
        if answer is not None:
            solved.append(answer)
    checks = []
    for j, back in enumerate(BACKTEST_MONTHS):
        _mark(forecast, phase=f"Terugtoets {back} maanden", progress=75 + 10 * j)
        b = backtest_of(scope, now=ds, months=back, simulations=forecast.simulations, window=forecast.window, seed=seed)
        checks.append({"months": back, "fitted_until": b.fitted_until.isoformat(), "mape": b.mape, "coverage": b.coverage,
                       "rows": [list(r) for r in b.rows]})
    info = {cf.pk: cf for cf in CareForm.objects.filter(pk__in=forms)}
    result_json = {
        "scope": scope.label, "data_date": forecast.run.data_date.isoformat(), "window": forecast.window,
        "months": [month_label(m) for m in range(fit.last_month + 1, fit.last_month + forecast.months + 1)],
        "forms": {info[f].code: info[f].name for f in forms}, "costs": costs, "youths": fit.youths,
        "youths_growth": fit.youths_growth, "entries_per_month": round(float(fit.entries.sum() * fit.youths / 1000.0), 2),
        "scenarios": scenarios, "backtest": checks, "targets": solved,
    }
    Forecast.objects.filter(pk=forecast.pk).update(result=result_json, status=JobStatus.DONE, phase="Klaar", progress=100,
                                                   finished_at=timezone.now(), seconds=round(time.monotonic() - clock, 2))
    forecast.refresh_from_db()
    return forecast


def forecast_fail(forecast_id: int, message: str) -> None:
    from .models import Forecast

    job_fail(Forecast(pk=forecast_id), message=message)
