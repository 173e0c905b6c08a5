"""A real Celery worker process, against the running Redis and the PostgreSQL test database,
executes an import task. Runs when CELERY_WORKER_BROKER is set (CI's PostgreSQL pass)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from foodvalley.celery import app as celery_app
from placements.bsn import synthetic_bsn
from placements.models import Declaration, Episode, ImportJob, ImportKind, ImportStatus

BROKER = os.environ.get("CELERY_WORKER_BROKER", "")
ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = [
    pytest.mark.celery_worker,
    # the worker needs committed data; serialized_rollback restores the reference data after the flush
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not BROKER, reason="set CELERY_WORKER_BROKER=redis://... to run a real worker"),
]


def episodes_csv() -> bytes:
    lines = ["episode_id,bsn,birth_date,sex,municipality,provider,care_form,start_date,end_date,end_reason,referrer"]
    for i in range(40):
        end = "2024-06-30" if i % 2 else ""
        reason = "31" if end else ""
        lines.append(f"W-{i},{synthetic_bsn(5000 + i)},2012-03-0{1 + i % 9},V,GM0228,Worker Zorg,RES,2023-0{1 + i % 9}-15,{end},{reason},04")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def worker(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot see an SQLite test database")
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # import uploads are private files
    db = connection.settings_dict
    queue = f"ci-{uuid.uuid4().hex[:8]}"
    env = os.environ | {
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": BROKER,
        "MEDIA_ROOT": str(tmp_path),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "DJANGO_SETTINGS_MODULE": "foodvalley.settings",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "foodvalley", "worker", "-P", "solo", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    saved = {k: celery_app.conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    celery_app.conf.update(broker_url=BROKER, result_backend=BROKER, task_always_eager=False)
    try:
        yield queue
    finally:
        celery_app.conf.update(saved)
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        if out:
            sys.stdout.write(out.decode(errors="replace")[-4000:])


def run_on_worker(queue: str, job: ImportJob, timeout: float = 180) -> None:
    """Send the task through Redis and wait until the worker has finished the job (read from the database)."""
    from placements.tasks import run_import

    # an explicit connection to the Redis broker: never a pooled one another test may have opened elsewhere
    with celery_app.connection_for_write(BROKER) as connection:
        run_import.apply_async(args=[job.id], queue=queue, connection=connection)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED):
            return
        time.sleep(0.5)
    raise AssertionError(f"the worker did not finish import {job.pk} within {timeout} s (status {job.status})")


def test_it_imports_on_a_real_worker_and_twice_gives_identical_rows(worker):
    job = ImportJob(kind=ImportKind.EPISODES, original_name="worker.csv")
    job.file.save("worker.csv", ContentFile(episodes_csv()), save=True)
    started = time.monotonic()
    run_on_worker(worker, job)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.message
    assert job.created == 40
    rows = sorted(Episode.objects.values_list("source_id", "start_date", "end_date", "child__pseudonym"))
    assert len(rows) == 40

    again = ImportJob(kind=ImportKind.EPISODES, original_name="worker.csv")
    again.file.save("worker-again.csv", ContentFile(episodes_csv()), save=True)
    run_on_worker(worker, again)
    again.refresh_from_db()
    assert again.status == ImportStatus.DONE
    assert (again.created, again.updated, again.unchanged) == (0, 0, 40)
    assert sorted(Episode.objects.values_list("source_id", "start_date", "end_date", "child__pseudonym")) == rows
    assert Declaration.objects.count() == 0
    assert time.monotonic() - started < 180
