"""Progress on the region's targets (metrics.md, "Targets").

A target names a registry metric, a scope (a region or a municipality), a care-form group, an age band,
a period [period_start, period_end], an optional baseline (period and value), a kind and a direction.
`target_progress(target, run)` reads the target's series from a snapshot run and returns a `Progress`.

Reading a value from a run
--------------------------
* Series: the FigureSeries of the run with the target's scope (the region's name or the municipality's
  CBS code), group, band and metric. For a monthly count metric (unit count, days or euro) a month
  missing between the run's first and last month is 0, and a missing series is all zeros.
* The *measure* of a monthly metric at month M:
  - a stock or share metric (kind stock / share: stock, served, clients_declared, stock_per_1000, …):
    its value in M (the peildatum value);
  - a flow or money metric (entries, exits, escalations, cost, care_days, …): the sum of the last W
    months up to M, where W is the length of the baseline period (1 for YYYY-MM, 3 for a quarter,
    6 for a half-year, 12 for a year; 1 without baseline period), so that "now" and the baseline
    compare like with like.
  Metrics stored per quarter, half-year or year (cohort and yearly figures) are measured per stored
  period of the baseline's kind (or the metric's first kind), dated at the period's last day.
* Computed baseline (baseline_value left empty): the measure at the end of the baseline period in the
  target's scope/group/band from the given (latest) run. So for a year of a monthly stock metric it is
  the December (peildatum) value, for a flow metric the sum of the year's twelve months, and for a
  yearly or cohort metric the stored value of that period. Without a baseline period (only allowed for
  kind `value`) the baseline is the measure at the last month before period_start.
* Baseline date: the last day of the baseline period (or the day before period_start).

Progress
--------
* as_of = the earlier of the period end and the run's data date (last day of its last month).
* Goal: `value` → target_value; `change_abs` → baseline + target_value; `change_pct` →
  baseline × (1 + target_value / 100); `accumulate` → target_value.
* Actual: `accumulate` → sum of the metric's monthly values from the month of period_start up to as_of;
  otherwise the latest measure dated at or before as_of.
* Expected by now: on a straight line from the baseline at the baseline date to the goal at
  period_end, evaluated at as_of (the baseline itself before the baseline date); for `accumulate` the
  line runs from 0 at period_start to the target at period_end (by days, both ends inclusive).
* Forecast at period end: for a finished period (run data date ≥ period_end) the actual value itself;
  for `accumulate` the rate so far extrapolated (actual / elapsed days × period days); otherwise the
  least-squares linear trend of the last 12 measures up to as_of, evaluated at period_end (never
  below 0; with fewer than 2 measures the forecast is the actual value).

Status (in this order)
----------------------
1. nog niet gemeten (not_measured): the metric has `available=False` in the registry (casework and
   foster-care figures until their issues land) — no numbers are shown.
2. nog geen cijfers (no_data): there is no finished snapshot run, the run has no figures at all for
   the target's scope, or it has no value for the actual or (for a change) for the baseline.
3. Finished period (run data date ≥ period_end): behaald (achieved) when the actual value at period end
   reaches the goal (at_least: actual ≥ goal; at_most: actual ≤ goal), else niet behaald (not_achieved).
   For a fixed-window figure (registry.measurable_from) "the data date" is the end of the last period whose
   window has closed: a month whose 183 days have not passed counts neither as 0 nor towards the end.
4. behaald (achieved): the actual value already reaches the goal.
5. op koers (on_track): the actual value is at least as good as expected by now (at_least: actual ≥
   expected; at_most: actual ≤ expected).
6. risico (at_risk): worse than expected, but the forecast at period end reaches the goal, or the
   shortfall |actual − expected| is at most 10% of the gap |goal − baseline| (for accumulate: of the
   target itself).
7. uit koers (off_track): otherwise.
An `accumulate` target with direction at_most (a cap, e.g. "at most 10 escalations in the year") is
never achieved before period end (the count can still pass it) and is uit koers as soon as it has.
Without a baseline (a `value` target whose data do not reach back before period_start) nothing is
expected by now: the status is risico when the forecast reaches the goal, else uit koers.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.utils.translation import gettext_lazy as _

from core import formatting, publication
from core.periods import month_key, month_range, parse_period
from core.publication import Cell
from monitoring import registry
from monitoring.models import Direction, RunStatus, SnapshotRun, Target, TargetKind
from monitoring.registry import Kind, Metric
from monitoring.runs import store
from placements.models import PROVIDER_PREFIX, TARGET_GROUP_PREFIX, CareForm, Provider, TargetGroup

EPS = 1e-9
AT_RISK_SHARE = 0.10  # shortfall within 10% of the gap counts as "at risk"
TREND_MONTHS = 12
SUMMED_UNITS = ("count", "days", "euro")  # a missing month of these means 0


class Status:
    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"  # the period has ended without reaching the goal
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NOT_MEASURED = "not_measured"
    NO_DATA = "no_data"


STATUS_LABELS = {
    Status.ACHIEVED: _("behaald"),
    Status.NOT_ACHIEVED: _("niet behaald"),
    Status.ON_TRACK: _("op koers"),
    Status.AT_RISK: _("risico"),
    Status.OFF_TRACK: _("uit koers"),
    Status.NOT_MEASURED: _("nog niet gemeten"),
    Status.NO_DATA: _("nog geen cijfers"),
}
STATUS_BADGES = {
    Status.ACHIEVED: "text-bg-success",
    Status.NOT_ACHIEVED: "text-bg-dark",
    Status.ON_TRACK: "text-bg-primary",
    Status.AT_RISK: "text-bg-warning",
    Status.OFF_TRACK: "text-bg-danger",
    Status.NOT_MEASURED: "text-bg-secondary",
    Status.NO_DATA: "text-bg-light border",
}
STATUS_ORDER = [Status.NOT_ACHIEVED, Status.OFF_TRACK, Status.AT_RISK, Status.ON_TRACK, Status.ACHIEVED, Status.NOT_MEASURED, Status.NO_DATA]

GROUP_LABELS = {
    "all": _("Alle zorgvormen"),
    "stay": _("Met verblijf"),
    "family_based": _("Gezinsgericht (pleegzorg, gezinshuis)"),
    "residential": _("Residentieel (trede 5–6)"),
}
BAND_LABELS = {"all": _("Alle leeftijden"), "0-11": _("0–11 jaar"), "12-17": _("12–17 jaar"), "18+": _("18 jaar en ouder")}


# ------------------------------------------------------------------------------------------------ periods
def label_end(label: str) -> dt.date:
    period = parse_period(label)
    assert period is not None, label
    return period.end


# ------------------------------------------------------------------------------------------------ reading
def scope_key(target: Target) -> tuple[str, str]:
    """(level, scope) of the target's series: a region by name, a municipality by CBS code."""
    if target.municipality_id:
        return "municipality", target.municipality.cbs_code
    return "region", target.region.name


