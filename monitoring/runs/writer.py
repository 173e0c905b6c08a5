"""Writing a run's series: COPY in chunks on PostgreSQL, bulk_create elsewhere."""
from __future__ import annotations

import io
from collections.abc import Iterable

import orjson
from django.db import connection

from core.db import copy_in, copy_line
from monitoring import registry
from monitoring.engine.frames import Series
from monitoring.models import FigureSeries

COLUMNS = ("run_id", "level", "scope", "group", "band", "metric", "values", "part")


class SeriesWriter:
    """Appends series to a run's FigureSeries: COPY in chunks on PostgreSQL, bulk_create elsewhere.
    Use inside a transaction together with the delete of the run's earlier series."""

    CHUNK_BYTES = 32 * 1024 * 1024

    def __init__(self, run, part: str):
        self.run = run
        self.part = part
        self.model = FigureSeries
        self.count = 0
        self.copy = connection.vendor == "postgresql"
        self.buf = io.StringIO()
        self.pending: list = []

    def add(self, series: Iterable[Series]) -> int:
        """Append series. A fixed-window figure keeps only the periods measurable by the run's data date
        (registry.measurable_from): nothing downstream can show a value whose window is still open."""
        before = self.count
        run_id = str(self.run.pk)
        data_date = self.run.data_date
        windowed: dict[str, bool] = {}
        for lv, sc, g, b, m, v in series:
            if m not in windowed:  # once per metric, not per series
                windowed[m] = registry.window_metric(m) is not None
            if windowed[m]:
                v = {p: x for p, x in v.items() if registry.is_measurable(m, p, data_date)}
            self.count += 1
            if self.copy:
                self.buf.write(copy_line((run_id, lv, sc, g, b, m, orjson.dumps(v).decode(), self.part)))
                if self.buf.tell() > self.CHUNK_BYTES:
                    self.flush()
            else:
                self.pending.append(self.model(run=self.run, level=lv, scope=sc, group=g, band=b, metric=m, values=v, part=self.part))
                if len(self.pending) >= 5000:
                    self.flush()
        return self.count - before

    def flush(self) -> None:
        if self.copy:
            if self.buf.tell():
                self.buf.seek(0)
                copy_in(self.model._meta.db_table, COLUMNS, self.buf)
                self.buf = io.StringIO()
        elif self.pending:
            self.model.objects.bulk_create(self.pending, batch_size=2000)
            self.pending = []
