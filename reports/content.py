"""Everything the quarterly report shows, read from one snapshot run and suppressed for publication.

The figures are read through the dashboard's own selectors (monitoring.selectors.dashboard with exact=False,
series_for, count_cell / dependent_cell) and the targets through monitoring.targets, so the report shows the
numbers the dashboard shows. The PDF and the HTML view render the same `Report` with templates/reports/report.html.

Periods: a quarter "YYYY-Qn"; stocks are read at the quarter's last month (the peildatum), flows and money are
summed over its three months. "Vorig kwartaal" is the quarter before, "vorig jaar" the same quarter a year
earlier. Every count passes core.publication with the report's k (from the report settings, never below
SUPPRESSION_K): "≤k" or rounded up to a multiple of k; money and durations of hidden counts are hidden with them.
"""
from __future__ import annotations

import base64
import copy
import datetime as dt
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from actionplan.selectors import bottlenecks_as_of, measures_as_of
from core import formatting, intervals, publication
from core.periods import month_range, quarter_label, quarter_long, quarter_months, quarter_of, quarter_shift
from core.publication import Cell
from forecast import display as forecast_display
from forecast import selectors as forecast_selectors
from monitoring import registry
from monitoring.dashboard import outcomes, sections, selectors
from monitoring.dashboard.selectors import Scope, count_cell, dependent_cell
from monitoring.models import SnapshotRun, Target
from monitoring.registry import Kind
from monitoring.runs import store
from monitoring.targets import progress as targets_mod
from providers.selectors import provider_rows

from . import charts
from .cost_table import cost_table
from .models import ReportSettings

CHART_MONTHS = 36
COST_QUARTERS = 8
NONE = Cell(None, "–")


# --------------------------------------------------------------------------------------------- quarters
PROVIDER_ROWS = 15  # the providers with the most children in care; the rest are on the providers page


def _durations(run: SnapshotRun, scope: Scope, year: int, forms, k: int) -> list[DurationRow]:
    """The median stay (Kaplan–Meier) of the year's entry cohort per care-form group and target group, in days and
    months, as seed 004 states its targets ("één jaar … 10 maanden"); hidden with a cohort of k or fewer stays."""
    from placements.models import TARGET_GROUP_PREFIX

    series = {(r.group, r.metric): r.values for r in store.run_series(run, scope=scope.key, band="all", metric__in=["los_median", "cohort_size"])}
    order = ["stay", "family_based", "residential"] + [f.code for f in forms if f.with_stay]
    order += sorted({g for g, _m in series if g.startswith(TARGET_GROUP_PREFIX)})
    rows = []
    for group in order:
        n = (series.get((group, "cohort_size")) or {}).get(str(year))
        if not n:
            continue
        median = publication.dependent((series.get((group, "los_median")) or {}).get(str(year)), n, exact=False, k=k)
        rows.append(DurationRow(targets_mod.group_label(group) if group.startswith(TARGET_GROUP_PREFIX) else selectors.group_label(group, forms),
                                median, formatting.months_of_days(median.value) if median.value is not None else "",
                                publication.count(n, k=k)))
    return rows


def last_complete_quarter(run: SnapshotRun) -> str | None:
    if not run.last_month:
        return None
    quarter = quarter_of(run.last_month)
    return quarter if quarter_months(quarter)[-1] <= run.last_month else quarter_shift(quarter, -1)


def quarter_choices(run: SnapshotRun, n: int = 12) -> list[str]:
    """Complete quarters of the run, newest first (at most n)."""
    last = last_complete_quarter(run)
    if last is None:
        return []
    out = []
    q = last
    while len(out) < n and quarter_months(q)[0] >= (run.first_month or "0000-00"):
        out.append(q)
        q = quarter_shift(q, -1)
    return out


def nl_date(day) -> str:
    if day is None:
        return "–"
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return formatting.date_long(day)


# --------------------------------------------------------------------------------------------- data classes
@dataclass
class Headline:
    key: str
    label: str
    unit: str  # count, euro
    now: Cell
    prev_q: Cell
    prev_y: Cell
    note: str = ""

    def _change(self, other: Cell) -> str:
        if self.now.value is None or other.value is None:
            return "–"
        diff = self.now.value - other.value
        text = formatting.euro_whole(diff) if self.unit == "euro" else formatting.change(diff)
        if self.unit == "euro" and diff > 0:
            text = "+" + text
        if other.value:
            pct = 100 * diff / abs(other.value)
            text += f" ({'+' if pct > 0 else ''}{formatting.number(pct, 1)}%)".replace("(-", "(−")
        return text

    @property
    def change_q(self) -> str:
        return self._change(self.prev_q)

    @property
    def change_y(self) -> str:
        return self._change(self.prev_y)


