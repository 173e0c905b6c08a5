"""Periods, once: the stored keys (YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY) and how a Dutch reader sees them
("okt 2026", "K3 2026", "2e halfjaar 2026").

Keys sort as text in time order within a kind, so keys are compared as strings throughout the app.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MONTH_RE = re.compile(r"\d{4}-\d{2}")
PERIOD_RE = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])|H([12])))?$")
MONTH_ABBR = [gettext_lazy("jan"), gettext_lazy("feb"), gettext_lazy("mrt"), gettext_lazy("apr"), gettext_lazy("mei"), gettext_lazy("jun"),
              gettext_lazy("jul"), gettext_lazy("aug"), gettext_lazy("sep"), gettext_lazy("okt"), gettext_lazy("nov"), gettext_lazy("dec")]
MONTH_NAMES = [gettext_lazy("januari"), gettext_lazy("februari"), gettext_lazy("maart"), gettext_lazy("april"), gettext_lazy("mei"),
               gettext_lazy("juni"), gettext_lazy("juli"), gettext_lazy("augustus"), gettext_lazy("september"), gettext_lazy("oktober"),
               gettext_lazy("november"), gettext_lazy("december")]


# --------------------------------------------------------------------------------------------- days
def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def age_on(birth: dt.date, day: dt.date) -> int:
    """Age in full years on `day` (29 February birthdays count on 1 March in other years)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def last_complete_month_end(today: dt.date) -> dt.date:
    """The last day of the month before `today`'s month: a run's data date."""
    return today.replace(day=1) - dt.timedelta(days=1)


# --------------------------------------------------------------------------------------------- keys
def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quarter_key(day: dt.date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def month_number(day: dt.date) -> int:
    """Months since year 0 (year * 12 + month - 1): months as integers for counting and ranges."""
    return day.year * 12 + day.month - 1


def month_number_key(n: int) -> str:
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


def month_number_end(n: int) -> dt.date:
    return month_end(n // 12, n % 12 + 1)


def month_add(month: str, n: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every month key from `first` to `last` inclusive."""
    out = []
    current = first
    while current <= last:
        out.append(current)
        current = month_add(current, 1)
    return out


def parse_month(value: str, *, first: str, last: str) -> str:
    """A YYYY-MM within [first, last]; anything else falls back to `last` (clamped when out of range)."""
    value = (value or "").strip()
    if not MONTH_RE.fullmatch(value) or not 1 <= int(value[5:7]) <= 12:
        return last
    if first and value < first:
        return first
    return min(value, last)


def quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def quarter_months(quarter: str) -> list[str]:
    year, q = int(quarter[:4]), int(quarter[-1])
    return [f"{year:04d}-{3 * q - 2 + i:02d}" for i in range(3)]


def quarter_shift(quarter: str, n: int) -> str:
    index = int(quarter[:4]) * 4 + int(quarter[-1]) - 1 + n
    return f"{index // 4:04d}-Q{index % 4 + 1}"


def quarter_end(quarter: str) -> dt.date:
    return month_end(int(quarter[:4]), 3 * int(quarter[-1]))


def period_last_month(period: str) -> str:
    """The last month (YYYY-MM) of a period key: YYYY-MM, YYYY-Qn, YYYY-Hn or YYYY."""
    if len(period) == 4:
        return f"{period}-12"
    if period[5] == "Q":
        return f"{period[:4]}-{3 * int(period[6]):02d}"
    if period[5] == "H":
        return f"{period[:4]}-{6 * int(period[6]):02d}"
    return period


@dataclass(frozen=True)
class Period:
    """A period key ("2019", "2019-Q4", "2019-H2", "2019-12") with its first and last day."""

    label: str
    kind: str  # year, quarter, half, month
    start: dt.date
    end: dt.date

    @property
    def months(self) -> int:
        return {"year": 12, "half": 6, "quarter": 3, "month": 1}[self.kind]

    @property
    def last_month(self) -> str:
        return month_key(self.end)


def parse_period(label: str | None) -> Period | None:
    """The period of a key, or None when it is not one of YYYY, YYYY-MM, YYYY-Qn, YYYY-Hn."""
    match = PERIOD_RE.match((label or "").strip())
    if not match:
        return None
    year = int(match.group(1))
    month, quarter, half = match.group(2), match.group(3), match.group(4)
    if month:
        first, last, kind = int(month), int(month), "month"
    elif quarter:
        first, last, kind = 3 * int(quarter) - 2, 3 * int(quarter), "quarter"
    elif half:
        first, last, kind = 6 * int(half) - 5, 6 * int(half), "half"
    else:
        first, last, kind = 1, 12, "year"
    return Period(label.strip(), kind, dt.date(year, first, 1), month_end(year, last))


# --------------------------------------------------------------------------------------------- for people
def month_label(month: str) -> str:
    """"2026-10" → "okt 2026"."""
    return f"{MONTH_ABBR[int(month[5:7]) - 1]} {month[:4]}"


def year_to_date_label(month: str) -> str:
    """The months of a year up to `month`: "2025-06" → "jan–jun 2025", "2025-01" → "jan 2025"."""
    if month[5:7] == "01":
        return month_label(month)
    return f"{MONTH_ABBR[0]}–{month_label(month)}"


def quarter_label(quarter: str) -> str:
    """"2026-Q3" → "K3 2026" (kwartaal)."""
    return _("K%(q)s %(year)s") % {"q": quarter[-1], "year": quarter[:4]}


def quarter_long(quarter: str) -> str:
    """"2026-Q3" → "juli – september 2026"."""
    months = quarter_months(quarter)
    return f"{MONTH_NAMES[int(months[0][5:]) - 1]} – {MONTH_NAMES[int(months[-1][5:]) - 1]} {quarter[:4]}"


def half_label(half: str) -> str:
    """"2026-H2" → "2e halfjaar 2026"."""
    return _("%(h)se halfjaar %(year)s") % {"h": half[-1], "year": half[:4]}


def period_label(period: str) -> str:
    """Any period key as a Dutch reader reads it."""
    if len(period) == 4:
        return period
    if period[5] == "Q":
        return quarter_label(period)
    if period[5] == "H":
        return half_label(period)
    return month_label(period)
