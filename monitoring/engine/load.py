"""Reading the registry into the engine's Dataset, in one pass per table.

On PostgreSQL the rows stream through COPY … TO STDOUT into pandas' C parser, which is the fastest way
to get millions of rows out; elsewhere (SQLite) a plain cursor is read in chunks. Both give identical
arrays, so the figures are identical on both databases.
"""
from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
from django.db import connection

from placements.models import CareForm, Municipality, YouthPopulation

from .calendar import OPEN
from .dataset import Dataset

EPOCH = dt.date(1970, 1, 1)


def _read(sql: str, columns: list[str], dtypes: dict[str, str]) -> pd.DataFrame:
    if connection.vendor == "postgresql":
        buf = io.BytesIO()
        with connection.cursor() as cursor:
            cursor.connection.cursor().copy_expert(f"COPY ({sql}) TO STDOUT WITH CSV", buf)
        buf.seek(0)
        return pd.read_csv(buf, names=columns, dtype=dtypes, keep_default_na=False, na_values={c: [""] for c in columns if dtypes.get(c) != "str"})
    frames = []
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while True:
            rows = cursor.fetchmany(100_000)
            if not rows:
                break
            frames.append(pd.DataFrame.from_records(rows, columns=columns))
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    return pd.concat(frames, ignore_index=True)


def _day_sql(column: str) -> str:
    """SQL for a date column as days since 1970-01-01 (NULL stays NULL), per database."""
    if connection.vendor == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def _cents_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"ROUND({column} * 100)::bigint"
    return f"CAST(ROUND({column} * 100) AS INTEGER)"


def _int_days(values: pd.Series) -> np.ndarray:
    """Integer days from SQL; missing (an open end) → OPEN."""
    return pd.to_numeric(values, errors="coerce").fillna(int(OPEN)).astype(np.int64).to_numpy()


