from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.audit import log_access
from accounts.models import AccessAction
from monitoring.exports.figures import write_csv
from monitoring.models import RunStatus, SnapshotRun
from monitoring.runs.selectors import run_latest as latest_run


class Command(BaseCommand):
    help = "Write every figure of a snapshot run (default: the latest) to a CSV in long form (unsuppressed; for administrators)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--run", type=int, help="the run's number (default: the latest finished run)")

    def handle(self, *args, file: Path, run: int | None = None, **options):
        if run is not None:
            snapshot = SnapshotRun.objects.filter(pk=run, status=RunStatus.DONE).first()
            if snapshot is None:
                raise CommandError(f"Run {run} bestaat niet of is niet klaar.")
        else:
            snapshot = latest_run()
            if snapshot is None:
                raise CommandError("Er is nog geen afgeronde rekenrun. Start eerst: manage.py compute_figures")
        with open(file, "w", newline="", encoding="utf-8") as fh:
            n = write_csv(snapshot, fh)
        log_access(action=AccessAction.EXPORT, object_type="figures", object_ref=f"run {snapshot.pk}", origin="cli",
                   detail=f"export_figures {n} rows (unsuppressed)")
        self.stdout.write(self.style.SUCCESS(f"{n} figuren van run {snapshot.pk} geschreven naar {file}"))
