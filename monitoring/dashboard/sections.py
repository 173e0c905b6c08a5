"""The sections apps add to the dashboard (casework, foster care, child protection): the periods they show, chosen
once for all, and the rows of a section of group-"all" figures (`section_rows`).

Never later than the chosen month: a yearly figure shows the last year that has ended by the chosen month (the
chosen year itself only when the chosen month is December or the run's last month, so that the value holds no
month after the chosen one); a fixed-window figure shows its last measurable year and, when the year belonging to
the chosen month is not measurable yet by the run's data date, says so with the date from which it will be; a year-to-date sum only counts the
months that are measurable and says up to which month it runs.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core import formatting, intervals, publication
from core.formatting import date as nl_date
from core.periods import month_label, parse_period, period_label, year_to_date_label
from monitoring import registry
from monitoring.registry import Kind


@dataclass
class Choice:
    period: str  # the stored period key ("" when there is none)
    label: str  # what the tile says under the value
    value: float | None
    not_measurable: str = ""  # "nog niet meetbaar (vanaf d-m-Y)" when the window of the period is still open


def not_measurable_text(key: str, period: str) -> str:
    opens = registry.measurable_from(key, period)
    return _("nog niet meetbaar (vanaf %(date)s)") % {"date": nl_date(opens)} if opens else _("nog niet meetbaar")


def year_choice(*, key: str, values: dict, month: str, run) -> Choice:
    """The yearly value belonging to the chosen month (see the module docstring)."""
    year = month[:4]
    last = year if month[5:] == "12" or month == run.last_month else str(int(year) - 1)
    # a run stores measurable periods only; a run from before that rule may hold more: never shown
    stored = sorted(p for p in values if len(p) == 4 and p <= last and registry.is_measurable(key, p, run.data_date))
    period = stored[-1] if stored else ""
    # the first year after the one shown (up to the chosen one) that is not measurable yet, and from when it will be
    later = [str(y) for y in range(int(period or last) + (1 if period else 0), int(last) + 1)]
    waiting = next((y for y in later if not registry.is_measurable(key, y, run.data_date)), None)
    note = f"{waiting} {not_measurable_text(key, waiting)}" if waiting else ""
    return Choice(period, period or "–", values.get(period) if period else None, note)


def latest_choice(*, key: str, values: dict, month: str, run) -> Choice:
    """A figure of years and other periods: the year belonging to the chosen month (year_choice); a figure without
    years (no_new_start, per half-year) its latest measurable period that ended by the chosen month."""
    metric = registry.get(key)
    if metric is None or "year" in metric.periods:
        return year_choice(key=key, values=values, month=month, run=run)
    end = parse_period(month).end
    kind = metric.periods[0]
    stored = sorted((p.end, label) for label in values if (p := parse_period(label)) and p.kind == kind and p.end <= end
                    and registry.is_measurable(key, label, run.data_date))
    if not stored:
        return Choice("", "–", None, not_measurable_text(key, month))
    label = stored[-1][1]
    return Choice(label, period_label(label), values.get(label))


def year_to_date(*, key: str, values: dict, month: str, run) -> Choice:
    """The sum of the chosen year's months up to the chosen month, over the months that are measurable."""
    year = month[:4]
    months = [f"{year}-{m:02d}" for m in range(1, int(month[5:]) + 1)]
    measurable = [m for m in months if registry.is_measurable(key, m, run.data_date)]
    if not measurable:
        return Choice("", year_to_date_label(month), None, not_measurable_text(key, months[0]))
    value = sum(values.get(m) or 0 for m in measurable)
    last = measurable[-1]
    if last == months[-1]:
        return Choice(last, year_to_date_label(month), value)
    return Choice(last, year_to_date_label(last), value,
                  _("%(month)s nog niet meetbaar (vanaf %(date)s)") % {"month": month_label(months[len(measurable)]),
                                                                         "date": nl_date(registry.measurable_from(key, months[len(measurable)]))})


@dataclass(frozen=True)
class Tile:
    """One tile of a section: a figure in a care-form group and age band, with an optional label of its own."""

    key: str
    group: str = "all"
    band: str = "all"
    label: str | None = None

    @property
    def row_key(self) -> str:
        """The tile's data attribute and export key: the figure, with its group and band where not "all"."""
        return ":".join([self.key, *([self.group] if self.group != "all" or self.band != "all" else []),
                         *([self.band] if self.band != "all" else [])])


