"""The one read path for a run's series (FigureSeries: one row per scope, group, band and metric, values as
{period: value}; zeros are not stored, so a series without values does not exist)."""
from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Collate

from monitoring.models import FigureSeries, SnapshotRun

KEY_FIELDS = ("scope", "group", "band", "metric")


class Row(NamedTuple):
    level: str
    scope: str
    group: str
    band: str
    metric: str
    values: dict


def run_series(run: SnapshotRun, q: Q | None = None, **filters) -> list[Row]:
    """The series of `run` matching the filters (on level, scope, group, band, metric)."""
    condition = (q or Q()) & Q(**filters)
    rows = FigureSeries.objects.filter(condition, run_id=run.pk).values_list("level", *KEY_FIELDS, "values")
    return [Row(*r) for r in rows if r[5]]


def iter_run_series(run: SnapshotRun, q: Q | None = None, **filters) -> Iterator[Row]:
    """All matching series of `run` in (level, scope, metric, group, band) order (code-point order of the
    texts), streamed in chunks."""
    condition = (q or Q()) & Q(**filters)
    fields = ("level", "scope", "metric", "group", "band")
    if connection.vendor == "postgresql":
        order = [Collate(F(f), "C") for f in fields]
    else:
        order = list(fields)  # SQLite compares text with BINARY (UTF-8 bytes: code-point order)
    rows = (FigureSeries.objects.filter(condition, run_id=run.pk).order_by(*order)
            .values_list("level", *KEY_FIELDS, "values").iterator(chunk_size=2000))
    for r in rows:
        if r[5]:
            yield Row(*r)


def run_has_series(run: SnapshotRun, **filters) -> bool:
    """Whether the run has any series matching the filters (one EXISTS)."""
    return FigureSeries.objects.filter(run_id=run.pk, **filters).exists()


def run_series_count(run: SnapshotRun) -> int:
    return FigureSeries.objects.filter(run_id=run.pk).count()
