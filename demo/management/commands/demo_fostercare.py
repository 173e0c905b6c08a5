import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Role, User
from core.formatting import number
from demo.fostercare import build_demo_fostercare, demo_fostercare_exists
from placements.models import Provider, Region
from placements.reference import FOODVALLEY

#: (username, provider name) of the demo foster-care workers.
DEMO_FOSTERCARE_USERS = [
    ("pleegzorg.gu", "Pleegzorg Gelderland-Utrecht"),
    ("pleegzorg.midden", "Pleegzorg Netwerk Midden"),
    ("gezinshuizen.fv", "Gezinshuizen Foodvalley"),
]


class Command(BaseCommand):
    help = ("Build the demo foster care of Food Valley (families for the foster and family-home episodes, status history, "
            "recruitment pipeline, risk register) and the foster-care demo users.")

    def add_arguments(self, parser):
        parser.add_argument("--if-missing", action="store_true", help="Do nothing when demo foster care exists.")
        parser.add_argument("--seed", type=int, default=2021)

    def handle(self, *args, **options):
        region = Region.objects.filter(name=FOODVALLEY).first()
        if region is None:
            raise CommandError("Jeugdregio Food Valley ontbreekt: draai eerst `manage.py migrate` en `manage.py demo_region`.")
        if options["if_missing"] and demo_fostercare_exists():
            self.stdout.write("Demo-pleegzorg bestaat al.")
        else:
            started = time.monotonic()
            counts = build_demo_fostercare(seed=options["seed"])
            self.stdout.write("Demo-pleegzorg: " + ", ".join(f"{k} {number(v)}" for k, v in sorted(counts.items()))
                              + f" ({time.monotonic() - started:.1f} s)")
        password = os.environ.get("DEMO_PASSWORD", "")
        if not password:
            if getattr(settings, "PRODUCTION", False):
                raise CommandError("In productie moet DEMO_PASSWORD gezet zijn.")
            from demo.management.commands.demo_users import DEFAULT_DEMO_PASSWORD

            password = DEFAULT_DEMO_PASSWORD
        for username, provider_name in DEMO_FOSTERCARE_USERS:
            provider = Provider.objects.filter(name=provider_name).first()
            if provider is None:
                continue
            user, _ = User.objects.get_or_create(username=username)
            user.role, user.provider, user.region, user.municipality, user.is_ret_chair = Role.FOSTERCARE, provider, region, None, False
            user.first_name = user.first_name or "Demo"
            user.set_password(password)
            user.save()
            self.stdout.write(f"  {username:<18} {Role.FOSTERCARE.label} ({provider_name})  {password}")
