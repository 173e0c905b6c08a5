"""Numbers, money, shares and dates as people read them, in one place, through Django's localisation:
Dutch ("1.234", "2,5", "€ 1.234,56", "12,5%", "17-05-2012") with the Dutch interface, English notation with the
English one. A missing value is shown as "–". Templates use the same functions through the `fv` tag library.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats, timezone

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
    amount = amount.quantize(Decimal("0.01") if cents else Decimal(1), rounding=ROUND_HALF_UP)
    sign = "-" if amount < 0 else ""
    return f"€ {sign}{formats.number_format(abs(amount), decimal_pos=2 if cents else 0, use_l10n=True, force_grouping=True)}"


def percent(share: float | None, decimals: int = 0) -> str:
    """A share (0.125) as a percentage: "13%" (decimals=0) or "12,5%"."""
    if share is None:
        return MISSING
    return f"{number(100 * share, decimals)}%"


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
