"""{% targets_at_a_glance %}: the status of the user's running targets for a start page (rendered by the base app
placements without importing monitoring), read in the latest run and published as on the targets page."""
from django import template

from monitoring.runs.selectors import run_latest
from monitoring.targets import progress as service
from monitoring.targets.selectors import sees_unsuppressed, targets_visible

register = template.Library()


@register.inclusion_tag("monitoring/_targets_glance.html", takes_context=True)
def targets_at_a_glance(context) -> dict:
    user = context["request"].user
    run = run_latest()
    cards = [service.card(service.target_progress(t, run), suppress=not sees_unsuppressed(user, t)) for t in targets_visible(user=user)]
    running = [c for c in cards if c["progress"].has_numbers and not c["progress"].finished]
    return {"summary": service.summary(running), "running": running}