def scope_label(target: Target) -> str:
    return str(target.municipality or target.region)


def group_label(group: str) -> str:
    if group in GROUP_LABELS:
        return str(GROUP_LABELS[group])
    if group.startswith(TARGET_GROUP_PREFIX):
        code = group.removeprefix(TARGET_GROUP_PREFIX)
        name = TargetGroup.objects.filter(code=code).values_list("name", flat=True).first()
        return str(_("Doelgroep %(name)s") % {"name": name or code})
    if group.startswith(PROVIDER_PREFIX):
        pk = group.removeprefix(PROVIDER_PREFIX)
        name = Provider.objects.filter(pk=int(pk)).values_list("name", flat=True).first() if pk.isascii() and pk.isdigit() else None
        return str(_("Aanbieder %(name)s") % {"name": name or pk})
    name = CareForm.objects.filter(code=group).values_list("name", flat=True).first()
    if name:
        return f"{name} ({group})"
    return registry.app_group_label(group) or group


def band_label(band: str) -> str:
    return str(BAND_LABELS.get(band, band))


def _series_values(target: Target, run: SnapshotRun) -> dict | None:
    _level, scope = scope_key(target)
    rows = store.run_series(run, scope=scope, group=target.group, band=target.band, metric=target.metric)
    return rows[0].values if rows else None


