"""core.jobs: one payload for every kind of job, and a start that never leaves a job pending."""
from __future__ import annotations

import datetime as dt

import pytest
from celery import shared_task

from core.jobs import job_payload, job_start
from monitoring.models import RunStatus, SnapshotRun
from placements.models import ImportJob


class FailingTask:
    def delay(self, *args):
        raise RuntimeError("kapot in het proces")


class QuietTask:
    def __init__(self):
        self.sent = []

    def delay(self, *args):
        self.sent.append(args)


@pytest.mark.django_db
def test_every_kind_of_job_gives_the_same_payload():
    run = SnapshotRun.objects.create(data_date=dt.date(2020, 12, 31), status=RunStatus.RUNNING, progress=40, phase="Berekenen",
                                     parts=["episodes", "declarations"], parts_done=["episodes"], series_count=1234)
    job = ImportJob.objects.create(kind="episodes", original_name="x.csv", status="running", rows_total=200, rows_done=50)
    a, b = job_payload(run), job_payload(job)
    assert set(a) == set(b) == {"id", "status", "status_display", "badge", "phase", "progress", "finished", "message", "fields"}
    assert (a["progress"], a["finished"], a["fields"]) == (40, False, {"series_count": "1.234", "parts_done": "1 / 2"})
    assert b["progress"] == 25 and b["fields"]["rows_done"] == "50"


@pytest.mark.django_db
def test_a_task_that_fails_in_process_closes_its_job_with_the_error():
    run = SnapshotRun.objects.create(data_date=dt.date(2020, 12, 31))
    started = job_start(run, FailingTask(), run.pk, failure="Het is mislukt.")
    run.refresh_from_db()
    assert (started.ok, started.message) == (False, "Het is mislukt.")
    assert run.status == RunStatus.FAILED and "kapot in het proces" in run.message and run.finished_at is not None


@pytest.mark.django_db
def test_a_queued_job_stays_as_it_is():
    run = SnapshotRun.objects.create(data_date=dt.date(2020, 12, 31))
    task = QuietTask()
    assert job_start(run, task, run.pk, failure="x").ok and task.sent == [(run.pk,)]
    run.refresh_from_db()
    assert run.status == RunStatus.PENDING


@shared_task
def _finish_later(job_id: int, fail: bool = False) -> None:
    import time

    from reports.models import ExportJob

    time.sleep(0.3)
    if fail:
        raise RuntimeError("schijf vol")
    ExportJob.objects.filter(pk=job_id).update(status="done", progress=100)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the flush must not leave the reference data out
def test_without_a_broker_a_job_runs_in_a_thread_and_the_page_answers_at_once(settings):
    import time

    from core.jobs import job_start
    from reports.models import ExportJob

    settings.JOBS_IN_THREAD = True
    job = ExportJob.objects.create(kind="episodes", format="csv")
    started = time.monotonic()
    assert job_start(job, _finish_later, job.pk, failure="mislukt").ok
    assert time.monotonic() - started < 0.25  # did not wait for the task
    assert ExportJob.objects.get(pk=job.pk).status == "pending"
    for _ in range(50):
        if ExportJob.objects.get(pk=job.pk).status == "done":
            break
        time.sleep(0.1)
    assert ExportJob.objects.get(pk=job.pk).status == "done"
    failing = ExportJob.objects.create(kind="episodes", format="csv")
    assert job_start(failing, _finish_later, failing.pk, True, failure="mislukt").ok
    for _ in range(50):
        if ExportJob.objects.get(pk=failing.pk).status == "failed":
            break
        time.sleep(0.1)
    failed = ExportJob.objects.get(pk=failing.pk)
    assert failed.status == "failed" and "schijf vol" in failed.message
