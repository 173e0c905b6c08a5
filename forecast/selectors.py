"""Reads of forecasts: which scopes a user may forecast, the latest forecast of a scope on a run, a forecast by id."""
from __future__ import annotations

from dataclasses import dataclass

from accounts.roles import is_admin, is_project_with_region
from core.models import JobStatus
from placements.models import Municipality, Region
from placements.selectors import region_delivering

from .models import Forecast, ForecastScenario


@dataclass(frozen=True)
class Choice:
    key: str  # the region's name or the municipality's CBS code (FigureSeries.scope)
    label: str
    region: Region
    municipality: Municipality | None


def forecast_scopes(*, user) -> list[Choice]:
    """The project team's region and its municipalities; every region and municipality for an administrator."""
    if is_project_with_region(user):
        regions = list(Region.objects.filter(pk=user.scope_region_id).prefetch_related("municipalities"))
    elif is_admin(user):  # the region that delivers data first (the page opens on the first choice)
        first = region_delivering()
        regions = sorted(Region.objects.prefetch_related("municipalities"), key=lambda r: (r != first, r.name))
    else:
        return []
    out = []
    for region in regions:
        out.append(Choice(region.name, str(region), region, None))
        out += [Choice(m.cbs_code, f"{m.name} ({m.cbs_code})", region, m) for m in sorted(region.municipalities.all(), key=lambda m: m.name)]
    return out


def forecast_latest(*, run, choice: Choice, done_only: bool = False) -> Forecast | None:
    """The newest forecast of the scope on `run` (the newest finished one with done_only)."""
    qs = Forecast.objects.filter(run=run, region=choice.region, municipality=choice.municipality)
    if done_only:
        qs = qs.filter(status=JobStatus.DONE)
    return qs.select_related("run", "region", "municipality").order_by("-created_at", "-id").first()


def forecast_get(*, user, pk: int) -> Forecast | None:
    """A forecast of a scope the user may forecast, else None."""
    forecast = Forecast.objects.select_related("run", "region", "municipality").filter(pk=pk).first()
    if forecast is None:
        return None
    keys = {c.key for c in forecast_scopes(user=user)}
    return forecast if forecast.scope_key in keys else None


def scenario_list(*, region: Region) -> list[ForecastScenario]:
    return list(ForecastScenario.objects.filter(region=region))


def scenario_get(*, user, pk: int) -> ForecastScenario | None:
    scenario = ForecastScenario.objects.select_related("region").filter(pk=pk).first()
    if scenario is None:
        return None
    regions = {c.region.pk for c in forecast_scopes(user=user)}
    return scenario if scenario.region_id in regions else None
