"""Snapshot runs: compute all figures and store them as series, per region (so workers can share the
work) and for the whole country. Every task replaces exactly its own series in one transaction, so a
failed or repeated task leaves no partial or double figures."""
from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from placements.models import CareForm, Declaration, Episode, Municipality, Region

from . import engine, registry
from .data import last_complete_month_end, load_dataset
from .models import FigureSeries, RunStatus, SnapshotRun

Progress = Callable[[str], None]


# --------------------------------------------------------------------------------------------- labels
def _labels() -> tuple[dict, dict, dict]:
    forms = dict(CareForm.objects.values_list("id", "code"))
    groups = {**forms, **engine.GROUP_NAMES}
    munis = dict(Municipality.objects.values_list("id", "cbs_code"))
    regions = dict(Region.objects.values_list("id", "name"))
    return groups, munis, regions


def _scope_label(level: str, scope: int, munis: dict, regions: dict) -> str:
    if level == "municipality":
        return munis[scope]
    if level == "region":
        return regions[scope]
    return "NL"


INTEGER_METRICS = {"stock", "served", "entries", "exits", "escalations", "step_downs", "moves", "breakdowns", "care_days",
                   "clients_declared", "clients_declared_year", "cohort_size"}


def to_series(frame: pd.DataFrame, *, period_col: str) -> list[tuple[str, str, str, str, str, dict]]:
    """Long-form figures → one (level, scope, group, band, metric, {period: value}) per series.
    Sorting and grouping are numpy; Python only builds each series' dict."""
    if frame.empty:
        return []
    groups, munis, regions = _labels()
    lv_codes, lv_uni = pd.factorize(frame["level"])
    mt_codes, mt_uni = pd.factorize(frame["metric"])
    pr_codes, pr_uni = pd.factorize(frame[period_col])
    sc = frame["scope"].to_numpy(np.int64)
    gr = frame["group"].to_numpy(np.int64)
    bd = frame["band"].to_numpy(np.int64)
    order = np.lexsort((pr_codes, mt_codes, bd, gr, sc, lv_codes))
    keys = [lv_codes[order], sc[order], gr[order], bd[order], mt_codes[order]]
    change = np.zeros(len(order), bool)
    change[0] = True
    for k in keys:
        change[1:] |= k[1:] != k[:-1]
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:], len(order))
    periods = np.asarray(pr_uni, dtype=object)[pr_codes[order]]
    values = frame["value"].to_numpy(dtype=float)[order]
    lv_names, mt_names = list(lv_uni), list(mt_uni)
    out = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        level, metric = lv_names[keys[0][a]], mt_names[keys[4][a]]
        chunk = values[a:b]
        if metric in INTEGER_METRICS:
            vals = np.rint(chunk).astype(np.int64).tolist()
        elif np.isnan(chunk).any():
            vals = [None if np.isnan(v) else round(float(v), 6) for v in chunk]
        else:
            vals = np.round(chunk, 6).tolist()
        series = dict(zip(periods[a:b].tolist(), vals, strict=True))
        out.append((level, _scope_label(level, int(keys[1][a]), munis, regions), groups.get(int(keys[2][a]), str(keys[2][a])),
                    engine.BAND_NAMES[int(keys[3][a])], metric, series))
    return out


