"""core.jobs: one payload for every kind of job, and a start that never leaves a job pending."""
from __future__ import annotations

import datetime as dt

import pytest

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
