from django.core.management.base import BaseCommand, CommandError

from core.formatting import number
from demo.providers import build_demo_providers, demo_providers_exist
from placements.models import Region
from placements.reference import FOODVALLEY


class Command(BaseCommand):
    help = "Give Food Valley's demo providers their contracts and the recent demo episodes their registration moments."

    def add_arguments(self, parser):
        parser.add_argument("--if-missing", action="store_true", help="Do nothing when the demo contracts exist.")
        parser.add_argument("--seed", type=int, default=2016)

    def handle(self, *args, **options):
        if not Region.objects.filter(name=FOODVALLEY).exists():
            raise CommandError("Jeugdregio Food Valley ontbreekt: draai eerst `manage.py migrate` en `manage.py demo_region`.")
        if options["if_missing"] and demo_providers_exist():
            self.stdout.write("Demo-contracten bestaan al.")
            return
        counts = build_demo_providers(seed=options["seed"])
        self.stdout.write("Demo-aanbieders: " + ", ".join(f"{k} {number(v)}" for k, v in counts.items()))
