"""Number formats of the report and the cost-table page (Dutch notation)."""
from __future__ import annotations

from django import template

from core import formatting

register = template.Library()


@register.filter
def euro_cents(value) -> str:
    """€ 1.234.567,89 (a minus sign before the amount for a negative one)."""
    if value is None or value == "":
        return formatting.MISSING
    return formatting.euro(value).replace("€ -", "€ −")


@register.filter
def pct(value) -> str:
    """+8,1% / −12,0% / – for a missing change."""
    return formatting.change_percent(value)
