"""Reading the registry into compact arrays for the engine, in one pass per table.

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

from .engine import OPEN, Dataset

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


def _days(values: pd.Series) -> np.ndarray:
    """ISO dates (strings or date objects) to days since 1970-01-01; missing → OPEN."""
    parsed = pd.to_datetime(values.astype("string"), format="%Y-%m-%d", errors="coerce")
    days = (parsed - pd.Timestamp(EPOCH)).dt.days
    return days.fillna(int(OPEN)).astype(np.int64).to_numpy()


def last_complete_month_end(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


def load_dataset(*, data_date: dt.date, municipalities: list[int] | None = None, window: tuple[dt.date, dt.date] | None = None) -> Dataset:
    """Episodes, children, declarations and population up to `data_date` (inclusive).

    `municipalities`: only children with an episode or declaration there (all of their episodes, since a
    child's care level and spells run across municipalities) and the declarations of those municipalities.
    `window`: only episodes overlapping [from, to] and declarations starting in it (one-month runs).
    """
    ep_where, dec_where, kid_where = [], [], []
    if municipalities is not None:
        ids = ",".join(str(int(m)) for m in municipalities) or "NULL"
        touching = (f"SELECT child_id FROM placements_episode WHERE municipality_id IN ({ids}) "
                    f"UNION SELECT child_id FROM placements_declaration WHERE municipality_id IN ({ids})")
        ep_where.append(f"child_id IN ({touching})")
        dec_where.append(f"municipality_id IN ({ids})")
        kid_where.append(f"id IN ({touching})")
    if window is not None:
        lo, hi = (d.isoformat() for d in window)
        ep_where.append(f"start_date <= '{hi}' AND (end_date IS NULL OR end_date >= '{lo}')")
        dec_where.append(f"period_start >= '{lo}' AND period_start <= '{hi}'")

    def where(parts: list[str]) -> str:
        return (" WHERE " + " AND ".join(parts)) if parts else ""

    eps = _read(
        "SELECT child_id, care_form_id, municipality_id, start_date, end_date, end_reason FROM placements_episode" + where(ep_where),
        ["child", "form", "muni", "start", "end", "reason"],
        {"child": "int64", "form": "int64", "muni": "int64", "start": "str", "end": "str", "reason": "str"},
    )
    kids = _read(
        "SELECT id, birth_date FROM placements_child" + where(kid_where),
        ["id", "birth"],
        {"id": "int64", "birth": "str"},
    )
    decs = _read(
        "SELECT child_id, care_form_id, municipality_id, period_start, amount FROM placements_declaration" + where(dec_where),
        ["child", "form", "muni", "start", "amount"],
        {"child": "int64", "form": "int64", "muni": "int64", "start": "str", "amount": "str"},
    )
    cutoff = (data_date - EPOCH).days
    child_ids = kids["id"].to_numpy(dtype=np.int64)
    order = np.argsort(child_ids)
    child_ids = child_ids[order]
    birth = _days(kids["birth"])[order]

    start = _days(eps["start"])
    end = _days(eps["end"])
    keep = start <= cutoff
    end = np.where(end > cutoff + 1, OPEN, end)  # what ends after the data date is still running then
    ep_child = np.searchsorted(child_ids, eps["child"].to_numpy(dtype=np.int64))

    d_start = _days(decs["start"])
    d_keep = d_start <= cutoff
    amounts = pd.to_numeric(decs["amount"], errors="coerce").fillna(0).to_numpy()
    cents = np.rint(amounts * 100).astype(np.int64)

    forms = list(CareForm.objects.values_list("id", "rung", "with_stay", "family_based"))
    munis = dict(Municipality.objects.values_list("id", "region_id"))
    population: dict[tuple[int, int], int] = {}
    for muni_id, year, count in YouthPopulation.objects.filter(age_band__in=["0-11", "12-17"]).values_list(
        "municipality_id", "year", "count"
    ):
        population[(muni_id, year)] = population.get((muni_id, year), 0) + count
    reason = eps["reason"].fillna("").astype(str).to_numpy()
    return Dataset(
        ep_child=ep_child[keep],
        ep_form=eps["form"].to_numpy(dtype=np.int64)[keep],
        ep_muni=eps["muni"].to_numpy(dtype=np.int64)[keep],
        ep_start=start[keep],
        ep_end=end[keep],
        ep_reason=reason[keep],
        child_birth=birth,
        form_rung={f: r for f, r, _, _ in forms},
        form_stay={f: bool(s) for f, _, s, _ in forms},
        form_family={f: bool(fb) for f, _, _, fb in forms},
        muni_region=munis,
        dec_child=np.searchsorted(child_ids, decs["child"].to_numpy(dtype=np.int64))[d_keep],
        dec_form=decs["form"].to_numpy(dtype=np.int64)[d_keep],
        dec_muni=decs["muni"].to_numpy(dtype=np.int64)[d_keep],
        dec_start=d_start[d_keep],
        dec_cents=cents[d_keep],
        population=population,
        data_date=cutoff,
    )
