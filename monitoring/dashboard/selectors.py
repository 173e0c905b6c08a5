"""Reads for the dashboard and the runs pages, always scoped to the user.

Scope rules (who may look at which figures):
- wijkteam worker: their own municipality only, with exact numbers (they have case access there);
- project team: their region and its municipalities, counts protected by the publication layer (core.publication);
- administrator: the whole country, every region and municipality, counts protected likewise.

Series are read in as few queries as possible: one query for every series of the chosen scope the
page needs (filtered by run, scope, group, band and metric), one for the comparison of municipalities.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import is_admin, is_project_with_region, is_wijkteam
from core import formatting, intervals, publication
from core.periods import month_add, month_label, month_range, quarter_of
from core.publication import Cell
from monitoring import registry
from monitoring.models import RunStatus, SnapshotRun
from monitoring.runs import store
from placements.models import CareForm, Municipality, Region
from placements.selectors import region_delivering

from .recent import Recent

COUNTRY = "NL"
SPECIAL_GROUPS = ("all", "stay", "family_based", "residential")
BANDS = ("all", "0-11", "12-17", "18+")
DEFAULT_GROUP = "stay"
DEFAULT_BAND = "all"

Key = tuple[str, str, str]  # (group, band, metric)


@dataclass(frozen=True)
class Scope:
    """A scope of figures: `key` is FigureSeries.scope (CBS code, region name or "NL")."""

    key: str
    label: str
    level: str  # municipality, region, country
    region: str = ""  # the region's name (for a region: itself; for the country: "")


@dataclass(frozen=True)
class Form:
    code: str
    name: str
    rung: int
    with_stay: bool
    family_based: bool

    @property
    def short_name(self) -> str:
        """The name without its explanation in brackets, for legends: "Residentiële groepszorg"."""
        return self.name.split(" (")[0].strip() or self.code

    @property
    def residential(self) -> bool:
        return self.with_stay and self.rung >= 5


@dataclass
class ScopeChoices:
    """The scopes a user may choose, for the select box (grouped) and for lookups."""

    scopes: list[Scope] = field(default_factory=list)
    default: Scope | None = None

    def get(self, value: str) -> Scope | None:
        value = (value or "").strip()
        if not value:
            return None
        for scope in self.scopes:
            if value == scope.key or value.upper() == scope.key.upper() or value.casefold() == scope.label.casefold():
                return scope
        return None

    def grouped(self) -> list[tuple[str, list[Scope]]]:
        """For <optgroup>: the country and regions first, then municipalities per region."""
        out: dict[str, list[Scope]] = {}
        for scope in self.scopes:
            title = _("Regio's") if scope.level in ("country", "region") else scope.region
            out.setdefault(title, []).append(scope)
        return list(out.items())


# --------------------------------------------------------------------------------------------- access
def dashboard_scopes(user) -> ScopeChoices:
    """The scopes the user may see on the dashboard, and the default one.

    wijkteam: own municipality; project team: own region and its municipalities; admin: the country,
    every region and every municipality (default: own region if set, else the country)."""
    if not user.is_authenticated:
        return ScopeChoices()
    if is_admin(user):
        regions = list(Region.objects.order_by("name").values_list("name", flat=True))
        munis = Municipality.objects.order_by("region__name", "name").values_list("cbs_code", "name", "region__name")
        scopes = [Scope(COUNTRY, _("Nederland"), "country")]
        scopes += [Scope(name, name, "region", name) for name in regions]
        scopes += [Scope(code, name, "municipality", region) for code, name, region in munis]
        default = None
        if user.region_id:
            default = next((s for s in scopes if s.level == "region" and s.key == user.region.name), None)
        elif (delivering := region_delivering()) is not None:  # the country would show one region's figures as its own
            default = next((s for s in scopes if s.level == "region" and s.key == delivering.name), None)
        return ScopeChoices(scopes, default or scopes[0])
    if is_wijkteam(user):
        m = Municipality.objects.select_related("region").get(pk=user.municipality_id)
        scope = Scope(m.cbs_code, m.name, "municipality", m.region.name)
        return ScopeChoices([scope], scope)
    if is_project_with_region(user):
        region = Region.objects.get(pk=user.scope_region_id)
        scopes = [Scope(region.name, region.name, "region", region.name)]
        scopes += [Scope(code, name, "municipality", region.name)
                   for code, name in region.municipalities.order_by("name").values_list("cbs_code", "name")]
        return ScopeChoices(scopes, scopes[0])
    return ScopeChoices()


def sees_exact(user, scope: Scope) -> bool:
    """Only a wijkteam worker looking at their own municipality sees unsuppressed figures (case access)."""
    return is_wijkteam(user) and scope.level == "municipality" and user.municipality.cbs_code == scope.key


def comparison_scopes(user, scope: Scope, choices: ScopeChoices) -> tuple[list[Scope], Scope | None]:
    """Scopes shown side by side, and their total: a region's municipalities with the region; for the
    country the regions with the country. A wijkteam worker sees only their own municipality next to
    the region's figure (for reference), never other municipalities."""
    if scope.level == "country":
        return [s for s in choices.scopes if s.level == "region"], scope
    region = Scope(scope.region, scope.region, "region", scope.region)
    if is_wijkteam(user):
        return [scope], region
    munis = [s for s in choices.scopes if s.level == "municipality" and s.region == scope.region]
    return munis, region


