"""Celery tasks for snapshot runs (thin wrappers; the work is in monitoring.services).

compute_snapshot(run_id) fans out one task per region plus one for the country, then finishes the run.
Each task replaces exactly its own series in one transaction: a failed, killed or repeated task
leaves no partial or double figures, and the run only counts as done when every part is in.
"""
from __future__ import annotations

import logging

from celery import chord, shared_task
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
    services.run_region_done(run_id, region_id)
    return count


@shared_task(acks_late=True, reject_on_worker_lost=True, max_retries=3, default_retry_delay=10)
def compute_country_task(run_id: int) -> int:
    run = SnapshotRun.objects.get(pk=run_id)
    return services.compute_country(run)


@shared_task(acks_late=True)
def finish_run_task(results, run_id: int) -> int:
    run = services.run_finish(run_id)
    log.info("snapshot run %s done: %s series", run_id, run.series_count)
    return run.series_count


@shared_task(acks_late=True)
def compute_snapshot(run_id: int) -> None:
    """Start the parts of a run. Safe to repeat: the parts replace their own series."""
    run = SnapshotRun.objects.get(pk=run_id)
    if run.status == RunStatus.DONE:
        return
    services.run_mark(run_id, status=RunStatus.RUNNING, phase="Berekenen gestart", progress=1)
    parts = [compute_region_task.si(run_id, rid) for rid in services.region_ids_with_data()]
    parts.append(compute_country_task.si(run_id))
    chord(parts)(finish_run_task.s(run_id).on_error(run_failed_task.si(run_id)))


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
