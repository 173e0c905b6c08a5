"""The foster-care section of the dashboard: the foster-care figures of the dashboard's run and scope for the
year of the chosen month (flows summed from January up to that month, stocks at that month, shares and ratios
of the latest finished year). Small numbers of children are suppressed unless the viewer sees exact figures."""
from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from core import formatting, intervals, publication
from monitoring import registry
from monitoring.dashboard import sections
from monitoring.registry import Kind
from monitoring.runs import store

register = template.Library()

#: (metric, group, label override or None). The engine's breakdowns and foster_breakdown_12m are read from the
#: family-based group (foster care and family homes), the foster-care figures from group "all" or a stage.
SECTION = (
    ("breakdowns_prevented", "all", None),
    ("breakdowns", "family_based", _("Breakdowns (trajecten)")),
    ("foster_breakdowns_registered", "all", None),
    ("foster_escalations", "all", None),
    ("foster_at_risk", "all", None),
    ("foster_at_risk_days", "all", None),
    ("foster_children", "all", None),
    ("foster_families_active", "all", None),
    ("foster_free_places", "all", None),
    ("foster_families_leaving", "all", None),
    ("recruitment", "informatieavond", _("Aspiranten op informatieavond")),
    ("recruitment", "goedgekeurd", _("Nieuwe pleegouders goedgekeurd")),
    ("foster_breakdown_12m", "family_based", None),
    ("prospects_per_match", "all", None),
)


@register.simple_tag
def fostercare_figures(dash) -> dict:
    if dash is None or dash.run is None:
        return {"rows": []}
    month = dash.month or dash.run.last_month
    year = month[:4]
    wanted = {(m, g) for m, g, _l in SECTION}
    series = {
        (r.metric, r.group): r.values
        for r in store.run_series(dash.run, scope=dash.scope.key, band="all",
                                  metric__in=sorted({m for m, _g in wanted} | {registry.SHARE_DENOMINATORS[m] for m, _g in wanted if m in registry.SHARE_DENOMINATORS}),
                                  group__in=sorted({g for _m, g in wanted}))
    }
    rows = []
    for key, group, label in SECTION:
        metric = registry.get(key)
        if metric is None or not metric.available:
            continue
        values = series.get((key, group)) or {}
        row = {"key": f"{key}:{group}" if group != "all" else key, "label": label or metric.label, "help": metric.definition}
        if metric.unit in ("share", "ratio"):
            choice = sections.year_choice(key=key, values=values, month=month, run=dash.run)
            row["not_measurable"] = choice.not_measurable
            if metric.unit == "share":
                n = series.get((registry.SHARE_DENOMINATORS.get(key, ""), group), {}).get(choice.period)
                cell, interval = intervals.published_share(choice.value, n, exact=dash.exact)
                row |= {"text": cell.text, "period": choice.label, "suppressed": cell.suppressed, "interval": interval}
            else:
                row |= {"text": formatting.number(choice.value, 1), "period": choice.label, "suppressed": False}
            rows.append(row)
            continue
        row["not_measurable"] = ""
        if metric.kind == Kind.FLOW:
            choice = sections.year_to_date(key=key, values={p: v for p, v in values.items() if len(p) == 7}, month=month, run=dash.run)
            value, period, row["not_measurable"] = choice.value, choice.label, choice.not_measurable
        else:
            value = values.get(month, 0)
            period = month
        if value is None:
            row |= {"period": period, "text": "–", "suppressed": False}
            rows.append(row)
            continue
        cell = publication.count(value, exact=dash.exact) if metric.counts_children else None
        row |= {"period": period, "text": cell.text if cell else formatting.number(value), "suppressed": bool(cell and cell.suppressed)}
        rows.append(row)
    return {"rows": rows, "year": year, "month": month}