@dataclass
class ChartBlock:
    key: str
    title: str
    svg: str
    caption: str


@dataclass
class TargetRow:
    name: str
    scope: str
    goal_text: str
    status: str
    status_label: str
    cells: dict
    reason: str
    svg: str
    definition: str


@dataclass
class SourceRow:
    key: str
    source: str
    label: str
    period: str
    now: Cell
    prev_q: Cell
    prev_y: Cell
    intervals: tuple[str, str, str] = ("", "", "")  # 95% interval texts of a share (now, prev_q, prev_y); "" when hidden

    @property
    def has_interval(self) -> bool:
        return any(self.intervals)

    @property
    def interval_cells(self) -> list[tuple[Cell, str]]:
        return list(zip((self.now, self.prev_q, self.prev_y), self.intervals, strict=True))


@dataclass
class DurationRow:
    label: str
    median: Cell  # days, hidden with a small cohort
    months: str  # the median in months with one decimal ("" when hidden or undefined)
    cohort: Cell


@dataclass
class MuniRow:
    label: str
    is_total: bool
    cells: list[Cell]


@dataclass
class Report:
    title: str
    region_name: str
    scope: Scope
    quarter: str
    quarter_label: str
    quarter_long: str
    previous_quarter_label: str
    previous_year_label: str
    run: SnapshotRun
    generated_at: dt.datetime
    generated_by: str
    k: int
    logo_data_uri: str
    introduction: str
    headlines: list[Headline] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    targets: list[TargetRow] = field(default_factory=list)
    charts: list[ChartBlock] = field(default_factory=list)
    source_rows: list[SourceRow] = field(default_factory=list)
    muni_header: list[str] = field(default_factory=list)
    muni_rows: list[MuniRow] = field(default_factory=list)
    muni_chart: str = ""
    cost: object = None
    providers: list = field(default_factory=list)  # providers.selectors.ProviderRow, most children in care first
    durations: list = field(default_factory=list)  # DurationRow per care-form group and target group
    providers_year: int = 0
    quarter_end: dt.date | None = None
    outcomes: list = field(default_factory=list)  # monitoring.dashboard.outcomes rows (label, text, period) at the quarter's end
    sources: dict = field(default_factory=dict)  # who signals and who refers, the last four quarters
    measures: list = field(default_factory=list)  # actionplan.selectors.MeasureAsOf on the quarter's last day
    bottlenecks: list = field(default_factory=list)  # actionplan.models.Bottleneck open during the quarter
    forecast: dict | None = None  # the forecast stored with the run (_forecast), or None when none was made
    definitions: list[tuple[str, str]] = field(default_factory=list)
    suppressed_any: bool = False
    publication_note: str = ""
    interval_note: str = ""

    @property
    def interval_rows(self) -> list[SourceRow]:
        """The shares of the report that carry a 95% interval, for the appendix."""
        return [r for r in self.source_rows if r.has_interval]

    @property
    def run_label(self) -> str:
        return _("run %(id)s") % {"id": self.run.pk}


# --------------------------------------------------------------------------------------------- reading
class Reader:
    """The run's series for one scope, read in one query per use, with the report's suppression."""

    def __init__(self, run: SnapshotRun, scope: Scope, k: int):
        self.run = run
        self.scope = scope
        self.k = k
        self.available = set(month_range(run.first_month or run.last_month, run.last_month))
        self.series: dict[tuple[str, str, str], dict] = {}

    def load(self, wanted: set[tuple[str, str, str]]) -> None:
        missing = {w for w in wanted if w not in self.series}
        if missing:
            found = selectors.series_for(run=self.run, scope=self.scope.key, wanted=missing)
            for key in missing:
                self.series[key] = found.get(key, {})

    def month(self, key, month: str, *, count: bool = True):
        if month not in self.available:
            return None
        return self.series.get(key, {}).get(month, 0 if count else None)

    def quarter_sum(self, key, quarter: str):
        values = [self.month(key, m) for m in quarter_months(quarter)]
        return None if any(v is None for v in values) else sum(values)

    def stock_cell(self, key, quarter: str) -> Cell:
        return count_cell(self.month(key, quarter_months(quarter)[-1]), exact=False, k=self.k)

    def flow_cell(self, key, quarter: str) -> Cell:
        return count_cell(self.quarter_sum(key, quarter), exact=False, k=self.k)

    def cost_cell(self, group: str, band: str, quarter: str) -> Cell:
        cost = self.quarter_sum((group, band, "cost"), quarter)
        clients = [self.month((group, band, "clients_declared"), m) for m in quarter_months(quarter)]
        base = None if any(c is None for c in clients) else min(clients)  # hidden when any month has few clients
        return dependent_cell(cost, base, exact=False, fmt=formatting.euro_whole, k=self.k)