def _small_periods(target: Target, run: SnapshotRun, metric: Metric) -> set[dt.date]:
    """The ends of the periods whose value of `metric` rests on a count of children that is published as "≤k"."""
    base = registry.DEPENDS_ON.get(metric.key)
    if base is None:
        return set()
    _level, scope = scope_key(target)
    rows = store.run_series(run, scope=scope, group=target.group, band=target.band, metric=base)
    values = rows[0].values if rows else {}
    k = publication.threshold()
    return {period.end for key, n in values.items() if (period := parse_period(key)) and publication.is_hidden(n, k)}


def is_monthly(metric: Metric) -> bool:
    return metric.periods[0] == "month"


def is_summed(metric: Metric) -> bool:
    """Flow and money metrics add up over months; stocks and shares are read at the peildatum."""
    return metric.kind in (Kind.FLOW, Kind.MONEY)


@dataclass
class Reading:
    """The series of one target in one run, as measures dated at their period's last day."""

    metric: Metric
    run: SnapshotRun
    values: dict[str, float | None]
    months: list[str] = field(default_factory=list)  # monthly metrics: every month of the run, in order

    @classmethod
    def load(cls, target: Target, run: SnapshotRun, metric: Metric) -> Reading:
        raw = _series_values(target, run)
        values = dict(raw or {})
        months: list[str] = []
        if is_monthly(metric) and run.last_month:
            keyed = sorted(k for k in values if len(k) == 7 and k[4] == "-" and k[5:].isdigit())
            first = run.first_month or (keyed[0] if keyed else run.last_month)
            months = month_range(min(first, keyed[0]) if keyed else first, run.last_month)
            fill = 0 if metric.unit in SUMMED_UNITS else None
            values = {m: values.get(m, fill) for m in months}
        return cls(metric, run, values, months)

    # -- monthly
    def monthly_measures(self, window: int) -> list[tuple[dt.date, float | None]]:
        """(month end, measure) for every month of the run; a flow's measure sums `window` months."""
        out = []
        vals = [self.values.get(m) for m in self.months]
        for i, m in enumerate(self.months):
            end = label_end(m)
            if is_summed(self.metric) and window > 1:
                chunk = vals[i - window + 1: i + 1] if i + 1 >= window else None
                v = None if chunk is None or any(x is None for x in chunk) else float(sum(chunk))
            else:
                v = None if vals[i] is None else float(vals[i])
            out.append((end, v))
        return out

    # -- any
    def measures(self, kind: str | None, window: int) -> list[tuple[dt.date, float | None]]:
        """Measures in date order; for non-monthly metrics the stored periods of `kind`."""
        if is_monthly(self.metric):
            return self.monthly_measures(window)
        kinds = {p.kind: p for p in (parse_period(k) for k in self.values) if p}
        use = kind if kind in kinds else _metric_kind(self.metric, kinds)
        points = []
        for key, value in self.values.items():
            period = parse_period(key)
            if period and period.kind == use:
                points.append((period.end, None if value is None else float(value)))
        return sorted(points)

    def period_items(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, float]]:
        """Stored (finest) periods lying within [month of start, end], for accumulating."""
        if is_monthly(self.metric):
            first = month_key(start)
            return [(label_end(m), float(self.values.get(m) or 0)) for m in self.months if m >= first and label_end(m) <= end]
        periods = [(parse_period(k), v) for k, v in self.values.items()]
        periods = [(p, v) for p, v in periods if p]
        order = ["month", "quarter", "half", "year"]
        kinds = sorted({p.kind for p, _ in periods}, key=order.index)
        if not kinds:
            return []
        return sorted((p.end, float(v or 0)) for p, v in periods if p.kind == kinds[0] and p.start >= start.replace(day=1) and p.end <= end)


