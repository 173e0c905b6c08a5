from placements.imports.cli import ImportCommand
from placements.models import ImportKind


class Command(ImportCommand):
    help = ("Import care episodes from a CSV (episode_id, bsn, birth_date, sex, municipality, provider, care_form, "
            "start_date, end_date, end_reason, referrer). Exits non-zero with every error when the file is refused.")
    kind = ImportKind.EPISODES
