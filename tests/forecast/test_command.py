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
