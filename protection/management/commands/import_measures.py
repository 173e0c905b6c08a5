"""`manage.py import_measures FILE`: child-protection measures from a CSV file (protection.imports)."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from protection.imports import measures_import


class Command(BaseCommand):
    help = "Importeer jeugdbeschermingsmaatregelen uit een CSV-bestand (alles of niets)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(_("Bestand niet gevonden: %(file)s") % {"file": file})
        result = measures_import(data=file.read_bytes())
        if not result.ok:
            for line, column, message in result.errors[:50]:
                self.stderr.write(_("regel %(line)s, %(column)s: %(message)s") % {"line": line, "column": column or "–", "message": message})
            raise CommandError(_("Het bestand is geweigerd: %(n)s fouten, er is niets geïmporteerd.") % {"n": len(result.errors)})
        self.stdout.write(_("Maatregelen geïmporteerd: %(created)s nieuw, %(updated)s bijgewerkt, %(unchanged)s ongewijzigd.")
                          % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged})