def _month_frame(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    months = frame["month"].to_numpy(np.int64)
    if len(months):
        lo = int(months.min())
        labels = np.array([engine.month_label(m) for m in range(lo, int(months.max()) + 1)], dtype=object)
        frame["period"] = labels[months - lo]
    else:
        frame["period"] = pd.Series(dtype=object)
    return frame.drop(columns=["month"])


def per_1000(series: list[tuple], population: dict[tuple[int, int], int], scope_munis: dict[str, list[int]]) -> list[tuple]:
    """stock_per_1000 from each stock series: stock / youths aged 0-17 of that year × 1000."""
    out = []
    for level, scope, group, band, metric, values in series:
        if metric != "stock" or scope not in scope_munis:
            continue
        munis = scope_munis[scope]
        rates = {}
        for period, v in values.items():
            year = int(period[:4])
            pop = sum(population.get((m, year), 0) for m in munis)
            if pop:
                rates[period] = round(1000 * v / pop, 4)
        if rates:
            out.append((level, scope, group, band, "stock_per_1000", rates))
    return out


# --------------------------------------------------------------------------------------------- compute
def compute_frames(ds: engine.Dataset, breakdown_reasons: tuple[int, ...] = engine.DROPOUT_REASONS) -> pd.DataFrame:
    """Monthly, yearly and cohort figures of a dataset as one long frame with a `period` column."""
    monthly = _month_frame(engine.monthly_figures(ds))
    cohort = engine.cohort_figures(ds, ds.last_month, engine.breakdown_episodes(ds, breakdown_reasons=breakdown_reasons))
    yearly = engine.yearly_cost_figures(ds, ds.last_month)
    yearly = yearly[yearly["level"].isin(ds.levels)]
    frames = [f for f in (monthly, cohort, yearly) if not f.empty]
    if not frames:
        return pd.DataFrame(columns=["level", "scope", "group", "band", "period", "metric", "value"])
    return pd.concat(frames, ignore_index=True)


def _scope_munis(region: Region | None) -> dict[str, list[int]]:
    if region is None:
        return {"NL": list(Municipality.objects.values_list("id", flat=True))}
    munis = list(region.municipalities.values_list("id", "cbs_code"))
    out = {code: [mid] for mid, code in munis}
    out[region.name] = [mid for mid, _ in munis]
    return out


@transaction.atomic
def _replace_series(run: SnapshotRun, scopes: list[str], series: list[tuple]) -> int:
    FigureSeries.objects.filter(run=run, scope__in=scopes).delete()
    FigureSeries.objects.bulk_create(
        [FigureSeries(run=run, level=lv, scope=sc, group=g, band=b, metric=m, values=v) for lv, sc, g, b, m, v in series],
        batch_size=2000,
    )
    return len(series)


def compute_region(run: SnapshotRun, region: Region, ds: engine.Dataset | None = None) -> int:
    """Figures of one region and its municipalities; replaces that region's series of the run."""
    ds = ds or load_dataset(data_date=run.data_date)
    munis = set(region.municipalities.values_list("id", flat=True))
    sub = engine.subset(ds, munis)
    frame = engine.keep_scopes(compute_frames(sub), munis, region.id)
    series = to_series(frame, period_col="period")
    series += per_1000(series, ds.population, _scope_munis(region))
    series += registry.provided_series(data_date=run.data_date, region=region)
    scopes = list(_scope_munis(region))
    return _replace_series(run, scopes, series)


def compute_country(run: SnapshotRun, ds: engine.Dataset | None = None) -> int:
    ds = ds or load_dataset(data_date=run.data_date)
    ds.levels = ("country",)
    frame = compute_frames(ds)
    series = to_series(frame, period_col="period")
    series += per_1000(series, ds.population, _scope_munis(None))
    series += registry.provided_series(data_date=run.data_date, region=None)
    return _replace_series(run, ["NL"], series)


def data_fingerprint() -> tuple[int, int, str]:
    """What the run saw: counts and latest changes of episodes and declarations."""
    e = Episode.objects.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"))
    d = Declaration.objects.aggregate(n=Count("id"), top=Max("id"))
    raw = f"{e['n']}|{e['last']}|{e['top']}|{d['n']}|{d['top']}"
    return e["n"], d["n"], hashlib.sha256(raw.encode()).hexdigest()[:16]


def run_create(*, user=None, trigger: str = "manual", today: dt.date | None = None) -> SnapshotRun:
    today = today or timezone.localdate()
    episodes, declarations, fingerprint = data_fingerprint()
    firsts = [d for d in (Episode.objects.aggregate(m=Min("start_date"))["m"], Declaration.objects.aggregate(m=Min("period_start"))["m"]) if d]
    return SnapshotRun.objects.create(
        data_date=last_complete_month_end(today), created_by=user, trigger=trigger,
        first_month=f"{min(firsts):%Y-%m}" if firsts else "",
        episodes_seen=episodes, declarations_seen=declarations, data_fingerprint=fingerprint,
        regions_total=Region.objects.count(),
    )


def region_ids_with_data() -> list[int]:
    with_eps = Episode.objects.values_list("municipality__region_id", flat=True).distinct()
    with_decs = Declaration.objects.values_list("municipality__region_id", flat=True).distinct()
    return sorted(set(with_eps) | set(with_decs))


def run_mark(run_id: int, **fields) -> None:
    SnapshotRun.objects.filter(pk=run_id).update(**fields)


def run_region_done(run_id: int, region_id: int) -> None:
    """Record a finished region (idempotent) and the progress, with a row lock against concurrent workers."""
    with transaction.atomic():
        run = SnapshotRun.objects.select_for_update().get(pk=run_id)
        done = set(run.regions_done)
        done.add(region_id)
        run.regions_done = sorted(done)
        total = max(len(region_ids_with_data()), 1)
        run.progress = min(99, round(100 * len(done) / (total + 1)))
        run.phase = f"{len(done)} van {total} regio's berekend"
        run.save(update_fields=["regions_done", "progress", "phase"])


def run_finish(run_id: int, started: float | None = None) -> SnapshotRun:
    run = SnapshotRun.objects.get(pk=run_id)
    run.last_month = engine.month_label(int(engine.days_to_months(np.array([(run.data_date - dt.date(1970, 1, 1)).days]))[0]))
    run.series_count = run.series.count()
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
    """The whole run in this process (management command, tests): one read, then every municipality,
    region and the country in one set-wise pass (the Celery path splits the same work per region)."""
    started = time.monotonic()
    say = progress or (lambda msg: None)
    run_mark(run.pk, status=RunStatus.RUNNING, phase="Gegevens lezen", progress=5)
    say("Gegevens lezen")
    ds = load_dataset(data_date=run.data_date)
    run_mark(run.pk, phase="Berekenen", progress=20)
    say(f"Berekenen ({len(ds.ep_child):,} trajecten, {len(ds.dec_child):,} declaraties)")
    series = to_series(compute_frames(ds), period_col="period")
    scope_munis = _scope_munis(None)
    for region in Region.objects.all():
        scope_munis.update(_scope_munis(region))
    series += per_1000(series, ds.population, scope_munis)
    for region in Region.objects.filter(pk__in=region_ids_with_data()):
        series += registry.provided_series(data_date=run.data_date, region=region)
    series += registry.provided_series(data_date=run.data_date, region=None)
    run_mark(run.pk, phase="Opslaan", progress=80)
    say(f"Opslaan ({len(series):,} reeksen)")
    _replace_all_series(run, series)
    run_mark(run.pk, regions_done=sorted(region_ids_with_data()))
    return run_finish(run.pk, started)


@transaction.atomic
def _replace_all_series(run: SnapshotRun, series: list[tuple]) -> int:
    FigureSeries.objects.filter(run=run).delete()
    if connection.vendor == "postgresql":
        import io
        import json

        buf = io.StringIO()
        for lv, sc, g, b, m, v in series:
            fields = [str(run.pk), lv, sc, g, b, m, json.dumps(v, separators=(",", ":"))]
            buf.write("\t".join(f.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ") for f in fields) + "\n")
        buf.seek(0)
        with connection.cursor() as cursor:
            cursor.connection.cursor().copy_expert(
                f'COPY {FigureSeries._meta.db_table} (run_id, level, scope, "group", band, metric, "values") FROM STDIN', buf
            )
    else:
        FigureSeries.objects.bulk_create(
            [FigureSeries(run=run, level=lv, scope=sc, group=g, band=b, metric=m, values=v) for lv, sc, g, b, m, v in series],
            batch_size=2000,
        )
    return len(series)


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
    old = {(s.group, s.band, s.metric): s.values for s in published.series.filter(scope=scope)}
    new = {(s.group, s.band, s.metric): s.values for s in newer.series.filter(scope=scope)}
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
    """A one-month incremental run: a new run that takes every series of `base` and recomputes the
    monthly figures of one month (YYYY-MM) from the episodes around that month only. Cohort and yearly
    figures are carried over from `base` unchanged; a full run recomputes everything."""
    started = time.monotonic()
    y, m = (int(p) for p in month.split("-"))
    first = dt.date(y, m, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    run = run_create(user=user, trigger="month", today=today or (last + dt.timedelta(days=1)))
    run_mark(run.pk, status=RunStatus.RUNNING, phase=f"Maand {month}")
    # copy the base run's series in the database
    with transaction.atomic():
        table = FigureSeries._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f'INSERT INTO {table} (run_id, level, scope, "group", band, metric, "values") '
                f'SELECT %s, level, scope, "group", band, metric, "values" FROM {table} WHERE run_id = %s',
                [run.pk, base.pk],
            )
    # the episodes that can matter for one month: active in it, or within the 30-day windows of the
    # gap rule and of breakdowns around it
    window = (first - dt.timedelta(days=62), last + dt.timedelta(days=31))
    ds = load_dataset(data_date=min(last, run.data_date) if run.data_date >= first else last, window=window)
    mi = int(engine.days_to_months(np.array([(first - dt.date(1970, 1, 1)).days]))[0])
    frame = _month_frame(engine.monthly_figures(ds, mi, mi))
    fresh = to_series(frame, period_col="period")
    scope_munis = _scope_munis(None)
    for region in Region.objects.all():
        scope_munis.update(_scope_munis(region))
    fresh += per_1000(fresh, ds.population, scope_munis)
    _merge_month(run, month, fresh)
    run.first_month = base.first_month
    run.save(update_fields=["first_month"])
    return run_finish(run.pk, started)


def _merge_month(run: SnapshotRun, month: str, fresh: list[tuple]) -> None:
    """Set the month's value in every series of the run: from `fresh`, or 0 (absent) where it has none."""
    by_key = {(sc, g, b, m): (lv, v.get(month)) for lv, sc, g, b, m, v in fresh}
    monthly = {"stock", "served", "entries", "exits", "escalations", "step_downs", "moves", "breakdowns", "care_days", "cost", "clients_declared", "stock_per_1000"}
    with transaction.atomic():
        existing = {}
        for s in FigureSeries.objects.filter(run=run, metric__in=monthly).only("id", "scope", "group", "band", "metric", "values").iterator(chunk_size=5000):
            existing[(s.scope, s.group, s.band, s.metric)] = s
        changed = []
        for key, s in existing.items():
            new = by_key.pop(key, (None, None))[1]
            if s.values.get(month) != new:
                if new is None:
                    s.values.pop(month, None)
                else:
                    s.values[month] = new
                changed.append(s)
        FigureSeries.objects.bulk_update(changed, ["values"], batch_size=2000)
        FigureSeries.objects.bulk_create(
            [FigureSeries(run=run, level=lv, scope=k[0], group=k[1], band=k[2], metric=k[3], values={month: v}) for k, (lv, v) in by_key.items() if v is not None],
            batch_size=2000,
        )
