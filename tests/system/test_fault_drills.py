"""Fault drills with a real Celery worker: SIGKILL the worker in the middle of a snapshot run and in the middle
of an import, start a fresh worker, and check that the work is redone, complete and not doubled.

The killed worker never acks its message (acks_late); Redis hands it out again once it is older than the
visibility timeout (CELERY_VISIBILITY_TIMEOUT, short here, for the worker and for this process). Runs when
CELERY_WORKER_BROKER is set and the database is PostgreSQL (CI's PostgreSQL pass), like test_celery_worker.
"""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from demo.region import DemoOptions, build_demo
from foodvalley.celery import app as celery_app
from monitoring.models import RunStatus, SnapshotRun
from monitoring.runs import services
from placements.bsn import synthetic_bsn
from placements.models import Episode, ImportJob, ImportKind, ImportStatus

BROKER = os.environ.get("CELERY_WORKER_BROKER", "")
ROOT = Path(__file__).resolve().parent.parent.parent
VISIBILITY = 6  # seconds: a killed worker's message is handed out again after this
MUTEX_EXPIRE = 3  # seconds: the restore lock a killed worker may have held
TODAY = dt.date(2021, 1, 15)

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not BROKER, reason="set CELERY_WORKER_BROKER=redis://... to run a real worker"),
]


class Workers:
    """Start, kill and stop `celery worker -P solo` processes on one private queue."""

    def __init__(self, tmp_path: Path):
        db = connection.settings_dict
        self.queue = f"drill-{uuid.uuid4().hex[:8]}"
        self.env = os.environ | {
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "CELERY_BROKER_URL": BROKER,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY),
            "CELERY_RESTORE_INTERVAL": "1",
            "CELERY_RESTORE_THROTTLE": "1",
            # a worker SIGKILLed while it holds the restore lock must not block the next one for kombu's 300 s
            "CELERY_UNACKED_MUTEX_EXPIRE": str(MUTEX_EXPIRE),
            "MEDIA_ROOT": str(tmp_path),
            "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
            "DJANGO_SETTINGS_MODULE": "foodvalley.settings",
        }
        self.procs: list[subprocess.Popen] = []
        self.logs: list[Path] = []
        self.tmp = tmp_path

    def start(self) -> subprocess.Popen:
        log = self.tmp / f"worker-{len(self.procs)}.log"
        self.logs.append(log)
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "foodvalley", "worker", "-P", "solo", "-Q", self.queue,
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING", "-n", f"{self.queue}-{len(self.procs)}@%h"],
            cwd=ROOT, env=self.env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the drill kills the whole group
        )
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        for log in self.logs:
            text = log.read_text(errors="replace") if log.exists() else ""
            if text.strip():
                sys.stdout.write(f"--- {log.name}\n{text[-3000:]}\n")