def _reader_user():
    """Who the dashboard selectors think is reading: the project team (suppressed, municipalities side by side)."""
    return SimpleNamespace(role=Role.PROJECT, is_superuser=False, is_authenticated=True, municipality_id=None)


def report_scope(*, region, municipality=None) -> Scope:
    if municipality is not None:
        return Scope(municipality.cbs_code, municipality.name, "municipality", region.name)
    return Scope(region.name, region.name, "region", region.name)


def _choices(region) -> selectors.ScopeChoices:
    scopes = [Scope(region.name, region.name, "region", region.name)]
    scopes += [Scope(code, name, "municipality", region.name)
               for code, name in region.municipalities.order_by("name").values_list("cbs_code", "name")]
    return selectors.ScopeChoices(scopes, scopes[0])


# --------------------------------------------------------------------------------------------- building
def build_report(*, run: SnapshotRun, region, municipality=None, quarter: str, user=None,
                 progress: Callable[[int, str], None] | None = None) -> Report:
    settings_row = ReportSettings.for_region(region)
    k = settings_row.k
    step = progress or (lambda pct, phase: None)
    scope = report_scope(region=region, municipality=municipality)
    forms = selectors.care_forms()
    stay_forms = [f for f in forms if f.with_stay]
    months = quarter_months(quarter)
    end_month = months[-1]
    prev_q, prev_y = quarter_shift(quarter, -1), quarter_shift(quarter, -4)
    report = Report(
        title=settings_row.title or _("Kwartaalrapportage jeugdhulp met verblijf"),
        region_name=settings_row.region_name or region.name,
        scope=scope, quarter=quarter, quarter_label=quarter_label(quarter), quarter_long=quarter_long(quarter),
        previous_quarter_label=quarter_label(prev_q), previous_year_label=quarter_label(prev_y),
        run=run, generated_at=timezone.now(), generated_by=getattr(user, "username", "") or "",
        k=k, logo_data_uri=_logo(settings_row), introduction=settings_row.introduction,
    )
    reader = Reader(run, scope, k)
    step(10, _("Kerncijfers lezen"))
    _headlines(report, reader, forms, quarter, prev_q, prev_y)
    report.changes = what_changed(reader, forms, quarter, k)
    step(25, _("Grafieken tekenen"))
    dash = selectors.dashboard(user=_reader_user(), run=run, scope=scope, choices=_choices(region), month=end_month,
                               group="stay", band="all", exact=False, forms=forms, k=k)
    report.charts = _charts(dash, reader, stay_forms, quarter, k)
    with suppression_k(k):
        report.outcomes = outcomes.outcome_rows(dash)["rows"]
        report.sources = outcomes.outcome_sources(dash)
    step(45, _("Doelen beoordelen"))
    report.targets = _targets(run, region, municipality, settings_row, end_month, k)
    quarter_start, report.quarter_end = targets_mod.label_end(months[0]).replace(day=1), targets_mod.label_end(end_month)
    report.measures = measures_as_of(region=region, start=quarter_start, day=report.quarter_end)
    report.bottlenecks = bottlenecks_as_of(region=region, start=quarter_start, day=report.quarter_end)
    report.forecast = _forecast(run, region, municipality, k)
    step(60, _("Casuswerk, pleegzorg en gemeenten"))
    report.source_rows = _source_rows(run, scope, quarter, prev_q, prev_y, k)
    _municipalities(report, run, region, municipality, end_month, quarter, k)
    step(65, _("Aanbieders"))
    # the last whole year up to the quarter: a year's flows, drop-out and durations need the whole year
    report.providers_year = int(quarter[:4]) if quarter.endswith("Q4") else int(quarter[:4]) - 1
    report.providers = provider_rows(run=run, scope=scope.key, region=region, year=report.providers_year, exact=False)[:PROVIDER_ROWS]
    report.durations = _durations(run, scope, report.providers_year, forms, k)
    step(70, _("Kostentabel"))
    quarter_end = targets_mod.label_end(end_month)
    until = min(quarter_end, run.data_date) if run.data_date else quarter_end
    year = int(quarter[:4])
    report.cost = cost_table(region=None if municipality else region, municipality=municipality, until=until,
                             years=[year - 3, year - 2, year - 1, year], with_stay_only=True, suppress=True, k=k,
                             scope_label=scope.label)
    report.cost.years = [y for y in report.cost.years if y.year >= year - 2]  # the year before only for the changes
    report.definitions = _definitions(report)
    report.publication_note = publication.explanation(k)
    report.interval_note = intervals.explanation()
    report.suppressed_any = True
    return report


