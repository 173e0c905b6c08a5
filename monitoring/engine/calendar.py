"""Days, months and period labels of the engine, as integers.

- Days are integers (days since 1970-01-01); months are integers (months since 1970-01); an open end is OPEN.
- Quarter, year and half-year indexes count from 1970 in the same way; the labels are the stored period keys
  (YYYY-MM, YYYY-Qn, YYYY, YYYY-Hn). How a person reads them (e.g. "K3 2026") is core.periods' business.
"""
from __future__ import annotations

import numpy as np

BAND_ALL = 9  # the age band "all ages"; bands 0, 1, 2 are 0-11, 12-17, 18+ (band_on)
BAND_NAMES = {0: "0-11", 1: "12-17", 2: "18+", BAND_ALL: "all"}
OPEN = np.int32(2**31 - 1)


# Calendar conversions by table lookup: numpy's datetime64 casts D → M and M → D cost ~30 ns per element, a gather
# from a table that fits in the cache a few ns (on the national data set ~2 s of a run's 30). The tables cover
# 1900-01-01 to 2199-12-31; a value outside (OPEN, or a date of another century) takes the datetime64 way.
_DAY0 = -25567  # 1900-01-01 as days since 1970-01-01
_MONTH0 = -840  # 1900-01 as months since 1970-01
_MONTH_OF_DAY = np.arange(_DAY0, 84006).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)  # to 2199-12-31
_FIRST_DAY_OF_MONTH = np.arange(_MONTH0, 2761).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)  # to 2200-01


def _by_table(values: np.ndarray, offset: int, table: np.ndarray, slow) -> np.ndarray:
    """table[values - offset] where that lies in the table, `slow(values)` elsewhere (int64 result)."""
    values = np.asarray(values)
    idx = values.astype(np.int64, copy=False) - offset
    inside = (idx >= 0) & (idx < len(table))
    if inside.all():
        return table[idx]
    out = np.empty(values.shape, np.int64)
    out[inside] = table[idx[inside]]
    outside = ~inside
    out[outside] = slow(values[outside])
    return out


def _months_slow(days: np.ndarray) -> np.ndarray:
    out = np.asarray(days, dtype="int64").astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return np.where(np.asarray(days) >= OPEN, np.int64(10**7), out)


def _first_days_slow(months: np.ndarray) -> np.ndarray:
    return np.asarray(months, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def days_to_months(days: np.ndarray) -> np.ndarray:
    """Month index (months since 1970-01) of each day; OPEN stays a very large month."""
    return _by_table(days, _DAY0, _MONTH_OF_DAY, _months_slow)


def month_first_day(months: np.ndarray) -> np.ndarray:
    return _by_table(months, _MONTH0, _FIRST_DAY_OF_MONTH, _first_days_slow)


def month_last_day(months: np.ndarray) -> np.ndarray:
    return month_first_day(np.asarray(months) + 1) - 1


def birthday(birth_days: np.ndarray, years: int) -> np.ndarray:
    """Day of the n-th birthday (29 February rolls over to 1 March in other years)."""
    b = np.asarray(birth_days, dtype=np.int64)
    months = days_to_months(b)
    day_of_month = b - month_first_day(months)
    return month_first_day(months + 12 * years) + day_of_month


def band_on(birth_days: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Age band (0, 1, 2) on the given day, age in full years."""
    return np.where(day < birthday(birth_days, 12), 0, np.where(day < birthday(birth_days, 18), 1, 2)).astype(np.int8)


def month_label(month: int) -> str:
    return f"{1970 + month // 12:04d}-{month % 12 + 1:02d}"


def month_to_quarter(month: np.ndarray) -> np.ndarray:
    """Quarter index: (year - 1970) * 4 + quarter - 1."""
    return np.asarray(month) // 3


def quarter_label(q: int) -> str:
    return f"{1970 + q // 4:04d}-Q{q % 4 + 1}"


def year_label(y: int) -> str:
    return f"{1970 + y:04d}"


def half_label(h: int) -> str:
    return f"{1970 + h // 2:04d}-H{h % 2 + 1}"