def last_complete_month_end(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


def load_dataset(*, data_date: dt.date) -> Dataset:
    """Children, episodes, declarations, reference data and population up to `data_date` (inclusive)."""
    return load_declarations(load_episodes(data_date=data_date))


def _in_municipalities(municipalities: list[int] | None) -> str:
    """A WHERE condition on municipality_id (ids are integers: formatted, never user text), or "" for all."""
    if municipalities is None:
        return ""
    ids = ",".join(str(int(m)) for m in municipalities) or "NULL"
    return f" WHERE municipality_id IN ({ids})"


def load_children(*, data_date: dt.date, municipalities: list[int] | None = None) -> Dataset:
    """Children (birth dates), reference data and population, with no episodes or declarations yet
    (`load_episodes`, `load_declarations`): what every figure needs. With `municipalities`: only the children with an
    episode or a declaration there (a forecast of one area reads only its rows; pass the same list to the loaders
    after this one)."""
    where = ""
    if municipalities is not None:
        inside = _in_municipalities(municipalities)
        where = (f" WHERE id IN (SELECT child_id FROM placements_episode{inside} "
                 f"UNION SELECT child_id FROM placements_declaration{inside})")
    kids = _read(
        f"SELECT id, {_day_sql('birth_date')}, COALESCE(target_group_id, 0) FROM placements_child{where}",
        ["id", "birth", "target_group"],
        {"id": "int64", "birth": "int32", "target_group": "int32"},
    )
    child_ids = kids["id"].to_numpy(dtype=np.int64)
    order = np.argsort(child_ids)
    forms = list(CareForm.objects.values_list("id", "rung", "with_stay", "family_based"))
    population: dict[tuple[int, int], int] = {}
    for muni_id, year, count in YouthPopulation.objects.filter(age_band__in=["0-11", "12-17"]).values_list(
        "municipality_id", "year", "count"
    ):
        population[(muni_id, year)] = population.get((muni_id, year), 0) + count
    # 32-bit ids, days and child indexes (an open end is OPEN, the largest int32): half the memory and memory
    # traffic of int64; the engine widens to int64 where it combines or subtracts values
    none = np.zeros(0, np.int32)
    return Dataset(
        ep_child=none, ep_form=none, ep_muni=none, ep_start=none, ep_end=none, ep_reason=np.zeros(0, np.int16),
        child_birth=_int_days(kids["birth"])[order],
        child_target_group=kids["target_group"].to_numpy(dtype=np.int32)[order],
        form_rung={f: r for f, r, _, _ in forms},
        form_stay={f: bool(s) for f, _, s, _ in forms},
        form_family={f: bool(fb) for f, _, _, fb in forms},
        muni_region=dict(Municipality.objects.values_list("id", "region_id")),
        population=population,
        data_date=(data_date - EPOCH).days,
        child_ids=child_ids[order],
    )


def load_episodes(*, data_date: dt.date, municipalities: list[int] | None = None) -> Dataset:
    """Children, episodes, reference data and population, no declarations (only the municipalities' with
    `municipalities`)."""
    return add_episodes(load_children(data_date=data_date, municipalities=municipalities), municipalities=municipalities)


def add_episodes(ds: Dataset, *, municipalities: list[int] | None = None) -> Dataset:
    """`ds` (from `load_children`) with the episodes up to its data date (only the municipalities' with
    `municipalities`)."""
    eps = _read(
        f"SELECT child_id, care_form_id, municipality_id, {_day_sql('start_date')}, {_day_sql('end_date')}, end_reason, provider_id "
        f"FROM placements_episode{_in_municipalities(municipalities)}",
        ["child", "form", "muni", "start", "end", "reason", "provider"],
        {"child": "int64", "form": "int32", "muni": "int32", "start": "int32", "end": "float64", "reason": "str", "provider": "int32"},
    )
    cutoff = ds.data_date
    start = _int_days(eps["start"])
    end = _int_days(eps["end"])
    keep = start <= cutoff
    end = np.where(end > cutoff + 1, OPEN, end)  # what ends after the data date is still running then
    reason = pd.to_numeric(eps["reason"], errors="coerce").fillna(0).astype(np.int16).to_numpy()
    i32 = np.int32
    return ds.derive(
        ep_child=np.searchsorted(ds.child_ids, eps["child"].to_numpy(dtype=np.int64))[keep].astype(i32),
        ep_form=eps["form"].to_numpy(dtype=i32)[keep],
        ep_muni=eps["muni"].to_numpy(dtype=i32)[keep],
        ep_start=start[keep].astype(i32),
        ep_end=end[keep].astype(i32),
        ep_reason=reason[keep],
        ep_provider=eps["provider"].to_numpy(dtype=i32)[keep],
        presorted=False,
        keep_memo=("birthdays", "dec_months"),
    )


def load_declarations(ds: Dataset, *, municipalities: list[int] | None = None) -> Dataset:
    """`ds` (from `load_children` or `load_episodes`) with the declarations up to its data date (only the
    municipalities' with `municipalities`)."""
    decs = _read(
        f"SELECT child_id, care_form_id, municipality_id, {_day_sql('period_start')}, {_cents_sql('amount')}, provider_id "
        f"FROM placements_declaration{_in_municipalities(municipalities)}",
        ["child", "form", "muni", "start", "cents", "provider"],
        {"child": "int64", "form": "int32", "muni": "int32", "start": "int32", "cents": "int64", "provider": "int32"},
    )
    d_start = _int_days(decs["start"])
    d_keep = d_start <= ds.data_date
    cents = pd.to_numeric(decs["cents"], errors="coerce").fillna(0).astype(np.int64).to_numpy()
    i32 = np.int32
    return ds.derive(
        dec_child=np.searchsorted(ds.child_ids, decs["child"].to_numpy(dtype=np.int64))[d_keep].astype(i32),
        dec_form=decs["form"].to_numpy(dtype=i32)[d_keep],
        dec_muni=decs["muni"].to_numpy(dtype=i32)[d_keep],
        dec_start=d_start[d_keep].astype(i32),
        dec_cents=cents[d_keep],
        dec_provider=decs["provider"].to_numpy(dtype=i32)[d_keep],
        keep_memo=("birthdays", "episodes"),
    )
