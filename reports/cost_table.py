"""The yearly cost table per care form (metrics.md, "Yearly figures"; the table of seed 003).

In a region with its own reporting categories (placements.ReportingCategory, e.g. seed 003's "Pleegzorg" = foster
and network foster care) the rows are the categories, each from the date its care forms were mapped to it, and the
care forms outside every category keep their own row; a child in two care forms of one category counts once there.

Per year (of the declaration's period start) and care form: the distinct children with at least one
declaration, the summed amount (corrections are negative lines and count in the sum) and the cost per client
(cost / clients, rounded half up to the cent). The total row of a year sums the category counts, so a child in
two care forms counts twice, as the regional cost reports do; its cost per client is total cost / that sum.

A region counts the declarations booked on any of its municipalities, a municipality those booked on itself
(the declaration's own municipality, so a child who moved is counted where each declaration was booked; within
one scope and care form a child counts once however many municipalities of the region paid for it).

Computed set-wise in one query: amounts are summed as whole cents in the database (exact on SQLite and
PostgreSQL) and turned into Decimal here.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BigIntegerField, Case, CharField, Count, F, Sum, Value, When
from django.db.models.functions import Cast, ExtractYear, Round

from core import formatting, publication
from core.publication import Cell
from placements.models import CareForm, CategoryMapping, Declaration

CENT = Decimal("0.01")
TOTAL = "TOTAL"
CSV_HEADER = ["year", "care_form", "clients", "cost", "cost_per_client"]


def per_client(cost: Decimal, clients: int) -> Decimal | None:
    if not clients:
        return None
    return (cost / Decimal(clients)).quantize(CENT, rounding=ROUND_HALF_UP)


def pct_change(new, old) -> float | None:
    if new is None or old is None or not old:
        return None
    return float((Decimal(new) - Decimal(old)) / abs(Decimal(old)) * 100)


@dataclass
class Row:
    year: int
    code: str  # care-form code, or TOTAL
    name: str
    clients: int
    cost: Decimal
    rung: int = 0
    with_stay: bool = False
    previous: Row | None = None
    # what the table shows (publish_rows): exact for a viewer with case access, else through core.publication
    shown: Shown | None = None

    @property
    def cost_per_client(self) -> Decimal | None:
        return per_client(self.cost, self.clients)

    @property
    def is_total(self) -> bool:
        return self.code == TOTAL

    def change(self, attr: str) -> float | None:
        """% change versus the previous year of the exact values (None when the year before is missing)."""
        if self.previous is None:
            return None
        return pct_change(getattr(self, attr), getattr(self.previous, attr))

    @property
    def clients_change(self) -> float | None:
        return self.change("clients")

    @property
    def cost_change(self) -> float | None:
        return self.change("cost")

    @property
    def cost_per_client_change(self) -> float | None:
        return self.change("cost_per_client")


@dataclass
class Shown:
    """A row as published: cells for clients, cost and cost per client, and the changes versus the year before
    (None when not shown)."""

    clients: Cell
    cost: Cell
    per_client: Cell
    clients_change: float | None = None
    cost_change: float | None = None
    per_client_change: float | None = None


@dataclass
class Year:
    year: int
    rows: list[Row]
    total: Row
    partial_until: dt.date | None = None  # the data end when the year is not complete

    @property
    def all_rows(self) -> list[Row]:
        return [*self.rows, self.total]


@dataclass
class CostTable:
    scope_label: str
    years: list[Year] = field(default_factory=list)
    suppressed: bool = False
    k: int = 5

    def year(self, year: int) -> Year | None:
        return next((y for y in self.years if y.year == year), None)

    def csv_rows(self) -> list[list[str]]:
        """The machine-readable form: year, care_form, clients, cost, cost_per_client as shown; dot decimals; a
        hidden cell carries its mark ("≤5", "x") or stays empty (cost per client when protected)."""
        out = []
        for y in self.years:
            for row in y.all_rows:
                shown = row.shown
                out.append([str(y.year), row.code, _csv(shown.clients, "{:.0f}"), _csv(shown.cost, "{:.2f}"), _csv(shown.per_client, "{:.2f}")])
        return out


def _csv(cell: Cell, fmt: str) -> str:
    if cell.suppressed:
        return cell.text
    return "" if cell.value is None else fmt.format(cell.value)


def declaration_scope(*, region=None, municipality=None):
    qs = Declaration.objects.all()
    if municipality is not None:
        return qs.filter(municipality=municipality)
    if region is not None:
        return qs.filter(municipality__region=region)
    return qs


def cost_table(*, region=None, municipality=None, until: dt.date | None = None, years: list[int] | None = None,
               with_stay_only: bool = False, suppress: bool = False, k: int | None = None, scope_label: str = "") -> CostTable:
    """The table for a region or municipality (or everything when both are None), years ascending.
    `until`: only declarations whose period starts on or before it (a run's data date); the year of `until` is
    then marked partial unless `until` is 31 December."""
    qs = declaration_scope(region=region, municipality=municipality)
    if until is not None:
        qs = qs.filter(period_start__lte=until)
    if with_stay_only:
        qs = qs.filter(care_form__with_stay=True)
    if years:
        qs = qs.filter(period_start__year__gte=min(years), period_start__year__lte=max(years))
    qs = qs.annotate(year=ExtractYear("period_start"))
    sums = {"clients": Count("child_id", distinct=True), "cents": Sum(Cast(Round(F("amount") * 100), BigIntegerField()))}
    by_year: dict[int, list[Row]] = {}

    def add(year: int, row: Row) -> None:
        if not years or year in years:
            by_year.setdefault(year, []).append(row)

    def cost(r) -> Decimal:
        return (Decimal(int(r["cents"] or 0)) / 100).quantize(CENT)

    categories = _category_of(region if region is not None else getattr(municipality, "region", None))
    if categories is not None:
        # the region's own categories (seed 003): a child in two care forms of one category counts once in it
        expression, by_code = categories
        qs = qs.annotate(category=expression)
        for r in qs.exclude(category="").values("year", "category").annotate(**sums).order_by():
            cat = by_code[r["category"]]
            add(r["year"], Row(r["year"], cat.code, cat.name, int(r["clients"]), cost(r), -1000 + cat.order, True))
        qs = qs.filter(category="")
    forms = {cf.pk: cf for cf in CareForm.objects.all()}
    for r in qs.values("year", "care_form_id").annotate(**sums).order_by():
        cf = forms[r["care_form_id"]]
        add(r["year"], Row(r["year"], cf.code, cf.name, int(r["clients"]), cost(r), cf.rung, cf.with_stay))
    table = CostTable(scope_label=scope_label, k=publication.threshold() if k is None else k)
    previous: dict[str, Row] = {}
    for year in sorted(by_year):
        parts = sorted(by_year[year], key=lambda r: (r.rung, r.code))
        total = Row(year, TOTAL, "Totaal", sum(r.clients for r in parts), sum((r.cost for r in parts), Decimal("0.00")))
        partial = until if until is not None and until.year == year and (until.month, until.day) != (12, 31) else None
        y = Year(year, parts, total, partial)
        for row in y.all_rows:
            row.previous = previous.get(row.code)
        previous = {row.code: row for row in y.all_rows}
        table.years.append(y)
    table.suppressed = suppress
    publish_rows(table)
    return table


def _category_of(region):
    """(a database expression giving each declaration's category code — "" for none —, code → category) for a region
    with reporting categories; None without. A care form's category on the period's start is that of its mapping
    with the latest start on or before it (Case takes the first When that matches: latest first)."""
    if region is None:
        return None
    mappings = list(CategoryMapping.objects.filter(category__region=region).select_related("category")
                    .order_by("care_form_id", "-valid_from"))
    if not mappings:
        return None
    whens = [When(care_form_id=m.care_form_id, period_start__gte=m.valid_from, then=Value(m.category.code)) for m in mappings]
    return Case(*whens, default=Value(""), output_field=CharField()), {m.category.code: m.category for m in mappings}


def publish_rows(table: CostTable) -> None:
    """What each row shows. Exact for a viewer with case access. Otherwise (core.publication): clients "≤k" or
    rounded up to a multiple of k; cost hidden with a "≤k" count, and per year one more cost hidden where only one
    is (the total would give it back: publication.hide_amounts); cost per client not shown at all, because cost
    divided by it gives back the exact number of clients that the rounding protects; changes versus the year
    before only from what is shown (clients from the rounded counts)."""
    for y in table.years:
        rows = y.all_rows
        if not table.suppressed:
            for row in rows:
                row.shown = Shown(Cell(row.clients, formatting.number(row.clients)), Cell(row.cost, formatting.euro(row.cost)),
                                  _money(row.cost_per_client), row.clients_change, row.cost_change, row.cost_per_client_change)
            continue
        clients = [publication.count(row.clients, k=table.k) for row in rows]
        primary = [c.suppressed for c in clients]
        hidden = publication.hide_amounts(primary, [float(row.cost) for row in rows])
        for row, count, hide, first in zip(rows, clients, hidden, primary, strict=True):
            mark = publication.label(table.k) if first else publication.HIDDEN_SECONDARY
            cost = Cell(None, mark, True) if hide else Cell(row.cost, formatting.euro(row.cost))
            row.shown = Shown(count, cost, Cell(None, "–"))
    for y in table.years:
        if table.suppressed and not y.partial_until:
            for row in y.all_rows:
                before = row.previous.shown if row.previous is not None and row.previous.shown is not None else None
                if before is not None:
                    row.shown.clients_change = pct_change(row.shown.clients.value, before.clients.value)
                    row.shown.cost_change = pct_change(row.shown.cost.value, before.cost.value)


def _money(value) -> Cell:
    return Cell(None, "–") if value is None else Cell(value, formatting.euro(value))


def write_csv(table: CostTable, fh) -> int:
    """The machine-readable CSV (comma, dot decimals). Numbers stay numbers; any other text (a care-form code or name
    typed in the admin) passes the exports' one formula escape, as the XLSX does."""
    from monitoring.exports.figures import escape

    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    rows = [[cell if _NUMBER.fullmatch(cell) else escape(cell) for cell in row] for row in table.csv_rows()]
    writer.writerows(rows)
    return len(rows)


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
