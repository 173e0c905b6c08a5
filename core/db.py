"""Database speed helpers, in one place: bulk writes with PostgreSQL's COPY, and IN lists that keep SQLite's
statement cache small. Domain code calls these instead of writing COPY text or padding lists itself."""
from __future__ import annotations

import io
from collections.abc import Iterable

import orjson
from django.db import connection, models

# COPY's text format: a backslash, tab, newline or carriage return inside a value is written as an escape; NULL is \N.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
COPY_NULL = "\\N"


def copy_value(value) -> str:
    if value is None:
        return COPY_NULL
    text = str(value)
    # four scans in C are ~10x faster than translate(); most values (JSON of numbers, codes) need no escape
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_COPY_ESCAPES)
    return text


def copy_line(values: Iterable) -> str:
    """One row in COPY's text format, newline included."""
    return "\t".join(copy_value(v) for v in values) + "\n"


def copy_text(rows: Iterable[Iterable]) -> io.StringIO:
    """Rows as a COPY text buffer, positioned at its start."""
    buf = io.StringIO()
    for row in rows:
        buf.write(copy_line(row))
    buf.seek(0)
    return buf


def copy_in(table: str, columns: Iterable[str], buf, *, size: int = 1 << 20) -> None:
    """COPY `buf` (text format) into `table` (PostgreSQL; call inside the transaction that should hold the rows)."""
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.connection.cursor().copy_expert(f"COPY {connection.ops.quote_name(table)} ({cols}) FROM STDIN", buf, size=size)


IN_BUCKET = 500


def padded_in_list(values: Iterable, *, pad) -> list:
    """An IN list padded to a multiple of IN_BUCKET with distinct values `pad(i)` that never match.

    sqlite3 caches up to 128 prepared statements per connection by their SQL text; an IN list of a few thousand
    placeholders of ever-changing length fills that cache with large statements (tens of MB). Padded lists give a
    handful of distinct texts. (Django removes duplicates from IN lists, hence distinct padding.)"""
    out = list(values)
    out.extend(pad(i) for i in range(-len(out) % IN_BUCKET))
    return out


def padded_pseudonyms(pseudonyms: Iterable[str]) -> list[str]:
    """For pseudonyms (hex): padded with "~i"."""
    return padded_in_list(pseudonyms, pad=lambda i: f"~{i}")


def padded_ids(ids: Iterable[int]) -> list[int]:
    """For primary keys: padded with negative numbers."""
    return padded_in_list(ids, pad=lambda i: -1 - i)


class TextJSONField(models.JSONField):
    """A JSONField kept as PostgreSQL `json` (the text, checked on input) rather than `jsonb`, with lz4 as its TOAST
    compression where the server has it (see the migration that sets it).

    For a column written in bulk and read whole, never queried inside: on the national data set a run's 287,000
    series of the episodes part go in by COPY in 3.9 s instead of 8-10 s as jsonb with pglz. `json` has no equality
    operator, so the column cannot take part in DISTINCT, GROUP BY or an index; key lookups parse the text per row."""

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        if connection.vendor != "postgresql":
            return super().from_db_value(value, expression, connection)
        if isinstance(value, (str, bytes)):  # psycopg2 parses `json` itself; a cast or another driver gives text
            return orjson.loads(value)
        return value
