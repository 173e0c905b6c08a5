from django.core.management.base import BaseCommand, CommandError

from core.formatting import number
from demo.crisis import build_demo_crisis, demo_crisis_exists
from placements.models import Region
from placements.reference import FOODVALLEY


class Command(BaseCommand):
    help = "Build the demo crisis contacts of Food Valley from its demo episodes."

    def add_arguments(self, parser):
        parser.add_argument("--if-missing", action="store_true", help="Do nothing when demo crisis contacts exist.")
        parser.add_argument("--seed", type=int, default=2020)

    def handle(self, *args, **options):
        if not Region.objects.filter(name=FOODVALLEY).exists():
            raise CommandError("Jeugdregio Food Valley ontbreekt: draai eerst `manage.py migrate` en `manage.py demo_region`.")
        if options["if_missing"] and demo_crisis_exists():
            self.stdout.write("Demo-crisiscontacten bestaan al.")
            return
        counts = build_demo_crisis(seed=options["seed"])
        self.stdout.write("Demo-crisiscontacten: " + ", ".join(f"{k} {number(v)}" for k, v in counts.items()))
