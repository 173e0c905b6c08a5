"""`manage.py forecast` end to end on a small region: one row per month, group and band, costs from declarations."""
from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from placements.models import Child, Declaration, Episode

pytestmark = pytest.mark.django_db
D = dt.date


def test_it_writes_a_forecast_per_month_group_and_band(tmp_path, ede, care_forms, provider):
    for n in range(12):  # twelve children in residential care since 2024, two go home each quarter
        child = Child.objects.create(pseudonym=f"fc-{n:04d}" + "0" * 56, birth_date=D(2012, 1, 1), municipality=ede)
        end = D(2025, 1 + 3 * (n % 4), 1) if n < 8 else None
        Episode.objects.create(child=child, care_form=care_forms["RES"], provider=provider, municipality=ede, start_date=D(2024, 1, 1), end_date=end)
        Declaration.objects.create(child=child, care_form=care_forms["RES"], provider=provider, municipality=ede, source_id=f"fc{n}",
                                   period_start=D(2025, 6, 1), period_end=D(2025, 6, 30), amount=Decimal("3000.00"))
    out = tmp_path / "forecast.csv"
    call_command("forecast", scope="Food Valley", data_until="2025-12-31", months=6, simulations=200, out=str(out))
    rows = list(csv.DictReader(out.open()))
    assert rows[0].keys() == {"month", "scope", "state", "age_band", "mean", "p10", "p50", "p90", "cost_mean", "cost_p10", "cost_p50", "cost_p90"}
    stay = [r for r in rows if r["state"] == "stay" and r["age_band"] == "all"]
    assert [r["month"] for r in stay] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert all(r["scope"] == "Food Valley" for r in rows)
    first, last = float(stay[0]["mean"]), float(stay[-1]["mean"])
    # four in care at the data date; the window saw twelve entries (January 2024) and eight exits, so a month later the
    # mean is near four, and it stays within a few children over half a year
    assert abs(first - 4) < 1.5 and 0 <= last < 8
    assert float(stay[0]["p10"]) <= float(stay[0]["p50"]) <= float(stay[0]["p90"])
    res = [r for r in rows if r["state"] == "RES" and r["age_band"] == "12-17"]
    assert res and float(res[0]["cost_mean"]) > 0  # a cost per care day from June's declarations
    with pytest.raises(CommandError, match="Onbekend gebied"):
        call_command("forecast", scope="Atlantis", out=str(out))


def test_a_saved_scenario_changes_the_forecast_from_its_month(tmp_path, ede, care_forms, provider):
    """Residential care with steady entries: "20% fewer entries and stays two months shorter from April 2026" gives the
    same forecast as the base until March and fewer children from April on."""
    from forecast.models import ForecastScenario

    n = 0
    for month in range(1, 25):  # two children enter residential care each month of 2024 and 2025, each stays 8 months
        for _ in range(2):
            child = Child.objects.create(pseudonym=f"sc-{n:04d}" + "0" * 56, birth_date=D(2012, 1, 1), municipality=ede)
            start = D(2024 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
            end_month = month + 8
            end = D(2024 + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1) if end_month <= 24 else None
            Episode.objects.create(child=child, care_form=care_forms["RES"], provider=provider, municipality=ede, start_date=start, end_date=end)
            n += 1
    ForecastScenario.objects.create(region=ede.region, name="Minder en korter", start=D(2026, 4, 1), group="residential",
                                    entries_pct=-20, stay_months_shorter=2)

    def stay(scenario: str = "") -> list[float]:
        out = tmp_path / f"f{scenario or 'base'}.csv"
        call_command("forecast", scope="Food Valley", data_until="2025-12-31", months=9, simulations=300, out=str(out), scenario=scenario)
        return [float(r["mean"]) for r in csv.DictReader(out.open()) if r["state"] == "residential" and r["age_band"] == "all"]

    base, changed = stay(), stay("minder en korter")
    assert changed[:3] == base[:3]  # January to March: the same draws
    assert all(c < b for c, b in zip(changed[4:], base[4:], strict=True))  # from May on visibly lower
    with pytest.raises(CommandError, match="Onbekend scenario"):
        call_command("forecast", scope="Food Valley", data_until="2025-12-31", out=str(tmp_path / "x.csv"), scenario="Bestaat niet")
