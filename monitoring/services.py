"""Snapshot runs: compute all figures and store them as series, per region (so workers can share the
work) and for the whole country. Every task replaces exactly its own series in one transaction, so a
failed or repeated task leaves no partial or double figures."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef
from django.utils import timezone

from placements.models import Declaration, Episode, Municipality, Region

from . import engine, registry, store
from . import series as series_mod
from .data import last_complete_month_end, load_children, load_dataset, load_declarations, load_episodes
from .memory import reuse_freed_memory
from .models import FigurePatch, FigureSeries, RunStatus, SnapshotRun

Progress = Callable[[str], None]
logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------------- series
#: The parts of the figures that can be computed apart: the monthly parts of the engine, the cohorts and the
#: yearly cost figures.
FIGURE_PARTS = (*engine.MONTHLY_PARTS, "cohort", "yearly")


def figure_frames(ds: engine.Dataset, breakdown_reasons: tuple[int, ...] = engine.DROPOUT_REASONS, *, keep=None,
                  part: str = "all") -> Iterator[pd.DataFrame]:
    """Monthly, cohort and yearly figures of a dataset, metric by metric (a frame per level, or one for all
    levels; each series lies wholly in one frame), with stock_per_1000 next to stock. `keep(frame)` filters
    rows (a region task keeps its own scopes). Frames are made and handed out one metric at a time, so a run
    never holds every figure twice. `part`: "all" or one of FIGURE_PARTS."""
    keep = keep or (lambda f: f)
    engine.presort(ds)
    parts = FIGURE_PARTS if part == "all" else (part,)
    by_metric: dict[str, list[pd.DataFrame]] = {}
    for name in parts:
        if name in engine.MONTHLY_PARTS:
            for f in engine.monthly_frames(ds, part=name):
                by_metric.setdefault(f["metric"].iat[0], []).append(keep(f))
        elif name in ("cohort", "yearly"):
            if name == "cohort":
                extra = engine.cohort_figures(ds, ds.last_month, engine.breakdown_episodes(ds, breakdown_reasons=breakdown_reasons))
            else:
                extra = engine.yearly_cost_figures(ds, ds.last_month)
            extra = extra[extra["level"].isin(ds.levels)] if not extra.empty else extra
            for metric, f in extra.groupby("metric", sort=False):
                by_metric.setdefault(metric, []).append(keep(f))
        else:
            raise ValueError(f"unknown part of the figures: {name}")
    stock = by_metric.get("stock")
    if stock:
        rates = series_mod.per_1000_frame(pd.concat(stock, ignore_index=True), ds)
        if not rates.empty:
            by_metric["stock_per_1000"] = [rates]
    for metric in list(by_metric):
        # the parts of a metric (one per level, or one for all levels) hold whole series each
        yield from (f for f in by_metric.pop(metric) if not f.empty)


def compute_series(ds: engine.Dataset, *, keep=None, labels: series_mod.Labels | None = None) -> Iterator[tuple]:
    labels = labels or series_mod.Labels()
    for frame in figure_frames(ds, keep=keep):
        yield from series_mod.frame_series(frame, labels)


def _scope_munis(region: Region | None) -> dict[str, list[int]]:
    if region is None:
        return {"NL": list(Municipality.objects.values_list("id", flat=True))}
    munis = list(region.municipalities.values_list("id", "cbs_code"))
    out = {code: [mid] for mid, code in munis}
    out[region.name] = [mid for mid, _ in munis]
    return out


def _write_series(run: SnapshotRun, scopes: list[str] | None, *streams: Iterable[tuple]) -> int:
    """Replace the run's series (of `scopes`, or all) by the streamed ones, in one transaction."""
    with transaction.atomic():
        old = FigureSeries.objects.filter(run=run)
        if scopes is not None:
            old = old.filter(scope__in=scopes)
        old.delete()
        writer = series_mod.SeriesWriter(run)
        for stream in streams:
            writer.add(stream)
        writer.flush()
    return writer.count


def compute_region(run: SnapshotRun, region: Region, ds: engine.Dataset | None = None) -> int:
    """Figures of one region and its municipalities; replaces that region's series of the run."""
    ds = ds or load_dataset(data_date=run.data_date)
    munis = set(region.municipalities.values_list("id", flat=True))
    with reuse_freed_memory():
        sub = engine.subset(ds, munis)
        keep = lambda f: engine.keep_scopes(f, munis, region.id)  # noqa: E731
        return _write_series(run, list(_scope_munis(region)), compute_series(sub, keep=keep),
                             registry.provided_series(data_date=run.data_date, region=region))


