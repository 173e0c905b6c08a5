from django.core.management.base import BaseCommand, CommandError

from core.formatting import number
from demo.categories import build_demo_categories
from placements.models import Region
from placements.reference import FOODVALLEY


class Command(BaseCommand):
    help = "Add Food Valley's example reporting categories (seed 003 style) and product table."

    def handle(self, *args, **options):
        if not Region.objects.filter(name=FOODVALLEY).exists():
            raise CommandError("Jeugdregio Food Valley ontbreekt: draai eerst `manage.py migrate` en `manage.py demo_region`.")
        counts = build_demo_categories()
        self.stdout.write("Demo-categorieën en productcodes: " + ", ".join(f"{k} {number(v)}" for k, v in counts.items()))
