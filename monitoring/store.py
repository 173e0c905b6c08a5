"""The one read path for a run's series.

A full run stores whole series (FigureSeries, base = null). A one-month run is stored over its base run
(which may itself be a month run): FigureSeries rows of the month run replace the base's row for that key
(an empty {} row is a tombstone: the series vanished), and FigurePatch rows set (or, with value null, remove)
single periods of a series. The series of a run are those of its chain root → … → run merged in that order;
a series left without values does not exist (zeros are not stored).

For a full run a read is one query, as before; a month run adds one query per chain link (the chain's ids,
cached on the run object), one for the chain's FigureSeries rows and one for its patches.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Collate

from .models import FigurePatch, FigureSeries, SnapshotRun
from .series import INTEGER_METRICS

KEY_FIELDS = ("scope", "group", "band", "metric")


class Row(NamedTuple):
    level: str
    scope: str
    group: str
    band: str
    metric: str
    values: dict


def chain(run: SnapshotRun) -> list[int]:
    """Run ids from the root (a full run) to `run`; cached on the run object (runs are immutable once done)."""
    cached = getattr(run, "_store_chain", None)
    if cached is not None:
        return cached
    ids = [run.pk]
    base_id = run.base_id
    while base_id is not None:
        if base_id in ids:  # never: a base is always an older run
            raise ValueError(f"Run {run.pk}: kringverwijzing in de basisruns.")
        ids.append(base_id)
        base_id = SnapshotRun.objects.filter(pk=base_id).values_list("base_id", flat=True).first()
    ids.reverse()
    run._store_chain = ids
    return ids


def _patch_value(metric: str, value):
    return int(round(value)) if metric in INTEGER_METRICS else value


def overlays(ids: list[int], condition: Q) -> dict[tuple, tuple[str, list]]:
    """Changes of the later runs of a chain, per key (scope, group, band, metric): (level, [ops in chain order]);
    an op is ("replace", values) or ("patch", period, value)."""
    order = {pk: i for i, pk in enumerate(ids)}
    ops: dict[tuple, tuple[str, list]] = {}
    items = []
    for run_id, lv, sc, g, b, m, values in FigureSeries.objects.filter(condition, run_id__in=ids[1:]).values_list(
            "run_id", "level", *KEY_FIELDS, "values"):
        items.append((order[run_id], 0, (sc, g, b, m), lv, ("replace", values)))
    for run_id, lv, sc, g, b, m, period, value in FigurePatch.objects.filter(condition, run_id__in=ids[1:]).values_list(
            "run_id", "level", *KEY_FIELDS, "period", "value"):
        items.append((order[run_id], 1, (sc, g, b, m), lv, ("patch", period, None if value is None else _patch_value(m, value))))
    items.sort(key=lambda it: (it[0], it[1]))  # replacements of a run before its patches, runs in chain order
    for _i, _kind, key, lv, op in items:
        ops.setdefault(key, (lv, []))[1].append(op)
    return ops


def _apply(values: dict | None, ops: list) -> dict:
    out = dict(values or {})
    for op in ops:
        if op[0] == "replace":
            out = dict(op[1])
        elif op[2] is None:
            out.pop(op[1], None)
        else:
            out[op[1]] = op[2]
    if out:
        return dict(sorted(out.items()))
    return out


def run_series(run: SnapshotRun, q: Q | None = None, **filters) -> list[Row]:
    """The series of `run` matching the filters (on level, scope, group, band, metric), merged over its chain."""
    condition = (q or Q()) & Q(**filters)
    ids = chain(run)
    if len(ids) == 1:
        return [Row(*r) for r in FigureSeries.objects.filter(condition, run_id=run.pk).values_list("level", *KEY_FIELDS, "values") if r[5]]
    root = {tuple(r[1:5]): (r[0], r[5]) for r in FigureSeries.objects.filter(condition, run_id=ids[0]).values_list("level", *KEY_FIELDS, "values")}
    for key, (lv, ops) in overlays(ids, condition).items():
        old = root.get(key)
        root[key] = (old[0] if old else lv, _apply(old[1] if old else None, ops))
    return [Row(lv, *key, values) for key, (lv, values) in root.items() if values]


def iter_run_series(run: SnapshotRun, q: Q | None = None, **filters) -> Iterator[Row]:
    """All matching series of `run` in (level, scope, metric, group, band) order (code-point order of the
    texts), streamed: the root's rows are read in chunks and the chain's changes merged in."""
    condition = (q or Q()) & Q(**filters)
    ids = chain(run)
    fields = ("level", "scope", "metric", "group", "band")
    if connection.vendor == "postgresql":
        order = [Collate(F(f), "C") for f in fields]
    else:
        order = list(fields)  # SQLite compares text with BINARY (UTF-8 bytes: code-point order)
    rows = (FigureSeries.objects.filter(condition, run_id=ids[0]).order_by(*order)
            .values_list("level", *KEY_FIELDS, "values").iterator(chunk_size=2000))
    if len(ids) == 1:
        for r in rows:
            if r[5]:
                yield Row(*r)
        return
    ops = overlays(ids, condition)

    def sort_key(level, key):
        return (level, key[0], key[3], key[1], key[2])

    pending = sorted(((sort_key(lv, key), key, lv) for key, (lv, _o) in ops.items()), reverse=True)
    for lv, sc, g, b, m, values in rows:
        key = (sc, g, b, m)
        here = sort_key(lv, key)
        while pending and pending[-1][0] < here:  # series that only the later runs have
            _s, k, level = pending.pop()
            new = _apply(None, ops[k][1])
            if new:
                yield Row(level, *k, new)
        if key in ops:
            if pending and pending[-1][1] == key:
                pending.pop()
            values = _apply(values, ops[key][1])
        if values:
            yield Row(lv, sc, g, b, m, values)
    while pending:
        _s, k, level = pending.pop()
        new = _apply(None, ops[k][1])
        if new:
            yield Row(level, *k, new)


def run_has_series(run: SnapshotRun, **filters) -> bool:
    """Whether the run has any series matching the filters (for a full run: one EXISTS)."""
    if len(chain(run)) == 1:
        return FigureSeries.objects.filter(run_id=run.pk, **filters).exists()
    return bool(run_series(run, **filters))


def run_series_count(run: SnapshotRun, exclude_metrics: list[str] | None = None) -> int:
    """The number of series of the run (merged over its chain), counted in the database: the root's rows, plus
    the keys that only the later runs have, minus the series that a removal or a tombstone emptied (only
    those are read whole)."""
    ids = chain(run)
    cond = ~Q(metric__in=exclude_metrics) if exclude_metrics else Q()
    if len(ids) == 1:
        return FigureSeries.objects.filter(cond, run_id=run.pk).count()
    later = ids[1:]
    in_root = Exists(FigureSeries.objects.filter(run_id=ids[0], **{f: OuterRef(f) for f in KEY_FIELDS}))
    n = FigureSeries.objects.filter(cond, run_id=ids[0]).count()
    new_keys = set(FigurePatch.objects.filter(cond, run_id__in=later).exclude(in_root).values_list(*KEY_FIELDS).distinct())
    new_keys |= set(FigureSeries.objects.filter(cond, run_id__in=later).exclude(in_root).values_list(*KEY_FIELDS).distinct())
    n += len(new_keys)
    suspects = set(FigurePatch.objects.filter(cond, run_id__in=later, value__isnull=True).values_list(*KEY_FIELDS).distinct())
    suspects |= set(FigureSeries.objects.filter(cond, run_id__in=later, values={}).values_list(*KEY_FIELDS))
    if suspects:
        present = {(r.scope, r.group, r.band, r.metric)
                   for r in run_series(run, cond, scope__in=sorted({k[0] for k in suspects}), metric__in=sorted({k[3] for k in suspects}))}
        n -= len(suspects - present)
    return n


def keys_with_period(run: SnapshotRun, period: str, metrics: list[str]) -> dict[tuple, str]:
    """{(scope, group, band, metric): level} of the run's series of `metrics` that have a value for `period`.
    PostgreSQL tests the root's rows in the database (jsonb `?`); elsewhere the rows are read."""
    ids = chain(run)
    root = FigureSeries.objects.filter(run_id=ids[0], metric__in=metrics)
    out: dict[tuple, str] = {}
    if connection.vendor == "postgresql":
        table = FigureSeries._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT level, scope, "group", band, metric FROM {table} WHERE run_id = %s AND metric = ANY(%s) AND "values" ? %s',
                           [ids[0], list(metrics), period])
            for lv, *key in cursor.fetchall():
                out[tuple(key)] = lv
    else:
        for lv, *key, values in root.values_list("level", *KEY_FIELDS, "values").iterator(chunk_size=2000):
            if period in values:
                out[tuple(key)] = lv
    if len(ids) > 1:
        for key, (lv, ops) in overlays(ids, Q(metric__in=metrics)).items():
            present = key in out
            for op in ops:
                if op[0] == "replace":
                    present = period in op[1]
                elif op[1] == period:
                    present = op[2] is not None
            if present:
                out[key] = out.get(key, lv)
            else:
                out.pop(key, None)
    return out