def compute_country(run: SnapshotRun, ds: engine.Dataset | None = None) -> int:
    ds = ds or load_dataset(data_date=run.data_date)
    ds.levels = ("country",)
    with reuse_freed_memory():
        return _write_series(run, ["NL"], compute_series(ds), registry.provided_series(data_date=run.data_date, region=None))


def _data_seen() -> dict:
    """What a run sees, in one scan per table: counts, latest changes and the first month with data."""
    e = Episode.objects.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"), first=Min("start_date"))
    d = Declaration.objects.aggregate(n=Count("id"), top=Max("id"), first=Min("period_start"))
    raw = f"{e['n']}|{e['last']}|{e['top']}|{d['n']}|{d['top']}"
    firsts = [x for x in (e["first"], d["first"]) if x]
    return {"episodes": e["n"], "declarations": d["n"], "fingerprint": hashlib.sha256(raw.encode()).hexdigest()[:16],
            "first": min(firsts) if firsts else None}


def run_create(*, user=None, trigger: str = "manual", today: dt.date | None = None) -> SnapshotRun:
    today = today or timezone.localdate()
    seen = _data_seen()
    return SnapshotRun.objects.create(
        data_date=last_complete_month_end(today), created_by=user, trigger=trigger,
        first_month=f"{seen['first']:%Y-%m}" if seen["first"] else "",
        episodes_seen=seen["episodes"], declarations_seen=seen["declarations"], data_fingerprint=seen["fingerprint"],
        regions_total=Region.objects.count(),
    )


def region_ids_with_data() -> list[int]:
    """Regions with at least one episode or declaration: one index probe per municipality (EXISTS), not a
    scan of millions of rows."""
    has_data = Exists(Episode.objects.filter(municipality=OuterRef("pk"))) | Exists(Declaration.objects.filter(municipality=OuterRef("pk")))
    return sorted(set(Municipality.objects.filter(has_data).values_list("region_id", flat=True)))


def run_mark(run_id: int, **fields) -> None:
    SnapshotRun.objects.filter(pk=run_id).update(**fields)


#: The country's part of a run, recorded in regions_done next to the region ids (which start at 1).
COUNTRY_PART = 0


def run_part_done(run_id: int, part: int) -> bool:
    """Record a finished part (a region id, or COUNTRY_PART) and finish the run when every part is in.

    Idempotent and safe under concurrency and redelivery: the run row is locked, a part recorded twice
    counts once, and only the call that completes the set (on a run not yet done or failed) finishes the
    run, inside the same lock. Returns whether this call finished the run."""
    with transaction.atomic():
        run = SnapshotRun.objects.select_for_update().get(pk=run_id)
        done = set(run.regions_done) | {part}
        regions = set(region_ids_with_data())
        needed = regions | {COUNTRY_PART}
        run.regions_done = sorted(done)
        run.progress = min(99, round(100 * len(done & needed) / len(needed)))
        run.phase = f"{len(done & regions)} van {len(regions)} regio's berekend"
        run.save(update_fields=["regions_done", "progress", "phase"])
        if needed <= done and run.status == RunStatus.RUNNING:
            run_finish(run_id)
            return True
    return False


def run_finish(run_id: int, started: float | None = None, series_count: int | None = None) -> SnapshotRun:
    run = SnapshotRun.objects.get(pk=run_id)
    run.last_month = engine.month_label(int(engine.days_to_months(np.array([(run.data_date - dt.date(1970, 1, 1)).days]))[0]))
    run.series_count = store.run_series_count(run) if series_count is None else series_count
    run.status = RunStatus.DONE
    run.progress = 100
    run.phase = "Klaar"
    run.finished_at = timezone.now()
    if started is not None:
        run.seconds = round(time.monotonic() - started, 2)
    elif run.created_at:
        run.seconds = round((run.finished_at - run.created_at).total_seconds(), 2)
    run.save()
    return run