def measured_until(metric: Metric, run: SnapshotRun) -> dt.date:
    """The last day the run measures the metric on: the end of its last month, or for a fixed-window figure the end
    of the last period whose window has closed by the data date (registry.measured_until): progress, "finished"
    and the forecast never count a period that is not measurable yet as zero."""
    data_end = label_end(run.last_month)
    if not metric.has_window or run.data_date is None:
        return data_end
    until = min(data_end, registry.measured_until(metric.key, run.data_date))
    if is_monthly(metric):
        until = until if until == label_end(month_key(until)) else dt.date(until.year, until.month, 1) - dt.timedelta(days=1)
    return until


def _metric_kind(metric: Metric, present: dict) -> str | None:
    """Default kind of period for a non-monthly metric: the year when stored, else the metric's own."""
    for kind in ("year", *metric.periods):
        if kind in present:
            return kind
    return next(iter(present), None)


def _latest(points: list[tuple[dt.date, float | None]], on_or_before: dt.date) -> tuple[dt.date, float] | None:
    best = None
    for day, value in points:
        if day <= on_or_before and value is not None:
            best = (day, value)
    return best


def _at(points: list[tuple[dt.date, float | None]], day: dt.date) -> float | None:
    for d, value in points:
        if d == day:
            return value
    return None


# ------------------------------------------------------------------------------------------------ progress
@dataclass
class Progress:
    """How a target stands in a run. Numbers are None when not measured / not available."""

    target: Target
    metric: Metric | None
    status: str
    reason: str = ""
    run: SnapshotRun | None = None
    as_of: dt.date | None = None
    finished: bool = False
    baseline: float | None = None
    baseline_date: dt.date | None = None
    baseline_computed: bool = False
    goal: float | None = None
    actual: float | None = None
    actual_date: dt.date | None = None
    expected: float | None = None
    forecast: float | None = None
    forecast_modelled: bool = False  # the forecast comes from a forecast model (FORECASTERS), not the straight trend
    points: list[tuple[dt.date, float | None]] = field(default_factory=list)  # what the chart shows as "actual"
    # the period ends whose value rests on a count of k children or fewer (registry.DEPENDS_ON): hidden with it
    small: set[dt.date] = field(default_factory=set)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]

    @property
    def has_numbers(self) -> bool:
        return self.status != Status.NOT_MEASURED and self.actual is not None and self.goal is not None


def baseline_window(target: Target) -> int:
    period = parse_period(target.baseline_period)
    return period.months if period else 1


def computed_baseline(target: Target, run: SnapshotRun | None) -> tuple[float | None, dt.date | None]:
    """The baseline from the data (see module docstring), ignoring an entered baseline_value."""
    metric = registry.get(target.metric)
    if metric is None or not metric.available or run is None:
        return None, None
    reading = Reading.load(target, run, metric)
    return _baseline_from(reading, target)


def _baseline_from(reading: Reading, target: Target) -> tuple[float | None, dt.date | None]:
    period = parse_period(target.baseline_period)
    window = baseline_window(target)
    if period is not None:
        if not is_monthly(reading.metric) and period.label in reading.values:
            value = reading.values[period.label]
            return (None if value is None else float(value)), period.end
        points = reading.measures(period.kind, window)
        return _at(points, period.end), period.end
    day = target.period_start - dt.timedelta(days=1)
    found = _latest(reading.measures(None, window), day)
    return (found[1], day) if found else (None, day)


def _goal(target: Target, baseline: float | None) -> float | None:
    if target.kind in (TargetKind.VALUE, TargetKind.ACCUMULATE):
        return float(target.target_value)
    if baseline is None:
        return None
    if target.kind == TargetKind.CHANGE_ABS:
        return baseline + target.target_value
    return baseline * (1 + target.target_value / 100.0)


def _better_or_equal(a: float, b: float, direction: str) -> bool:
    return a >= b - EPS if direction == Direction.AT_LEAST else a <= b + EPS


def _trend(points: list[tuple[dt.date, float | None]], at: dt.date) -> float | None:
    usable = [(d, v) for d, v in points if v is not None][-TREND_MONTHS:]
    if not usable:
        return None
    if len(usable) < 2:
        return usable[-1][1]
    x = np.array([d.toordinal() for d, _ in usable], dtype=float)
    y = np.array([v for _, v in usable], dtype=float)
    slope, intercept = np.polyfit(x - x[0], y, 1)
    return max(0.0, float(intercept + slope * (at.toordinal() - x[0])))  # figures are never negative


