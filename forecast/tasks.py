"""Celery task for a forecast (thin wrapper; the work is in forecast.services)."""
from __future__ import annotations

import logging

from celery import shared_task

from . import services

log = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_forecast(forecast_id: int) -> int:
    """Compute a forecast job; safe to repeat (a finished one is left as it is)."""
    try:
        forecast = services.forecast_build(forecast_id)
    except Exception as exc:
        log.exception("forecast %s failed", forecast_id)
        services.forecast_fail(forecast_id, f"{type(exc).__name__}: {exc}")
        raise
    log.info("forecast %s done: %.1f s", forecast_id, forecast.seconds or 0)
    return forecast.pk
