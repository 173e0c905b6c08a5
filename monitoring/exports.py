"""Writing figures of a run in long form: period, scope, care_form_group, age_band, metric, value."""
from __future__ import annotations

import csv
from collections.abc import Iterator

from .models import FigureSeries, SnapshotRun

HEADER = ["period", "scope", "care_form_group", "age_band", "metric", "value"]


def figure_rows(run: SnapshotRun, *, scopes: list[str] | None = None) -> Iterator[list]:
    """Every stored value of the run (unsuppressed), one row per figure, in a stable order."""
    qs = FigureSeries.objects.filter(run=run)
    if scopes is not None:
        qs = qs.filter(scope__in=scopes)
    for s in qs.order_by("level", "scope", "metric", "group", "band").iterator(chunk_size=2000):
        for period in sorted(s.values):
            value = s.values[period]
            yield [period, s.scope, s.group, s.band, s.metric, "" if value is None else value]


def write_csv(run: SnapshotRun, fh, *, scopes: list[str] | None = None) -> int:
    writer = csv.writer(fh)
    writer.writerow(HEADER)
    n = 0
    for row in figure_rows(run, scopes=scopes):
        writer.writerow(row)
        n += 1
    return n
