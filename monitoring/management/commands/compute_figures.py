import datetime as dt
import sys
import time

from django.core.management.base import BaseCommand

from core.formatting import number
from monitoring.runs import services


class Command(BaseCommand):
    help = "Compute all figures into a new snapshot run, in this process (no worker needed)."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None,
                            help="compute as on this day, YYYY-MM-DD (the data date is the last day of the month before)")

    def handle(self, *args, today: dt.date | None = None, **options):
        started = time.monotonic()
        run = services.run_create(trigger="command", today=today)
        self.stderr.write(f"Run {run.pk}: gegevens tot en met {run.data_date:%d-%m-%Y}")
        try:
            run = services.run_compute(run, progress=lambda msg: self.stderr.write(f"  {msg}"))
        except Exception as exc:
            services.run_fail(run.pk, message=str(exc))
            raise
        self.stdout.write(self.style.SUCCESS(
            f"Run {run.pk} klaar: {number(run.series_count)} reeksen, {run.first_month} t/m {run.last_month}, "
            f"{number(time.monotonic() - started, 1)} s"
        ))
        sys.stdout.flush()
