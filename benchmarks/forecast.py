#!/usr/bin/env python
"""The forecast's speed (issue 18, item 7) on the national data set (DATABASE_URL, default fv_bench):

- one region (Food Valley), 36 months, 1,000 simulations, as a forecast job does it: reading the region's rows only,
  fitting (with its costs) and simulating, median of `--runs`;
- every region and the country, one after the other on the whole country's data read once (fit + simulate each),
  with and without that reading.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fv_bench .venv/bin/python benchmarks/forecast.py --runs 3
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foodvalley.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fv_bench")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--region", default="Food Valley")
    args = parser.parse_args()
    import django

    django.setup()
    from django.utils import timezone

    from core.periods import last_complete_month_end
    from forecast import model, services
    from monitoring.engine.load import load_declarations, load_episodes
    from placements.models import CareForm, Region

    until = last_complete_month_end(timezone.localdate())
    forms = [cf.pk for cf in CareForm.objects.filter(with_stay=True).order_by("rung", "code")]

    def alone(name: str) -> tuple[float, float]:
        """One scope as a forecast job reads it: its region's rows only, then fit + simulate."""
        started = time.perf_counter()
        scope = services.scope_get(name)
        data = services.scope_read(scope, until)
        read = time.perf_counter() - started
        fit = services._fit(data, scope, forms, model.WINDOW_MONTHS)
        model.simulate(fit, months=36, simulations=1000)
        return time.perf_counter() - started, read

    region = [alone(args.region) for _ in range(args.runs)]
    t = time.perf_counter()
    ds = load_declarations(load_episodes(data_date=until))
    read_s = time.perf_counter() - t

    def one(name: str) -> float:
        started = time.perf_counter()
        fit = services._fit(ds, services.scope_get(name), forms, model.WINDOW_MONTHS)
        model.simulate(fit, months=36, simulations=1000)
        return time.perf_counter() - started

    t = time.perf_counter()
    names = [r.name for r in Region.objects.order_by("name")] + ["NL"]
    for name in names:
        one(name)
    all_s = time.perf_counter() - t
    totals = [x for x, _r in region]
    print(f"| one region ({args.region}), 36 months, 1,000 simulations: reading its rows + fit + simulate, median of {args.runs} | "
          f"{statistics.median(totals):.2f} s ({', '.join(f'{x:.2f}' for x in totals)}; reading "
          f"{statistics.median([r for _x, r in region]):.2f} s) | target ≤ 5 s |")
    print(f"| reading all episodes and declarations (national) | {read_s:.1f} s |")
    print(f"| every region ({len(names) - 1}) and the country, one after the other, on the data read once | {all_s:.1f} s "
          f"(+ reading: {all_s + read_s:.1f} s) | target ≤ 60 s |")

if __name__ == "__main__":
    main()
