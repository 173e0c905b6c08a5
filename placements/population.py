"""Youth population per municipality, year and age band: the CSV loader and the demo numbers.

A population file has the columns ``cbs_code,year,age_band,count`` (comma or semicolon). The CBS code
may be written ``GM0228`` or ``0228``; the age band is one of ``0-11``, ``12-17``, ``18-22``. Loading
is all or nothing: a file with any error loads nothing and every error is reported (Dutch, with the
line number). Rows are upserted on (municipality, year, age band).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from .models import AgeBand, Municipality, YouthPopulation

DATA_DIR = Path(__file__).resolve().parent / "data"
FOODVALLEY_POPULATION_CSV = DATA_DIR / "population_foodvalley.csv"
COLUMNS = ("cbs_code", "year", "age_band", "count")
AGE_BANDS = tuple(AgeBand.values)
#: Largest youth count accepted for one municipality, year and band (the largest real one is about 150,000).
MAX_COUNT = 10_000_000
#: A cell value is quoted in a message at most this long.
MAX_VALUE_IN_MESSAGE = 40


def _quote(value: str) -> str:
    """A cell value fit for a message: printable and short (a hostile file may hold megabytes in one cell)."""
    value = "".join(ch if ch.isprintable() else "?" for ch in value)
    return value if len(value) <= MAX_VALUE_IN_MESSAGE else value[: MAX_VALUE_IN_MESSAGE - 1] + "…"


class PopulationFileError(ValueError):
    """A population file that cannot be loaded; ``problems`` lists every error (Dutch, with line numbers)."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class PopulationRow:
    line: int
    cbs_code: str
    year: int
    age_band: str
    count: int


def normalise_cbs_code(raw: str) -> str | None:
    """``GM0228``, ``gm0228``, ``0228`` and ``228`` all become ``GM0228``; anything else gives None."""
    value = (raw or "").strip().upper()
    if value.startswith("GM"):
        value = value[2:]
    if not value.isdigit() or not 1 <= len(value) <= 4:
        return None
    return "GM" + value.zfill(4)


def _normalise_band(raw: str) -> str:
    return (raw or "").strip().replace("–", "-").replace("—", "-").replace(" ", "")


def read_population(source: Path | str | io.TextIOBase) -> list[PopulationRow]:
    """Read and check a population CSV. Raises PopulationFileError listing every problem."""
    if isinstance(source, (str, Path)):
        raw = Path(source).read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:  # the usual Excel export on Dutch Windows, as for the other imports
                text = raw.decode("cp1252")
            except UnicodeDecodeError as exc:
                raise PopulationFileError(["Het bestand is geen tekst in UTF-8 of Windows-1252. Sla het op als 'CSV UTF-8'."]) from exc
    else:
        text = source.read()
    try:
        return _read_rows(text)
    except csv.Error as exc:
        raise PopulationFileError([f"Het bestand is geen leesbaar CSV-bestand ({_quote(str(exc))})."]) from None


def _read_rows(text: str) -> list[PopulationRow]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise PopulationFileError([f"regel 1: ontbrekende kolommen: {', '.join(missing)}"])

    known = dict(Municipality.objects.values_list("cbs_code", "id"))
    rows: list[PopulationRow] = []
    problems: list[str] = []
    seen: dict[tuple[str, int, str], int] = {}
    for line, raw in enumerate(reader, start=2):
        r = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(r.values()):
            continue  # blank line
        line_problems = []
        code = normalise_cbs_code(r.get("cbs_code", ""))
        if code is None:
            line_problems.append(f"regel {line}: ongeldige CBS-code '{_quote(r.get('cbs_code', ''))}' (verwacht bijv. GM0228 of 0228)")
        elif code not in known:
            line_problems.append(f"regel {line}: onbekende gemeente {code}")
        try:
            year = int(r.get("year", ""))
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            line_problems.append(f"regel {line}: jaar '{_quote(r.get('year', ''))}' is geen jaartal tussen 2000 en 2100")
            year = None
        band = _normalise_band(r.get("age_band", ""))
        if band not in AGE_BANDS:
            line_problems.append(f"regel {line}: onbekende leeftijdsgroep '{_quote(r.get('age_band', ''))}' (toegestaan: {', '.join(AGE_BANDS)})")
        count_raw = r.get("count", "").replace(" ", "")
        try:
            if not count_raw.isascii() or not count_raw.isdigit():  # int() would also take "1_000", "٣" and "+5"
                raise ValueError
            count = int(count_raw)
            if count > MAX_COUNT:
                raise ValueError
        except ValueError:
            line_problems.append(f"regel {line}: aantal '{_quote(r.get('count', ''))}' is geen geheel getal van 0 tot en met "
                                 f"{MAX_COUNT:_}".replace("_", "."))
            count = None
        if not line_problems:
            key = (code, year, band)
            if key in seen:
                line_problems.append(f"regel {line}: {code} {year} {band} staat ook al op regel {seen[key]}")
            else:
                seen[key] = line
                rows.append(PopulationRow(line=line, cbs_code=code, year=year, age_band=band, count=count))
        problems.extend(line_problems)
    if problems:
        raise PopulationFileError(problems)
    if not rows:
        raise PopulationFileError(["Het bestand bevat geen regels met bevolkingsaantallen."])
    return rows


