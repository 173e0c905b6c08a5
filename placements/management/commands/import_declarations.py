from placements.imports.cli import ImportCommand
from placements.models import ImportKind


class Command(ImportCommand):
    help = ("Import declarations from a CSV (declaration_id, bsn, birth_date, municipality, provider, care_form, "
            "period_start, period_end, amount). Exits non-zero with every error when the file is refused.")
    kind = ImportKind.DECLARATIONS
