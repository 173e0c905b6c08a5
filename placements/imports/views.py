"""Import pages for administrators: the list of jobs, the upload form, the report and its status for polling.

These pages show job data only (counts, rule codes, messages); no child is shown, so no per-child
access log entries are written here. The import itself writes one entry per job (service.import_file).
"""
from __future__ import annotations

import logging

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import role_required
from accounts.models import Role
from foodvalley.background import BACKGROUND_UNAVAILABLE, NOT_QUEUED, broker_down
from placements.models import ImportJob, ImportStatus

from . import rules
from .forms import ImportUploadForm
from .parsing import COLUMNS, REQUIRED
from .service import create_job
from .tasks import FINISHED, run_import

logger = logging.getLogger(__name__)

JOBS_PER_PAGE = 25
ISSUES_PER_PAGE = 100
STATUS_BADGE = {
    ImportStatus.PENDING: "text-bg-secondary",
    ImportStatus.RUNNING: "text-bg-primary",
    ImportStatus.REFUSED: "text-bg-danger",
    ImportStatus.DONE: "text-bg-success",
    ImportStatus.FAILED: "text-bg-warning",
}


def _status(job: ImportJob) -> dict:
    return {
        "id": job.pk,
        "status": job.status,
        "status_display": str(job.get_status_display()),
        "badge": STATUS_BADGE.get(job.status, "text-bg-secondary"),
        "phase": _(job.phase) if job.phase else "",
        "rows_total": job.rows_total,
        "rows_done": job.rows_done,
        "percent": job.progress_percent,
        "error_count": job.error_count,
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "finished": job.status in FINISHED,
    }


@role_required(Role.ADMIN, object_type="import")
@require_GET
def job_list(request):
    jobs = ImportJob.objects.select_related("created_by").order_by("-created_at", "-id")
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "imports/list.html", {"page": page, "badges": STATUS_BADGE})


@role_required(Role.ADMIN, object_type="import")
@require_http_methods(["GET", "POST"])
def upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        job = create_job(kind=form.cleaned_data["kind"], fileobj=upload_file, original_name=upload_file.name, user=request.user)
        try:
            run_import.delay(job.pk)
        except Exception as exc:  # noqa: BLE001 - the broker is unreachable: tell the administrator, close the job
            logger.error("import %s could not be queued: %s", job.pk, type(exc).__name__)
            # nothing was imported; the job is closed (not left 'pending' forever) and says why
            ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PENDING).update(
                status=ImportStatus.FAILED, phase="Niet gestart", message=NOT_QUEUED, finished_at=timezone.now())
            messages.error(request, BACKGROUND_UNAVAILABLE if broker_down(exc) else _("De import kon niet worden gestart; probeer het later opnieuw."))
        else:
            job.refresh_from_db()
            if job.status == ImportStatus.DONE:
                messages.success(request, _("Het bestand is geïmporteerd."))
            elif job.status == ImportStatus.REFUSED:
                messages.warning(request, _("Het bestand is geweigerd: er is niets geïmporteerd. Zie de fouten hieronder."))
            elif job.status == ImportStatus.FAILED:
                messages.error(request, _("De import is mislukt."))
            else:
                messages.info(request, _("Het bestand is ontvangen en wordt verwerkt. Deze pagina volgt de voortgang."))
        return redirect("imports:detail", pk=job.pk)
    rule_table = {kind: [r for r in rules.RULES.values() if kind in r.kinds] for kind in COLUMNS}
    return render(request, "imports/upload.html", {
        "form": form,
        "rules": sorted(rules.RULES.values(), key=lambda r: r.code),
        "rule_table": rule_table,
        "columns": [(kind, [(c, c in REQUIRED[kind]) for c in columns]) for kind, columns in COLUMNS.items()],
    })


@role_required(Role.ADMIN, object_type="import")
@require_GET
def job_detail(request, pk: int):
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    issues = Paginator(job.issues.order_by("row", "id"), ISSUES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "imports/detail.html", {"job": job, "issues": issues, "status": _status(job)})


@role_required(Role.ADMIN, object_type="import")
@require_GET
@never_cache
def job_status(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk)
    return JsonResponse(_status(job))
