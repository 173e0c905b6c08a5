"""Demo forecast scenarios of Food Valley (the board's questions in issue 18) and a forecast of the region on the
latest run, so the forecast page, the targets page's prognose and the report show one."""
from __future__ import annotations

import datetime as dt

from core.models import JobStatus
from forecast import services
from forecast.models import Forecast, ForecastScenario
from monitoring.runs.selectors import run_latest
from placements.models import Region
from placements.reference import FOODVALLEY

SCENARIOS = [
    ("20% minder instroom residentieel", "residential", -20.0, 0.0,
     "Vanaf januari 2027 een vijfde minder kinderen die residentiële zorg in gaan (bijv. door de checklist en RET)."),
    ("Verblijf twee maanden korter", "stay", 0.0, 2.0,
     "Vanaf januari 2027 duurt verblijf gemiddeld twee maanden korter (eerder terug naar huis of afschalen)."),
]


def build_demo_forecast() -> dict[str, int]:
    region = Region.objects.get(name=FOODVALLEY)
    created = 0
    for name, group, entries, shorter, description in SCENARIOS:
        _obj, made = ForecastScenario.objects.get_or_create(
            region=region, name=name, defaults={"group": group, "entries_pct": entries, "stay_months_shorter": shorter,
                                                "description": description, "start": dt.date(2027, 1, 1)})
        created += made
    run = run_latest()
    forecasts = 0
    if run is not None and not Forecast.objects.filter(run=run, region=region, municipality__isnull=True, status=JobStatus.DONE).exists():
        services.forecast_build(services.forecast_create(user=None, run=run, region=region).pk)
        forecasts = 1
    return {"scenario's": created, "prognoses": forecasts}
