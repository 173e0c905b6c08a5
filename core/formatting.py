"""Numbers, money, shares and dates as people read them, in one place, through Django's localisation:
Dutch ("1.234", "2,5", "€ 1.234,56", "12,5%", "17-05-2012") with the Dutch interface, English notation with the
English one. A missing value is shown as "–". Templates use the same functions through the `fv` tag library.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats, timezone

from .periods import MONTH_NAMES

MISSING = "–"
MINUS = "−"  # a real minus sign for changes (+3 / −3)


def number(value: float | int | Decimal | None, decimals: int = 0) -> str:
    """1234.5 → "1.234" (decimals=0) or "1.234,5" (decimals=1); thousands grouped. Rounded as Python rounds
    a float (half to even); money is rounded half up by `euro`."""
    if value is None:
        return MISSING
    text = str(round(value)) if decimals == 0 else f"{value:.{decimals}f}"
    return formats.number_format(text, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def euro(value: float | int | Decimal | str | None, *, cents: bool = True) -> str:
    """An amount: "€ 1.234,56" (cents=False: "€ 1.235"); negative "€ -12,00"; "" for an empty value."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not cents:  # whole euros (charts, tiles): rounded as the counts are
        return f"€ {'-' if amount < 0 else ''}{number(abs(float(amount)))}"
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"€ {sign}{formats.number_format(abs(amount), decimal_pos=2, use_l10n=True, force_grouping=True)}"


def euro_whole(value: float | None) -> str:
    """An amount in whole euros ("€ 1.235"), "–" when missing."""
    return MISSING if value is None else euro(value, cents=False)


#: days in an average month (365.25 / 12): stay durations in days are also shown in months, as the region's
#: documents state them ("één jaar … 10 maanden")
DAYS_PER_MONTH = 365.25 / 12


def months_of_days(days: float | None) -> str:
    """A duration in days as months with one decimal: 304 → "10,0"."""
    return "" if days is None else number(days / DAYS_PER_MONTH, 1)


def percent(share: float | None, decimals: int = 0) -> str:
    """A share (0.125) as a percentage: "13%" (decimals=0) or "12,5%"."""
    if share is None:
        return MISSING
    return f"{number(100 * share, decimals)}%"


def change_percent(value: float | None) -> str:
    """A change in percent with its sign and one decimal: "+8,1%", "−12,0%", "–" when missing."""
    if value is None or value == "":
        return MISSING
    value = float(value)
    sign = "+" if value > 0 else (MINUS if value < 0 else "")
    return f"{sign}{number(abs(value), 1)}%"


def count_or_decimal(value: float) -> str:
    """A whole number as "1.234", anything else with one decimal ("2,5")."""
    return number(value, 0 if float(value).is_integer() else 1)


def spreadsheet_number(value: float | None, decimals: int = 2) -> str:
    """A number for a CSV that Dutch Excel reads as a number: decimal comma, no thousands separator, at most
    `decimals` decimals without trailing zeros; "" when missing."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".").replace(".", ",")


def date_long(day: dt.date) -> str:
    """"17 mei 2026"."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def change(value: float) -> str:
    """A change with its sign: "+3", "−2,5", "0"."""
    if value == 0:
        return "0"
    return f"{'+' if value > 0 else MINUS}{number(abs(value), 0 if float(value).is_integer() else 1)}"


def date(value) -> str:
    """A date as d-m-Y ("17-05-2012"), a date and time as d-m-Y H:i in local time; empty for None."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")
