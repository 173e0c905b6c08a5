"""Loading reference data: municipalities with their regions, and the care-form taxonomy.

Used by data migrations and by management commands, so the shipped defaults and a region's own
files go through the same code.
"""
from __future__ import annotations

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
MUNICIPALITIES_CSV = DATA_DIR / "municipalities_2026.csv"
DEFAULT_CARE_FORMS_CSV = DATA_DIR / "care_forms_default.csv"
FOODVALLEY = "Food Valley"


def load_municipalities(Region, Municipality, path: Path = MUNICIPALITIES_CSV) -> int:
    """Create or update every municipality and its region from the CBS list. Returns the count."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    regions = {}
    for name in sorted({r["youth_care_region"].strip() for r in rows}):
        regions[name], _ = Region.objects.get_or_create(name=name)
    for r in rows:
        Municipality.objects.update_or_create(
            cbs_code=r["cbs_code"].strip(),
            defaults={"name": r["name"].strip(), "province": r["province"].strip(), "region": regions[r["youth_care_region"].strip()]},
        )
    return len(rows)


TRUE_VALUES = {"1", "true", "ja", "j", "yes", "y", "waar"}
FALSE_VALUES = {"0", "false", "nee", "n", "no", "onwaar", ""}
CARE_FORM_COLUMNS = ("code", "name", "rung", "with_stay", "family_based", "cbs_code")


class CareFormFileError(ValueError):
    """A care-form file that cannot be loaded; the message lists every problem (Dutch)."""


def _parse_bool(value: str) -> bool | None:
    value = (value or "").strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    return None


def read_care_forms(path: Path) -> list[dict]:
    """Read and validate a care-form CSV (comma or semicolon). Raises CareFormFileError with all problems."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        sample = fh.read(4096)
        fh.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.DictReader(fh, delimiter=delimiter)
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in CARE_FORM_COLUMNS if c not in header]
        if missing:
            raise CareFormFileError(f"Ontbrekende kolommen: {', '.join(missing)}")
        rows, problems, seen = [], [], set()
        for lineno, raw in enumerate(reader, start=2):
            r = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            code = r["code"].upper()
            if not code:
                problems.append(f"regel {lineno}: code ontbreekt")
                continue
            if code in seen:
                problems.append(f"regel {lineno}: code {code} komt dubbel voor")
            seen.add(code)
            if not r["name"]:
                problems.append(f"regel {lineno}: naam ontbreekt")
            try:
                rung = int(r["rung"])
                if not 1 <= rung <= 6:
                    raise ValueError
            except ValueError:
                problems.append(f"regel {lineno}: trede moet een getal van 1 tot en met 6 zijn")
                rung = None
            with_stay, family_based = _parse_bool(r["with_stay"]), _parse_bool(r["family_based"])
            if with_stay is None:
                problems.append(f"regel {lineno}: with_stay moet 0/1 of ja/nee zijn")
            if family_based is None:
                problems.append(f"regel {lineno}: family_based moet 0/1 of ja/nee zijn")
            cbs = r["cbs_code"]
            if cbs and not (cbs.isdigit() and len(cbs) <= 2):
                problems.append(f"regel {lineno}: CBS-hulpvorm moet een code van twee cijfers zijn")
            crisis = _parse_bool(r.get("crisis") or "0")  # optional column: crisis care (crisis.figures)
            if crisis is None:
                problems.append(f"regel {lineno}: crisis moet 0/1 of ja/nee zijn")
            rows.append({"code": code, "name": r["name"], "rung": rung, "with_stay": with_stay,
                         "family_based": family_based, "cbs_code": cbs.zfill(2) if cbs else "", "crisis": bool(crisis)})
    if problems:
        raise CareFormFileError("; ".join(problems))
    return rows


def load_care_forms(CareForm, path: Path = DEFAULT_CARE_FORMS_CSV) -> tuple[int, int]:
    """Add or update care forms from a CSV; returns (created, updated). Nothing is written if the file has errors."""
    rows = read_care_forms(path)
    created = updated = 0
    # the crisis flag exists from placements 0010 on (earlier migrations load with the model as it was then)
    fields = ("name", "rung", "with_stay", "family_based", "cbs_code")
    if any(f.name == "crisis" for f in CareForm._meta.get_fields()):
        fields += ("crisis",)
    for r in rows:
        _, was_created = CareForm.objects.update_or_create(
            code=r["code"],
            defaults={k: r[k] for k in fields} | {"active": True},
        )
        created += was_created
        updated += not was_created
    return created, updated
