"""The casework section of the dashboard: the casework figures of the dashboard's run and scope for the
year of the chosen month (monitoring.dashboard.sections.section_rows: flows summed from January up to that month,
stocks at that month, shares of the latest finished period with their 95% interval). Small numbers are protected
unless the viewer sees exact figures."""
from __future__ import annotations

from django import template

from monitoring.dashboard import sections

register = template.Library()

SECTION = (
    "ret_cases", "ret_cases_gi_invited", "case_week_cases", "placements_prevented", "residential_checklists",
    "jim_families", "jim_families_monitored", "systemic_families", "systemic_families_monitored",
    "prevented_6m", "prevented_12m", "residential_checklists_share",
)


@register.simple_tag
def casework_figures(dash) -> dict:
    return sections.section_rows(dash, SECTION)
