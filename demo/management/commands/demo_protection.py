from django.core.management.base import BaseCommand, CommandError

from core.formatting import number
from demo.protection import build_demo_measures, demo_measures_exist
from placements.models import Region
from placements.reference import FOODVALLEY


class Command(BaseCommand):
    help = "Build the demo child-protection measures of Food Valley from its demo episodes."

    def add_arguments(self, parser):
        parser.add_argument("--if-missing", action="store_true", help="Do nothing when demo measures exist.")
        parser.add_argument("--seed", type=int, default=2016)

    def handle(self, *args, **options):
        if not Region.objects.filter(name=FOODVALLEY).exists():
            raise CommandError("Jeugdregio Food Valley ontbreekt: draai eerst `manage.py migrate` en `manage.py demo_region`.")
        if options["if_missing"] and demo_measures_exist():
            self.stdout.write("Demo-maatregelen bestaan al.")
            return
        counts = build_demo_measures(seed=options["seed"])
        self.stdout.write("Demo-maatregelen: " + ", ".join(f"{k} {number(v)}" for k, v in counts.items()))
