"""Reads of the action plan, always within one region (the project team's own; an administrator picks one)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from monitoring.models import Target
from placements.models import Region

from .models import OPEN_STATUSES, Bottleneck, Measure, MeasureStatus, MeasureUpdate


def measure_list(*, region: Region, status: str = "") -> list[Measure]:
    """The region's measures, those under way first, each by planned date; with their updates and targets."""
    qs = (Measure.objects.filter(region=region)
          .prefetch_related(Prefetch("updates", queryset=MeasureUpdate.objects.order_by("date", "pk")), "targets"))
    if status:
        qs = qs.filter(status=status)
    measures = sorted(qs, key=lambda m: (m.status not in OPEN_STATUSES, m.planned_on, m.pk))
    for m in measures:
        updates = list(m.updates.all())
        m.last_update = updates[-1] if updates else None
    return measures


def measure_get(*, region: Region, pk: int) -> Measure | None:
    return Measure.objects.filter(region=region, pk=pk).prefetch_related("targets", "bottlenecks").first()


def bottleneck_list(*, region: Region) -> list[Bottleneck]:
    """Open bottlenecks first (oldest first), then the resolved ones (latest first)."""
    items = Bottleneck.objects.filter(region=region).prefetch_related("measures")
    return [*items.filter(resolved_on__isnull=True).order_by("raised_on", "pk"),
            *items.filter(resolved_on__isnull=False).order_by("-resolved_on", "-pk")]


def bottleneck_get(*, region: Region, pk: int) -> Bottleneck | None:
    return Bottleneck.objects.filter(region=region, pk=pk).first()


def region_targets(*, region: Region) -> QuerySet[Target]:
    """Targets a measure of the region can serve: the region's own and those of its municipalities."""
    from django.db.models import Q

    return Target.objects.filter(Q(region=region) | Q(municipality__region=region)).order_by("name")


def is_overdue(measure: Measure, *, today: dt.date) -> bool:
    return measure.status in OPEN_STATUSES and measure.planned_on < today


# ------------------------------------------------------------------------------------------ as of a day
@dataclass
class MeasureAsOf:
    measure: Measure
    status: str  # MeasureStatus value on the day
    status_label: str
    execution: str  # the text of the latest update on or before the day ("" without one)
    execution_date: dt.date | None
    overdue: bool


def measures_as_of(*, region: Region, start: dt.date, day: dt.date) -> list[MeasureAsOf]:
    """The measures as they stood on `day` (a quarter's last day), for the report: those that existed by then and had
    not been finished or stopped before `start` (the quarter's first day). A measure's status on the day is that of
    its latest update on or before it (planned without one)."""
    out = []
    labels = dict(MeasureStatus.choices)
    for m in measure_list(region=region):
        if timezone.localdate(m.created_at) > day:
            continue
        updates = [u for u in m.updates.all() if u.date <= day]
        last = updates[-1] if updates else None
        status = last.status if last else MeasureStatus.PLANNED
        if status not in OPEN_STATUSES and last.date < start:
            continue  # closed before the quarter: no longer reported
        out.append(MeasureAsOf(m, status, str(labels[status]), last.text if last else "", last.date if last else None,
                               status in OPEN_STATUSES and m.planned_on < day))
    return sorted(out, key=lambda r: (r.status not in OPEN_STATUSES, r.measure.planned_on, r.measure.pk))


def bottlenecks_as_of(*, region: Region, start: dt.date, day: dt.date) -> list[Bottleneck]:
    """Bottlenecks raised by `day` and not resolved before `start`, in the order they were raised."""
    from django.db.models import Q

    return list(Bottleneck.objects.filter(region=region, raised_on__lte=day)
                .filter(Q(resolved_on__isnull=True) | Q(resolved_on__gte=start)).order_by("raised_on", "pk"))
