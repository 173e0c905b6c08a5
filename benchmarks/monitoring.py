"""Benchmark of the monthly figures at national scale. Prints a table; not a test.

Uses the national data set in PostgreSQL built by benchmarks/build_national.py (one million children,
four million episodes or more, all 342 municipalities). Measures, as medians of several runs:
- the read floor: reading all episodes, children and declarations into memory (one process, one table after
  the other: load_dataset);
- a full snapshot run the way users start one (the run task on a queue), taken by a real Celery worker with two
  processes against Redis (started by this script), alternating with the read floor, and the ratio of each pair;
- the peak memory of each worker process during a run (PSS, sampled every 0.2 s);
- the dashboard's server time (p50/p95 over 50 requests) for one region and for the whole country;
and, for comparison, the straightforward way an analyst would write the stock figure (loop over months
and municipalities, filter, count) on a tenth of the data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fv_bench .venv/bin/python benchmarks/monitoring.py [--runs 3]

Redis: BENCH_BROKER (default redis://127.0.0.1:6379/13); the worker's queue is its own, so nothing else takes its tasks.
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
BROKER = os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/13")
os.environ["CELERY_BROKER_URL"] = BROKER  # this process publishes the run task; the worker below takes it
QUEUE = f"bench-{os.getpid()}"


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


class Worker:
    """`celery worker --concurrency 2` on its own queue, as a region would run it; samples the PSS of each of its
    processes while a run is computed."""

    def __init__(self, log: str | None = None):
        # with a log file, the worker's INFO lines there: each part's series and seconds
        out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - open for the worker's lifetime
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "foodvalley", "worker", "-c", "2", "-Q", QUEUE, "--without-gossip",
             "--without-mingle", "--without-heartbeat", "-l", "INFO" if log else "WARNING"],
            cwd=ROOT, env=os.environ | {"CELERY_BROKER_URL": BROKER}, stdout=out, stderr=subprocess.STDOUT)
        time.sleep(8)  # the worker and its two processes are up

    def run(self, run_id: int) -> tuple[float, dict[int, float]]:
        """Send the run task and wait until the run is done; returns (seconds, {pid: peak PSS MB}) of the worker's
        processes."""
        import psutil

        from monitoring.models import RunStatus, SnapshotRun
        from monitoring.runs.tasks import compute_snapshot

        root = psutil.Process(self.proc.pid)
        peaks: dict[int, float] = {}
        rss_high: dict[int, int] = {}
        started = time.perf_counter()
        compute_snapshot.apply_async(args=[run_id], queue=QUEUE)
        while True:
            status = SnapshotRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
            if status in (RunStatus.DONE, RunStatus.FAILED):
                break
            for p in root.children(recursive=True):
                try:
                    # PSS walks the whole address space (~35 ms for a process of 1.5 GB, which the worker would pay
                    # for in page-table lock waits too): read it only when the cheap RSS reaches a new high
                    rss = p.memory_info().rss
                    if rss > rss_high.get(p.pid, 0):
                        rss_high[p.pid] = rss
                        peaks[p.pid] = max(peaks.get(p.pid, 0.0), p.memory_full_info().pss / 2**20)
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        if status != RunStatus.DONE:
            raise RuntimeError(SnapshotRun.objects.get(pk=run_id).message)
        return seconds, peaks

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)


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
    keep = ds.ep_child < int(len(ds.child_birth) * 0.1)
    tenth = ds.derive(ep_child=ds.ep_child[keep], ep_form=ds.ep_form[keep], ep_muni=ds.ep_muni[keep], ep_start=ds.ep_start[keep],
                      ep_end=ds.ep_end[keep], ep_reason=ds.ep_reason[keep], levels=("municipality",))
    set_med, _, _ = timed(lambda: E.stock_and_served(tenth, first, last), 1)
    print(f"| analyst's loop (stock, months × municipalities), a tenth of the children | {naive_med:.1f} s | |")
    print(f"| set-wise stock and served (all groups and bands), same tenth | {set_med:.1f} s | ratio {naive_med / max(set_med, 1e-9):.1f}× |")
    return naive_med, set_med


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--naive-only", action="store_true", help="only the analyst's loop against the set-wise stock")
    parser.add_argument("--worker-log", help="write the worker's log (each part's series and seconds) to this file")
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
    read_all, full_all, ratios, peaks = [], [], [], []
    worker = Worker(args.worker_log)
    try:
        for _ in range(args.runs):
            _, (read_s,), ds = timed(lambda: load_dataset(data_date=data_date), 1)
            del ds
            run = services.run_create()
            full_s, peak = worker.run(run.pk)
            run.refresh_from_db()
            read_all.append(read_s)
            full_all.append(full_s)
            ratios.append(full_s / read_s)
            peaks.append(max(peak.values()))
            print(f"read floor {read_s:.1f} s, full run {full_s:.1f} s ({run.series_count:,} series): {full_s / read_s:.2f}×; "
                  f"worker processes peak {', '.join(f'{mb:,.0f}' for mb in sorted(peak.values()))} MB", flush=True)
    finally:
        worker.stop()
    read_med, full_med, ratio_med = statistics.median(read_all), statistics.median(full_all), statistics.median(ratios)
    rows.append(("read floor (all episodes, children, declarations)", read_med, read_all))
    rows.append(("full snapshot run, real worker of 2 processes on Redis", full_med, full_all))
    ds = load_dataset(data_date=data_date)

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

    peak = max(peaks)
    naive_med, set_med = compare_naive(ds, data_date)

    print()
    print("| measurement | median (s) | runs (s) |")
    print("|---|---:|---|")
    for name, med, all_ in rows:
        print(f"| {name} | {med:.1f} | {', '.join(f'{x:.1f}' for x in all_)} |")
    print(f"| full run / read floor, median of the pairs | {ratio_med:.2f}× ({', '.join(f'{r:.2f}' for r in ratios)}) | target ≤ 3× (goal 2×) |")
    print(f"| dashboard, one region: p50 / p95 | {dash['region'][0]:.0f} / {dash['region'][1]:.0f} ms | target p95 ≤ 150 ms |")
    print(f"| dashboard, whole country: p50 / p95 | {dash['country'][0]:.0f} / {dash['country'][1]:.0f} ms | target p95 ≤ 400 ms |")
    print(f"| peak memory of a worker process during a run (PSS; the highest of the runs) | {peak:,.0f} MB | target ≤ 2,048 MB |")
    print(json.dumps({"read": read_med, "full": full_med, "ratio": ratio_med, "dash": dash, "peak_mb": peak, "peaks": peaks,
                      "naive_tenth": naive_med, "setwise_tenth": set_med}))


if __name__ == "__main__":
    main()