def run_compute_inline(run: SnapshotRun, progress: Progress | None = None) -> SnapshotRun:
    """The whole run from this process (management command, tests): every municipality, region and the
    country in one set-wise pass over all data (the Celery path splits the same work per region). On
    PostgreSQL with two cores the reading and computing is shared with a forked process
    (`_compute_in_two_processes`); otherwise one read, then the figures."""
    started = time.monotonic()
    say = progress or (lambda msg: None)
    run_mark(run.pk, status=RunStatus.RUNNING, phase="Gegevens lezen", progress=5)
    labels = series_mod.Labels()
    try:
        if _can_fork():
            say("Lezen en berekenen in twee processen (trajecten en declaraties)")
            with reuse_freed_memory():
                total = _compute_in_two_processes(run, labels)
        else:
            say("Gegevens lezen")
            ds = load_dataset(data_date=run.data_date)
            run_mark(run.pk, phase="Berekenen", progress=20)
            say(f"Berekenen ({len(ds.ep_child):,} trajecten, {len(ds.dec_child):,} declaraties)")
            with reuse_freed_memory():
                total = _write_series(run, None, _streamed(run, ds, labels), _provided_all(run.data_date))
    except BaseException:
        FigureSeries.objects.filter(run=run).delete()  # no partial figures
        raise
    say(f"Opgeslagen: {total:,} reeksen")
    run_mark(run.pk, regions_done=sorted(region_ids_with_data()))
    return run_finish(run.pk, started)


def _streamed(run: SnapshotRun, ds: engine.Dataset, labels: series_mod.Labels) -> Iterator[tuple]:
    n = 0
    for i, frame in enumerate(figure_frames(ds)):
        if i % 4 == 0:
            run_mark(run.pk, phase=f"Berekenen en opslaan ({n:,} reeksen)", progress=min(90, 20 + 3 * i))
        for item in series_mod.frame_series(frame, labels):
            n += 1
            yield item


def _can_fork() -> bool:
    """Share a full run between two processes on PostgreSQL (each writes its jobs with its own connection),
    when the machine has two cores or more and we are not inside a transaction (the child could not see
    its uncommitted rows: tests run sequentially)."""
    workers = getattr(settings, "MONITORING_PROCESSES", None) or min(2, os.cpu_count() or 1)
    return workers > 1 and hasattr(os, "fork") and connection.vendor == "postgresql" and not connection.in_atomic_block


#: The figure parts that need the declarations (the others need the episodes), longest first.
DECLARATION_JOBS = (*engine.DECLARATION_PARTS, "yearly")


def run_jobs() -> tuple[list[str], list[str], list[str]]:
    """The jobs of a full run on two processes: (episode jobs, declaration jobs, provider jobs), each longest
    first (national data set, seconds on one core: additive 5, stock/served 4, cohort 3.5, entries/exits 2.5;
    clients declared 2.5, cost 2, yearly 1.7; casework 3, foster care 2). Episode jobs need only the children
    and episodes, declaration jobs only the children and declarations; "provided:i" is the i-th series
    provider (casework, foster care), which reads its own tables."""
    providers = [f"provided:{i}" for i in range(len(registry.SERIES_PROVIDERS))]
    return ["additive", "stock_served", "cohort", "entries_exits"], [*DECLARATION_JOBS], providers


def _job_series(run: SnapshotRun, ds: engine.Dataset, labels: series_mod.Labels, job: str) -> Iterator[tuple]:
    if job.startswith("provided:"):
        provider = registry.SERIES_PROVIDERS[int(job.split(":")[1])]
        yield from registry.provided_series(data_date=run.data_date, region=registry.ALL_SCOPES, providers=[provider])
    else:
        for frame in figure_frames(ds, part=job):
            yield from series_mod.frame_series(frame, labels)


