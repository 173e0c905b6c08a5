"""Celery task for the quarterly report (thin wrapper; the work is in reports.services)."""
from __future__ import annotations

import logging

from celery import shared_task

from . import services

log = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def generate_report(report_id: int) -> int:
    """Generate the PDF of a GeneratedReport; safe to repeat (a done report is left as it is)."""
    try:
        report = services.report_generate(report_id)
    except Exception as exc:
        log.exception("report %s failed", report_id)
        services.report_fail(report_id, f"{type(exc).__name__}: {exc}")
        raise
    log.info("report %s done: %s pages, %.1f s", report_id, report.pages, report.seconds or 0)
    return report.pk


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_export(export_id: int) -> int:
    """Write an export's file; safe to repeat (a finished export is left as it is)."""
    try:
        job = services.export_build(export_id)
    except Exception as exc:
        log.exception("export %s failed", export_id)
        services.export_fail(export_id, f"{type(exc).__name__}: {exc}")
        raise
    log.info("export %s done: %s rows", export_id, job.rows)
    return job.pk