def _logo(settings_row: ReportSettings) -> str:
    if not settings_row.logo:
        return ""
    try:
        with settings_row.logo.open("rb") as fh:
            data = fh.read()
    except (OSError, ValueError):
        return ""
    mime = mimetypes.guess_type(settings_row.logo.name)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


HEADLINE_STOCKS = (
    ("residential", "residential", "all", gettext_lazy("In residentiële zorg (trede 5–6)")),
    ("residential_u12", "residential", "0-11", gettext_lazy("van wie jonger dan 12")),
    ("PLZ", "PLZ", "all", None),
    ("NPZ", "NPZ", "all", None),
    ("GZH", "GZH", "all", None),
    ("stay", "stay", "all", gettext_lazy("Totaal met verblijf")),
)


def _headlines(report: Report, reader: Reader, forms, quarter: str, prev_q: str, prev_y: str) -> None:
    names = {f.code: f.short_name for f in forms}
    wanted = {(g, b, "stock") for _k, g, b, _l in HEADLINE_STOCKS}
    wanted |= {("stay", "all", m) for m in ("entries", "exits", "escalations", "step_downs", "cost", "clients_declared")}
    reader.load(wanted)
    quarters = (quarter, prev_q, prev_y)
    for key, group, band, label in HEADLINE_STOCKS:
        if label is None and group not in names:
            continue
        cells = [reader.stock_cell((group, band, "stock"), q) for q in quarters]
        report.headlines.append(Headline(key, str(label) if label else names[group], "count", *cells,
                                         note=_("op de peildatum")))
    for metric, label in (("entries", _("Instroom met verblijf")), ("exits", _("Uitstroom uit verblijf")),
                          ("escalations", _("Opschalingen")), ("step_downs", _("Afschalingen"))):
        cells = [reader.flow_cell(("stay", "all", metric), q) for q in quarters]
        report.headlines.append(Headline(metric, label, "count", *cells, note=_("som van de maanden")))
    cells = [reader.cost_cell("stay", "all", q) for q in quarters]
    report.headlines.append(Headline("cost", _("Kosten jeugdhulp met verblijf"), "euro", *cells, note=_("in het kwartaal")))


