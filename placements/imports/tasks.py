"""Celery wrapper around the import service. Takes an id; safe to run more than once (acks_late)."""
from __future__ import annotations

from celery import shared_task

from placements.models import ImportJob, ImportStatus

from .service import import_file

#: A job in one of these states is finished; running it again does nothing.
FINISHED = frozenset({ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED})


@shared_task(name="placements.tasks.run_import", acks_late=True, reject_on_worker_lost=True)
def run_import(job_id: int) -> str:
    """Run import job `job_id`.

    A finished job (done, refused, failed) returns at once. A job found 'running' was interrupted (a killed
    worker whose message was redelivered): it is redone from scratch; its write pass ran in one transaction,
    so the interrupted run left nothing behind.
    """
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    if job.status in FINISHED:
        return job.status
    import_file(job)
    return job.status
