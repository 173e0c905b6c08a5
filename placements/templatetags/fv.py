"""Display helpers: Dutch dates and amounts, ages, small-number suppression."""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def nl_date(value) -> str:
    """A date as d-m-Y ("17-05-2012"); empty for None."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d-%m-%Y %H:%M")
    return value.strftime("%d-%m-%Y")


@register.filter
def euro(value) -> str:
    """An amount in Dutch notation: "€ 1.234,56", negative as "€ -12,00"."""
    if value in (None, ""):
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(value)
    sign = "-" if amount < 0 else ""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"€ {sign}{'.'.join(groups)},{cents}"


def age_on(birth_date: dt.date, day: dt.date | None = None) -> int:
    """Age in full years on `day` (today by default)."""
    day = day or timezone.localdate()
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@register.filter
def age(birth_date) -> int | str:
    return age_on(birth_date) if birth_date else ""


def suppress_count(value: int, k: int | None = None) -> str:
    """Small-number suppression (metrics.md): counts 1..k-1 become "<k"; 0 and k+ are shown.
    One rule for the whole project: monitoring.suppression."""
    from monitoring.suppression import suppress_value

    return suppress_value(int(value or 0), k=k).text


@register.filter
def suppress(value) -> str:
    return suppress_count(value)


def _object_types() -> dict[str, str]:
    from django.utils.translation import gettext as _

    return {
        "child": _("kind"),
        "episode": _("traject"),
        "declaration": _("declaratie"),
        "import": _("import"),
        "import_job": _("import"),
        "export": _("export"),
        "access_log": _("toegangslog"),
        "case": _("casus"),
    }


@register.filter
def object_type_label(value: str) -> str:
    """Dutch name of an access-log object type; unknown types are shown as stored."""
    return _object_types().get(value, value)
