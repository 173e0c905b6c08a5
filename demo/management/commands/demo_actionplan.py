from django.core.management.base import BaseCommand, CommandError

from core.formatting import number
from demo.actionplan import build_demo_actionplan
from placements.models import Region
from placements.reference import FOODVALLEY


class Command(BaseCommand):
    help = "Add the demo measures and bottlenecks of Food Valley (after demo_targets, whose targets they link to)."

    def handle(self, *args, **options):
        if not Region.objects.filter(name=FOODVALLEY).exists():
            raise CommandError("Jeugdregio Food Valley ontbreekt: draai eerst `manage.py migrate` en `manage.py demo_region`.")
        counts = build_demo_actionplan()
        self.stdout.write("Demo-actieplan: " + ", ".join(f"{k} {number(v)}" for k, v in counts.items()))
