from django.core.management.base import BaseCommand, CommandError

from demo.targets import DEMO_TARGETS, ensure_demo_targets
from placements.models import Region
from placements.reference import FOODVALLEY


class Command(BaseCommand):
    help = ("Create the region's own targets from its documents (seed 000 end-2020 targets, the zero ambition of "
            "seed 001, Nijmegen-style percentage targets of seed 004) as demo targets. Idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("--region", default=FOODVALLEY, help="youth-care region (default %(default)s)")
        parser.add_argument("--update", action="store_true", help="reset existing demo targets to the shipped definition")

    def handle(self, *args, **opts):
        try:
            created, updated = ensure_demo_targets(region_name=opts["region"], update=opts["update"])
        except Region.DoesNotExist as exc:
            raise CommandError(f"Onbekende jeugdregio: {opts['region']}") from exc
        self.stdout.write(self.style.SUCCESS(
            f"Demodoelen {opts['region']}: {created} nieuw, {updated} bijgewerkt, "
            f"{len(DEMO_TARGETS) - created - updated} ongewijzigd."
        ))
