"""Writing a run's series: COPY in chunks on PostgreSQL, bulk_create elsewhere."""
from __future__ import annotations

import io
from collections.abc import Iterable

import orjson
from django.db import connection

from monitoring.engine.frames import Series
from monitoring.models import FigureSeries


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
        before = self.count
        run_id = str(self.run.pk)
        for lv, sc, g, b, m, v in series:
            self.count += 1
            if self.copy:
                line = "\t".join((run_id, lv, sc, g, b, m, orjson.dumps(v).decode(), self.part))
                if "\\" in line or "\n" in line:
                    line = line.replace("\\", "\\\\").replace("\n", " ")
                self.buf.write(line)
                self.buf.write("\n")
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
                with connection.cursor() as cursor:
                    cursor.connection.cursor().copy_expert(
                        f'COPY {self.model._meta.db_table} (run_id, level, scope, "group", band, metric, "values", part) FROM STDIN', self.buf)
                self.buf = io.StringIO()
        elif self.pending:
            self.model.objects.bulk_create(self.pending, batch_size=2000)
            self.pending = []