@transaction.atomic
def load_population(source: Path | str | io.TextIOBase) -> tuple[int, int, int]:
    """Add or update population rows from a CSV; returns (created, updated, unchanged).

    Nothing is written when the file has an error (PopulationFileError lists them all).
    """
    rows = read_population(source)
    ids = dict(Municipality.objects.filter(cbs_code__in={r.cbs_code for r in rows}).values_list("cbs_code", "id"))
    existing = {
        (p.municipality_id, p.year, p.age_band): p
        for p in YouthPopulation.objects.filter(municipality_id__in=ids.values(), year__in={r.year for r in rows})
    }
    new, changed, unchanged = [], [], 0
    for r in rows:
        key = (ids[r.cbs_code], r.year, r.age_band)
        current = existing.get(key)
        if current is None:
            new.append(YouthPopulation(municipality_id=key[0], year=r.year, age_band=r.age_band, count=r.count))
        elif current.count != r.count:
            current.count = r.count
            changed.append(current)
        else:
            unchanged += 1
    YouthPopulation.objects.bulk_create(new, batch_size=500)
    YouthPopulation.objects.bulk_update(changed, ["count"], batch_size=500)
    return len(new), len(changed), unchanged


# --- Demo numbers for Jeugdregio Food Valley ---------------------------------------------------------
# Youths per age band in 2026 (about 331k inhabitants, 73k aged 0-17) and the yearly growth of each
# municipality. Barneveld, Scherpenzeel and Renswoude are young; Ede has a college (more 18-22).
FOODVALLEY_2026 = {
    #          inhabitants, 0-11, 12-17, 18-22, growth per year
    "GM0228": (122_000, 16_700, 8_700, 8_900, 0.008),  # Ede
    "GM0345": (68_000, 9_900, 5_100, 4_300, 0.006),  # Veenendaal
    "GM0203": (61_000, 10_300, 5_400, 4_200, 0.009),  # Barneveld
    "GM0267": (44_000, 6_750, 3_550, 2_800, 0.007),  # Nijkerk
    "GM0340": (20_000, 2_750, 1_500, 1_200, 0.003),  # Rhenen
    "GM0279": (10_000, 1_700, 870, 650, 0.004),  # Scherpenzeel
    "GM0339": (6_000, 1_080, 530, 380, 0.007),  # Renswoude
}
DEMO_YEARS = range(2017, 2027)
BASE_YEAR = 2026


def foodvalley_demo_rows(years=DEMO_YEARS) -> list[tuple[str, int, str, int]]:
    """(cbs_code, year, age_band, count) for the 7 Foodvalley municipalities: 2026 numbers grown backwards.

    The teen band grew a little faster than the young band (ageing of the 2000s birth cohorts).
    """
    rows = []
    for code, (_inhabitants, young, teen, adult, growth) in FOODVALLEY_2026.items():
        for year in years:
            back = BASE_YEAR - year
            factors = {"0-11": (1 + growth * 0.8) ** -back, "12-17": (1 + growth * 1.3) ** -back, "18-22": (1 + growth) ** -back}
            for band, base in (("0-11", young), ("12-17", teen), ("18-22", adult)):
                rows.append((code, year, band, int(round(base * factors[band], -1))))
    return rows


def write_foodvalley_csv(path: Path = FOODVALLEY_POPULATION_CSV) -> int:
    """Write the shipped demo file (run once by hand when the demo numbers change)."""
    rows = foodvalley_demo_rows()
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return len(rows)
