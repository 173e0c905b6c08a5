"""Writes of the reports app: creating a report request and generating its PDF (idempotent)."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.formatting import number
from core.jobs import job_fail
from core.models import JobStatus
from monitoring.exports import episodes
from monitoring.models import RunStatus, SnapshotRun
from monitoring.runs import services as monitoring_services

from . import content, render
from .models import ExportJob, ExportKind, GeneratedReport, ReportStatus


def report_create(*, user, run: SnapshotRun, region, municipality=None, quarter: str) -> GeneratedReport:
    if run.status != RunStatus.DONE:
        raise ValueError(_("Alleen een afgeronde rekenrun kan de basis zijn van een rapportage."))
    if quarter not in content.quarter_choices(run, n=400):
        raise ValueError(_("Het kwartaal %(q)s valt niet binnen de gegevens van run %(id)s.") % {"q": quarter, "id": run.pk})
    if municipality is not None and municipality.region_id != region.pk:
        raise ValueError(_("Deze gemeente hoort niet bij de regio."))
    return GeneratedReport.objects.create(run=run, region=region, municipality=municipality, quarter=quarter, created_by=user)


def run_publish(*, run_id: int, user=None, note: str = "") -> SnapshotRun:
    """Lock (publish) the run a report is built from with the runs page's own rule (monitoring.services.run_lock:
    only a finished run; a run that is locked already keeps its first lock and note), under a row lock so that two
    reports started at once lock it once."""
    with transaction.atomic():
        run = SnapshotRun.objects.select_for_update().get(pk=run_id)
        return monitoring_services.run_lock(run=run, user=user, note=note)


def report_mark(pk: int, **fields) -> None:
    GeneratedReport.objects.filter(pk=pk).update(**fields)


def report_generate(report_id: int) -> GeneratedReport:
    """Build the report's HTML and PDF and keep them with the report. Locks (publishes) the run first.
    Idempotent: a report that is done is returned as it is; a repeated or retried task overwrites its own files."""
    report = GeneratedReport.objects.select_related("run", "region", "municipality", "created_by").get(pk=report_id)
    if report.status == ReportStatus.DONE and report.file:
        return report
    started = time.perf_counter()
    report_mark(report_id, status=ReportStatus.RUNNING, progress=2, phase=_("Rekenrun vastzetten"), message="")
    run = run_publish(run_id=report.run_id, user=report.created_by,
                      note=f"Kwartaalrapportage {report.quarter_label} {report.scope_label}"[:200])
    report.run = run

    def progress(pct: int, phase: str) -> None:
        report_mark(report_id, progress=pct, phase=phase)

    with override("nl"):
        data = content.build_report(run=run, region=report.region, municipality=report.municipality, quarter=report.quarter,
                                    user=report.created_by, progress=progress)
        progress(80, _("PDF opmaken"))
        html = render.render_html(data)
        pdf, pages = render.render_pdf(html)
    progress(95, _("Bestand opslaan"))
    name = report.filename
    for field in (report.file, report.html_file):  # a retried task replaces its own files
        if field:
            field.delete(save=False)
    report.file.save(name, ContentFile(pdf), save=False)
    report.html_file.save(name[:-4] + ".html", ContentFile(html.encode("utf-8")), save=False)
    report.pages, report.size = pages, len(pdf)
    report.status, report.progress, report.phase = ReportStatus.DONE, 100, _("Klaar")
    report.seconds = round(time.perf_counter() - started, 2)
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "html_file", "pages", "size", "status", "progress", "phase", "seconds", "finished_at"])
    return report


def report_fail(report_id: int, message: str) -> None:
    job_fail(GeneratedReport(pk=report_id), message=message)


# ------------------------------------------------------------------------------------------- exports (jobs)
def export_create(*, user, kind: str, fmt: str, region=None, municipality=None) -> ExportJob:
    """A new export job. An XLSX export with more rows than a sheet holds is refused at once, with a Dutch message
    (CSV has no limit)."""
    if kind != ExportKind.EPISODES:
        raise ValueError(_("Onbekende export."))
    if fmt not in ("csv", "xlsx"):
        raise ValueError(_("Onbekend formaat."))
    expected = episodes.episode_count(region=region, municipality=municipality)
    if fmt == "xlsx" and expected > episodes.XLSX_MAX_ROWS:
        raise ValueError(_("Een XLSX-blad bevat ten hoogste %(max)s regels en deze export heeft er %(n)s. Kies CSV of een kleiner gebied.")
                         % {"max": number(episodes.XLSX_MAX_ROWS), "n": number(expected)})
    return ExportJob.objects.create(kind=kind, format=fmt, region=region, municipality=municipality, rows_expected=expected,
                                    created_by=user)


def export_build(export_id: int) -> ExportJob:
    """Write the export's file, row by row, into private storage. Idempotent: a finished export is returned as it
    is; a repeated or retried task replaces its own file."""
    job = ExportJob.objects.select_related("region", "municipality").get(pk=export_id)
    if job.finished:
        return job
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, phase="Schrijven", started_at=timezone.now(), rows=0)

    def progress(n: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows=n)

    rows = episodes.episode_rows(region=job.region, municipality=job.municipality)
    name = f"trajecten-gepseudonimiseerd-{_safe_name(job.scope_label)}-{timezone.localdate():%Y%m%d}.{job.format}"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        if job.format == "csv":
            with open(path, "w", encoding="utf-8", newline="") as fh:
                n = episodes.write_episodes_csv(rows, fh, progress=progress)
        else:
            about = [(_("Inhoud"), _("Gepseudonimiseerde trajecten: geboortemaand, geen kenmerken.")), (_("Gebied"), job.scope_label)]
            n = episodes.write_episodes_xlsx(rows, path, about=about, progress=progress)
        if job.file:
            job.file.delete(save=False)
        with open(path, "rb") as fh:
            job.file.save(name, File(fh), save=False)
    job.rows, job.status, job.progress, job.phase, job.finished_at = n, JobStatus.DONE, 100, "Klaar", timezone.now()
    job.save(update_fields=["file", "rows", "status", "progress", "phase", "finished_at"])
    return job


def _safe_name(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text).strip("-").lower() or "export"


def export_fail(export_id: int, message: str) -> None:
    job_fail(ExportJob.objects.get(pk=export_id), message=message[:500])
