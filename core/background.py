"""Background work (Celery over Redis) being unavailable: how views recognise it and what they tell the user.

When the broker is down, .delay() raises within about a second (socket and publish-retry settings in
settings.py). The views that start background work catch these errors, keep or close their own record
(run, import job, report) so nothing stays 'pending' or 'running' forever, and show BACKGROUND_UNAVAILABLE.
"""
from __future__ import annotations

import hashlib
import socket

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy

BACKGROUND_UNAVAILABLE = gettext_lazy(
    "Achtergrondwerk is op dit moment niet beschikbaar; probeer het later opnieuw. Er is niets verloren."
)
#: Stored on the run/job/report that could not be queued (database text, Dutch like the other run messages).
NOT_QUEUED = "Achtergrondwerk was niet beschikbaar (de wachtrij is onbereikbaar); er is niets gewijzigd. Start het later opnieuw."


def _errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError

    errors: list[type[BaseException]] = [OperationalError, ConnectionError, socket.timeout, TimeoutError]
    try:
        import redis.exceptions

        errors += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    return tuple(errors)


BROKER_ERRORS = _errors()


def broker_down(exc: BaseException) -> bool:
    """Whether `exc` (raised by .delay()) means the broker could not be reached. In eager mode the task ran
    in-process, so an error is the task's own (never 'the broker is down')."""
    from celery import current_app as app  # the project's app (foodvalley/celery.py), set as current on startup

    return isinstance(exc, BROKER_ERRORS) and not app.conf.task_always_eager


def broker_available(timeout: float = 1.0, cache_seconds: int = 15) -> bool:
    """A quick broker ping (eager mode: always available), cached briefly so a page view stays cheap."""
    if not settings.CELERY_BROKER_URL or getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return True
    key = "fv:broker-available:" + hashlib.sha256(settings.CELERY_BROKER_URL.encode()).hexdigest()[:12]
    cached = cache.get(key)
    if cached is not None:
        return cached
    from celery import current_app as app  # the project's app (foodvalley/celery.py), set as current on startup

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
        ok = True
    except Exception:  # noqa: BLE001 - any failure to reach the broker means: not available
        ok = False
    cache.set(key, ok, cache_seconds)
    return ok