# --------------------------------------------------------------------------------------------- what changed
def what_changed(reader: Reader, forms, quarter: str, k: int, *, limit_year: int = 4, limit_quarter: int = 2) -> list[str]:
    """Sentences on the biggest relative movements versus the same quarter last year and the quarter before.
    Movements are computed from the published (rounded) counts, so a sentence gives away no more than the tables;
    counts shown as "≤k" on either side take no part (a movement between small numbers says little); money only
    when its client counts are not hidden."""
    stay_forms = [f for f in forms if f.with_stay]
    candidates = [("residential", "all", "stock", _("Het aantal kinderen in residentiële zorg")),
                  ("residential", "0-11", "stock", _("Het aantal kinderen onder 12 in residentiële zorg")),
                  ("family_based", "all", "stock", _("Het aantal kinderen in gezinsgerichte zorg (pleegzorg, gezinshuis)")),
                  ("stay", "all", "entries", _("De instroom in jeugdhulp met verblijf")),
                  ("stay", "all", "exits", _("De uitstroom uit jeugdhulp met verblijf"))]
    candidates += [(f.code, "all", "stock", _("Het aantal kinderen in %(form)s") % {"form": f.short_name.lower()}) for f in stay_forms]
    reader.load({(g, b, m) for g, b, m, _l in candidates} | {("stay", "all", "cost"), ("stay", "all", "clients_declared")})

    def measure(group, band, metric, q):
        return reader.quarter_sum((group, band, metric), q) if metric in ("entries", "exits") else reader.month((group, band, metric), quarter_months(q)[-1])

    def published(group, band, metric, q) -> float | None:
        return count_cell(measure(group, band, metric, q), exact=False, k=k).value  # None when missing or hidden

    def movements(other: str) -> list[tuple[float, str]]:
        out = []
        for group, band, metric, label in candidates:
            now, before = published(group, band, metric, quarter), published(group, band, metric, other)
            if now is None or before is None:
                continue
            pct = 100 * (now - before) / before
            if abs(pct) < 1:
                continue
            out.append((pct, _sentence(label, pct, before, now, quarter_label(other), unit=_("kinderen"))))
        cost_now, cost_before = reader.cost_cell("stay", "all", quarter), reader.cost_cell("stay", "all", other)
        if cost_now.value is not None and cost_before.value and not cost_now.suppressed and not cost_before.suppressed:
            pct = 100 * (cost_now.value - cost_before.value) / abs(cost_before.value)
            if abs(pct) >= 1:
                out.append((pct, _sentence(_("De kosten van jeugdhulp met verblijf"), pct, cost_before.value, cost_now.value,
                                           quarter_label(other), euro=True)))
        return sorted(out, key=lambda item: -abs(item[0]))

    yearly = movements(quarter_shift(quarter, -4))[:limit_year]
    quarterly = movements(quarter_shift(quarter, -1))[:limit_quarter]
    sentences = [s for _p, s in yearly] + [s for _p, s in quarterly]
    if not sentences:
        sentences.append(_("Geen van de gevolgde aantallen veranderde met 1%% of meer ten opzichte van vorig kwartaal of vorig jaar "
                           "(aantallen van %(k)s of minder tellen niet mee).") % {"k": k})
    return sentences


def _sentence(label: str, pct: float, before: float, now: float, other: str, *, unit: str = "", euro: bool = False) -> str:
    verb = _("steeg") if pct > 0 else _("daalde")
    values = (f"{formatting.euro_whole(before)} → {formatting.euro_whole(now)}" if euro else f"{formatting.number(before)} → {formatting.number(now)} {unit}").strip()
    return _("%(label)s %(verb)s met %(pct)s%% ten opzichte van %(other)s (%(values)s).") % {
        "label": label, "verb": verb, "pct": formatting.number(abs(pct), 0 if abs(pct) >= 10 else 1), "other": other, "values": values}


# --------------------------------------------------------------------------------------------- charts
def _values(points, *, hide_as=None) -> list[float | None]:
    return [hide_as if p.cell.suppressed else p.cell.value for p in points]