def judge(*, direction: str, actual: float, goal: float, expected: float | None, forecast: float | None,
          start: float | None, finished: bool, cap: bool = False) -> str:
    """The status rules of the module docstring, steps 3–7. `cap`: an accumulate target with direction
    at_most, which can only be judged achieved at period end and is lost once the count passes it."""
    reached = _better_or_equal(actual, goal, direction)
    if finished:
        return Status.ACHIEVED if reached else Status.NOT_ACHIEVED
    if cap:
        if not reached:
            return Status.OFF_TRACK
    elif reached:
        return Status.ACHIEVED
    if expected is not None and _better_or_equal(actual, expected, direction):
        return Status.ON_TRACK
    if forecast is not None and _better_or_equal(forecast, goal, direction):
        return Status.AT_RISK
    if expected is not None and start is not None:
        gap = abs(goal - start)
        if gap > EPS and abs(actual - expected) <= AT_RISK_SHARE * gap + EPS:
            return Status.AT_RISK
    return Status.OFF_TRACK


#: Model forecasts of a target's value at the end of its period, registered by an app above this one (the forecast
#: app): callables (target, run) -> float | None. The first that answers replaces the straight-line trend.
FORECASTERS: list[Callable[[Target, SnapshotRun], float | None]] = []


def register_forecaster(forecaster: Callable[[Target, SnapshotRun], float | None]) -> None:
    if forecaster not in FORECASTERS:
        FORECASTERS.append(forecaster)


def _modelled(target: Target, run: SnapshotRun) -> float | None:
    for forecaster in FORECASTERS:
        value = forecaster(target, run)
        if value is not None:
            return value
    return None


def target_progress(target: Target, run: SnapshotRun | None) -> Progress:
    """Actual, expected-by-now, forecast and status of `target` in `run` (rules: module docstring)."""
    metric = registry.get(target.metric)
    if metric is None:
        return Progress(target, None, Status.NO_DATA, reason=str(_("Onbekende figuur in het doel.")))
    if not metric.available:
        return Progress(target, metric, Status.NOT_MEASURED,
                        reason=str(_("Deze figuur wordt nog niet gemeten; de cijfers volgen met de registratie van casussen en pleegzorg.")))
    if run is None or run.status != RunStatus.DONE or not run.last_month:
        return Progress(target, metric, Status.NO_DATA, reason=str(_("Er zijn nog geen cijfers berekend.")))

    if not store.run_has_series(run, scope=scope_key(target)[1]):
        return Progress(target, metric, Status.NO_DATA, run=run,
                        reason=str(_("De run heeft geen cijfers voor %(scope)s.") % {"scope": scope_label(target)}))
    reading = Reading.load(target, run, metric)
    data_end = measured_until(metric, run)
    as_of = min(target.period_end, data_end)
    finished = data_end >= target.period_end
    p = Progress(target, metric, Status.NO_DATA, run=run, as_of=as_of, finished=finished, small=_small_periods(target, run, metric))

    if target.kind == TargetKind.ACCUMULATE:
        items = reading.period_items(target.period_start, as_of) if as_of >= target.period_start else []
        total, points = 0.0, [(target.period_start, 0.0)]
        for day, value in items:
            total += value
            points.append((day, total))
        p.actual, p.actual_date, p.points = total, (items[-1][0] if items else as_of), points
        p.goal = float(target.target_value)
        length = (target.period_end - target.period_start).days + 1
        elapsed = (as_of - target.period_start).days + 1
        fraction = min(1.0, max(0.0, elapsed / length))
        p.expected = p.goal * fraction
        if finished:
            p.forecast = total
        elif elapsed > 0:
            p.forecast = total / elapsed * length
        p.status = judge(direction=target.direction, actual=total, goal=p.goal, expected=p.expected, forecast=p.forecast,
                         start=0.0, finished=finished, cap=target.direction == Direction.AT_MOST)
        return p

    window = baseline_window(target)
    period = parse_period(target.baseline_period)
    measures = reading.measures(period.kind if period else None, window)
    if target.baseline_value is not None:
        p.baseline = float(target.baseline_value)
        p.baseline_date = period.end if period else target.period_start - dt.timedelta(days=1)
    else:
        p.baseline, p.baseline_date = _baseline_from(reading, target)
        p.baseline_computed = p.baseline is not None
    p.goal = _goal(target, p.baseline)
    latest = _latest(measures, as_of)
    if latest is not None:
        p.actual_date, p.actual = latest
    shown_from = min(p.baseline_date or target.period_start, target.period_start)
    shown_from = dt.date(shown_from.year - 1, shown_from.month, 1)
    p.points = [(d, v) for d, v in measures if shown_from <= d <= as_of]
    if p.actual is None:
        p.reason = str(_("De run heeft geen waarde voor deze figuur in deze periode."))
        return p
    if p.goal is None:
        p.reason = str(_("De basiswaarde ontbreekt: er zijn geen cijfers voor de basisperiode."))
        return p
    if p.baseline is not None and p.baseline_date is not None:
        if as_of <= p.baseline_date:
            p.expected = p.baseline
        else:
            span = (target.period_end - p.baseline_date).days
            fraction = 1.0 if span <= 0 else min(1.0, (as_of - p.baseline_date).days / span)
            p.expected = p.baseline + (p.goal - p.baseline) * fraction
    if finished:
        p.forecast = p.actual
    else:
        modelled = _modelled(target, run)
        p.forecast_modelled = modelled is not None
        p.forecast = modelled if modelled is not None else _trend([(d, v) for d, v in measures if d <= as_of], target.period_end)
    p.status = judge(direction=target.direction, actual=p.actual, goal=p.goal, expected=p.expected, forecast=p.forecast,
                     start=p.baseline, finished=finished)
    return p


