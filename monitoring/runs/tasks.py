"""Celery tasks of snapshot runs (thin: the work is in monitoring.runs.services).

`compute_snapshot(run_id)` hands out one task per part of the run (monitoring.runs.parts); any worker on any
machine takes them. Without a broker (the embedded default) Celery runs them eagerly, in-process, one after the
other. Task results are not kept: a part records itself on the run (services.run_part_done).
"""
from __future__ import annotations

from celery import group, shared_task

from monitoring.models import SnapshotRun

from . import services


@shared_task(acks_late=True, reject_on_worker_lost=True, max_retries=3, default_retry_delay=10)
def compute_part(run_id: int, part: str) -> int:
    return services.run_part_compute(run_id=run_id, part=part)


@shared_task(bind=True, acks_late=True)
def compute_snapshot(self, run_id: int) -> None:
    """Start the parts of a run. Safe to repeat: the parts replace their own series."""
    if not services.run_begin(run_id):
        return
    run = SnapshotRun.objects.get(pk=run_id)
    # the parts (and the failure callback) go to the queue this task came from
    queue = (self.request.delivery_info or {}).get("routing_key") if not self.request.is_eager else None
    route = {"queue": queue} if queue else {}
    failed = run_failed.si(run_id).set(**route)
    group([compute_part.si(run_id, part).on_error(failed) for part in run.parts]).apply_async(**route)


@shared_task
def monthly_snapshot() -> int:
    """Beat: on the first day of each month at night, compute the figures up to the month just ended."""
    run = services.run_create(trigger="schedule")
    compute_snapshot.delay(run.pk)
    return run.pk


@shared_task
def run_failed(run_id: int) -> None:
    services.run_fail(run_id, message="Een deelberekening is mislukt; start de berekening opnieuw.")
