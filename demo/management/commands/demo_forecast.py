from django.core.management.base import BaseCommand, CommandError

from core.formatting import number
from demo.forecast import build_demo_forecast
from placements.models import Region
from placements.reference import FOODVALLEY


class Command(BaseCommand):
    help = "Add Food Valley's demo forecast scenarios and forecast the region on the latest run (after compute_figures)."

    def handle(self, *args, **options):
        if not Region.objects.filter(name=FOODVALLEY).exists():
            raise CommandError("Jeugdregio Food Valley ontbreekt: draai eerst `manage.py migrate` en `manage.py demo_region`.")
        counts = build_demo_forecast()
        self.stdout.write("Demo-prognose: " + ", ".join(f"{k} {number(v)}" for k, v in counts.items()))