# ------------------------------------------------------------------------------------------------ display
def format_value(value: float | None, metric: Metric | None) -> str:
    if value is None:
        return "–"
    unit = metric.unit if metric else "count"
    if unit == "share":
        return f"{100 * value:.1f}%".replace(".", ",")
    if unit == "euro":
        return "€ " + f"{round(value):,}".replace(",", ".")
    if unit == "per_1000":
        return f"{value:.2f}".replace(".", ",")
    rounded = round(value, 1)
    if float(rounded).is_integer():
        return f"{int(rounded):,}".replace(",", ".")
    return f"{rounded:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")


def display_cell(value: float | None, metric: Metric | None, *, suppress: bool, modelled: bool = False) -> Cell:
    """A number ready to show. A measured count of children (actual, a baseline computed from the data) passes
    core.publication for viewers without case access; a modelled value (expected by now, forecast) is no count of
    children: it is rounded as the metric is (whole children) and never shown as "≤5"."""
    if value is None:
        return Cell(None, "–")
    if metric is not None and metric.counts_children:
        if not modelled:
            return publication.count(value, exact=not suppress)
        return Cell(round(value), format_value(round(value), metric))
    return Cell(value, format_value(value, metric))


def _expected_cell(progress: Progress, baseline: Cell, *, suppress: bool) -> Cell:
    """Expected by now, for a viewer without case access computed from the published baseline (a computed baseline
    is a count: the exact one could be solved back from an exact expected value); a hidden baseline gives a range."""
    metric, expected, goal = progress.metric, progress.expected, progress.goal
    if not (suppress and metric is not None and metric.counts_children and progress.baseline_computed) or expected is None or goal is None:
        return display_cell(expected, metric, suppress=suppress, modelled=True)
    base = progress.baseline
    fraction = 0.0 if abs(goal - base) < EPS else (expected - base) / (goal - base)
    if baseline.value is not None:
        return display_cell(baseline.value + (goal - baseline.value) * fraction, metric, suppress=suppress, modelled=True)
    ends = sorted(b + (goal - b) * fraction for b in (0, publication.threshold()))
    low, high = round(ends[0]), round(ends[1])
    return Cell(None, format_value(low, metric) if low == high else f"{format_value(low, metric)}–{format_value(high, metric)}")


