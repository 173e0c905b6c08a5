"""The crisis section of the dashboard (monitoring.dashboard.sections.section_rows): crises in the year up to the
chosen month, and the shares followed by a placement or ending at home of the latest measurable year."""
from __future__ import annotations

from django import template

from monitoring.dashboard import sections

register = template.Library()

SECTION = ("crises", "crisis_placement_30d", "crisis_placement_90d", "crisis_home_90d")


@register.simple_tag
def crisis_figures(dash) -> dict:
    return sections.section_rows(dash, SECTION)
