"""Youth population: CSV loader (all or nothing, Dutch errors with line numbers), command and demo numbers."""
from __future__ import annotations

import io
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command

from placements.models import YouthPopulation
from placements.population import (
    FOODVALLEY_POPULATION_CSV,
    PopulationFileError,
    foodvalley_demo_rows,
    load_population,
    normalise_cbs_code,
    read_population,
)


def write(tmp_path, text: str, name="bevolking.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_it_normalises_cbs_codes():
    assert normalise_cbs_code("GM0228") == "GM0228"
    assert normalise_cbs_code("gm0228") == "GM0228"
    assert normalise_cbs_code("0228") == "GM0228"
    assert normalise_cbs_code("228") == "GM0228"
    assert normalise_cbs_code("GM02280") is None
    assert normalise_cbs_code("Ede") is None


@pytest.mark.django_db
def test_it_loads_comma_and_semicolon_files_and_upserts(tmp_path, ede, veenendaal):
    path = write(tmp_path, "cbs_code,year,age_band,count\nGM0228,2024,0-11,16000\n0345,2024,12-17,5000\n")
    assert load_population(path) == (2, 0, 0)
    assert YouthPopulation.objects.get(municipality=ede, year=2024, age_band="0-11").count == 16000
    assert YouthPopulation.objects.get(municipality=veenendaal, year=2024, age_band="12-17").count == 5000

    path = write(tmp_path, "cbs_code;year;age_band;count\nGM0228;2024;0-11;16100\nGM0345;2024;12-17;5000\nGM0228;2025;18-22;8900\n")
    assert load_population(path) == (1, 1, 1)
    assert YouthPopulation.objects.get(municipality=ede, year=2024, age_band="0-11").count == 16100
    assert YouthPopulation.objects.count() == 3


@pytest.mark.django_db
def test_a_file_with_errors_loads_nothing_and_lists_every_error(tmp_path, ede):
    path = write(tmp_path, (
        "cbs_code,year,age_band,count\n"
        "GM0228,2024,0-11,16000\n"        # fine (line 2)
        "GM9999,2024,0-11,10\n"           # unknown municipality (line 3)
        "GM0228,20x4,12-17,10\n"          # bad year (line 4)
        "GM0228,2024,0-17,10\n"           # bad band (line 5)
        "GM0228,2024,18-22,-5\n"          # negative count (line 6)
        "GM0228,2024,0-11,17000\n"        # duplicate of line 2 (line 7)
    ))
    with pytest.raises(PopulationFileError) as exc:
        load_population(path)
    problems = exc.value.problems
    assert len(problems) == 5
    assert problems[0].startswith("regel 3:") and "onbekende gemeente GM9999" in problems[0]
    assert problems[1].startswith("regel 4:") and "jaar" in problems[1]
    assert problems[2].startswith("regel 5:") and "leeftijdsgroep" in problems[2]
    assert problems[3].startswith("regel 6:") and "aantal" in problems[3]
    assert problems[4].startswith("regel 7:") and "regel 2" in problems[4]
    assert YouthPopulation.objects.count() == 0


@pytest.mark.django_db
def test_missing_columns_are_reported(tmp_path):
    with pytest.raises(PopulationFileError) as exc:
        read_population(io.StringIO("gemeente,jaar,aantal\nGM0228,2024,10\n"))
    assert "ontbrekende kolommen" in exc.value.problems[0]
    assert "age_band" in exc.value.problems[0]


@pytest.mark.django_db
def test_the_command_exits_non_zero_with_the_errors(tmp_path, ede):
    path = write(tmp_path, "cbs_code,year,age_band,count\nGM0228,2024,0-11,abc\nXX,2024,0-11,1\n")
    with pytest.raises(CommandError) as exc:
        call_command("import_population", str(path))
    message = str(exc.value)
    assert "2 fouten" in message and "regel 2" in message and "regel 3" in message
    assert YouthPopulation.objects.count() == 0

    ok = write(tmp_path, "cbs_code,year,age_band,count\nGM0228,2024,0-11,16000\n", name="ok.csv")
    out = io.StringIO()
    call_command("import_population", str(ok), stdout=out)
    assert "1 regels toegevoegd" in out.getvalue()


@pytest.mark.django_db
def test_the_shipped_foodvalley_file_matches_the_demo_numbers_and_is_plausible(foodvalley):
    created, updated, unchanged = load_population(FOODVALLEY_POPULATION_CSV)
    assert (created, updated, unchanged) == (210, 0, 0)  # 7 municipalities x 10 years x 3 bands
    stored = {(p.municipality.cbs_code, p.year, p.age_band): p.count for p in YouthPopulation.objects.select_related("municipality")}
    assert stored == {(c, y, b): n for c, y, b, n in foodvalley_demo_rows()}
    youth = defaultdict(int)
    for (_code, year, band), count in stored.items():
        if band != "18-22":
            youth[year] += count
    assert all(70_000 <= youth[year] <= 77_000 for year in range(2017, 2027)), youth
    assert youth[2026] > youth[2017]
    # Ede is the largest, Renswoude the smallest.
    by_muni = defaultdict(int)
    for (code, year, band), count in stored.items():
        if year == 2026 and band != "18-22":
            by_muni[code] += count
    assert max(by_muni, key=by_muni.get) == "GM0228"
    assert min(by_muni, key=by_muni.get) == "GM0339"
