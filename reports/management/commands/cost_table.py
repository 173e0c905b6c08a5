"""manage.py cost_table --region NAME [--municipality CODE] --out FILE.csv

The yearly cost table per care form (reports.cost_table) as CSV for scheduled exports: columns
year, care_form, clients, cost, cost_per_client; care_form TOTAL for the total row; dot decimal separator.
Exact figures for the operator running it (like export_figures); --suppress hides small numbers as every
web export does. Each run is written to the access log."""
from __future__ import annotations

import datetime as dt
import sys

from django.core.management.base import BaseCommand, CommandError

from accounts.audit import log_access
from accounts.models import AccessAction
from placements.models import Municipality, Region
from reports.cost_table import cost_table, write_csv


class Command(BaseCommand):
    help = "Write the yearly cost table (clients, cost and cost per client per care form) of a region or municipality as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--region", required=True, help="Name of the youth-care region, e.g. 'Food Valley'.")
        parser.add_argument("--municipality", help="CBS code (GM0228 or 0228) of one municipality of the region.")
        parser.add_argument("--out", required=True, help="CSV file to write ('-' for standard output).")
        parser.add_argument("--year", type=int, action="append", help="Only this year (repeatable).")
        parser.add_argument("--until", help="Only declarations with period start on or before this date (YYYY-MM-DD).")
        parser.add_argument("--with-stay-only", action="store_true", help="Only care forms with stay (jeugdhulp met verblijf).")
        parser.add_argument("--suppress", action="store_true", help="Hide counts of 1..k-1 clients (and their amounts).")

    def handle(self, *args, **options):
        region = Region.objects.filter(name__iexact=options["region"].strip()).first()
        if region is None:
            raise CommandError(f"Unknown region: {options['region']!r}")
        municipality = None
        if options.get("municipality"):
            code = options["municipality"].strip().upper()
            if not code.startswith("GM"):
                code = f"GM{code.zfill(4)}"
            municipality = Municipality.objects.filter(cbs_code=code, region=region).first()
            if municipality is None:
                raise CommandError(f"Municipality {options['municipality']!r} is not part of region {region.name!r}")
        until = None
        if options.get("until"):
            try:
                until = dt.date.fromisoformat(options["until"])
            except ValueError as exc:
                raise CommandError(f"Invalid --until date: {options['until']!r}") from exc
        table = cost_table(region=region, municipality=municipality, until=until, years=options.get("year"),
                           with_stay_only=options["with_stay_only"], suppress=options["suppress"],
                           scope_label=str(municipality or region))
        out = options["out"]
        if out == "-":
            rows = write_csv(table, sys.stdout)
        else:
            with open(out, "w", newline="", encoding="utf-8") as fh:
                rows = write_csv(table, fh)
        scope = municipality.cbs_code if municipality else region.name
        log_access(action=AccessAction.EXPORT, object_type="cost_table", object_ref=scope[:80], origin="cli",
                   detail=f"cost_table {scope}: {rows} rows{' suppressed' if options['suppress'] else ' exact'}")
        if out != "-":
            self.stdout.write(f"{rows} rows written to {out}")