def _compute_in_two_processes(run: SnapshotRun, labels: series_mod.Labels) -> int:
    """Fork first, then read and compute in both processes at once: the child reads the children and episodes
    and does the episode jobs, this process reads the children and declarations and does the declaration jobs
    (`run_jobs`); then both take the provider jobs one at a time from a pipe until none is left, so the two
    finish close together. Old series are deleted first; each process writes its jobs' series in its own
    transaction; a failure in either fails the run (and the caller deletes what the other wrote)."""
    FigureSeries.objects.filter(run=run).delete()
    episode_jobs, declaration_jobs, shared_jobs = run_jobs()
    read_end, write_end = os.pipe()
    os.write(write_end, bytes(range(len(shared_jobs))))  # one byte per job; a read of one byte takes one job
    os.close(write_end)
    t0 = time.monotonic()

    def from_pipe() -> Iterator[str]:
        while token := os.read(read_end, 1):
            yield shared_jobs[token[0]]

    def work(half: str, report: bool) -> None:
        if half == "episodes":
            ds = engine.presort(load_episodes(data_date=run.data_date))
            jobs = episode_jobs
        else:
            ds = load_declarations(load_children(data_date=run.data_date))
            jobs = declaration_jobs
        logger.info("run %s: children and %s %s read in %.1f s (pid %s)", run.pk, f"{len(ds.ep_child) or len(ds.dec_child):,}", half,
                    time.monotonic() - t0, os.getpid())
        done = 0
        with transaction.atomic():
            writer = series_mod.SeriesWriter(run)
            for job in itertools.chain(jobs, from_pipe()):
                if report:
                    run_mark(run.pk, phase=f"Berekenen en opslaan ({writer.count:,} reeksen)", progress=min(90, 20 + 15 * done))
                t1 = time.monotonic()
                writer.add(_job_series(run, ds, labels, job))
                done += 1
                logger.info("run %s: %s in %.1f s (pid %s)", run.pk, job, time.monotonic() - t1, os.getpid())
            writer.flush()
        logger.info("run %s: %s and %d jobs in %.1f s (pid %s)", run.pk, half, done, time.monotonic() - t0, os.getpid())

    pid = _fork(lambda: work("episodes", report=False))
    try:
        work("declarations", report=True)
    except BaseException:
        os.waitpid(pid, 0)
        raise
    finally:
        os.close(read_end)
    _wait_child(pid, "De berekening in het tweede proces is mislukt.")
    logger.info("run %s: both processes done after %.1f s", run.pk, time.monotonic() - t0)
    return FigureSeries.objects.filter(run=run).count()


def run_lock(*, run: SnapshotRun, user=None, note: str = "") -> SnapshotRun:
    if run.status != RunStatus.DONE:
        raise ValueError("Alleen een afgeronde run kan worden vastgezet.")
    if not run.locked:
        run.locked = True
        run.locked_at = timezone.now()
        run.locked_by = user
        run.lock_note = note
        run.save(update_fields=["locked", "locked_at", "locked_by", "lock_note"])
    return run


def latest_run(*, locked_only: bool = False) -> SnapshotRun | None:
    qs = SnapshotRun.objects.filter(status=RunStatus.DONE)
    if locked_only:
        qs = qs.filter(locked=True)
    return qs.order_by("-finished_at", "-id").first()


def period_last_month(period: str) -> str:
    """The last month (YYYY-MM) of a period label: YYYY-MM, YYYY-Qn, YYYY-Hn or YYYY."""
    if len(period) == 4:
        return f"{period}-12"
    if period[5] == "Q":
        return f"{period[:4]}-{3 * int(period[6]):02d}"
    if period[5] == "H":
        return f"{period[:4]}-{6 * int(period[6]):02d}"
    return period


def revisions(*, newer: SnapshotRun, published: SnapshotRun, scope: str, tolerance: float = 1e-9) -> list[dict]:
    """Figures of a published run that a newer run has revised: group, band, metric, period, old, new.
    Only periods that had ended in the published run count; a period missing from a series is 0 (zeros
    are not stored), so a figure that appeared or vanished is a revision too."""
    old = {(s.group, s.band, s.metric): s.values for s in store.run_series(published, scope=scope)}
    new = {(s.group, s.band, s.metric): s.values for s in store.run_series(newer, scope=scope)}
    out = []
    for key in old.keys() | new.keys():
        before, after = old.get(key, {}), new.get(key, {})
        for period in before.keys() | after.keys():
            if period_last_month(period) > published.last_month:
                continue
            a, b = before.get(period, 0), after.get(period, 0)
            if a is None or b is None:
                if a != b:
                    out.append({"group": key[0], "band": key[1], "metric": key[2], "period": period, "old": a, "new": b})
                continue
            if abs(b - a) > tolerance:
                out.append({"group": key[0], "band": key[1], "metric": key[2], "period": period, "old": a, "new": b})
    # headline first: figures in registry order, all ages before the bands
    from .registry import REGISTRY

    order = {key: i for i, key in enumerate(REGISTRY)}
    return sorted(out, key=lambda r: (r["band"] != "all", order.get(r["metric"], len(order)), r["metric"], r["group"], r["band"], r["period"]))


