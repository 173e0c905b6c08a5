"""The forecast model behind targets: the targets page's "prognose" of a stock target is the base forecast's mean
at the end of the target's period (when a finished forecast of its scope is stored with the run and reaches that far),
and the target solver's answers for the forecast page."""
from __future__ import annotations

from core.models import JobStatus
from monitoring.models import Direction, Target
from monitoring.targets import progress

from . import model
from .models import Forecast


def _forecast_of(target: Target, run) -> Forecast | None:
    if target.municipality_id:
        scope = {"region_id": target.municipality.region_id, "municipality": target.municipality}
    elif target.region_id:
        scope = {"region_id": target.region_id, "municipality__isnull": True}
    else:
        return None
    return Forecast.objects.filter(run=run, status=JobStatus.DONE, **scope).order_by("-created_at", "-id").first()


def target_forecast(target: Target, run) -> float | None:
    """The base forecast's mean of the target's stock at its period end's month, or None (not a stock target, no
    finished forecast of its scope on the run, or a period end beyond the forecast's horizon)."""
    if target.metric != "stock" or run is None or target.period_end <= run.data_date:
        return None
    forecast = _forecast_of(target, run)
    if forecast is None:
        return None
    label = f"{target.period_end.year:04d}-{target.period_end.month:02d}"
    result = forecast.result
    if label not in result.get("months", []) or not result.get("scenarios"):
        return None
    entry = result["scenarios"][0]["series"].get(target.group, {}).get(target.band)
    return None if entry is None else float(entry["mean"][result["months"].index(label)])


def register() -> None:
    progress.register_forecaster(target_forecast)


def solver_targets(*, region, municipality, run) -> list[Target]:
    """The active stock targets of the scope with "at most" that end after the data date (the solver's cases)."""
    qs = Target.objects.filter(active=True, metric="stock", direction=Direction.AT_MOST, period_end__gt=run.data_date)
    qs = qs.filter(municipality=municipality) if municipality is not None else qs.filter(region=region, municipality__isnull=True)
    return list(qs.order_by("period_end", "name"))


def solve_target(target: Target, *, run, fit: model.Fit, group_states: dict[str, list[int]], simulations: int = 200) -> dict | None:
    """The smallest change of entries into the target's states and of their length of stay that reaches the target's
    goal by its period end, in the mean and with 80% probability (model.solve). None when the goal is unknown or the
    target's group or band is not one of the forecast's states."""
    goal = progress.target_progress(target, run).goal
    forms_states = group_states.get(target.group)
    if goal is None or forms_states is None:
        return None
    bands = list(model.BANDS)
    states = [s for s in forms_states if target.band == "all" or bands[s % len(bands)] == target.band]
    if not states:
        return None
    end = target.period_end
    months = (end.year - 1970) * 12 + end.month - 1 - fit.last_month
    if months < 1:
        return None
    out = {"target_id": target.pk, "name": target.name, "goal": goal, "period_end": end.isoformat(), "months": months}
    for lever in ("entries", "stay"):
        for key, quantile in (("mean", None), ("p80", 0.8)):
            sol = model.solve(fit, states=states, target=goal, month=months, lever=lever, quantile=quantile,
                              simulations=simulations, tolerance=0.01)
            answer = {"factor": round(sol.factor, 3), "value": round(sol.value, 2), "reachable": sol.reachable}
            if lever == "stay":
                answer["months_shorter"] = round(_months_shorter(fit, states, sol.factor), 1)
            out[f"{lever}_{key}"] = answer
    return out


def _months_shorter(fit: model.Fit, states: list[int], factor: float) -> float:
    """How many months shorter the mean stay L = 1 / (1 − p) becomes when p is multiplied by `factor`, weighted by
    the states' stock (a state without stock by 1)."""
    total = weight_sum = 0.0
    for s in states:
        p = float(fit.transitions[s, s])
        if p >= 1.0:
            continue
        weight = max(float(fit.stock[s]), 1.0)
        total += weight * (1.0 / (1.0 - p) - 1.0 / (1.0 - p * factor))
        weight_sum += weight
    return total / weight_sum if weight_sum else 0.0

