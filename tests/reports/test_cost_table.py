"""The yearly cost table (seed 003 style) reproduced to the cent from declarations with known totals."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AccessLogEntry
from placements.models import Child, Declaration, Municipality
from reports.cost_table import cost_table, publish_rows

D = dt.date


def _child(n: int, municipality) -> Child:
    return Child.objects.create(pseudonym=f"ct-{n:04d}" + "0" * 56, birth_date=D(2010, 1, 1), municipality=municipality)


def _decl(n: int, child, form, municipality, start: dt.date, amount: str, provider) -> None:
    Declaration.objects.create(source_id=f"CT{n}", child=child, care_form=form, provider=provider, municipality=municipality,
                               period_start=start, period_end=start + dt.timedelta(days=27), amount=Decimal(amount))


@pytest.fixture
def known(ede, veenendaal, care_forms, provider):
    """Declarations whose table is known in advance (see the expectations in the tests):
    A: residential in Ede (two lines and a correction of −250.50) and a family home in Ede → two categories;
    B: residential in Ede, then moved to Veenendaal (residential there) → once in the region, once in each municipality;
    C: family home in Veenendaal in 2022, and a line starting 31-12-2021 that belongs to 2021;
    D: only a negative correction in 2022 (still a client with a declaration);
    E: another region: never counted."""
    res, gzh = care_forms["RES"], care_forms["GZH"]
    elsewhere = Municipality.objects.exclude(region=ede.region).order_by("cbs_code").first()
    a, b, c, d = (_child(i, ede) for i in range(4))
    e = _child(9, elsewhere)
    n = iter(range(1000))
    _decl(next(n), a, res, ede, D(2022, 1, 1), "1000.00", provider)
    _decl(next(n), a, res, ede, D(2022, 2, 1), "1000.00", provider)
    _decl(next(n), a, res, ede, D(2022, 3, 1), "-250.50", provider)
    _decl(next(n), a, gzh, ede, D(2022, 4, 1), "333.32", provider)
    _decl(next(n), b, res, ede, D(2022, 5, 1), "500.25", provider)
    _decl(next(n), b, res, veenendaal, D(2022, 7, 1), "600.00", provider)
    _decl(next(n), c, gzh, veenendaal, D(2022, 8, 1), "100.01", provider)
    _decl(next(n), c, gzh, veenendaal, D(2021, 12, 31), "50.00", provider)
    _decl(next(n), d, res, ede, D(2022, 6, 1), "-100.00", provider)
    _decl(next(n), e, res, elsewhere, D(2022, 6, 1), "9999.99", provider)
    return {"ede": ede, "veenendaal": veenendaal, "region": ede.region}


REGION_CSV = """year,care_form,clients,cost,cost_per_client
2021,GZH,1,50.00,50.00
2021,TOTAL,1,50.00,50.00
2022,GZH,2,433.33,216.67
2022,RES,3,2749.75,916.58
2022,TOTAL,5,3183.08,636.62
"""


def test_it_reproduces_the_region_table_to_the_cent(known):
    table = cost_table(region=known["region"])
    y2022 = table.year(2022)
    got = {r.code: (r.clients, r.cost, r.cost_per_client) for r in y2022.all_rows}
    assert got == {
        "GZH": (2, Decimal("433.33"), Decimal("216.67")),  # 216.665 rounds half up (banker's rounding would give 216.66)
        "RES": (3, Decimal("2749.75"), Decimal("916.58")),  # A 1749.50 + B 1100.25 (two municipalities, one client) − D 100.00
        "TOTAL": (5, Decimal("3183.08"), Decimal("636.62")),  # 5 = 2 + 3: child A counts in both categories (4 distinct)
    }
    assert [r.code for r in y2022.rows] == ["GZH", "RES"]  # ladder order (rung 3, then 5)


def test_it_writes_the_csv_from_the_command(known, tmp_path):
    out = tmp_path / "table.csv"
    call_command("cost_table", "--region", "Food Valley", "--out", str(out))
    assert out.read_text(encoding="utf-8") == REGION_CSV
    entry = AccessLogEntry.objects.filter(object_type="cost_table").get()
    assert entry.action == "export" and entry.origin == "cli" and "5 rows" in entry.detail


def test_it_counts_a_moved_child_in_each_municipality(known, tmp_path):
    ede_out, veen_out = tmp_path / "ede.csv", tmp_path / "veen.csv"
    call_command("cost_table", "--region", "food valley", "--municipality", "0228", "--out", str(ede_out))
    call_command("cost_table", "--region", "Food Valley", "--municipality", "GM0345", "--out", str(veen_out))
    assert ede_out.read_text().splitlines()[1:] == [
        "2022,GZH,1,333.32,333.32",
        "2022,RES,3,2149.75,716.58",
        "2022,TOTAL,4,2483.07,620.77",
    ]
    assert veen_out.read_text().splitlines()[1:] == [
        "2021,GZH,1,50.00,50.00",
        "2021,TOTAL,1,50.00,50.00",
        "2022,GZH,1,100.01,100.01",
        "2022,RES,1,600.00,600.00",
        "2022,TOTAL,2,700.01,350.01",  # 350.005 half up
    ]


def test_it_refuses_unknown_scopes(known, tmp_path):
    with pytest.raises(CommandError):
        call_command("cost_table", "--region", "Nergens", "--out", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError):  # Amsterdam is not in Food Valley
        call_command("cost_table", "--region", "Food Valley", "--municipality", "GM0363", "--out", str(tmp_path / "x.csv"))


def test_it_changes_versus_the_previous_year(known):
    table = cost_table(region=known["region"])
    gzh = next(r for r in table.year(2022).rows if r.code == "GZH")
    assert gzh.clients_change == pytest.approx(100.0)  # 1 → 2
    assert gzh.cost_change == pytest.approx((433.33 - 50.00) / 50.00 * 100)
    res = next(r for r in table.year(2022).rows if r.code == "RES")
    assert res.previous is None and res.cost_change is None


def test_it_stops_at_the_run_data_date_and_marks_the_year_partial(known):
    table = cost_table(region=known["region"], until=D(2022, 4, 30))
    y = table.year(2022)
    res = next(r for r in y.rows if r.code == "RES")
    assert (res.clients, res.cost) == (1, Decimal("1749.50"))
    assert y.partial_until == D(2022, 4, 30)
    assert table.year(2021).partial_until is None


def test_it_publishes_rounded_clients_hides_small_costs_with_a_second_one_and_no_cost_per_client():
    from reports.cost_table import CostTable, Row, Year

    rows = [Row(2022, "PLZ", "", 12, Decimal("100.00")), Row(2022, "RES", "", 3, Decimal("90.00")), Row(2022, "GZH", "", 7, Decimal("70.00"))]
    total = Row(2022, "TOTAL", "", 22, Decimal("260.00"))
    table = CostTable("x", [Year(2022, rows, total)], suppressed=True, k=5)
    publish_rows(table)
    # RES: ≤5 clients, cost hidden; GZH's cost (the smallest other) hidden too, else 260 − 100 = RES's 90 comes back
    assert [(r.shown.clients.text, r.shown.cost.text) for r in (*rows, total)] == [
        ("15", "€ 100,00"), ("≤5", "≤5"), ("10", "x"), ("25", "€ 260,00")]
    assert table.csv_rows() == [
        ["2022", "PLZ", "15", "100.00", ""],
        ["2022", "RES", "≤5", "≤5", ""],
        ["2022", "GZH", "10", "x", ""],
        ["2022", "TOTAL", "25", "260.00", ""],
    ]


def test_a_viewer_with_case_access_sees_exact_clients_and_cost_per_client():
    from reports.cost_table import CostTable, Row, Year

    rows = [Row(2022, "RES", "", 3, Decimal("90.00"))]
    table = CostTable("x", [Year(2022, rows, Row(2022, "TOTAL", "", 3, Decimal("90.00")))], suppressed=False, k=5)
    publish_rows(table)
    assert table.csv_rows()[0] == ["2022", "RES", "3", "90.00", "30.00"]


def test_it_agrees_with_the_yearly_figures_of_a_snapshot_run(known):
    """The snapshot run computes clients_declared_year / cost_year / cost_per_client per care form with the engine;
    the cost table reads the declarations directly. Both must count the same clients and cost to the cent."""
    from monitoring.models import FigureSeries
    from monitoring.runs import services

    run = services.run_compute(services.run_create(today=D(2023, 1, 15)))
    region = known["region"].name
    stored = {(g, m): v for g, m, v in FigureSeries.objects.filter(run=run, scope=region, band="all",
                                                                  metric__in=["clients_declared_year", "cost_year", "cost_per_client"])
              .values_list("group", "metric", "values")}
    table = cost_table(region=known["region"])
    for year in (2021, 2022):
        for row in table.year(year).rows:
            assert stored[(row.code, "clients_declared_year")][str(year)] == row.clients
            assert Decimal(str(stored[(row.code, "cost_year")][str(year)])).quantize(Decimal("0.01")) == row.cost
            # both round half a cent away from zero (216.665 → 216.67)
            assert Decimal(str(stored[(row.code, "cost_per_client")][str(year)])).quantize(Decimal("0.01")) == row.cost_per_client


def test_the_csv_escapes_a_formula_in_a_care_form_code_and_keeps_numbers(tmp_path):
    """Issue 15: the cost-table CSV was not formula-escaped (the XLSX was)."""
    import io

    from reports.cost_table import CostTable, Row, Year, write_csv

    rows = [Row(2022, "=1+2", "", 12, Decimal("-100.00")), Row(2022, "RES", "", 20, Decimal("90.00"))]
    table = CostTable("x", [Year(2022, rows, Row(2022, "TOTAL", "", 32, Decimal("-10.00")))], suppressed=False, k=5)
    publish_rows(table)
    out = io.StringIO()
    write_csv(table, out)
    lines = out.getvalue().splitlines()
    assert lines[1] == "2022,'=1+2,12,-100.00,-8.33"  # the code escaped, the negative amounts still numbers
    assert lines[3] == "2022,TOTAL,32,-10.00,-0.31"


def test_a_region_reports_in_its_own_categories_each_from_its_date(ede, veenendaal, care_forms, provider):
    """Seed 003's way: "Pleegzorg" is foster and network foster care; a family home counts in "24-uursverblijf" until
    2020 and in "Gezinshuizen" from 2021. A: foster care and network foster care in 2020 → once in Pleegzorg; B: family
    home in December 2020 and January 2021 → 24-uursverblijf in 2020, Gezinshuizen in 2021; C: residential in 2020 and
    2021; D: ambulant care, in no category → its own row. The municipality's table uses its region's categories."""
    from placements.models import CategoryMapping, ReportingCategory

    region = ede.region
    stay24 = ReportingCategory.objects.create(region=region, code="24-uurs", name="24-uursverblijf", order=1)
    homes = ReportingCategory.objects.create(region=region, code="gezinshuizen", name="Gezinshuizen", order=2)
    foster = ReportingCategory.objects.create(region=region, code="pleegzorg", name="Pleegzorg", order=3)
    for category, code, since in ((stay24, "RES", D(2015, 1, 1)), (stay24, "GZH", D(2015, 1, 1)), (homes, "GZH", D(2021, 1, 1)),
                                  (foster, "PLZ", D(2015, 1, 1)), (foster, "NPZ", D(2015, 1, 1))):
        CategoryMapping.objects.create(category=category, care_form=care_forms[code], valid_from=since)
    a, b, c, d = (_child(i, ede) for i in range(4))
    n = iter(range(1000))
    _decl(next(n), a, care_forms["PLZ"], ede, D(2020, 3, 1), "700.00", provider)
    _decl(next(n), a, care_forms["NPZ"], ede, D(2020, 9, 1), "300.00", provider)
    _decl(next(n), b, care_forms["GZH"], veenendaal, D(2020, 12, 1), "4000.00", provider)
    _decl(next(n), b, care_forms["GZH"], veenendaal, D(2021, 1, 1), "4100.00", provider)
    _decl(next(n), c, care_forms["RES"], ede, D(2020, 5, 1), "6000.00", provider)
    _decl(next(n), c, care_forms["RES"], ede, D(2021, 5, 1), "6100.00", provider)
    _decl(next(n), d, care_forms["AMB"], ede, D(2021, 2, 1), "250.00", provider)
    table = cost_table(region=region, years=[2020, 2021])
    rows = {y.year: {r.code: (r.name, r.clients, r.cost) for r in y.rows} for y in table.years}
    assert rows[2020] == {"24-uurs": ("24-uursverblijf", 2, Decimal("10000.00")), "pleegzorg": ("Pleegzorg", 1, Decimal("1000.00"))}
    assert rows[2021] == {"24-uurs": ("24-uursverblijf", 1, Decimal("6100.00")), "gezinshuizen": ("Gezinshuizen", 1, Decimal("4100.00")),
                          "AMB": ("Ambulante hulp", 1, Decimal("250.00"))}
    assert [r.code for r in table.year(2021).rows] == ["24-uurs", "gezinshuizen", "AMB"]  # the region's order, then care forms
    assert table.year(2021).total.clients == 3  # the sum of the rows, as the regions' reports count
    # the 2021 change of 24-uursverblijf against 2020 compares the category with itself
    assert table.year(2021).rows[0].clients_change == pytest.approx(-50.0)
    veen = cost_table(municipality=veenendaal, years=[2021])
    assert {r.code: r.clients for r in veen.year(2021).rows} == {"gezinshuizen": 1}


def test_the_demo_categories_follow_seed_003_and_are_idempotent(foodvalley):
    from demo.categories import build_demo_categories
    from placements.models import CategoryMapping

    first = build_demo_categories()
    assert first["categorieën"] == 7 and first["productcodes"] == 8
    assert build_demo_categories() == {"categorieën": 0, "indelingen": 0, "productcodes": 0}
    homes = CategoryMapping.objects.filter(care_form__code="GZH").order_by("valid_from")
    assert [(m.category.code, m.valid_from) for m in homes] == [("24-uursverblijf", D(2015, 1, 1)), ("gezinshuizen", D(2021, 1, 1))]


def test_the_downloaded_csv_is_dutch_and_protected(client, known):
    from tests.conftest import login, make_user

    user = make_user("pt-costs", "project", region=known["region"])
    response = login(client, user).get("/rapportages/kostentabel/", {"format": "csv", "forms": "all"})
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffjaar;zorgvorm;naam;clienten;kosten;kosten_per_client")
    rows = [line.split(";") for line in text.lstrip("\ufeff").splitlines()[1:]]
    assert rows and all("," not in r[0] for r in rows)
    assert {r[3] for r in rows} <= {"≤5", "10", "15", "20", ""}  # clients published
    assert all(r[4] in ("≤5", "x") for r in rows if r[3] == "≤5")  # the cost of five or fewer clients hidden with them