def _charts(dash, reader: Reader, stay_forms, quarter: str, k: int) -> list[ChartBlock]:
    months = dash.months[-CHART_MONTHS:]
    cut = len(dash.months) - len(months)
    hidden_note = _("Afgeschermde kleine aantallen (≤%(k)s) zijn niet getekend.") % {"k": k}
    blocks = []

    stack = dash.figure("stock_forms")
    series = [(t.name, _values(t.points[cut:])) for t in stack.traces]
    any_hidden = any(p.cell.suppressed for t in stack.traces for p in t.points[cut:])
    blocks.append(ChartBlock("stock", _("Kinderen in zorg per zorgvorm met verblijf"),
                             charts.stacked_area(months=months, series=series, ylabel=_("kinderen")),
                             _("Op de peildatum (laatste dag van de maand), gestapeld per zorgvorm; een kind in twee vormen telt in beide.")
                             + (" " + hidden_note if any_hidden else "")))

    flows = dash.figure("flows")
    colors = ["#2f6b3f", "#d32f2f"]
    series = [(t.name, _values(t.points[cut:]), c) for t, c in zip(flows.traces, colors, strict=False)]
    any_hidden = any(p.cell.suppressed for t in flows.traces for p in t.points[cut:])
    blocks.append(ChartBlock("flows", _("Instroom en uitstroom jeugdhulp met verblijf per maand"),
                             charts.lines(months=months, series=series, ylabel=_("kinderen")),
                             _("Kinderen die in de maand een verblijf beginnen of beëindigen.") + (" " + hidden_note if any_hidden else "")))

    ladder = dash.figure("ladder")
    dates = [quarter_shift(quarter, -4), quarter_shift(quarter, -1), quarter]
    rows = []
    stay_traces = [t for t in ladder.traces if t.group != "rung1"]
    for q in dates:
        month = quarter_months(q)[-1]
        index = dash.months.index(month) if month in dash.months else None
        rows.append((f"{_('einde')} {quarter_label(q)}", [None if index is None or t.points[index].cell.suppressed else t.points[index].cell.value
                                                          for t in stay_traces]))
    rung1 = next((t for t in ladder.traces if t.group == "rung1"), None)
    rung1_text = ""
    if rung1 is not None and dash.months:
        rung1_text = " " + _("Thuis, zonder verblijf (trede 1) op de peildatum: %(n)s kinderen.") % {"n": rung1.points[-1].cell.text}
    parts = [(t.name, selectors.RUNG_COLORS.get(int(t.group[4:]), "#888")) for t in stay_traces]
    blocks.append(ChartBlock("ladder", _("Ladder ‘zo thuis mogelijk’: verdeling van verblijf over de treden"),
                             charts.share_bars(rows=rows, parts=parts),
                             _("Aandeel per trede van de kinderen met verblijf (trede 2 pleegzorg … 6 gesloten).") + rung1_text
                             + " " + _("Afgeschermde treden tellen niet mee.")))

    cost = dash.figure("cost")
    quarters = [quarter_shift(quarter, -i) for i in range(COST_QUARTERS - 1, -1, -1)]
    series = []
    any_hidden = False
    for t in cost.traces:
        by_month = {p.x: p.cell for p in t.points}
        values = []
        for q in quarters:
            cells = [by_month.get(m) for m in quarter_months(q)]
            if any(c is None for c in cells):
                values.append(None)
            elif any(c.suppressed for c in cells):
                any_hidden = True
                values.append(None)
            else:
                values.append(sum(c.value or 0 for c in cells))
        series.append((t.name, values))
    blocks.append(ChartBlock("cost", _("Kosten jeugdhulp met verblijf per kwartaal"),
                             charts.stacked_bars(labels=[quarter_label(q) for q in quarters], series=series),
                             _("Gedeclareerde bedragen naar begin van de declaratieperiode, per zorgvorm met verblijf.")
                             + (" " + _("Bedragen van %(k)s of minder cliënten zijn afgeschermd en niet getekend.") % {"k": k} if any_hidden else "")))
    return blocks


# --------------------------------------------------------------------------------------------- targets
def report_targets(region, municipality, settings_row: ReportSettings) -> list[Target]:
    chosen = list(settings_row.targets.filter(active=True).select_related("region", "municipality")) if settings_row.pk else []
    if chosen:
        if municipality is not None:
            chosen = [t for t in chosen if t.municipality_id in (None, municipality.pk)]
        return chosen
    qs = Target.objects.filter(active=True).select_related("region", "municipality")
    if municipality is not None:
        return list(qs.filter(region=region)) + list(qs.filter(municipality=municipality))
    return list(qs.filter(region=region)) + list(qs.filter(municipality__region=region))


def _targets(run, region, municipality, settings_row, end_month: str, k: int) -> list[TargetRow]:
    as_of_run = copy.copy(run)  # the run as it stood at the quarter's end: later months are not read
    as_of_run.last_month = min(run.last_month, end_month)
    rows = []
    with suppression_k(k):
        for target in report_targets(region, municipality, settings_row):
            progress = targets_mod.target_progress(target, as_of_run)
            card = targets_mod.card(progress, suppress=True)
            metric = progress.metric
            svg = ""
            if progress.has_numbers and progress.points:
                small = bool(metric and metric.counts_children)
                # the sparkline's coordinates are as exact as its numbers: counts as published, the goal as shown
                pts = [(d.toordinal(), None if v is None else (publication.count(v).value if small else v)) for d, v in progress.points]
                goal = None
                shown_goal, shown_base = card["cells"]["goal"].value, card["cells"]["baseline"]
                if not card["cells"]["goal"].suppressed and shown_goal is not None:
                    if target.kind == "accumulate":
                        start = (target.period_start.toordinal(), 0.0)
                    elif shown_base.value is not None and progress.baseline_date is not None and not shown_base.suppressed:
                        start = (progress.baseline_date.toordinal(), shown_base.value)
                    else:
                        start = (target.period_end.toordinal(), shown_goal)
                    goal = (start, (target.period_end.toordinal(), shown_goal))
                svg = charts.sparkline(points=pts, goal=goal)
            rows.append(TargetRow(
                name=target.name, scope=card["scope"], goal_text=card["goal_text"], status=progress.status,
                status_label=progress.status_label, cells=card["cells"], reason=progress.reason, svg=svg,
                definition=str(metric.label) if metric else target.metric,
            ))
    return rows


