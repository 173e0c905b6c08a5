"""The sections apps add to the dashboard (casework, foster care, child protection): the periods they show, chosen
once for all, and the rows of a section of group-"all" figures (`section_rows`).

Never later than the chosen month: a yearly figure shows the last year that has ended by the chosen month (the
chosen year itself only when the chosen month is December or the run's last month, so that the value holds no
month after the chosen one); a fixed-window figure shows its last measurable year and, when the year belonging to
the chosen month is not measurable yet by the run's data date, says so with the date from which it will be; a year-to-date sum only counts the
months that are measurable and says up to which month it runs.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core import formatting, intervals, publication
from core.formatting import date as nl_date
from core.periods import month_label
from monitoring import registry
from monitoring.registry import Kind


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


def section_rows(dash, keys: tuple[str, ...]) -> dict:
    """The tiles of a section of group-"all" figures for the dashboard's run, scope and month: flows summed over the
    year up to the chosen month, stocks at that month, shares of the latest finished year with their 95% interval.
    Counts of children pass core.publication unless the viewer sees exact figures."""
    from monitoring.runs import store

    if dash is None or dash.run is None:
        return {"rows": []}
    month = dash.month or dash.run.last_month
    # one read for every section of the page: all group-"all" series of the figures apps measure, with their n
    series = getattr(dash, "_section_series", None)
    if series is None:
        wanted = [m.key for m in registry.REGISTRY.values() if m.source not in ("registry", "providers", registry.INTERNAL)]
        wanted += [registry.SHARE_DENOMINATORS[k] for k in wanted if k in registry.SHARE_DENOMINATORS]
        series = {r.metric: r.values for r in store.run_series(dash.run, scope=dash.scope.key, group="all", band="all", metric__in=wanted)}
        dash._section_series = series
    rows = []
    for key in keys:
        metric = registry.get(key)
        if metric is None or not metric.available:
            continue
        values = series.get(key) or {}
        row = {"key": key, "label": metric.label, "help": metric.definition}
        if metric.unit == "share":
            choice = year_choice(key=key, values=values, month=month, run=dash.run)
            n = series.get(registry.SHARE_DENOMINATORS.get(key, ""), {}).get(choice.period)
            cell, interval = intervals.published_share(choice.value, n, exact=dash.exact)
            rows.append({**row, "text": cell.text, "period": choice.label, "suppressed": cell.suppressed, "interval": interval,
                         "not_measurable": choice.not_measurable})
            continue
        not_measurable = ""
        if metric.kind == Kind.FLOW:
            choice = year_to_date(key=key, values=values, month=month, run=dash.run)
            value, period, not_measurable = choice.value, choice.label, choice.not_measurable
        else:
            value, period = values.get(month, 0), month
        if value is None:
            rows.append({**row, "period": period, "text": "–", "suppressed": False, "not_measurable": not_measurable})
            continue
        cell = publication.count(value, exact=dash.exact) if metric.counts_children else None
        rows.append({**row, "period": period, "not_measurable": not_measurable,
                     "text": cell.text if cell else formatting.number(value), "suppressed": bool(cell and cell.suppressed)})
    return {"rows": rows, "year": month[:4], "month": month}
