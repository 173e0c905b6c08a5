"""Reads of snapshot runs: the latest (published) run, the run list, one run, a run in progress, and the
figures a newer run revised of a published one."""
from __future__ import annotations

from core.periods import period_last_month
from monitoring import registry
from monitoring.models import RunStatus, SnapshotRun

from . import store


def run_latest(*, locked_only: bool = False) -> SnapshotRun | None:
    """The newest finished run (or the newest locked one): the run every page reads."""
    qs = SnapshotRun.objects.filter(status=RunStatus.DONE)
    if locked_only:
        qs = qs.filter(locked=True)
    return qs.order_by("-finished_at", "-id").first()


def run_list() -> list[SnapshotRun]:
    return list(SnapshotRun.objects.select_related("created_by", "locked_by").order_by("-created_at", "-id")[:50])


def run_get(pk: int) -> SnapshotRun | None:
    return SnapshotRun.objects.select_related("created_by", "locked_by").filter(pk=pk).first()


def run_in_progress() -> SnapshotRun | None:
    return SnapshotRun.objects.filter(status__in=[RunStatus.PENDING, RunStatus.RUNNING]).order_by("-created_at").first()


def run_revisions(*, newer: SnapshotRun, published: SnapshotRun, scope: str, tolerance: float = 1e-9) -> list[dict]:
    """Figures of a published run that a newer run has revised: group, band, metric, period, old, new.
    Only periods that had ended in the published run count; a period missing from a series is 0 (zeros
    are not stored), so a figure that appeared or vanished is a revision too."""
    old = {(s.group, s.band, s.metric): s.values for s in store.run_series(published, scope=scope)}
    new = {(s.group, s.band, s.metric): s.values for s in store.run_series(newer, scope=scope)}
    out = []
    for key in old.keys() | new.keys():
        before, after = old.get(key, {}), new.get(key, {})
        for period in before.keys() | after.keys():
            if period_last_month(period) > published.last_month:
                continue
            a, b = before.get(period, 0), after.get(period, 0)
            if a is None or b is None:
                if a != b:
                    out.append({"group": key[0], "band": key[1], "metric": key[2], "period": period, "old": a, "new": b})
                continue
            if abs(b - a) > tolerance:
                out.append({"group": key[0], "band": key[1], "metric": key[2], "period": period, "old": a, "new": b})
    # headline first: figures in registry order, all ages before the bands
    order = {key: i for i, key in enumerate(registry.REGISTRY)}
    return sorted(out, key=lambda r: (r["band"] != "all", order.get(r["metric"], len(order)), r["metric"], r["group"], r["band"], r["period"]))