class suppression_k:
    """Run targets.card with the report's threshold (it reads settings.SUPPRESSION_K)."""

    def __init__(self, k: int):
        self.k = k

    def __enter__(self):
        from django.test.utils import override_settings

        self._override = override_settings(SUPPRESSION_K=self.k) if self.k != publication.threshold() else None
        if self._override:
            self._override.enable()
        return self

    def __exit__(self, *exc):
        if self._override:
            self._override.disable()


# --------------------------------------------------------------------------------------------- casework, foster care
def source_metrics() -> list[registry.Metric]:
    """Every available registry figure measured by casework, foster care or child protection (a figure a run did not
    measure yet shows as such)."""
    return [m for m in registry.REGISTRY.values() if m.source in ("casework", "fostercare", "protection", "crisis") and m.available]


def period_value(metric: registry.Metric, values: dict, quarter: str) -> tuple[float | None, str]:
    """(value, period label) of a casework/foster-care figure for a quarter: a stored quarter value; else from
    monthly values the sum of the quarter's months (flows) or the value at its last month (stocks); else the
    stored value of the quarter's year (yearly shares)."""
    if quarter in values:
        return values[quarter], quarter_label(quarter)
    months = quarter_months(quarter)
    monthly = any(len(p) == 7 and p[4] == "-" and p[5:].isdigit() for p in values) or metric.periods[0] == "month"
    if monthly and metric.unit != "share":
        if metric.kind == Kind.FLOW:
            return sum(values.get(m) or 0 for m in months), quarter_label(quarter)
        return values.get(months[-1], 0), f"{_('einde')} {quarter_label(quarter)}"
    year = quarter[:4]
    if year in values:
        return values[year], year
    return None, "–"


def _source_cell(metric, value, k: int, n: float | None = None) -> Cell:
    if value is None:
        return NONE
    if metric.unit == "share":
        if n is not None:  # a share of a cohort whose size the run stored: published as core.publication.share
            return intervals.published_share(value, n, k=k)[0]
        return Cell(value, f"{formatting.number(100 * value, 0)}%")
    if metric.counts_children:
        return publication.count(value, k=k)
    return Cell(value, formatting.number(value))


def _source_rows(run, scope: Scope, quarter: str, prev_q: str, prev_y: str, k: int) -> list[SourceRow]:
    metrics = source_metrics()
    denominators = {m.key: registry.SHARE_DENOMINATORS[m.key] for m in metrics if m.key in registry.SHARE_DENOMINATORS}
    series = {r.metric: r.values for r in store.run_series(run, scope=scope.key, group="all", band="all",
                                                           metric__in=[m.key for m in metrics] + list(denominators.values()))}
    rows = []
    for metric in metrics:
        if metric.key not in series:  # measured from a later run on (e.g. foster care before its first run)
            rows.append(SourceRow(metric.key, metric.source, str(metric.label), _("niet in deze run"), NONE, NONE, NONE))
            continue
        values = series[metric.key] or {}
        # a share's denominator series has the same periods as the share: the same choice of period reads its n
        n_values = series.get(denominators.get(metric.key, ""))
        cells, texts = [], []
        for q in (quarter, prev_q, prev_y):
            closing = quarter_months(q)[-1] if metric.periods[0] == "month" else q  # the period whose window binds
            if not registry.is_measurable(metric.key, closing, run.data_date):  # a value would be too low, or 0
                cells.append(Cell(None, sections.not_measurable_text(metric.key, closing)))
                texts.append("")
                continue
            value = period_value(metric, values, q)[0]
            n = period_value(metric, n_values, q)[0] if n_values is not None and value is not None else None
            cells.append(_source_cell(metric, value, k, n))
            texts.append(intervals.published_share(value, n, k=k)[1] if metric.unit == "share" and n is not None else "")
        rows.append(SourceRow(metric.key, metric.source, str(metric.label), period_value(metric, values, quarter)[1], *cells,
                              intervals=tuple(texts)))
    return rows


