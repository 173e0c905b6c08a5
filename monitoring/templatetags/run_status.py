"""{% latest_runs %}: the newest snapshot runs for the administrator's start page (which the base app placements
renders without importing monitoring)."""
from django import template

from core.jobs import BADGES
from monitoring.runs.selectors import run_list

register = template.Library()


@register.inclusion_tag("monitoring/_latest_runs.html")
def latest_runs(n: int = 3) -> dict:
    return {"runs": [(run, BADGES.get(run.status, "text-bg-secondary")) for run in run_list()[:n]]}
