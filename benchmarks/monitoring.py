"""Benchmark of the monthly figures at national scale (issue 3). Prints a table; not a test.

Uses the national data set in PostgreSQL built by benchmarks/build_national.py (one million children,
four million episodes or more, all 342 municipalities). Measures, as medians of several runs:
- the read floor: reading all episodes, children and declarations into memory (one process, one table after
  the other: load_dataset);
- a full snapshot run (compute_figures in-process, all regions and the country), alternating with the read
  floor, and the ratio of each pair;
- a one-month incremental run;
- the dashboard's server time (p50/p95 over 50 requests) for one region and for the whole country;
- peak memory of a full run (in a fresh process);
and, for comparison, the straightforward way an analyst would write the stock figure (loop over months
and municipalities, filter, count) on a tenth of the data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fv_bench .venv/bin/python benchmarks/monitoring.py [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foodvalley.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fv_bench")


def setup():
    import django

    django.setup()


def timed(fn, runs: int) -> tuple[float, list[float], object]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times, result


def child_peak_memory(code: str) -> tuple[float, float]:
    """Run `code` in a fresh Python process; return (seconds, peak memory in MB). The memory is the peak of
    the summed proportional set size (PSS) of the process and every process it forks, sampled every 0.2 s
    (a full run on PostgreSQL shares its work between two processes; PSS counts shared pages once)."""
    import psutil

    script = (
        f"import os, sys, time, resource; sys.path.insert(0, {str(ROOT)!r}); os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'foodvalley.settings');"
        f"import django; django.setup(); t = time.perf_counter();\n{code}\n"
        "print('RESULT', time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=os.environ)
    root, peak = psutil.Process(proc.pid), 0.0
    while proc.poll() is None:
        total = 0
        try:
            for p in [root, *root.children(recursive=True)]:
                try:
                    total += p.memory_full_info().pss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
        except psutil.NoSuchProcess:
            break
        peak = max(peak, total / 2**20)
        time.sleep(0.2)
    out = proc.stdout.read()
    if proc.wait() != 0:
        raise RuntimeError("the run in a fresh process failed")
    line = [x for x in out.splitlines() if x.startswith("RESULT")][-1]
    _, secs, mb = line.split()
    return float(secs), max(peak, float(mb))


def naive_stock(ds, months, fraction: float = 0.1):
    """The way an analyst would write it: for every month and municipality, filter the episodes active on
    the last day and count distinct children — on a tenth of the children."""
    import numpy as np

    from monitoring import engine as E

    n_children = len(ds.child_birth)
    keep = ds.ep_child < int(n_children * fraction)
    child, muni, start, end = ds.ep_child[keep], ds.ep_muni[keep], ds.ep_start[keep], ds.ep_end[keep]
    result = {}
    for m in months:
        last = int(E.month_last_day(np.array([m]))[0])
        active = (start <= last) & (end > last)
        for mu in np.unique(muni):
            sel = active & (muni == mu)
            result[(m, int(mu))] = len(np.unique(child[sel]))
    return result


def compare_naive(ds, data_date):
    import datetime as dt

    import numpy as np

    from monitoring import engine as E
    from monitoring.engine import days_to_months

    first = int(days_to_months(ds.ep_start.min(keepdims=True))[0])
    last = int(days_to_months(np.array([(data_date - dt.date(1970, 1, 1)).days]))[0])
    months = list(range(first, last + 1))
    naive_med, _, _ = timed(lambda: naive_stock(ds, months), 1)
    sub = E.subset(ds, set(int(m) for m in np.unique(ds.ep_muni)), levels=("municipality",))
    keep = sub.ep_child < int(len(sub.child_birth) * 0.1)
    fields = {k: v for k, v in sub.__dict__.items() if not k.startswith("_")}
    tenth = E.Dataset(**{**fields, "ep_child": sub.ep_child[keep], "ep_form": sub.ep_form[keep], "ep_muni": sub.ep_muni[keep],
                         "ep_start": sub.ep_start[keep], "ep_end": sub.ep_end[keep], "ep_reason": sub.ep_reason[keep]})
    set_med, _, _ = timed(lambda: E.stock_and_served(tenth, first, last), 1)
    print(f"| analyst's loop (stock, months × municipalities), a tenth of the children | {naive_med:.1f} s | |")
    print(f"| set-wise stock and served (all groups and bands), same tenth | {set_med:.1f} s | ratio {naive_med / max(set_med, 1e-9):.1f}× |")
    return naive_med, set_med


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--naive-only", action="store_true", help="only the analyst's loop against the set-wise stock")
    args = parser.parse_args()
    setup()


    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from accounts.models import Role, User
    from core.periods import last_complete_month_end
    from monitoring.dashboard import recent
    from monitoring.engine.load import load_dataset
    from monitoring.runs import services
    from placements.models import Child, Declaration, Episode, Region

    assert connection.vendor == "postgresql", "run this on PostgreSQL (DATABASE_URL)"
    n_children, n_eps, n_decs = Child.objects.count(), Episode.objects.count(), Declaration.objects.count()
    print(f"data: {n_children:,} children, {n_eps:,} episodes, {n_decs:,} declarations, "
          f"{Episode.objects.values('municipality').distinct().count()} municipalities", flush=True)
    data_date = last_complete_month_end(timezone.localdate())
    rows = []

    if args.naive_only:
        ds = load_dataset(data_date=data_date)
        compare_naive(ds, data_date)
        return
    # the read floor and the full run alternate (read, run, read, run, ...), so that both see the machine in the
    # same state; the ratio is taken per pair and its median reported beside the medians of each
    read_all, full_all, ratios = [], [], []
    for _ in range(args.runs):
        _, (read_s,), ds = timed(lambda: load_dataset(data_date=data_date), 1)
        _, (full_s,), run = timed(lambda: services.run_compute(services.run_create()), 1)
        read_all.append(read_s)
        full_all.append(full_s)
        ratios.append(full_s / read_s)
        print(f"read floor {read_s:.1f} s, full run {full_s:.1f} s ({run.series_count:,} series): {full_s / read_s:.2f}×", flush=True)
    read_med, full_med, ratio_med = statistics.median(read_all), statistics.median(full_all), statistics.median(ratios)
    rows.append(("read floor (all episodes, children, declarations)", read_med, read_all))
    rows.append(("full snapshot run", full_med, full_all))

    month = run.last_month
    month_med, month_all, _ = timed(lambda: services.run_compute_month(base=run, month=month), args.runs)
    rows.append((f"one-month run ({month})", month_med, month_all))
    print(f"one-month run: {month_med:.1f} s", flush=True)

    # dashboard server time
    user, _ = User.objects.get_or_create(username="bench.project", defaults={"role": Role.PROJECT})
    admin, _ = User.objects.get_or_create(username="bench.admin", defaults={"role": Role.ADMIN, "is_superuser": True, "is_staff": True})
    region = Region.objects.get(name="Food Valley")
    user.region = region
    user.save()
    dash = {}
    for name, who, scope in (("region", user, region.name), ("country", admin, "NL")):
        client = Client()
        client.force_login(who, backend="django.contrib.auth.backends.ModelBackend")
        client.get("/monitor/", {"scope": scope})  # warm-up
        times = []
        for _ in range(args.requests):
            recent.clear_all()  # every request builds the page: no per-process cache of figures or series
            t = time.perf_counter()
            resp = client.get("/monitor/", {"scope": scope})
            times.append((time.perf_counter() - t) * 1000)
            assert resp.status_code == 200, resp.status_code
        times.sort()
        dash[name] = (statistics.median(times), times[int(0.95 * (len(times) - 1))])
        print(f"dashboard {name}: p50 {dash[name][0]:.0f} ms, p95 {dash[name][1]:.0f} ms", flush=True)

    secs, peak = child_peak_memory("from monitoring.runs import services; services.run_compute(services.run_create())")
    print(f"full run in a fresh process: {secs:.1f} s, peak memory (all its processes, PSS) {peak:,.0f} MB", flush=True)

    naive_med, set_med = compare_naive(ds, data_date)

    print()
    print("| measurement | median (s) | runs (s) |")
    print("|---|---:|---|")
    for name, med, all_ in rows:
        print(f"| {name} | {med:.1f} | {', '.join(f'{x:.1f}' for x in all_)} |")
    print(f"| full run / read floor, median of the pairs | {ratio_med:.2f}× ({', '.join(f'{r:.2f}' for r in ratios)}) | target ≤ 3× |")
    print(f"| dashboard, one region: p50 / p95 | {dash['region'][0]:.0f} / {dash['region'][1]:.0f} ms | target p95 ≤ 150 ms |")
    print(f"| dashboard, whole country: p50 / p95 | {dash['country'][0]:.0f} / {dash['country'][1]:.0f} ms | target p95 ≤ 400 ms |")
    print(f"| peak memory of a full run | {peak:,.0f} MB | target ≤ 4,096 MB |")
    print(json.dumps({"read": read_med, "full": full_med, "ratio": ratio_med, "month": month_med, "dash": dash, "peak_mb": peak,
                      "naive_tenth": naive_med, "setwise_tenth": set_med}))


if __name__ == "__main__":
    main()