# --------------------------------------------------------------------------------------------- reads
def care_forms() -> list[Form]:
    return [Form(code, name, rung, stay, family) for code, name, rung, stay, family in
            CareForm.objects.filter(active=True).order_by("rung", "code").values_list("code", "name", "rung", "with_stay", "family_based")]


def forms_of_group(group: str, forms: list[Form]) -> list[Form]:
    """The care forms that make up a group (a single form for a care-form code)."""
    if group == "all":
        return list(forms)
    if group == "stay":
        return [f for f in forms if f.with_stay]
    if group == "family_based":
        return [f for f in forms if f.with_stay and f.family_based]
    if group == "residential":
        return [f for f in forms if f.residential]
    return [f for f in forms if f.code == group]


def series_for(*, run: SnapshotRun, scope: str, wanted: Iterable[Key]) -> dict[Key, dict]:
    """The wanted series of one scope in a single query: {(group, band, metric): {period: value}}.

    The filter is built per (band, metric) with the groups it needs, so nothing else of the run is read."""
    by_band_metric: dict[tuple[str, str], set[str]] = defaultdict(set)
    for group, band, metric in wanted:
        by_band_metric[(band, metric)].add(group)
    # merge metrics that need the same groups in the same band into one clause
    clauses: dict[tuple[str, frozenset], set[str]] = defaultdict(set)
    for (band, metric), groups in by_band_metric.items():
        clauses[(band, frozenset(groups))].add(metric)
    if not clauses:
        return {}
    condition = Q()
    for (band, groups), metrics in clauses.items():
        condition |= Q(band=band, group__in=sorted(groups), metric__in=sorted(metrics))
    wanted_set = frozenset(wanted)
    key = ("scope", run.pk, scope, wanted_set)
    cached = _finished_run_reads(run, key)
    if cached is not None:
        return cached
    rows = store.run_series(run, condition, scope=scope)
    result = {(r.group, r.band, r.metric): r.values for r in rows if (r.group, r.band, r.metric) in wanted_set}
    _keep_finished_run_read(run, key, result)
    return result


def series_many_scopes(*, run: SnapshotRun, scopes: list[str], group: str, band: str, metrics: list[str]) -> dict[tuple[str, str], dict]:
    """One query for the side-by-side comparison: {(scope, metric): {period: value}}."""
    key = ("many", run.pk, tuple(scopes), group, band, tuple(metrics))
    cached = _finished_run_reads(run, key)
    if cached is not None:
        return cached
    rows = store.run_series(run, scope__in=scopes, group=group, band=band, metric__in=metrics)
    result = {(r.scope, r.metric): r.values for r in rows}
    _keep_finished_run_read(run, key, result)
    return result