def _shown_goal(progress: Progress, baseline: Cell, *, suppress: bool) -> float | None:
    """The goal as shown. A change target on a computed count, for a viewer without case access, is taken from the
    published baseline: from the exact goal (baseline × 0.9 = 469,8) the exact baseline (522) would be solved back.
    The status is judged on the exact goal."""
    t, metric = progress.target, progress.metric
    if (progress.goal is None or not suppress or metric is None or not metric.counts_children or not progress.baseline_computed
            or t.kind not in (TargetKind.CHANGE_ABS, TargetKind.CHANGE_PCT) or baseline.value is None):
        return progress.goal
    return _goal(t, float(baseline.value))


def goal_text(target: Target, metric: Metric | None) -> str:
    sign = "≥" if target.direction == Direction.AT_LEAST else "≤"
    v = target.target_value
    if target.kind == TargetKind.VALUE and metric is not None and metric.unit == "days":
        # a stay duration as the region's documents state it: "10 maanden"
        return str(_("%(sign)s %(days)s dagen (%(months)s maanden)")) % {
            "sign": sign, "days": format_value(v, metric), "months": formatting.months_of_days(v)}
    if target.kind == TargetKind.VALUE:
        return f"{sign} {format_value(v, metric)}"
    if target.kind == TargetKind.ACCUMULATE:
        return str(_("%(sign)s %(value)s opgeteld in de periode")) % {"sign": sign, "value": format_value(v, metric)}
    number = f"{v:+g}".replace(".", ",").replace("-", "−")
    if target.kind == TargetKind.CHANGE_PCT:
        number += "%"
    base = target.baseline_period or str(_("basis"))
    return str(_("%(change)s t.o.v. %(base)s")) % {"change": number, "base": base}


def card(progress: Progress, *, suppress: bool) -> dict:
    """Everything the targets page shows of one target, suppressed for the viewer."""
    t, metric = progress.target, progress.metric
    cells = {
        # an entered baseline is the team's own number; a computed one is a count of children
        "baseline": display_cell(progress.baseline, metric, suppress=suppress and progress.baseline_computed),
        "actual": display_cell(progress.actual, metric, suppress=suppress),
        "forecast": (display_cell(progress.forecast, metric, suppress=suppress) if progress.finished  # the actual value
                     # a forecast model's stock is published as a count, as on the forecast page; the trend is no count
                     else display_cell(progress.forecast, metric, suppress=suppress, modelled=not progress.forecast_modelled)),
    }
    small = progress.small if suppress else set()
    hidden = Cell(None, publication.label(), True)
    if progress.actual_date in small:  # a duration of k stays or fewer, say: hidden with its cohort
        cells["actual"] = hidden
        if progress.finished:
            cells["forecast"] = hidden
    if progress.baseline_computed and progress.baseline_date in small:
        cells["baseline"] = hidden
    cells["expected"] = _expected_cell(progress, cells["baseline"], suppress=suppress)
    if cells["baseline"].suppressed and cells["expected"].value is not None and metric is not None and not metric.counts_children:
        cells["expected"] = hidden  # the line from a hidden baseline would show it
    goal = _shown_goal(progress, cells["baseline"], suppress=suppress)
    cells["goal"] = Cell(goal, format_value(goal, metric)) if goal is not None else Cell(None, "–")
    baseline_hidden = cells["baseline"].suppressed
    if baseline_hidden and t.kind in (TargetKind.CHANGE_ABS, TargetKind.CHANGE_PCT) and progress.goal is not None:
        cells["goal"] = Cell(None, publication.label(), True)  # baseline ± change would reveal the baseline
    return {
        "target": t,
        "metric": metric,
        "progress": progress,
        "scope": scope_label(t),
        "group": group_label(t.group),
        "band": band_label(t.band),
        "goal_text": goal_text(t, metric),
        "cells": cells,
        "suppressed": any(c.suppressed for c in cells.values()),
        "figure": figure(progress, suppress=suppress, hide_line=baseline_hidden, goal=goal) if progress.has_numbers else None,
        "figure_id": f"target-figure-{t.pk}",
    }


