"""manage.py forecast --scope NAME_OR_CODE [--data-until YYYY-MM-DD] [--months N] [--simulations N] --out FILE.csv"""
from __future__ import annotations

import csv
import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.periods import last_complete_month_end
from forecast import model, services


class Command(BaseCommand):
    help = ("Forecast the children in stay care per month, care-form group and age band (mean, 10/50/90%) and their cost, "
            "fitted on the episodes up to the data date; one CSV row per month, group and band.")

    def add_arguments(self, parser):
        parser.add_argument("--scope", required=True, help="Regio (naam), gemeente (CBS-code of naam) of NL.")
        parser.add_argument("--data-until", help="Datadatum JJJJ-MM-DD (standaard: einde van de laatste volledige maand).")
        parser.add_argument("--months", type=int, default=36)
        parser.add_argument("--simulations", type=int, default=model.SIMULATIONS)
        parser.add_argument("--window", type=int, default=model.WINDOW_MONTHS, help="Referentieperiode in maanden.")
        parser.add_argument("--scenario", default="", help="Naam van een opgeslagen scenario van de regio (beheer).")
        parser.add_argument("--entries-factor", type=float, default=1.0, help="Scenario: instroom × deze factor (alle vormen).")
        parser.add_argument("--out", required=True)

    def handle(self, *args, **options):
        started = time.monotonic()
        until = dt.date.fromisoformat(options["data_until"]) if options["data_until"] else last_complete_month_end(timezone.localdate())
        scenario = model.Scenario(name="instroom", entry_factor={-1: options["entries_factor"]}) if options["entries_factor"] != 1.0 else None
        try:
            rows = services.forecast_rows(scope_name=options["scope"], data_until=until, months=options["months"],
                                          simulations=options["simulations"], scenario=scenario, window=options["window"],
                                          scenario_name=options["scenario"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        with open(options["out"], "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(services.HEADER)
            writer.writerows(rows)
        self.stdout.write(f"{len(rows)} rijen in {options['out']} ({time.monotonic() - started:.1f} s)")
