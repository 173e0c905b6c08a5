from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from placements.population import PopulationFileError, load_population


class Command(BaseCommand):
    help = "Add or update the youth population from a CSV with columns cbs_code,year,age_band,count (comma or semicolon)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.exists():
            raise CommandError(f"Bestand niet gevonden: {file}")
        try:
            created, updated, unchanged = load_population(file)
        except PopulationFileError as exc:
            lines = "\n".join(f"  {p}" for p in exc.problems)
            raise CommandError(f"Bevolkingsbestand niet geladen ({len(exc.problems)} fouten, niets opgeslagen):\n{lines}") from exc
        self.stdout.write(self.style.SUCCESS(f"{created} regels toegevoegd, {updated} bijgewerkt, {unchanged} ongewijzigd."))
