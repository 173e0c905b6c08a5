from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from placements.models import CareForm
from placements.reference import CareFormFileError, load_care_forms


class Command(BaseCommand):
    help = "Add or update care forms from a CSV with columns code,name,rung,with_stay,family_based,cbs_code."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.exists():
            raise CommandError(f"Bestand niet gevonden: {file}")
        try:
            with transaction.atomic():
                created, updated = load_care_forms(CareForm, file)
        except CareFormFileError as exc:
            raise CommandError(f"Zorgvormen niet geladen: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError("Zorgvormen niet geladen: het bestand is geen UTF-8-tekst.") from exc
        self.stdout.write(self.style.SUCCESS(f"{created} zorgvormen toegevoegd, {updated} bijgewerkt."))