def run_compute_month(*, base: SnapshotRun, month: str, user=None, today: dt.date | None = None) -> SnapshotRun:
    """A one-month incremental run: a new run stored as a patch over `base` (monitoring.store): the monthly
    figures of one month (YYYY-MM) recomputed from the episodes around that month only (FigurePatch rows: the
    month's fresh values, and removals where a series of the base has the month but no fresh value), and the
    casework/foster-care figures recomputed whole (FigureSeries rows of this run that replace the base's; an
    empty row for a series that vanished). Cohort and yearly figures are carried over from `base` unchanged;
    a full run recomputes everything. The base's rows are never changed (and it cannot be deleted while a
    month run depends on it)."""
    if base.status != RunStatus.DONE:
        raise ValueError("Een maandrun heeft een afgeronde basisrun nodig.")
    started = time.monotonic()
    y, m = (int(p) for p in month.split("-"))
    first = dt.date(y, m, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    today = today or (last + dt.timedelta(days=1))
    run = SnapshotRun.objects.create(data_date=last_complete_month_end(today), created_by=user, trigger="month", base=base,
                                     first_month=base.first_month, regions_total=base.regions_total,
                                     status=RunStatus.RUNNING, phase=f"Maand {month}")
    child = _fork_provided(run, base) if _can_fork() else None
    try:
        # the episodes that can matter for one month: active in it, or within the 30-day windows of the
        # gap rule and of breakdowns around it
        window = (first - dt.timedelta(days=62), last + dt.timedelta(days=31))
        ds = load_dataset(data_date=min(last, run.data_date) if run.data_date >= first else last, window=window)
        mi = int(engine.days_to_months(np.array([(first - dt.date(1970, 1, 1)).days]))[0])
        with reuse_freed_memory():
            frames = engine.monthly_frames(ds, mi, mi)
        stock = [f for f in frames if f["metric"].iat[0] == "stock"]
        if stock:
            frames.append(series_mod.per_1000_frame(pd.concat(stock, ignore_index=True), ds))
        labels = series_mod.Labels()
        fresh = [item for f in frames for item in series_mod.frame_series(f, labels)]
        with transaction.atomic():
            patched = _write_month_patches(run, base, month, fresh)
            if child is None:
                _write_provided(run, base, _provided_all(run.data_date))
        provided = sorted(_provided_metrics([]))
        # counted while the child may still be at work: the series of the engine's figures, then the provided ones
        count = _month_count(run, base, patched, provided)
        if child is not None:
            _wait_child(child, "De berekening van de casuïstiek- en pleegzorgcijfers (tweede proces) is mislukt.")
            child = None
    except BaseException:
        if child is not None:
            os.waitpid(child, 0)
        FigurePatch.objects.filter(run=run).delete()
        FigureSeries.objects.filter(run=run).delete()
        run_mark(run.pk, status=RunStatus.FAILED, phase="Mislukt")
        raise
    # what this run read itself: the episodes and declarations of the month's window (the rest of its figures
    # are its base's); the fingerprint names the base's fingerprint, the month and what was read
    top_e = Episode.objects.aggregate(top=Max("id"))["top"]
    top_d = Declaration.objects.aggregate(top=Max("id"))["top"]
    raw = f"month|{base.data_fingerprint}|{month}|{len(ds.ep_child)}|{len(ds.dec_child)}|{top_e}|{top_d}"
    run_mark(run.pk, episodes_seen=len(ds.ep_child), declarations_seen=len(ds.dec_child),
             data_fingerprint=hashlib.sha256(raw.encode()).hexdigest()[:16])
    return run_finish(run.pk, started, series_count=count + len(store.run_series(run, metric__in=provided)))


MONTHLY_METRICS = ("stock", "served", "entries", "exits", "escalations", "step_downs", "moves", "breakdowns", "care_days", "cost",
                   "clients_declared", "stock_per_1000")


def _provided_metrics(provided: list[tuple]) -> set[str]:
    return {m for *_, m, _v in provided} | {k for k, m in registry.REGISTRY.items() if m.source != "registry"}


def _fork_provided(run: SnapshotRun, base: SnapshotRun) -> int:
    """PostgreSQL with two cores: the casework and foster-care figures (their own queries and Python work) are
    computed and stored by a child process, in its own transaction, while this one computes the month."""
    return _fork(lambda: _write_provided(run, base, _provided_all(run.data_date)))


def _fork(work) -> int:
    """Run `work` in a forked child with its own database connection; returns the child's pid (see _wait_child).
    The child exits 0 when `work` succeeded, 1 otherwise (the traceback goes to stderr)."""
    connections.close_all()  # each process opens its own connection
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            work()
            code = 0
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            try:
                connections.close_all()  # end the child's database session cleanly
            finally:
                os._exit(code)
    return pid


def _wait_child(pid: int, message: str) -> None:
    _, status = os.waitpid(pid, 0)
    if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
        raise RuntimeError(message)


@transaction.atomic
def _write_provided(run: SnapshotRun, base: SnapshotRun, provided: list[tuple]) -> None:
    """Casework and foster-care series come from their own small tables: a month run stores them whole (they
    replace the base's), plus an empty row for every such series of the base that is gone."""
    metrics = _provided_metrics(provided)
    fresh_keys = {(sc, g, b, m) for _lv, sc, g, b, m, _v in provided}
    gone = [(r.level, r.scope, r.group, r.band, r.metric, {}) for r in store.run_series(base, metric__in=sorted(metrics))
            if (r.scope, r.group, r.band, r.metric) not in fresh_keys]
    writer = series_mod.SeriesWriter(run)
    writer.add(provided)
    writer.add(gone)
    writer.flush()


COPY_NULL = "\\N"


def _copy_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ").replace("\r", " ")


def _write_month_patches(run: SnapshotRun, base: SnapshotRun, month: str, fresh: list[tuple]) -> int:
    """The month's fresh value of every monthly series, and a removal for every monthly series of the base that
    has the month but no fresh value (none when the month lies after the base's last month)."""
    monthly = set(MONTHLY_METRICS)
    rows = [(lv, sc, g, b, m, v[month]) for lv, sc, g, b, m, v in fresh if m in monthly and month in v]
    had = None
    if base.last_month and month <= base.last_month:
        have = {(sc, g, b, m) for _lv, sc, g, b, m, _v in rows}
        had = store.keys_with_period(base, month, sorted(monthly))
        rows += [(lv, *key, None) for key, lv in had.items() if key not in have]
    if connection.vendor == "postgresql":
        buf = io.StringIO()
        run_id = str(run.pk)
        for lv, sc, g, b, m, value in rows:
            line = "\t".join((run_id, lv, sc, g, b, m, month, COPY_NULL if value is None else repr(float(value))))
            if "\n" in line or line.count("\\") != (value is None):  # rare: escape the texts one by one
                texts = (_copy_text(t) for t in (lv, sc, g, b, m, month))
                line = "\t".join((run_id, *texts, COPY_NULL if value is None else repr(float(value))))
            if line.count("\t") != 7:
                raise ValueError(f"Tab in a series key: {line!r}")
            buf.write(line)
            buf.write("\n")
        buf.seek(0)
        with connection.cursor() as cursor:
            cursor.connection.cursor().copy_expert(
                f'COPY {FigurePatch._meta.db_table} (run_id, level, scope, "group", band, metric, period, value) FROM STDIN', buf)
    else:
        FigurePatch.objects.bulk_create(
            [FigurePatch(run=run, level=lv, scope=sc, group=g, band=b, metric=m, period=month, value=value) for lv, sc, g, b, m, value in rows],
            batch_size=2000)
    return {"rows": rows, "had": had, "month": month}


def _month_count(run: SnapshotRun, base: SnapshotRun, patched: dict, provided: list[str]) -> int:
    """The month run's number of series outside the provided figures. When the base had the month, only the
    keys the patch adds (not in the base with that month) and the series it empties are looked up; otherwise
    the store counts in the database."""
    had, month = patched["had"], patched["month"]
    if had is None:
        return store.run_series_count(run, exclude_metrics=provided)
    n = store.run_series_count(base, exclude_metrics=provided)
    added = {(sc, g, b, m) for _lv, sc, g, b, m, v in patched["rows"] if v is not None} - had.keys()
    removed = {(sc, g, b, m) for _lv, sc, g, b, m, v in patched["rows"] if v is None}
    look = added | removed
    if look:
        rows = store.run_series(base, scope__in=sorted({k[0] for k in look}), metric__in=sorted({k[3] for k in look}))
        old = {(r.scope, r.group, r.band, r.metric): r.values for r in rows}
        n += sum(1 for k in added if k not in old)
        n -= sum(1 for k in removed if k in old and not (old[k].keys() - {month}))
    return n


def _provided_all(data_date: dt.date) -> list[tuple]:
    """Casework and foster-care figures of every municipality, region and the country, one pass per provider."""
    return registry.provided_series(data_date=data_date, region=registry.ALL_SCOPES)
