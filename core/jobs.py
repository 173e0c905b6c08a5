"""Background work as jobs, in the manner of pretix: a job (core.models.Job) is a database row that a Celery
task works through and updates; a page shows it with one payload (`job_payload`), one status view
(core.views.job_status) and one polling script (static/js/jobs.js). `job_start` hands a job to its task and
closes it with a Dutch message when background work is unavailable, so nothing stays 'pending'.

Each kind of job registers how a user reaches one (`register_job_kind`, in its app's AppConfig.ready): the
getter applies the user's access and returns None for anything the user may not see.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .background import BACKGROUND_UNAVAILABLE, NOT_QUEUED, broker_down
from .models import Job, JobStatus

logger = logging.getLogger(__name__)

BADGES = {
    JobStatus.PENDING: "text-bg-secondary",
    JobStatus.RUNNING: "text-bg-primary",
    JobStatus.DONE: "text-bg-success",
    JobStatus.REFUSED: "text-bg-danger",
    JobStatus.FAILED: "text-bg-danger",
}

#: kind -> getter(request, pk) -> the job, or None when it does not exist or the user may not see it
JOB_KINDS: dict[str, Callable] = {}


def register_job_kind(kind: str, getter: Callable) -> None:
    JOB_KINDS[kind] = getter


def job_payload(job: Job) -> dict:
    """What a page shows of a job while it runs; the same for every kind."""
    return {
        "id": job.pk,
        "status": job.status,
        "status_display": str(job.get_status_display()),
        "badge": BADGES.get(job.status, "text-bg-secondary"),
        "phase": _(job.phase) if job.phase else "",
        "progress": job.percent(),
        "finished": job.finished,
        "message": job.message,
        "fields": {k: str(v) for k, v in job.status_fields().items()},
    }


def job_fail(job: Job, *, message: str, phase: str = "Mislukt") -> None:
    """Close a job that has not finished as failed (a finished one stays as it is)."""
    type(job).objects.filter(pk=job.pk, status__in=[JobStatus.PENDING, JobStatus.RUNNING]).update(
        status=JobStatus.FAILED, phase=phase, message=message[:1000], finished_at=timezone.now())


def _run_in_thread(job: Job, task, args: tuple, failure: str) -> None:
    """A job's task in a thread of the web process (no broker): as a worker would run it, closing the thread's
    database connections afterwards; a failure closes the job with its message."""
    from django.db import connections

    try:
        task.apply(args=args, throw=True)
    except Exception as exc:  # noqa: BLE001 - whatever the task raised ends the job, with its message
        logger.exception("%s %s failed", type(job).__name__, job.pk)
        job_fail(job, message=str(exc) or failure)
    finally:
        connections.close_all()


@dataclass(frozen=True)
class Started:
    ok: bool
    message: str = ""  # for the user when not ok


def job_start(job: Job, task, *args, failure: str) -> Started:
    """Hand `job` to `task` (task.delay(*args)). Without a broker the task runs here and now. When the broker
    cannot be reached the job is closed as 'not started'; when the task itself failed (in-process) the job is
    closed as failed with the error. `failure` is the user's message for the latter."""
    if getattr(settings, "JOBS_IN_THREAD", False) and getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        threading.Thread(target=_run_in_thread, args=(job, task, args, failure), daemon=True, name=f"job-{job.pk}").start()
        return Started(True)
    try:
        task.delay(*args)
    except Exception as exc:  # noqa: BLE001 - a task that failed in-process, or an unreachable broker
        if broker_down(exc):
            logger.error("%s %s could not be queued: %s", type(job).__name__, job.pk, type(exc).__name__)
            job_fail(job, phase="Niet gestart", message=NOT_QUEUED)
            return Started(False, str(BACKGROUND_UNAVAILABLE))
        logger.exception("%s %s failed", type(job).__name__, job.pk)
        job_fail(job, message=str(exc))
        return Started(False, failure)
    return Started(True)