# --------------------------------------------------------------------------------------------- municipalities
MUNI_COLUMNS = (("residential", "stock"), ("family_based", "stock"), ("stay", "stock"), ("stay", "entries"), ("stay", "exits"))


def _municipalities(report: Report, run, region, municipality, end_month: str, quarter: str, k: int) -> None:
    munis = list(region.municipalities.order_by("name").values_list("cbs_code", "name"))
    if municipality is not None:
        munis = [(municipality.cbs_code, municipality.name)]
    keys = [code for code, _n in munis] + [region.name]
    rows = store.run_series(run, scope__in=keys, band="all", group__in=["residential", "family_based", "stay"],
                            metric__in=["stock", "entries", "exits", "stock_per_1000"])
    data = {(r.scope, r.group, r.metric): r.values for r in rows}
    months = quarter_months(quarter)

    def raw(scope_key, group, metric):
        values = data.get((scope_key, group, metric), {})
        if metric == "stock":
            return values.get(end_month, 0)
        return sum(values.get(m, 0) or 0 for m in months)

    grid = [[raw(key, g, m) for g, m in MUNI_COLUMNS] for key in keys]
    cells = [[count_cell(v, exact=False, k=k) for v in row] for row in grid]
    rates = [publication.rate(data.get((key, "stay", "stock_per_1000"), {}).get(end_month), grid[r][2], k=k)
             for r, key in enumerate(keys)]
    labels = [name for _c, name in munis] + [f"{region.name} ({_('regio')})"]
    report.muni_header = [_("Residentieel"), _("Gezinsgericht"), _("Met verblijf"), _("Per 1.000 jeugdigen"), _("Instroom"), _("Uitstroom")]
    report.muni_rows = [MuniRow(label, i == len(keys) - 1, [row[0], row[1], row[2], rate, row[3], row[4]])
                        for i, (label, row, rate) in enumerate(zip(labels, cells, rates, strict=True))]
    report.muni_chart = charts.hbars(labels=labels, values=[r.value for r in rates],
                                     texts=[_("afgeschermd") if r.suppressed else r.text for r in rates], highlight=len(labels) - 1)


# --------------------------------------------------------------------------------------------- appendix
FORECAST_COLORS = ["#1f4e79", "#c0392b", "#8e44ad", "#d68910", "#16a085"]


def _forecast(run: SnapshotRun, region, municipality, k: int) -> dict | None:
    """The forecast of the scope stored with the run: children in stay care measured (24 months) and forecast for the
    base and the region's scenarios chosen for the report, side by side in children and euros, and the backtest."""
    forecast = forecast_selectors.forecast_latest(run=run, choice=forecast_selectors.Choice("", "", region, municipality), done_only=True)
    if forecast is None or not forecast.result.get("scenarios"):
        return None
    result = forecast.result
    shown = [sc for sc in result["scenarios"] if sc.get("in_report", True)]
    history = forecast_display.actual_series(run, scope_key=forecast.scope_key, group="stay")[-24:]
    months = [m for m, _v in history] + result["months"]
    n_hist = len(history)

    def published(v):
        return publication.count(v, k=k).value

    series = [(str(_("Gemeten")), [published(v) for _m, v in history] + [None] * len(result["months"]), "#2b6a4f")]
    for i, sc in enumerate(shown):
        mean = sc["series"].get("stay", {}).get("all", {}).get("mean", [])
        lead = [None] * max(0, n_hist - 1) + ([published(history[-1][1])] if history else [])
        series.append((sc["name"], lead + [published(v) for v in mean], FORECAST_COLORS[i % len(FORECAST_COLORS)]))
    table = forecast_display.comparison(forecast, k=k)
    names = {sc["name"] for sc in shown}
    table.rows = [r for r in table.rows if r["name"] in names]
    return {"svg": charts.lines(months=months, series=series, ylabel=str(_("kinderen"))), "comparison": table,
            "backtest": forecast_display.backtest_rows(forecast), "data_date": forecast.run.data_date, "simulations": formatting.number(forecast.simulations)}


def _definitions(report: Report) -> list[tuple[str, str]]:
    keys = ["stock", "entries", "exits", "escalations", "step_downs", "cost", "clients_declared", "stock_per_1000",
            "clients_declared_year", "cost_year", "cost_per_client"]
    keys += [r.key for r in report.source_rows]
    out = []
    for key in keys:
        metric = registry.get(key)
        if metric is not None:
            out.append((str(metric.label), str(metric.definition)))
    return out
