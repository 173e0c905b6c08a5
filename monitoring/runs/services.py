"""Snapshot runs: a run computes every figure over the data as it was when the run was created, in parts that
any worker can take (monitoring.runs.parts), and stores them as series.

A part replaces exactly its own series and records itself on the run in one transaction, so a part that
failed, was killed or ran twice leaves no partial or double figures; the part that completes the set finishes
the run. The bookkeeping lives in the database (`parts_done`, under a row lock), not in a Celery chord: a
chord counts part results in the result backend, and a part killed after storing its result but before its
message was acked would run again and be counted twice.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable

from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from core import formatting
from core.jobs import job_fail
from core.periods import last_complete_month_end, month_key
from monitoring.models import FigureSeries, RunStatus, SnapshotRun
from placements.models import Declaration, Episode

from . import parts as run_parts
from . import store
from .writer import SeriesWriter

Progress = Callable[[str], None]
logger = logging.getLogger(__name__)


def _data_seen() -> dict:
    """What a run sees, in one scan per table: counts, latest changes and the first month with data."""
    e = Episode.objects.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"), first=Min("start_date"))
    d = Declaration.objects.aggregate(n=Count("id"), top=Max("id"), first=Min("period_start"))
    raw = f"{e['n']}|{e['last']}|{e['top']}|{d['n']}|{d['top']}"
    firsts = [x for x in (e["first"], d["first"]) if x]
    return {"episodes": e["n"], "declarations": d["n"], "fingerprint": hashlib.sha256(raw.encode()).hexdigest()[:16],
            "first": min(firsts) if firsts else None}


def run_create(*, user=None, trigger: str = "manual", today: dt.date | None = None) -> SnapshotRun:
    """A new run (pending) over the data as it is now, up to the last complete month before `today`."""
    today = today or timezone.localdate()
    seen = _data_seen()
    return SnapshotRun.objects.create(
        data_date=last_complete_month_end(today), created_by=user, trigger=trigger,
        first_month=month_key(seen["first"]) if seen["first"] else "",
        episodes_seen=seen["episodes"], declarations_seen=seen["declarations"], data_fingerprint=seen["fingerprint"],
        parts=run_parts.names(),
    )


def run_mark(run_id: int, **fields) -> None:
    SnapshotRun.objects.filter(pk=run_id).update(**fields)


def run_fail(run_id: int, *, message: str, phase: str = "Mislukt") -> None:
    """Close a run that has not finished as failed (a failed run is never finished by a late part; a finished run
    stays as it is)."""
    job_fail(SnapshotRun(pk=run_id), message=message[:500], phase=phase)


def run_begin(run_id: int) -> bool:
    """Mark a pending run as running; False when it is done or failed already (a repeated start)."""
    return bool(SnapshotRun.objects.filter(pk=run_id, status__in=[RunStatus.PENDING, RunStatus.RUNNING])
                .update(status=RunStatus.RUNNING, phase="Berekenen gestart", progress=1))


def run_part_compute(*, run_id: int, part: str) -> int:
    """Compute one part of a run and store its series in place of any it stored before, then record the part
    (one transaction). Returns the number of series written; nothing happens on a run that is no longer
    running (failed, or finished by an earlier delivery)."""
    run = SnapshotRun.objects.get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        logger.info("run %s: part %s skipped (run is %s)", run_id, part, run.status)
        return 0
    started = time.monotonic()
    series = run_parts.series(part, data_date=run.data_date)
    with transaction.atomic():
        FigureSeries.objects.filter(run=run, part=part).delete()
        writer = SeriesWriter(run, part)
        writer.add(series)
        writer.flush()
        run_part_done(run_id=run_id, part=part)
    logger.info("run %s: part %s, %d series in %.1f s", run_id, part, writer.count, time.monotonic() - started)
    return writer.count


def run_part_done(*, run_id: int, part: str) -> bool:
    """Record a finished part and finish the run when every part is in.

    Idempotent and safe under concurrency and redelivery: the run row is locked, a part recorded twice counts
    once, and only the call that completes the set (on a run still running) finishes the run, inside the same
    lock. Returns whether this call finished the run."""
    with transaction.atomic():
        # FOR NO KEY UPDATE: the run's key never changes, so other transactions' foreign-key checks of series rows
        # (key-share locks) need not wait for this one
        run = SnapshotRun.objects.select_for_update(no_key=True).get(pk=run_id)
        done = set(run.parts_done) | {part}
        needed = set(run.parts)
        run.parts_done = sorted(done)
        run.progress = min(99, round(100 * len(done & needed) / max(1, len(needed))))
        run.phase = f"{len(done & needed)} van {len(needed)} delen berekend"
        run.save(update_fields=["parts_done", "progress", "phase"])
        if needed <= done and run.status == RunStatus.RUNNING:
            run_finish(run_id)
            return True
    return False


def run_finish(run_id: int) -> SnapshotRun:
    run = SnapshotRun.objects.get(pk=run_id)
    run.last_month = month_key(run.data_date)
    run.series_count = store.run_series_count(run)
    run.status = RunStatus.DONE
    run.progress = 100
    run.phase = "Klaar"
    run.finished_at = timezone.now()
    if run.created_at:
        run.seconds = round((run.finished_at - run.created_at).total_seconds(), 2)
    run.save()
    return run


def run_compute(run: SnapshotRun, progress: Progress | None = None) -> SnapshotRun:
    """The whole run in this process, its parts one after the other (management command, tests): the same
    parts the workers take. A failure deletes what the run wrote and re-raises."""
    say = progress or (lambda msg: None)
    run_begin(run.pk)
    try:
        for part in run.parts:
            say(f"Deel {part}")
            n = run_part_compute(run_id=run.pk, part=part)
            say(f"Deel {part}: {formatting.number(n)} reeksen")
    except BaseException:
        FigureSeries.objects.filter(run=run).delete()  # no partial figures
        raise
    run.refresh_from_db()
    return run


def run_lock(*, run: SnapshotRun, user=None, note: str = "") -> SnapshotRun:
    if run.status != RunStatus.DONE:
        raise ValueError("Alleen een afgeronde run kan worden vastgezet.")
    if not run.locked:
        run.locked = True
        run.locked_at = timezone.now()
        run.locked_by = user
        run.lock_note = note
        run.save(update_fields=["locked", "locked_at", "locked_by", "lock_note"])
    return run