#: Series read for the dashboard from finished runs (which never change), kept per process: another month or a
#: repeated filter set of the same scope, group and band reads nothing again. About 1 MB an entry at national scale.
SERIES_READS = Recent(64)


def _finished_run_reads(run: SnapshotRun, key):
    return SERIES_READS.get(key) if run.status == RunStatus.DONE else None


def _keep_finished_run_read(run: SnapshotRun, key, value) -> None:
    if run.status == RunStatus.DONE:
        SERIES_READS.set(key, value)


# --------------------------------------------------------------------------------------------- dashboard
WINDOW_MONTHS = 60  # charts over time show the five years up to the chosen month
TILE_FORMS = ("PLZ", "NPZ", "GZH")


@dataclass
class Point:
    x: str  # period: YYYY-MM, YYYY-Qn, or a scope label for the comparison
    cell: Cell
    interval: str = ""  # "95%-interval …, n = …" of a share or a Kaplan–Meier quantile; "" when hidden or none


@dataclass
class Trace:
    name: str
    group: str
    band: str
    metric: str
    points: list[Point]
    color: str = ""
    scope: str = ""


@dataclass
class FigureTable:
    """The (already suppressed) data behind one chart: what the chart draws and the CSV holds."""

    key: str
    title: str
    metrics: tuple[str, ...]
    note: str
    traces: list[Trace]
    unit: str = "count"  # count, euro, days, per_1000

    def text_table(self, last: int = 12) -> tuple[list[str], list[tuple[str, list[str]]]]:
        """The chart's text alternative: its last `last` periods, one column per line, as published."""
        periods = sorted({p.x for t in self.traces for p in t.points})[-last:]
        columns = [{p.x: p.cell.text for p in t.points} for t in self.traces]
        return [t.name for t in self.traces], [(x, [c.get(x, "–") for c in columns]) for x in periods]

    def help(self) -> list[tuple[str, str]]:
        out = []
        for key in self.metrics:
            metric = registry.get(key)
            if metric is not None:
                out.append((str(metric.label), str(metric.definition)))
        return out


@dataclass
class Tile:
    key: str
    label: str
    group: str
    band: str
    value: Cell
    per_1000: Cell
    change_month: Cell
    change_year: Cell
    previous_month: str
    previous_year: str
    note: str = ""

    def help(self) -> list[tuple[str, str]]:
        return [(str(registry.get(k).label), str(registry.get(k).definition)) for k in ("stock", "stock_per_1000")]


@dataclass
class ComparisonRow:
    scope: Scope
    stock: Cell
    per_1000: Cell
    is_total: bool = False


@dataclass
class Dashboard:
    run: SnapshotRun
    scope: Scope
    month: str
    group: str
    band: str
    exact: bool
    months: list[str]
    tiles: list[Tile]
    figures: list[FigureTable]
    comparison: list[ComparisonRow]

    def figure(self, key: str) -> FigureTable | None:
        return next((f for f in self.figures if f.key == key), None)


def count_cell(value: float | None, *, exact: bool, k: int | None = None) -> Cell:
    """A count of children as published to this viewer (core.publication.count)."""
    return publication.count(value, exact=exact, k=k)


def dependent_cell(value: float | None, base: float | None, *, exact: bool, fmt, k: int | None = None) -> Cell:
    """Money, a rate or a duration computed from a count of children: hidden with that count."""
    return publication.dependent(value, base, exact=exact, fmt=fmt, k=k)


def group_label(group: str, forms: list[Form]) -> str:
    labels = {"all": _("Alle zorgvormen"), "stay": _("Met verblijf"), "family_based": _("Gezinsgericht (pleegzorg, gezinshuis)"),
              "residential": _("Residentieel (trede 5–6)")}
    if group in labels:
        return str(labels[group])
    return next((f.name for f in forms if f.code == group), group)


