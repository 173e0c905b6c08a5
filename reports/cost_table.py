"""The yearly cost table per care form (metrics.md, "Yearly figures"; the table of seed 003).

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
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BigIntegerField, Count, F, Sum
from django.db.models.functions import Cast, ExtractYear, Round

from core import suppression
from placements.models import CareForm, Declaration

CENT = Decimal("0.01")
TOTAL = "TOTAL"
SECONDARY = "x"  # as the dashboard marks a secondarily hidden cell
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
    # filled by CostTable.suppress()
    hidden: bool = False
    hidden_text: str = ""  # "<k" (a small count) or "x" (hidden so that a small count cannot be recalculated)
    previous: Row | None = None

    @property
    def cost_per_client(self) -> Decimal | None:
        return per_client(self.cost, self.clients)

    @property
    def is_total(self) -> bool:
        return self.code == TOTAL

    def change(self, attr: str) -> float | None:
        """% change versus the previous year (None when either year is hidden or missing)."""
        if self.previous is None or self.hidden or self.previous.hidden:
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
        """The machine-readable form: year, care_form, clients, cost, cost_per_client; dot decimals; a hidden
        row shows "<k" (or "x" when hidden secondarily) for its count and leaves its amounts empty."""
        out = []
        for y in self.years:
            for row in y.all_rows:
                if row.hidden:
                    out.append([str(y.year), row.code, row.hidden_text, "", ""])
                else:
                    cpc = row.cost_per_client
                    out.append([str(y.year), row.code, str(row.clients), f"{row.cost:.2f}", "" if cpc is None else f"{cpc:.2f}"])
        return out


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
    rows = (
        qs.annotate(year=ExtractYear("period_start"))
        .values("year", "care_form_id")
        .annotate(clients=Count("child_id", distinct=True), cents=Sum(Cast(Round(F("amount") * 100), BigIntegerField())))
        .order_by()
    )
    forms = {cf.pk: cf for cf in CareForm.objects.all()}
    by_year: dict[int, list[Row]] = {}
    for r in rows:
        if years and r["year"] not in years:
            continue
        cf = forms[r["care_form_id"]]
        cost = Decimal(int(r["cents"] or 0)) / 100
        by_year.setdefault(r["year"], []).append(Row(r["year"], cf.code, cf.name, int(r["clients"]), cost.quantize(CENT), cf.rung, cf.with_stay))
    table = CostTable(scope_label=scope_label, k=suppression.threshold() if k is None else k)
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
    if suppress:
        apply_suppression(table)
    return table


def apply_suppression(table: CostTable) -> None:
    """Primary (1..k-1 clients) and secondary suppression per year: the total row is the sum of the category
    counts, so a single hidden category could be recalculated; suppress_table hides a second one. A hidden row
    hides its cost and cost per client with it (money computed from a suppressed count)."""
    table.suppressed = True
    for y in table.years:
        grid = [[r.clients] for r in y.all_rows]
        mask = suppression.suppress_table(grid, total_row=True, k=table.k)
        for row, (hidden,) in zip(y.all_rows, mask, strict=True):
            row.hidden = hidden
            row.hidden_text = (suppression.label(table.k) if suppression.is_small(row.clients, table.k) else SECONDARY) if hidden else ""


def write_csv(table: CostTable, fh) -> int:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    rows = table.csv_rows()
    writer.writerows(rows)
    return len(rows)
