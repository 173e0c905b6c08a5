import os

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Role, User
from placements.models import Municipality, Region
from placements.reference import FOODVALLEY

DEFAULT_DEMO_PASSWORD = "Foodvalley-demo-2026"

#: (username, role, CBS code of the municipality or None, superuser)
DEMO_USERS = [
    ("wijkteam.ede", Role.WIJKTEAM, "GM0228", False),
    ("wijkteam.ede2", Role.WIJKTEAM, "GM0228", False),
    ("wijkteam.veenendaal", Role.WIJKTEAM, "GM0345", False),
    ("wijkteam.barneveld", Role.WIJKTEAM, "GM0203", False),
    ("wijkteam.nijkerk", Role.WIJKTEAM, "GM0267", False),
    ("wijkteam.rhenen", Role.WIJKTEAM, "GM0340", False),
    ("wijkteam.scherpenzeel", Role.WIJKTEAM, "GM0279", False),
    ("wijkteam.renswoude", Role.WIJKTEAM, "GM0339", False),
    ("projectteam", Role.PROJECT, None, False),
    ("beheerder", Role.ADMIN, None, True),
]


class Command(BaseCommand):
    help = "Create the demo users (or reset their passwords) and print their names, roles and passwords."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD", "")
        if not password:
            if getattr(settings, "PRODUCTION", False):
                raise CommandError("In productie (DJANGO_ENV=production) moet DEMO_PASSWORD gezet zijn; het vaste demowachtwoord wordt daar niet gebruikt.")
            password = DEFAULT_DEMO_PASSWORD
        region = Region.objects.filter(name=FOODVALLEY).first()
        if region is None:
            raise CommandError("Jeugdregio Food Valley ontbreekt: draai eerst `manage.py migrate`.")
        municipalities = {m.cbs_code: m for m in Municipality.objects.filter(region=region)}
        try:
            validate_password(password)
        except ValidationError as exc:
            raise CommandError("DEMO_PASSWORD voldoet niet aan de wachtwoordeisen: " + " ".join(exc.messages)) from exc

        rows = []
        with transaction.atomic():
            for username, role, cbs_code, superuser in DEMO_USERS:
                municipality = municipalities[cbs_code] if cbs_code else None
                user, created = User.objects.get_or_create(username=username)
                user.role = role
                user.municipality = municipality
                user.region = None if role == Role.ADMIN else region
                user.is_staff = superuser
                user.is_superuser = superuser
                user.is_active = True
                if not user.first_name:
                    user.first_name = "Demo"
                user.set_password(password)
                user.save()
                rows.append((username, user.get_role_display(), municipality.name if municipality else (user.region.name if user.region else "—"), created))
        self._reset_lockouts([r[0] for r in rows])

        self.stderr.write(self.style.WARNING(
            "LET OP: dit zijn demo-accounts met een bekend wachtwoord. Gebruik ze nooit op een server met echte gegevens."
        ))
        width = max(len(r[0]) for r in rows)
        self.stdout.write(f"{'gebruikersnaam':<{width}}  {'rol':<20}  {'gemeente / regio':<14}  wachtwoord")
        for username, role, scope, created in rows:
            self.stdout.write(f"{username:<{width}}  {role!s:<20}  {scope:<14}  {password}" + ("" if created else "  (wachtwoord opnieuw gezet)"))
        self._list_other_demo_users(width, password)

    def _list_other_demo_users(self, width: int, password: str) -> None:
        """The RET and foster-care demo users (made by demo_casework and demo_fostercare), their password reset too."""
        from demo.management.commands.demo_casework import DEMO_RET_USERS
        from demo.management.commands.demo_fostercare import DEMO_FOSTERCARE_USERS

        names = [u for u, _chair in DEMO_RET_USERS] + [u for u, _provider in DEMO_FOSTERCARE_USERS]
        for user in User.objects.filter(username__in=names).select_related("region", "provider").order_by("role", "username"):
            user.set_password(password)
            user.save(update_fields=["password"])
            role = user.get_role_display() + (" (voorzitter)" if user.is_ret_chair else "")
            scope = user.provider.name if user.provider_id else (user.region.name if user.region_id else "—")
            self.stdout.write(f"{user.username:<{width}}  {role:<20}  {scope:<14}  {password}")

    def _reset_lockouts(self, usernames):
        """Clear login-throttling lock-outs of the demo users (django-axes), so a reset really lets them in."""
        try:
            from axes.utils import reset
        except ImportError:  # pragma: no cover - axes is installed
            return
        for username in usernames:
            reset(username=username)