def band_label(band: str) -> str:
    return {"all": _("Alle leeftijden"), "0-11": _("0–11 jaar"), "12-17": _("12–17 jaar"), "18+": _("18 jaar en ouder")}.get(band, band)


def group_choices(forms: list[Form]) -> list[tuple[str, str]]:
    return [(g, group_label(g, forms)) for g in SPECIAL_GROUPS] + [(f.code, f"{f.code} · {f.name}") for f in forms]


def band_choices() -> list[tuple[str, str]]:
    return [(b, band_label(b)) for b in BANDS]


RUNG_LABELS = {1: gettext_lazy("1 · thuis, zonder verblijf"), 2: gettext_lazy("2 · pleegzorg"), 3: gettext_lazy("3 · gezinshuis"),
               4: gettext_lazy("4 · kleinschalig / kort verblijf"), 5: gettext_lazy("5 · residentieel"), 6: gettext_lazy("6 · gesloten")}
RUNG_COLORS = {1: "#2e8b57", 2: "#7cb342", 3: "#e0a800", 4: "#f57c00", 5: "#d32f2f", 6: "#6a1b1a"}
FORM_PALETTE = ["#2f6b3f", "#7cb342", "#e0a800", "#f57c00", "#d32f2f", "#6a1b1a", "#1f77b4", "#9467bd", "#8c564b", "#17becf",
                "#bcbd22", "#7f7f7f", "#e377c2", "#aec7e8", "#ffbb78"]


def los_group(group: str, forms: list[Form]) -> str:
    """The group whose stay durations the dashboard shows: the chosen group when the run measures its own (a form
    with stay, family-based, residential; engine.cohorts.los_groups), else all stay."""
    if group in ("family_based", "residential") or any(f.code == group and f.with_stay for f in forms):
        return group
    return "stay"


def needed_series(*, group: str, band: str, forms: list[Form]) -> set[Key]:
    """Every (group, band, metric) the dashboard reads for the chosen filters."""
    codes = {f.code for f in forms}
    part_forms = forms_of_group(group, forms)
    need: set[Key] = set()
    for g in ("residential", "stay", *[c for c in TILE_FORMS if c in codes]):
        need |= {(g, band, "stock"), (g, band, "stock_per_1000")}
    need |= {("residential", "0-11", "stock"), ("residential", "0-11", "stock_per_1000")}
    need |= {(f.code, band, "stock") for f in forms}  # per-form stack and the ladder
    need.add((group, band, "stock"))
    need |= {(group, band, m) for m in ("entries", "exits", "escalations", "step_downs")}
    need |= {(f.code, band, m) for f in part_forms for m in ("cost", "clients_declared")}
    los = los_group(group, forms)
    need |= {(los, "all", m) for m in ("los_q1", "los_median", "los_q3", "cohort_size")}
    need |= {(los, "all", b) for bounds in registry.QUANTILE_BOUNDS.values() for b in bounds}
    return need


