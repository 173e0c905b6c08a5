from django.core.management.base import BaseCommand

from core.formatting import number
from demo.target_groups import assign_demo_target_groups
from placements.models import Child


class Command(BaseCommand):
    help = "Give the demo children a target group (J&O, J-LVB, GGZ), weighted by their time in stay."

    def add_arguments(self, parser):
        parser.add_argument("--if-missing", action="store_true", help="Do nothing when demo children have target groups.")
        parser.add_argument("--seed", type=int, default=2018)

    def handle(self, *args, **options):
        if options["if_missing"] and Child.objects.filter(target_group__isnull=False).exists():
            self.stdout.write("Demo-doelgroepen bestaan al.")
            return
        counts = assign_demo_target_groups(seed=options["seed"])
        self.stdout.write("Demo-doelgroepen: " + ", ".join(f"{k} {number(v)}" for k, v in counts.items()))