def _tile(entry) -> Tile:
    return entry if isinstance(entry, Tile) else Tile(entry)


def _needed(tiles) -> dict[tuple[str, str], set[str]]:
    """(group, band) → figure keys of the tiles, with the denominators of their shares."""
    out: dict[tuple[str, str], set[str]] = {}
    for t in map(_tile, tiles):
        keys = out.setdefault((t.group, t.band), set())
        keys.add(t.key)
        if t.key in registry.SHARE_DENOMINATORS:
            keys.add(registry.SHARE_DENOMINATORS[t.key])
    return out


def _read(dash, cache: dict, needed: dict[tuple[str, str], set[str]]) -> None:
    """Read the wanted series in one query; a wanted series the run does not have is cached as empty."""
    from django.db.models import Q

    from monitoring.runs import store

    condition = Q(pk__in=[])
    for (group, band), keys in needed.items():
        cache.update({(k, group, band): {} for k in keys})
        condition |= Q(group=group, band=band, metric__in=sorted(keys))
    for r in store.run_series(dash.run, condition, scope=dash.scope.key):
        cache[(r.metric, r.group, r.band)] = r.values


def _section_series(dash, tiles: list[Tile]) -> dict:
    """{(metric, group, band): values} of the run and scope, read once per page for all sections: the first call reads
    group "all" of every figure an app measures and every tile of the registered sections (registry.SECTION_TILES)
    in one query; a tile no section registered is read when a section first asks for it."""
    cache = getattr(dash, "_section_series", None)
    if cache is None:
        cache = dash._section_series = {}
        apps = [m.key for m in registry.REGISTRY.values() if m.source not in ("registry", "providers", registry.INTERNAL)]
        _read(dash, cache, _needed([*apps, *registry.SECTION_TILES]))
    needed = _needed(tiles)
    missing = {gb: {k for k in keys if (k, *gb) not in cache} for gb, keys in needed.items()}
    missing = {gb: keys for gb, keys in missing.items() if keys}
    if missing:
        _read(dash, cache, missing)
    return cache


def section_rows(dash, entries) -> dict:
    """The tiles of a section for the dashboard's run, scope and month: flows summed over the year up to the chosen
    month, stocks at that month, shares and ratios of the latest finished year (shares with their 95% interval).
    `entries`: figure keys (group and band "all") or Tiles. Counts of children pass core.publication unless the
    viewer sees exact figures."""
    if dash is None or dash.run is None:
        return {"rows": []}
    month = dash.month or dash.run.last_month
    tiles = [_tile(e) for e in entries]
    series = _section_series(dash, tiles)
    rows = []
    for tile in tiles:
        key = tile.key
        metric = registry.get(key)
        if metric is None or not metric.available:
            continue
        values = series.get((key, tile.group, tile.band)) or {}
        row = {"key": tile.row_key, "label": tile.label or metric.label, "help": metric.definition, "group": tile.group, "band": tile.band}
        if metric.unit in ("share", "ratio", "per_1000") or metric.periods[0] != "month":
            choice = latest_choice(key=key, values=values, month=month, run=dash.run)
            if metric.unit != "share":
                rows.append({**row, "text": formatting.number(choice.value, 1) if choice.value is not None else "–",
                             "period": choice.label, "suppressed": False, "not_measurable": choice.not_measurable})
                continue
            n = series.get((registry.SHARE_DENOMINATORS.get(key, ""), tile.group, tile.band), {}).get(choice.period)
            cell, interval = intervals.published_share(choice.value, n, exact=dash.exact)
            rows.append({**row, "text": cell.text, "period": choice.label, "suppressed": cell.suppressed, "interval": interval,
                         "not_measurable": choice.not_measurable})
            continue
        not_measurable = ""
        if metric.kind == Kind.FLOW:
            choice = year_to_date(key=key, values=values, month=month, run=dash.run)
            value, period, not_measurable = choice.value, choice.label, choice.not_measurable
        else:
            value, period = values.get(month, 0), month
        if value is None:
            rows.append({**row, "period": period, "text": "–", "suppressed": False, "not_measurable": not_measurable})
            continue
        cell = publication.count(value, exact=dash.exact) if metric.counts_children else None
        rows.append({**row, "period": period, "not_measurable": not_measurable,
                     "text": cell.text if cell else formatting.number(value), "suppressed": bool(cell and cell.suppressed)})
    return {"rows": rows, "year": month[:4], "month": month}
