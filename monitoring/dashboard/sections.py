"""The periods the casework and foster-care sections of the dashboard show, chosen once for both.

Never later than the chosen month: a yearly figure shows the last year that has ended by the chosen month (the
chosen year itself only when the chosen month is December or the run's last month, so that the value holds no
month after the chosen one); a fixed-window figure shows its last measurable year and, when the year belonging to
the chosen month is not measurable yet by the run's data date, says so with the date from which it will be; a year-to-date sum only counts the
months that are measurable and says up to which month it runs.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.formatting import date as nl_date
from core.periods import month_label
from monitoring import registry


@dataclass
class Choice:
    period: str  # the stored period key ("" when there is none)
    label: str  # what the tile says under the value
    value: float | None
    not_measurable: str = ""  # "nog niet meetbaar (vanaf d-m-Y)" when the window of the period is still open


def not_measurable_text(key: str, period: str) -> str:
    opens = registry.measurable_from(key, period)
    return _("nog niet meetbaar (vanaf %(date)s)") % {"date": nl_date(opens)} if opens else _("nog niet meetbaar")


def year_choice(*, key: str, values: dict, month: str, run) -> Choice:
    """The yearly value belonging to the chosen month (see the module docstring)."""
    year = month[:4]
    last = year if month[5:] == "12" or month == run.last_month else str(int(year) - 1)
    # a run stores measurable periods only; a run from before that rule may hold more: never shown
    stored = sorted(p for p in values if len(p) == 4 and p <= last and registry.is_measurable(key, p, run.data_date))
    period = stored[-1] if stored else ""
    # the first year after the one shown (up to the chosen one) that is not measurable yet, and from when it will be
    later = [str(y) for y in range(int(period or last) + (1 if period else 0), int(last) + 1)]
    waiting = next((y for y in later if not registry.is_measurable(key, y, run.data_date)), None)
    note = f"{waiting} {not_measurable_text(key, waiting)}" if waiting else ""
    return Choice(period, period or "–", values.get(period) if period else None, note)


def year_to_date(*, key: str, values: dict, month: str, run) -> Choice:
    """The sum of the chosen year's months up to the chosen month, over the months that are measurable."""
    year = month[:4]
    months = [f"{year}-{m:02d}" for m in range(1, int(month[5:]) + 1)]
    measurable = [m for m in months if registry.is_measurable(key, m, run.data_date)]
    if not measurable:
        return Choice("", f"{year} t/m {month[5:]}", None, not_measurable_text(key, months[0]))
    value = sum(values.get(m) or 0 for m in measurable)
    last = measurable[-1]
    if last == months[-1]:
        return Choice(last, f"{year} t/m {month[5:]}", value)
    return Choice(last, f"{year} t/m {last[5:]}", value,
                  _("%(month)s nog niet meetbaar (vanaf %(date)s)") % {"month": month_label(months[len(measurable)]),
                                                                         "date": nl_date(registry.measurable_from(key, months[len(measurable)]))})
