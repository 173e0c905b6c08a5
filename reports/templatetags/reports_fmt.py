"""Number formats of the report and the cost-table page (Dutch notation)."""
from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def euro_cents(value) -> str:
    """€ 1.234.567,89 (a minus sign before the amount for a negative one)."""
    if value is None or value == "":
        return "–"
    amount = Decimal(value)
    text = f"{abs(amount):,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"€ {'−' if amount < 0 else ''}{text}"


@register.filter
def pct(value) -> str:
    """+8,1% / −12,0% / – for a missing change."""
    if value is None or value == "":
        return "–"
    value = float(value)
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{abs(value):.1f}%".replace(".", ",")