def dashboard(*, user, run: SnapshotRun, scope: Scope, choices: ScopeChoices, month: str, group: str, band: str,
              exact: bool, forms: list[Form] | None = None, k: int | None = None) -> Dashboard:
    """Tiles, chart data and the side-by-side comparison for one scope and month, suppressed for the user.
    Two queries for the figures: one for the scope's series, one for the comparison scopes."""
    forms = care_forms() if forms is None else forms
    series = series_for(run=run, scope=scope.key, wanted=needed_series(group=group, band=band, forms=forms))
    first = run.first_month or run.last_month
    window_start = max(first, month_add(month, -(WINDOW_MONTHS - 1)))
    months = month_range(window_start, month)
    available = set(month_range(first, run.last_month))

    def value(key: Key, period: str, *, count: bool = True):
        if period not in available:
            return None
        values = series.get(key, {})
        return values.get(period, 0 if count else None)

    k = publication.threshold() if k is None else k  # a report may protect with a higher k of its own
    tiles = _tiles(series_value=value, month=month, band=band, forms=forms, exact=exact, k=k)
    figures = [
        _stack(value, months, group, band, forms, exact, k),
        _pair(value, months, group, band, exact, k, key="flows", title=_("Instroom en uitstroom per maand"),
              metrics=("entries", "exits"), names=(_("Instroom"), _("Uitstroom")), colors=("#2f6b3f", "#d32f2f"),
              note=_("Kinderen die in de maand in of uit de gekozen groep gaan.")),
        _pair(value, months, group, band, exact, k, key="levels", title=_("Opschalingen en afschalingen"),
              metrics=("escalations", "step_downs"), names=(_("Opschalingen"), _("Afschalingen")), colors=("#d32f2f", "#2e8b57"),
              note=_("Op de ladder ‘zo thuis mogelijk’: opschalen is naar minder thuis (bijv. pleegzorg → residentieel), afschalen terug naar meer thuis.")),
        _ladder(value, months, band, forms, exact, k),
        _los(series, months, exact, k, los_group(group, forms)),
        _cost(value, months, group, band, forms, exact, k),
    ]
    comparison_figure, rows = _comparison(user=user, run=run, scope=scope, choices=choices, month=month, group=group, band=band, exact=exact, k=k)
    figures.append(comparison_figure)
    return Dashboard(run=run, scope=scope, month=month, group=group, band=band, exact=exact, months=months,
                     tiles=tiles, figures=figures, comparison=rows)


def _change(current: Cell, previous: Cell) -> Cell:
    if current.value is None or previous.value is None:
        return Cell(None, "–", current.suppressed or previous.suppressed)
    return Cell(current.value - previous.value, formatting.change(current.value - previous.value))


def _tiles(*, series_value, month: str, band: str, forms: list[Form], exact: bool, k: int) -> list[Tile]:
    codes = {f.code: f.name for f in forms}
    specs = [
        ("residential", "residential", band, _("In residentiële zorg"), _("Residentiële groepszorg en gesloten jeugdhulp (trede 5–6).")),
        ("residential_u12", "residential", "0-11", _("van wie jonger dan 12"), _("Kinderen van 0–11 jaar in residentiële zorg (altijd deze leeftijdsgroep).")),
    ]
    specs += [(c.lower(), c, band, codes[c], "") for c in TILE_FORMS if c in codes]
    specs.append(("stay", "stay", band, _("Totaal met verblijf"), _("Alle kinderen met verblijf buiten huis; een kind in twee vormen telt één keer.")))
    prev_month, prev_year = month_add(month, -1), month_add(month, -12)
    tiles = []
    for key, group, tile_band, label, note in specs:
        now = series_value((group, tile_band, "stock"), month)
        cells = {p: count_cell(series_value((group, tile_band, "stock"), p), exact=exact, k=k) for p in (month, prev_month, prev_year)}
        rate = series_value((group, tile_band, "stock_per_1000"), month, count=False)
        if rate is None and now == 0:
            rate = 0
        tiles.append(Tile(
            key=key, label=str(label), group=group, band=tile_band, value=cells[month],
            per_1000=publication.rate(rate, now, exact=exact, k=k),
            change_month=_change(cells[month], cells[prev_month]), change_year=_change(cells[month], cells[prev_year]),
            previous_month=month_label(prev_month), previous_year=month_label(prev_year), note=str(note),
        ))
    return tiles


def _stack(value, months, group, band, forms, exact, k) -> FigureTable:
    parts = forms_of_group(group, forms)
    cells = [[count_cell(value((f.code, band, "stock"), m), exact=exact, k=k) for m in months] for f in parts]
    traces = [Trace(name=f.short_name, group=f.code, band=band, metric="stock", color=FORM_PALETTE[i % len(FORM_PALETTE)],
                    points=[Point(m, c) for m, c in zip(months, row, strict=True)])
              for i, (f, row) in enumerate(zip(parts, cells, strict=True))]
    return FigureTable("stock_forms", str(_("Kinderen in zorg per zorgvorm")), ("stock",),
                       str(_("Gestapeld per zorgvorm van de gekozen groep, op de peildatum (laatste dag van de maand). Een kind in twee vormen telt in beide.")),
                       traces)


