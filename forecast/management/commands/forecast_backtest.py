"""manage.py forecast_backtest --scope NAME_OR_CODE [--data-until YYYY-MM-DD] [--months 12]: how the model fitted
12 (or N) months earlier did against what happened."""
from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core import formatting
from core.periods import last_complete_month_end, month_label
from forecast import model, services


class Command(BaseCommand):
    help = "Backtest the forecast: fit on the data of N months before the data date and compare with what happened."

    def add_arguments(self, parser):
        parser.add_argument("--scope", required=True)
        parser.add_argument("--data-until", help="Datadatum JJJJ-MM-DD (standaard: einde van de laatste volledige maand).")
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--simulations", type=int, default=model.SIMULATIONS)

    def handle(self, *args, **options):
        until = dt.date.fromisoformat(options["data_until"]) if options["data_until"] else last_complete_month_end(timezone.localdate())
        try:
            bt = services.backtest(scope_name=options["scope"], data_until=until, months=options["months"], simulations=options["simulations"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Gefit op gegevens tot en met {formatting.date(bt.fitted_until)}, {bt.months} maanden vooruit.")
        self.stdout.write("maand    werkelijk  verwacht  10%–90%")
        for month, actual, mean, lo, hi in bt.rows:
            self.stdout.write(f"{month_label(month):8}  {formatting.number(actual):>9}  {formatting.number(mean, 1):>8}  {formatting.number(lo)}–{formatting.number(hi)}")
        mape = "–" if bt.mape is None else formatting.percent(bt.mape)
        self.stdout.write(f"Gemiddelde afwijking (MAPE) van het totaal: {mape}; werkelijkheid binnen de 10–90%-band: "
                          f"{formatting.percent(bt.coverage)} van de maanden × zorgvormen.")