def figure(progress: Progress, *, suppress: bool, hide_line: bool = False, goal: float | None = None) -> dict:
    """A small Plotly figure: the measured series, the straight target line (to `goal`, the goal as shown; by
    default the exact one) and the forecast."""
    t, metric = progress.target, progress.metric
    goal = progress.goal if goal is None else goal
    protect = bool(suppress and metric and metric.counts_children)

    def y(v):  # a measured count as published (None when hidden: a gap)
        if v is None:
            return None
        return publication.count(v).value if protect else round(v, 4)

    accumulate = t.kind == TargetKind.ACCUMULATE
    data = [{
        "type": "scatter", "mode": "lines+markers" if len(progress.points) <= 24 else "lines",
        "name": str(_("Opgeteld") if accumulate else _("Werkelijk")),
        "x": [d.isoformat() for d, _v in progress.points],
        "y": [None if suppress and d in progress.small else y(v) for d, v in progress.points],
        "line": {"color": "#2b6a4f", "width": 2}, "marker": {"size": 4}, "connectgaps": False,
        "hovertemplate": "%{x|%b %Y}: %{y}<extra></extra>",
    }]
    if not hide_line and goal is not None:
        if accumulate:
            start = (t.period_start, 0.0)
        elif progress.baseline is not None and progress.baseline_date is not None:
            start = (progress.baseline_date, y(progress.baseline) if progress.baseline_computed else progress.baseline)
        else:
            start = None
        line = [start, (t.period_end, goal)] if start else [(t.period_end, goal)]
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": str(_("Doellijn")),
            "x": [d.isoformat() for d, _v in line], "y": [None if v is None else round(v, 4) for _d, v in line],  # hidden above when it reveals a count
            "line": {"color": "#c0392b", "dash": "dash", "width": 1.5}, "marker": {"size": 6, "symbol": "diamond"},
            "hovertemplate": "%{x|%d-%m-%Y}: %{y}<extra></extra>",
        })
    actual_hidden = suppress and progress.actual_date in progress.small
    if not progress.finished and progress.forecast is not None and progress.actual is not None and progress.as_of and not actual_hidden:
        fc = [(progress.actual_date or progress.as_of, progress.actual), (t.period_end, progress.forecast)]
        data.append({
            "type": "scatter", "mode": "lines", "name": str(_("Prognose")),
            "x": [d.isoformat() for d, _v in fc],
            "y": [y(fc[0][1]), None if fc[1][1] is None else (y(fc[1][1]) if progress.forecast_modelled else round(fc[1][1]) if protect
                                                               else round(fc[1][1], 4))],
            "line": {"color": "#7f8c8d", "dash": "dot", "width": 1.5},
            "hovertemplate": "%{x|%d-%m-%Y}: %{y:.1f}<extra></extra>",
        })
    layout = {
        "height": 190, "margin": {"l": 40, "r": 10, "t": 8, "b": 28},
        "showlegend": False, "hovermode": "closest",
        "xaxis": {"type": "date", "fixedrange": True, **_date_ticks(data)},
        "yaxis": {"rangemode": "tozero", "fixedrange": True, "tickformat": ".0%" if metric and metric.unit == "share" else ",~f"},
        "separators": ",.",  # Dutch: "1.500", "2,5"
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"size": 11},
    }
    return {"data": data, "layout": layout}


def _date_ticks(data: list[dict]) -> dict:
    """Year ticks for long charts, half-year ticks ("jan 2020") for short ones, never a year twice."""
    days = [dt.date.fromisoformat(x) for trace in data for x in trace["x"]]
    if not days:
        return {}
    months = (max(days).year - min(days).year) * 12 + max(days).month - min(days).month
    if months <= 36:
        return {"dtick": "M6", "tickformat": "%b %Y"}
    return {"dtick": "M12" if months <= 96 else "M24", "tickformat": "%Y"}


def summary(cards: list[dict]) -> list[dict]:
    counts = {s: 0 for s in STATUS_ORDER}
    for c in cards:
        counts[c["progress"].status] += 1
    return [{"status": s, "label": str(STATUS_LABELS[s]), "badge": STATUS_BADGES[s], "count": counts[s]} for s in STATUS_ORDER if counts[s]]