def _pair(value, months, group, band, exact, k, *, key, title, metrics, names, colors, note) -> FigureTable:
    traces = [Trace(name=str(name), group=group, band=band, metric=metric, color=color,
                    points=[Point(m, count_cell(value((group, band, metric), m), exact=exact, k=k)) for m in months])
              for metric, name, color in zip(metrics, names, colors, strict=True)]
    return FigureTable(key, str(title), metrics, str(note), traces)


def _ladder(value, months, band, forms, exact, k) -> FigureTable:
    rungs = sorted({f.rung for f in forms})
    traces = []
    for rung in rungs:
        codes = [f.code for f in forms if f.rung == rung]
        points = []
        for m in months:
            parts = [value((c, band, "stock"), m) for c in codes]
            total = None if all(p is None for p in parts) else sum(p or 0 for p in parts)
            points.append(Point(m, count_cell(total, exact=exact, k=k)))
        traces.append(Trace(name=str(RUNG_LABELS.get(rung, rung)), group=f"rung{rung}", band=band, metric="stock",
                            color=RUNG_COLORS.get(rung, "#888"), points=points))
    return FigureTable("ladder", str(_("Ladder ‘zo thuis mogelijk’")), ("stock",),
                       str(_("Verdeling van de kinderen in zorg over de treden van de ladder (aandeel per trede; trede 1 is thuis, 6 gesloten). "
                             "Per trede de som van de zorgvormen op die trede, alle zorgvormen, ongeacht het groepsfilter.")),
                       traces)


def _los(series, months, exact, k, group: str = "stay") -> FigureTable:
    quarters = sorted({quarter_of(m) for m in months})
    size = series.get((group, "all", "cohort_size"), {})
    names = {"los_q1": _("25% is korter"), "los_median": _("Mediaan"), "los_q3": _("75% is korter")}
    colors = {"los_q1": "#7cb342", "los_median": "#2f6b3f", "los_q3": "#24532f"}
    traces = []
    for metric in ("los_q1", "los_median", "los_q3"):
        values = series.get((group, "all", metric), {})
        low_key, high_key = registry.QUANTILE_BOUNDS[metric]
        lows, highs = series.get((group, "all", low_key), {}), series.get((group, "all", high_key), {})
        points = []
        for q in quarters:
            cell = dependent_cell(values.get(q), size.get(q, 0), exact=exact, fmt=formatting.number, k=k)
            points.append(Point(q, cell, quantile_interval(cell, lows.get(q), highs.get(q), size.get(q), exact=exact, k=k)))
        traces.append(Trace(name=str(names[metric]), group=group, band="all", metric=metric, color=colors[metric], points=points))
    which = (_("alle verblijfsvormen: een verblijfsperiode loopt door bij een overplaatsing") if group == "stay" else
             _("de gekozen groep: een periode in die groep eindigt bij een overplaatsing naar een vorm buiten de groep"))
    return FigureTable("los", str(_("Verblijfsduur per instroomcohort (dagen)")), ("los_q1", "los_median", "los_q3", "cohort_size"),
                       str(_("Kaplan–Meier per kwartaal van instroom, %(which)s; alle leeftijden. Een punt ontbreekt zolang de curve "
                             "het kwartiel nog niet passeert.") % {"which": which}) + " " + interval_note(),
                       traces, unit="days")


def interval_note() -> str:
    return _("Beweeg over een punt voor het 95%%-interval: hoe ver de waarde door toeval kan afwijken bij zo’n cohort.") % {}


