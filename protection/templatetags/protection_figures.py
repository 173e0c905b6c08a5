"""The child-protection section of the dashboard: children under a measure at the chosen month, new measures and
court-ordered entries into stay care in its year up to that month, and the court-ordered share of the latest
finished year (monitoring.dashboard.sections.section_rows)."""
from __future__ import annotations

from django import template

from monitoring.dashboard import sections

register = template.Library()

SECTION = ("measure_children", "measure_starts", "stay_entries_court", "stay_entries_court_share")


@register.simple_tag
def protection_figures(dash) -> dict:
    return sections.section_rows(dash, SECTION)
