import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, User
from core.formatting import number
from demo.casework import build_demo_casework, demo_casework_exists
from placements.models import Region
from placements.reference import FOODVALLEY

DEMO_RET_USERS = [("ret.foodvalley", False), ("ret.voorzitter", True)]


class Command(BaseCommand):
    help = "Build the demo casework of Food Valley (signals, RET, Week van de Casus, checklists, follow-ups) and the RET demo users."

    def add_arguments(self, parser):
        parser.add_argument("--if-missing", action="store_true", help="Do nothing when demo casework exists.")
        parser.add_argument("--seed", type=int, default=2020)

    def handle(self, *args, **options):
        region = Region.objects.filter(name=FOODVALLEY).first()
        if region is None:
            raise CommandError("Jeugdregio Food Valley ontbreekt: draai eerst `manage.py migrate` en `manage.py demo_region`.")
        if options["if_missing"] and demo_casework_exists():
            self.stdout.write("Demo-casuswerk bestaat al.")
        else:
            counts = build_demo_casework(seed=options["seed"])
            self.stdout.write("Demo-casuswerk: " + ", ".join(f"{k} {number(v)}" for k, v in sorted(counts.items())))
        password = os.environ.get("DEMO_PASSWORD", "")
        if not password:
            if getattr(settings, "PRODUCTION", False):
                raise CommandError("In productie moet DEMO_PASSWORD gezet zijn.")
            from demo.management.commands.demo_users import DEFAULT_DEMO_PASSWORD

            password = DEFAULT_DEMO_PASSWORD
        for username, chair in DEMO_RET_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.role, user.region, user.municipality, user.is_ret_chair = Role.RET, region, None, chair
            user.first_name = user.first_name or "Demo"
            user.set_password(password)
            user.save()
            self.stdout.write(f"  {username:<18} RET{' (voorzitter)' if chair else ''}  {password}")