@pytest.fixture
def workers(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a worker process cannot see an SQLite test database")
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # import uploads are private files
    keys = ("broker_url", "result_backend", "task_always_eager", "broker_transport_options")
    saved = {k: celery_app.conf[k] for k in keys}
    celery_app.conf.update(broker_url=BROKER, result_backend=BROKER, task_always_eager=False,
                           broker_transport_options=dict(saved["broker_transport_options"] or {}, visibility_timeout=VISIBILITY))
    w = Workers(tmp_path)
    try:
        yield w
    finally:
        celery_app.conf.update(saved)
        w.stop_all()


def send(task, queue: str, *args) -> None:
    with celery_app.connection_for_write(BROKER) as conn:  # an explicit connection to the test broker
        task.apply_async(args=list(args), queue=queue, connection=conn)


def wait_for(check, timeout: float, what: str, poll: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(poll)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}; broker: {broker_state()}")


def broker_state() -> str:
    """What Redis holds for redelivery, so a timed-out drill says where the message is."""
    import redis

    r = redis.Redis.from_url(BROKER)
    return (f"unacked={r.hlen('unacked')} index={r.zcard('unacked_index')} "
            f"restore lock ttl={r.ttl('unacked_mutex')} s")


def series_keys(run: SnapshotRun) -> Counter:
    return Counter(run.series.values_list("scope", "group", "band", "metric"))


def test_a_worker_killed_mid_run_is_replaced_and_the_run_ends_complete_and_not_doubled(workers):
    build_demo(DemoOptions(children=4000, regions="4", from_year=2018, until=dt.date(2020, 12, 31), seed=7))
    reference = services.run_compute(services.run_create(today=TODAY))
    expected = series_keys(reference)
    assert max(expected.values()) == 1, "the reference itself has doubles"
    parts = services.run_create(today=TODAY).parts
    assert len(parts) >= 3, parts

    from monitoring.runs.tasks import compute_snapshot

    started = time.monotonic()
    first = workers.start()
    for _attempt in range(3):  # the later parts are short: a poll can miss the moment; then the drill starts again
        run = services.run_create(today=TODAY)
        send(compute_snapshot, workers.queue, run.pk)

        def midway_or_over(pk=run.pk):
            r = SnapshotRun.objects.get(pk=pk)
            if r.status in (RunStatus.DONE, RunStatus.FAILED):
                return "over"
            return r.status == RunStatus.RUNNING and 1 <= len(set(r.parts_done)) < len(parts) and r

        seen = wait_for(midway_or_over, 240, "the run to be part-way")
        if seen == "over":
            continue
        workers.kill(first)  # SIGKILL in the middle of the next part: its message is never acked
        killed_at = time.monotonic()
        mid = SnapshotRun.objects.get(pk=run.pk)
        if mid.status == RunStatus.RUNNING and len(mid.parts_done) < len(parts):
            break
        first = workers.start()  # it finished between the look and the kill: try again on a fresh worker
    else:
        pytest.fail("three times the run was over before the worker could be killed mid-way")

    workers.start()
    wait_for(lambda: SnapshotRun.objects.filter(pk=run.pk, status__in=[RunStatus.DONE, RunStatus.FAILED]).exists(),
             240, "the run to finish on the new worker", poll=0.5)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.message
    assert set(run.parts_done) == set(parts)
    got = series_keys(run)
    assert max(got.values()) == 1, [k for k, n in got.items() if n > 1][:5]
    assert got == expected
    assert run.series_count == reference.series.count()
    # and the figures themselves are those of the inline run
    ref_values = dict(((s.scope, s.group, s.band, s.metric), s.values) for s in reference.series.filter(scope="NL"))
    run_values = dict(((s.scope, s.group, s.band, s.metric), s.values) for s in run.series.filter(scope="NL"))
    assert run_values == ref_values
    sys.stdout.write(f"snapshot drill: killed with {len(seen.parts_done)} of {len(parts)} parts in; "
                     f"done {time.monotonic() - killed_at:.1f} s after the kill, {time.monotonic() - started:.1f} s in all; "
                     f"{run.series_count} series\n")


ROWS = 30_000


def big_episodes_csv() -> bytes:
    lines = ["episode_id,bsn,birth_date,sex,municipality,provider,care_form,start_date,end_date,end_reason,referrer"]
    for i in range(ROWS):
        end = "2024-06-30" if i % 2 else ""
        reason = "31" if end else ""
        lines.append(f"D-{i},{synthetic_bsn(700_000 + i)},2012-03-0{1 + i % 9},V,GM0228,Drill Zorg,RES,2023-0{1 + i % 9}-15,{end},{reason},04")
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("phase", ["controleren", "schrijven"])  # in the checking pass; inside the write transaction
def test_a_worker_killed_mid_import_is_replaced_and_the_job_ends_done_without_doubles(workers, phase):
    from placements.tasks import run_import

    job = ImportJob(kind=ImportKind.EPISODES, original_name="drill.csv")
    job.file.save("drill.csv", ContentFile(big_episodes_csv()), save=True)
    before = Episode.objects.count()
    started = time.monotonic()
    first = workers.start()
    send(run_import, workers.queue, job.pk)

    def midway():
        j = ImportJob.objects.get(pk=job.pk)
        return j.status == ImportStatus.RUNNING and j.phase == phase and 0 < j.rows_done and (phase != "controleren" or j.rows_done < ROWS) and j

    seen = wait_for(midway, 240, "the import to be part-way")
    workers.kill(first)
    killed_at = time.monotonic()
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING and job.phase == phase, "the import was not mid-way when killed"
    assert Episode.objects.count() == before, "a killed import left rows behind"

    workers.start()
    wait_for(lambda: ImportJob.objects.filter(pk=job.pk, status__in=[ImportStatus.DONE, ImportStatus.REFUSED, ImportStatus.FAILED]).exists(),
             300, "the import to finish on the new worker", poll=0.5)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.message
    assert (job.created, job.updated, job.unchanged) == (ROWS, 0, 0)
    assert Episode.objects.count() == before + ROWS
    ids = Counter(Episode.objects.filter(source_id__startswith="D-").values_list("source_id", flat=True))
    assert len(ids) == ROWS and max(ids.values()) == 1
    sys.stdout.write(f"import drill: killed at {seen.rows_done} of {ROWS} rows (phase {seen.phase}); "
                     f"done {time.monotonic() - killed_at:.1f} s after the kill, {time.monotonic() - started:.1f} s in all\n")