def quantile_interval(cell: Cell, low: float | None, high: float | None, n: float | None, *, exact: bool, k: int | None = None) -> str:
    """The interval text of a shown Kaplan–Meier quantile, with its cohort size as published to this viewer; ""
    when the quantile is hidden or undefined (an interval never shows more than its value)."""
    if cell.suppressed or cell.value is None:
        return ""
    text = intervals.days_interval_text(low, high)
    return f"{text}, n = {publication.count(n, exact=exact, k=k).text}" if text and n else text


def _cost(value, months, group, band, forms, exact, k) -> FigureTable:
    traces = []
    for i, f in enumerate(forms_of_group(group, forms)):
        points = []
        for m in months:
            amount = value((f.code, band, "cost"), m, count=False)
            clients = value((f.code, band, "clients_declared"), m)
            points.append(Point(m, dependent_cell(amount, clients, exact=exact, fmt=formatting.euro_whole, k=k)))
        traces.append(Trace(name=f.short_name, group=f.code, band=band, metric="cost", color=FORM_PALETTE[i % len(FORM_PALETTE)], points=points))
    return FigureTable("cost", str(_("Kosten per zorgvorm per maand")), ("cost", "clients_declared"),
                       str(_("Gedeclareerde bedragen naar begin van de declaratieperiode. Bedragen van %(k)s of minder cliënten zijn afgeschermd.") % {"k": k}),
                       traces, unit="euro")


def _comparison(*, user, run, scope, choices, month, group, band, exact, k) -> tuple[FigureTable, list[ComparisonRow]]:
    parts, total = comparison_scopes(user, scope, choices)
    keys = [s.key for s in parts] + ([total.key] if total else [])
    data = series_many_scopes(run=run, scopes=keys, group=group, band=band, metrics=["stock", "stock_per_1000"]) if keys else {}
    in_run = run.first_month <= month <= run.last_month if run.first_month else month <= run.last_month
    scopes = parts + ([total] if total else [])

    def stock(s: Scope):
        return data.get((s.key, "stock"), {}).get(month, 0) if in_run else None

    def rate(s: Scope):
        r = data.get((s.key, "stock_per_1000"), {}).get(month)
        return 0 if r is None and stock(s) == 0 else r

    rows = []
    for s in scopes:
        own = exact and s.key == scope.key
        cell = count_cell(stock(s), exact=own, k=k)
        # the rate is computed from the published count: times the population it gives that count back, no more
        per = publication.rate(rate(s), stock(s), exact=own, k=k)
        rows.append(ComparisonRow(scope=s, stock=cell, per_1000=per, is_total=total is not None and s.key == total.key))
    children = _("kinderen")

    def bar(row: ComparisonRow) -> Cell:  # a hidden bar says why: "≤5 kinderen"
        return Cell(None, f"{row.stock.text} {children}", True) if row.stock.suppressed else row.per_1000

    trace_parts = Trace(name=str(_("Per 1.000 jeugdigen")), group=group, band=band, metric="stock_per_1000", color="#2f6b3f",
                        points=[Point(r.scope.label, bar(r)) for r in rows if not r.is_total])
    traces = [trace_parts]
    if total is not None:
        total_row = rows[-1]
        total_word = _("totaal")
        traces.append(Trace(name=f"{total.label} ({total_word})", group=group, band=band, metric="stock_per_1000", color="#6c757d",
                            points=[Point(total.label, bar(total_row))], scope=total.key))
    if scope.level == "country":
        title = _("Regio's naast elkaar: kinderen in zorg per 1.000 jeugdigen")
    elif is_wijkteam(user):
        title = _("Uw gemeente en de regio: kinderen in zorg per 1.000 jeugdigen")
    else:
        title = _("Gemeenten naast elkaar: kinderen in zorg per 1.000 jeugdigen")
    figure = FigureTable("municipalities", str(title),
                         ("stock_per_1000", "stock"),
                         str(_("Voor de gekozen maand, groep en leeftijd. Kleine aantallen zijn afgeschermd (≤5); "
                               "om terugrekenen uit het totaal te voorkomen is dan nog een cel afgeschermd (x).")),
                         traces, unit="per_1000")
    return figure, rows
