"""Reads of the reports app, always scoped to the user.

- administrator: every report, every scope, the pseudonymised episode export;
- project team: reports of its region and its municipalities; generates them;
- wijkteam worker: reports of their own municipality only (municipality-level reports), the cost table and
  exports of their own municipality;
- anyone else (RET): nothing.
"""
from __future__ import annotations

from accounts import roles
from monitoring.dashboard import selectors as msel
from monitoring.models import RunStatus, SnapshotRun
from placements.models import Municipality, Region

from .models import ExportJob, GeneratedReport


def can_generate(user) -> bool:
    return roles.is_admin(user) or roles.is_project_with_region(user)


def can_read_reports(user) -> bool:
    return can_generate(user) or roles.is_wijkteam(user)


def report_list(*, user):
    qs = GeneratedReport.objects.select_related("run", "region", "municipality", "created_by")
    if not user.is_authenticated:
        return qs.none()
    if roles.is_admin(user):
        return qs
    if roles.is_project_with_region(user):
        return qs.filter(region_id=user.scope_region_id)
    if roles.is_wijkteam(user):
        return qs.filter(municipality_id=user.municipality_id)
    return qs.none()


def report_get(*, user, pk: int) -> GeneratedReport | None:
    return report_list(user=user).filter(pk=pk).first()


def scope_choices(user) -> msel.ScopeChoices:
    """Regions and municipalities the user may see figures of (the dashboard's scopes without the country)."""
    choices = msel.dashboard_scopes(user)
    scopes = [s for s in choices.scopes if s.level != "country"]
    default = choices.default if choices.default and choices.default.level != "country" else (scopes[0] if scopes else None)
    return msel.ScopeChoices(scopes, default)


def scope_objects(scope: msel.Scope) -> tuple[Region, Municipality | None]:
    """(region, municipality or None) of a dashboard scope."""
    if scope.level == "municipality":
        municipality = Municipality.objects.select_related("region").get(cbs_code=scope.key)
        return municipality.region, municipality
    return Region.objects.get(name=scope.key), None


def runs_for_reports() -> list[SnapshotRun]:
    """Finished runs with figures, newest first: the latest and every locked (published) one."""
    runs = list(SnapshotRun.objects.filter(status=RunStatus.DONE).exclude(last_month="").order_by("-finished_at", "-id")[:30])
    if not runs:
        return []
    return [r for i, r in enumerate(runs) if i == 0 or r.locked]


def run_for_export(value: str | None) -> SnapshotRun | None:
    """A named finished run (?run=N), or the latest finished one when none is named."""
    qs = SnapshotRun.objects.filter(status=RunStatus.DONE).exclude(last_month="")
    if value:
        try:
            return qs.filter(pk=int(value)).first()
        except (TypeError, ValueError):
            return None
    return qs.order_by("-finished_at", "-id").first()


def export_list(*, user) -> list[ExportJob]:
    """The user's own export jobs, newest first (an export is for the one who asked for it)."""
    if not roles.is_admin(user):
        return []
    return list(ExportJob.objects.filter(created_by=user).select_related("region", "municipality")[:20])


def export_get(*, user, pk: int) -> ExportJob | None:
    if not roles.is_admin(user):
        return None
    return ExportJob.objects.select_related("region", "municipality").filter(pk=pk, created_by=user).first()
