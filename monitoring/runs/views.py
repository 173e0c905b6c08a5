"""The administrators' pages of snapshot runs: the list, start, progress, lock, and revisions of a published run."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.access import role_required
from accounts.models import Role
from core import formatting
from core.jobs import job_payload, job_start
from core.periods import month_label
from monitoring import registry
from monitoring.dashboard import selectors as dashboard_selectors
from monitoring.models import RunStatus, SnapshotRun

from . import selectors, services, tasks

STALE_RUN = dt.timedelta(hours=2)  # a pending/running run older than this no longer blocks a new start
PART_LABELS = {"episodes": gettext_lazy("trajecten"), "declarations": gettext_lazy("declaraties"), "casework": gettext_lazy("casuïstiek"),
               "fostercare": gettext_lazy("pleegzorg"), "protection": gettext_lazy("jeugdbescherming"),
               "crisis": gettext_lazy("crisis")}


admin_only = role_required(Role.ADMIN, object_type="snapshot_run")


@admin_only
@require_GET
def runs(request):
    return render(request, "monitoring/runs.html", {
        "runs": selectors.run_list(),
        "in_progress": selectors.run_in_progress(),
        "latest": selectors.run_latest(),
        "latest_locked": selectors.run_latest(locked_only=True),
    })


@admin_only
@require_POST
def run_start(request):
    busy = selectors.run_in_progress()
    if busy is not None and timezone.now() - busy.created_at < STALE_RUN:
        messages.warning(request, _("Er loopt al een berekening; wacht tot die klaar is."))
        return redirect("monitoring:run_detail", pk=busy.pk)
    run = services.run_create(user=request.user, trigger="manual")
    started = job_start(run, tasks.compute_snapshot, run.pk,
                        failure=_("De berekening is mislukt. Bekijk de melding bij de run en probeer het opnieuw."))
    if not started.ok:
        messages.error(request, started.message)
        return redirect("monitoring:run_detail", pk=run.pk)
    run.refresh_from_db()
    if run.status == RunStatus.DONE:
        messages.success(request, _("De cijfers zijn opnieuw berekend."))
    else:
        messages.info(request, _("De berekening is gestart. Deze pagina toont de voortgang."))
    return redirect("monitoring:run_detail", pk=run.pk)


def _run_or_404(pk: int) -> SnapshotRun:
    run = selectors.run_get(pk)
    if run is None:
        raise Http404(_("Deze run bestaat niet."))
    return run


@admin_only
@require_GET
def run_detail(request, pk: int):
    run = _run_or_404(pk)
    done = set(run.parts_done)
    parts = [{"label": PART_LABELS.get(part, part), "done": part in done} for part in run.parts]
    return render(request, "monitoring/runs_detail.html", {"run": run, "status": job_payload(run), "parts": parts})


@admin_only
@require_POST
def run_lock(request, pk: int):
    run = _run_or_404(pk)
    try:
        services.run_lock(run=run, user=request.user, note=request.POST.get("note", "").strip()[:200])
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Run %(id)s is vastgezet en verandert niet meer.") % {"id": run.pk})
    return redirect("monitoring:run_detail", pk=run.pk)


@admin_only
@require_GET
def run_revisions(request):
    newer = selectors.run_latest()
    published = selectors.run_latest(locked_only=True)
    choices = dashboard_selectors.dashboard_scopes(request.user)
    scope = choices.get(request.GET.get("scope", "")) or choices.default
    context = {"newer": newer, "published": published, "choices": choices, "scope": scope, "page": None}
    if newer is not None and published is not None and newer.pk != published.pk and scope is not None:
        rows = [_revision_row(r) for r in selectors.run_revisions(newer=newer, published=published, scope=scope.key)]
        context["page"] = Paginator(rows, 50).get_page(request.GET.get("page"))
        context["page_query"] = urlencode({"scope": scope.key})
    return render(request, "monitoring/runs_revisions.html", context)


def _revision_row(row: dict) -> dict:
    metric = registry.get(row["metric"])
    counts = bool(metric and metric.counts_children)

    def show(value):
        if value is None:
            return _("onbepaald")
        if counts:
            return dashboard_selectors.count_cell(value, exact=False).text
        return formatting.number(value, 0 if float(value).is_integer() else 2)

    return {**row, "label": metric.label if metric else row["metric"], "old_text": show(row["old"]), "new_text": show(row["new"]),
            "period_label": row["period"] if "-Q" in row["period"] or len(row["period"]) != 7 else month_label(row["period"])}
