"""Celery tasks for snapshot runs (thin wrappers; the work is in monitoring.services).

compute_snapshot(run_id) fans out one task per region plus one for the country. Each task replaces exactly
its own series in one transaction: a failed, killed or repeated task leaves no partial or double figures.
Each part then records itself on the run row (services.run_part_done, under a row lock); the part that
completes the set finishes the run. This bookkeeping lives in the database, not in a Celery chord: a chord
counts part *results* in the result backend, and a part killed after storing its result but before its
message was acked runs again after redelivery and is counted twice, so the chord could finish the run while
another part was still missing (or never finish). Task results are therefore not kept (task_ignore_result).
"""
from __future__ import annotations

import logging

from celery import group, shared_task
from django.utils import timezone

from placements.models import Region

from . import services
from .data import load_dataset
from .models import RunStatus, SnapshotRun

log = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, max_retries=3, default_retry_delay=10)
def compute_region_task(run_id: int, region_id: int) -> int:
    run = SnapshotRun.objects.get(pk=run_id)
    region = Region.objects.get(pk=region_id)
    municipalities = list(region.municipalities.values_list("id", flat=True))
    ds = load_dataset(data_date=run.data_date, municipalities=municipalities)
    count = services.compute_region(run, region, ds)
    services.run_part_done(run_id, region_id)
    return count


@shared_task(acks_late=True, reject_on_worker_lost=True, max_retries=3, default_retry_delay=10)
def compute_country_task(run_id: int) -> int:
    run = SnapshotRun.objects.get(pk=run_id)
    count = services.compute_country(run)
    services.run_part_done(run_id, services.COUNTRY_PART)
    return count


@shared_task(acks_late=True)
def finish_run_task(results, run_id: int) -> int:
    """Kept for messages queued by an older release (a chord callback); new runs finish in run_part_done."""
    run = services.run_finish(run_id)
    log.info("snapshot run %s done: %s series", run_id, run.series_count)
    return run.series_count


@shared_task(bind=True, acks_late=True)
def compute_snapshot(self, run_id: int) -> None:
    """Start the parts of a run. Safe to repeat: the parts replace their own series."""
    run = SnapshotRun.objects.get(pk=run_id)
    if run.status == RunStatus.DONE:
        return
    services.run_mark(run_id, status=RunStatus.RUNNING, phase="Berekenen gestart", progress=1)
    # the parts (and the failure callback) go to the queue this task came from
    queue = (self.request.delivery_info or {}).get("routing_key") if not self.request.is_eager else None
    route = {"queue": queue} if queue else {}
    failed = run_failed_task.si(run_id).set(**route)
    parts = [compute_region_task.si(run_id, rid).on_error(failed) for rid in services.region_ids_with_data()]
    parts.append(compute_country_task.si(run_id).on_error(failed))
    group(parts).apply_async(**route)


@shared_task
def monthly_snapshot() -> int:
    """Beat: on the first day of each month at night, compute the figures up to the month just ended."""
    run = services.run_create(trigger="schedule")
    compute_snapshot.delay(run.pk)
    return run.pk


@shared_task
def run_failed_task(run_id: int) -> None:
    services.run_mark(run_id, status=RunStatus.FAILED, phase="Mislukt", message="Een deelberekening is mislukt; start de berekening opnieuw.", finished_at=timezone.now())


__all__ = ["compute_snapshot", "compute_region_task", "compute_country_task", "finish_run_task", "monthly_snapshot", "run_failed_task"]
