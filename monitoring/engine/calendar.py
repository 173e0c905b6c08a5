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


def days_to_months(days: np.ndarray) -> np.ndarray:
    """Month index (months since 1970-01) of each day; OPEN stays a very large month."""
    days = np.asarray(days)
    out = np.asarray(days, dtype="int64").astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return np.where(days >= OPEN, np.int64(10**7), out)


def month_first_day(months: np.ndarray) -> np.ndarray:
    return np.asarray(months, dtype=np.int64).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def month_last_day(months: np.ndarray) -> np.ndarray:
    return month_first_day(np.asarray(months) + 1) - 1


def birthday(birth_days: np.ndarray, years: int) -> np.ndarray:
    """Day of the n-th birthday (29 February rolls over to 1 March in other years)."""
    b = np.asarray(birth_days, dtype=np.int64).astype("datetime64[D]")
    months = b.astype("datetime64[M]")
    day_of_month = (b - months.astype("datetime64[D]")).astype(np.int64)
    return ((months + 12 * years).astype("datetime64[D]") + day_of_month).astype(np.int64)


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
