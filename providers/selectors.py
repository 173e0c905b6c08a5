"""Reads for the providers page and the quarterly report's provider table: the figures per provider of a snapshot run
(monitoring.engine.providers; series of group `prov_<id>`), published through core.publication, and the providers'
contracts.

A year's column is the year up to the run's last month: flows of the year, the stock on the last month's end, shares
and durations of the year's cohort (entry cohort for durations, ending episodes for drop-out), cost and clients of the
year (monitoring.engine.providers stores them per year; only the stock per month). Every count of children passes core.publication (exact for a viewer who may see exact figures);
money and durations follow the count they are computed from, shares need both parts above the threshold.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from core import formatting, publication
from core.publication import Cell
from monitoring.models import SnapshotRun
from monitoring.runs import store
from placements.models import PROVIDER_PREFIX, Provider, ProviderContract, Region

#: the figures of the table, in its order
METRICS = ("provider_stock", "provider_stay_stock", "provider_entries", "provider_exits", "provider_moves_out", "provider_breakdowns",
           "provider_dropout", "provider_dropout_n", "provider_los_median", "provider_cohort_size", "provider_cost_year",
           "provider_clients_year", "provider_cost_per_client")
FLOWS = ("provider_entries", "provider_exits", "provider_moves_out", "provider_breakdowns")


@dataclass
class ProviderRow:
    pk: int
    name: str
    agb: str
    contracted: bool | None  # None: the scope has no one region (the country)
    stock: Cell
    stay_share: Cell
    entries: Cell
    exits: Cell
    moves_out: Cell
    breakdowns: Cell
    dropout: Cell
    los_median: Cell
    los_months: str
    cost: Cell
    cost_per_client: Cell
    sort_key: float = 0.0

    @property
    def report_cells(self) -> list[Cell]:
        """The cells of the quarterly report's provider table, in its column order."""
        return [self.stock, self.stay_share, self.entries, self.exits, self.moves_out, self.dropout, self.los_median, self.cost]
    monthly_stock: list[tuple[str, Cell]] = field(default_factory=list)


def contracted_providers(*, region: Region | None, day: dt.date) -> set[int]:
    """The providers the region has a contract with on `day`."""
    if region is None:
        return set()
    return set(ProviderContract.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=day), region=region, start_date__lte=day)
               .values_list("provider_id", flat=True))


def provider_contracts(*, provider: Provider, region: Region | None) -> list[ProviderContract]:
    qs = provider.contracts.select_related("region").order_by("-start_date")
    return list(qs if region is None else qs.filter(region=region))


def provider_series(*, run: SnapshotRun, scope: str, provider_pk: int | None = None) -> dict[int, dict[str, dict]]:
    """{provider id: {metric: {period: value}}} of one scope (one read)."""
    filters = {"group": f"{PROVIDER_PREFIX}{provider_pk}"} if provider_pk else {"group__startswith": PROVIDER_PREFIX}
    out: dict[int, dict[str, dict]] = {}
    for row in store.run_series(run, scope=scope, band="all", metric__in=METRICS, **filters):
        pk = row.group[len(PROVIDER_PREFIX):]
        if pk.isascii() and pk.isdigit():
            out.setdefault(int(pk), {})[row.metric] = row.values
    return out


def _per_client(cost: float | None, clients: float | None, exact_value: float | None, *, exact: bool, k: int) -> Cell:
    """Cost per client as published: with the cost shown beside it, the exact quotient would give back the exact
    number of clients (cost / cost per client), so a viewer of protected figures gets the cost divided by the
    published (rounded) number of clients, as core.publication.rate does for rates."""
    if exact or cost is None or clients is None or publication.is_hidden(clients, k):
        return publication.dependent(exact_value, clients, exact=exact, fmt=formatting.euro_whole, k=k)
    shown = cost / publication.rounded(clients, k)
    return Cell(shown, formatting.euro_whole(shown))


def year_months(year: int, last_month: str) -> list[str]:
    last = int(last_month[5:]) if last_month[:4] == str(year) else 12
    return [f"{year}-{m:02d}" for m in range(1, last + 1)]


def provider_rows(*, run: SnapshotRun, scope: str, region: Region | None, year: int, exact: bool, provider_pk: int | None = None) -> list[ProviderRow]:
    """One row per provider with figures in the scope, most children in care first."""
    k = publication.threshold()
    series = provider_series(run=run, scope=scope, provider_pk=provider_pk)
    providers = {p.pk: p for p in Provider.objects.filter(pk__in=list(series))}
    months = year_months(year, run.last_month)
    stock_month = months[-1]
    peildatum = dt.date(int(stock_month[:4]), int(stock_month[5:]), 1)
    contracted = contracted_providers(region=region, day=peildatum)
    rows = []
    for pk, values in series.items():
        provider = providers.get(pk)
        if provider is None:
            continue

        def get(metric, period, _values=values):
            return (_values.get(metric) or {}).get(period)

        year_key = str(year)
        stock = get("provider_stock", stock_month)
        stay = get("provider_stay_stock", year_key)  # on the year's peildatum, as `stock`
        flows = {m: get(m, year_key) or 0 for m in FLOWS}
        clients = get("provider_clients_year", year_key)
        cohort = get("provider_cohort_size", year_key)
        median = get("provider_los_median", year_key)
        los = publication.dependent(median, cohort, exact=exact, k=k)
        cost = get("provider_cost_year", year_key)
        rows.append(ProviderRow(
            pk=pk, name=provider.name, agb=provider.agb_code, contracted=(pk in contracted) if region is not None else None,
            stock=publication.count(stock or 0, exact=exact, k=k),
            stay_share=publication.share((stay or 0) / stock if stock else None, n=stock, exact=exact, k=k),
            entries=publication.count(flows["provider_entries"], exact=exact, k=k),
            exits=publication.count(flows["provider_exits"], exact=exact, k=k),
            moves_out=publication.count(flows["provider_moves_out"], exact=exact, k=k),
            breakdowns=publication.count(flows["provider_breakdowns"], exact=exact, k=k),
            dropout=publication.share(get("provider_dropout", year_key), n=get("provider_dropout_n", year_key), exact=exact, k=k),
            los_median=los, los_months=formatting.months_of_days(los.value) if los.value is not None else "",
            cost=publication.dependent(cost, clients, exact=exact, fmt=formatting.euro_whole, k=k),
            cost_per_client=_per_client(cost, clients, get("provider_cost_per_client", year_key), exact=exact, k=k),
            sort_key=float(stock or 0),
            monthly_stock=[(m, publication.count((values.get("provider_stock") or {}).get(m, 0), exact=exact, k=k)) for m in months],
        ))
    rows.sort(key=lambda r: (-r.sort_key, r.name.casefold()))
    return rows


def provider_years(run: SnapshotRun) -> list[int]:
    """The years a user can choose: the run's years, newest first."""
    return list(range(int(run.last_month[:4]), int(run.first_month[:4]) - 1, -1))


def default_year(run: SnapshotRun) -> int:
    """The last whole year of the run (a year's flows, drop-out and durations need the whole year), or the running
    year when the run holds no whole year."""
    last = int(run.last_month[:4])
    whole = last if run.last_month.endswith("-12") else last - 1
    return whole if whole >= int(run.first_month[:4]) else last
