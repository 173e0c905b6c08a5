"""Template tags of the dashboard's "Uitkomsten" (monitoring.dashboard.outcomes)."""
from __future__ import annotations

from django import template

from monitoring.dashboard import outcomes

register = template.Library()


@register.simple_tag
def outcome_figures(dash) -> dict:
    return outcomes.outcome_rows(dash)


@register.simple_tag
def outcome_sources(dash) -> dict:
    return outcomes.outcome_sources(dash)
