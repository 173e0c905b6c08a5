"""Import pages for administrators: the list of jobs, the upload form, the report and its status for polling.

These pages show job data only (counts, rule codes, messages); no child is shown, so no per-child
access log entries are written here. The import itself writes one entry per job (service.import_file). The uploaded
file (clear BSNs) is kept only while its job needs it; until then an administrator may download it, and each download
is logged.
"""
from __future__ import annotations

import logging

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import role_required
from accounts.audit import log_access
from accounts.models import AccessAction, Role
from core.jobs import BADGES, job_payload, job_start
from placements.models import ImportJob, ImportStatus

from . import rules
from .forms import ImportUploadForm
from .parsing import COLUMNS, REQUIRED
from .service import create_job, job_discard_file
from .tasks import run_import

logger = logging.getLogger(__name__)

JOBS_PER_PAGE = 25
ISSUES_PER_PAGE = 100


admin_only = role_required(Role.ADMIN, object_type="import")


@admin_only
@require_GET
def job_list(request):
    jobs = ImportJob.objects.select_related("created_by").order_by("-created_at", "-id")
    page = Paginator(jobs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "imports/list.html", {"page": page, "badges": BADGES})


@admin_only
@require_http_methods(["GET", "POST"])
def upload(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        job = create_job(kind=form.cleaned_data["kind"], fileobj=upload_file, original_name=upload_file.name, user=request.user)
        started = job_start(job, run_import, job.pk, failure=_("De import kon niet worden gestart; probeer het later opnieuw."))
        if not started.ok:
            job_discard_file(job)  # the upload holds BSNs: nothing keeps it for a job that will not run
            messages.error(request, started.message)
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


@admin_only
@require_GET
def job_detail(request, pk: int):
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    issues = Paginator(job.issues.order_by("row", "id"), ISSUES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "imports/detail.html", {"job": job, "issues": issues, "status": job_payload(job)})


@admin_only
@require_GET
def job_file(request, pk: int):
    """The uploaded file of a job that still keeps it (a queued or running job), as an attachment; logged."""
    job = get_object_or_404(ImportJob, pk=pk)
    if not job.file or not job.file.storage.exists(job.file.name):
        messages.warning(request, _("Het bestand van deze import is niet meer bewaard: het wordt verwijderd zodra de import klaar is."))
        return redirect("imports:detail", pk=job.pk)
    log_access(request=request, action=AccessAction.EXPORT, object_type="import_file", object_ref=f"import {job.pk}",
               detail=f"uploaded file of import {job.pk} downloaded")
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.original_name or f"import-{job.pk}.csv")
    response["Cache-Control"] = "no-store, private"
    return response


#: Two lines per kind of file, with synthetic BSNs (they pass the 11-check and belong to nobody).
EXAMPLE_ROWS = {
    "episodes": [
        ["EP-1", "{bsn1}", "17-05-2012", "V", "GM0228", "Jeugdzorg De Vallei", "RES", "01-01-2026", "30-06-2026", "31", "01",
         "", "", ""],
        ["EP-2", "{bsn2}", "03-11-2015", "M", "GM0345", "Pleegzorg Gelderland-Utrecht", "PLZ", "01-07-2026", "", "", "04", "", "", ""],
    ],
    "declarations": [
        ["DEC-1", "{bsn1}", "17-05-2012", "GM0228", "Jeugdzorg De Vallei", "RES", "01-01-2026", "31-01-2026", "7.843,50", "", "", ""],
        ["DEC-2", "{bsn1}", "17-05-2012", "GM0228", "Jeugdzorg De Vallei", "RES", "01-01-2026", "31-01-2026", "-250,00", "", "", ""],
    ],
}


@admin_only
@require_GET
def example(request, kind: str):
    """An example file of one kind (episodes, declarations) to fill in: the columns in order, two lines, `;`, BOM."""
    import csv

    from django.http import Http404, HttpResponse

    from placements.bsn import synthetic_bsn

    if kind not in COLUMNS:
        raise Http404(_("Onbekende soort bestand."))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="voorbeeld-{kind}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS[kind])
    bsns = {"{bsn1}": synthetic_bsn(9_000_001), "{bsn2}": synthetic_bsn(9_000_002)}
    for row in EXAMPLE_ROWS[kind]:
        writer.writerow([bsns.get(v, v) for v in row])
    return response


@admin_only
@require_GET
def codes(request):
    """The codes a file may use: care forms (code, name, rung, with stay) and municipalities (CBS code, name, region)."""
    import csv

    from django.http import HttpResponse

    from placements.models import CareForm, Municipality

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="codes-zorgvormen-en-gemeenten.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";", lineterminator="\r\n")
    writer.writerow(["soort", "code", "naam", "trede_of_regio", "met_verblijf"])
    for cf in CareForm.objects.filter(active=True).order_by("rung", "code"):
        writer.writerow(["zorgvorm", cf.code, cf.name, cf.rung, "ja" if cf.with_stay else "nee"])
    for m in Municipality.objects.select_related("region").order_by("cbs_code"):
        writer.writerow(["gemeente", m.cbs_code, m.name, m.region.name if m.region_id else "", ""])
    return response
