"""The shared body of `manage.py import_episodes` and `manage.py import_declarations` (no worker needed)."""
from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from placements.models import ImportStatus

from .service import create_job, import_file, iter_issues


class ImportCommand(BaseCommand):
    kind: str = ""

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file")
        parser.add_argument("--progress-every", type=int, default=50_000, help="report progress every N lines (default 50000)")

    def handle(self, *args, file: Path, progress_every: int, verbosity: int = 1, **options):
        if not file.is_file():
            raise CommandError(_("Bestand niet gevonden: %(file)s") % {"file": file})
        with open(file, "rb") as fh:
            job = create_job(kind=self.kind, fileobj=fh, original_name=file.name, user=None)
        started = time.monotonic()
        last = {"phase": None, "done": -1}

        def progress(phase: str, done: int, total: int) -> None:
            if verbosity < 1:
                return
            if phase == last["phase"] and done - last["done"] < progress_every and done != total:
                return
            last.update(phase=phase, done=done)
            self.stderr.write(f"[import {job.pk}] {_(phase)}: {done:,} / {total:,} ({time.monotonic() - started:.1f} s)")

        job = import_file(job, progress_every=min(progress_every, 5000), progress=progress)
        elapsed = time.monotonic() - started
        if job.status == ImportStatus.REFUSED:
            for issue in iter_issues(job):
                row = issue.row if issue.row is not None else "-"
                self.stderr.write(f"{issue.code}\t{_('regel')} {row}\t{issue.field or '-'}\t{issue.message}")
            raise CommandError(_("Import %(id)s geweigerd: %(count)s fout(en); er is niets geïmporteerd.")
                               % {"id": job.pk, "count": job.error_count})
        if job.status != ImportStatus.DONE:
            raise CommandError(_("Import %(id)s mislukt: %(message)s") % {"id": job.pk, "message": job.message})
        self.stdout.write(self.style.SUCCESS(
            _("Import %(id)s klaar in %(seconds).1f s: %(rows)s regels, %(created)s nieuw, %(updated)s bijgewerkt, "
              "%(unchanged)s ongewijzigd.") % {"id": job.pk, "seconds": elapsed, "rows": job.rows_total, "created": job.created,
                                                "updated": job.updated, "unchanged": job.unchanged}
        ))
        if job.new_providers:
            self.stdout.write(_("Nieuwe aanbieders: %(names)s") % {"names": ", ".join(job.new_providers)})
