"""The casework section of the dashboard: the casework figures of the dashboard's run and scope for the
year of the chosen month (flows summed from January up to that month, stocks at that month, shares of the
latest finished period, with their 95% interval). Small numbers are suppressed unless the viewer sees exact figures."""
from __future__ import annotations

from django import template

from core import formatting, intervals, publication
from monitoring import registry
from monitoring.dashboard import sections
from monitoring.registry import Kind
from monitoring.runs import store

register = template.Library()

SECTION = (
    "ret_cases", "ret_cases_gi_invited", "case_week_cases", "placements_prevented", "residential_checklists",
    "jim_families", "jim_families_monitored", "systemic_families", "systemic_families_monitored",
    "prevented_6m", "prevented_12m", "residential_checklists_share",
)


@register.simple_tag
def casework_figures(dash) -> dict:
    if dash is None or dash.run is None:
        return {"rows": []}
    month = dash.month or dash.run.last_month
    year = month[:4]
    denominators = [registry.SHARE_DENOMINATORS[k] for k in SECTION if k in registry.SHARE_DENOMINATORS]
    series = {r.metric: r.values for r in store.run_series(dash.run, scope=dash.scope.key, group="all", band="all",
                                                           metric__in=[*SECTION, *denominators])}
    rows = []
    for key in SECTION:
        metric = registry.get(key)
        if metric is None or not metric.available:
            continue
        values = series.get(key) or {}
        if metric.unit == "share":
            choice = sections.year_choice(key=key, values=values, month=month, run=dash.run)
            n = series.get(registry.SHARE_DENOMINATORS.get(key, ""), {}).get(choice.period)
            cell, interval = intervals.published_share(choice.value, n, exact=dash.exact)
            rows.append({"key": key, "label": metric.label, "help": metric.definition, "text": cell.text, "period": choice.label,
                         "suppressed": cell.suppressed, "interval": interval, "not_measurable": choice.not_measurable})
            continue
        not_measurable = ""
        if metric.kind == Kind.FLOW:
            choice = sections.year_to_date(key=key, values=values, month=month, run=dash.run)
            value, period, not_measurable = choice.value, choice.label, choice.not_measurable
        else:
            value = values.get(month, 0)
            period = month
        if value is None:
            rows.append({"key": key, "label": metric.label, "help": metric.definition, "period": period, "text": "–",
                         "suppressed": False, "not_measurable": not_measurable})
            continue
        cell = publication.count(value, exact=dash.exact) if metric.counts_children else None
        rows.append({"key": key, "label": metric.label, "help": metric.definition, "period": period, "not_measurable": not_measurable,
                     "text": cell.text if cell else formatting.number(value), "suppressed": bool(cell and cell.suppressed)})
    return {"rows": rows, "year": year, "month": month}
