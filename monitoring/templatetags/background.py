"""{% background_available as ok %}: whether the Celery broker answers (a ~1 s ping, cached briefly)."""
from django import template

from core.background import broker_available

register = template.Library()


@register.simple_tag
def background_available() -> bool:
    return broker_available()
