"""Target progress (monitoring/targets.py) on hand-made figure series: every kind, every status, the
computed baseline, and the Nijmegen-style percentage targets. Expectations are computed by hand in the
comments; runs and series are built directly, so nothing here depends on the engine."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from core.periods import parse_period
from demo.targets import DEMO_TARGETS, ensure_demo_targets
from monitoring.models import FigureSeries, SnapshotRun, Target
from monitoring.targets.progress import Status, computed_baseline, target_progress


def month_end(label: str) -> dt.date:
    return parse_period(label).end


def make_run(last_month: str, first_month: str = "2017-01") -> SnapshotRun:
    return SnapshotRun.objects.create(status="done", data_date=month_end(last_month), first_month=first_month, last_month=last_month)


def put(run, values, *, metric="stock", group="residential", band="all", scope="Food Valley", level="region"):
    return FigureSeries.objects.create(run=run, level=level, scope=scope, group=group, band=band, metric=metric, values=values)


def months(first: str, values: list[float]) -> dict[str, float]:
    """{month: value} for consecutive months from `first`."""
    y, m = int(first[:4]), int(first[5:])
    out = {}
    for v in values:
        out[f"{y:04d}-{m:02d}"] = v
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@pytest.fixture
def make_target(foodvalley):
    def make(**kw) -> Target:
        fields = {
            "name": "Doel", "metric": "stock", "region": foodvalley, "group": "residential", "band": "all",
            "period_start": dt.date(2020, 1, 1), "period_end": dt.date(2020, 12, 31), "kind": "value",
            "target_value": 0, "direction": "at_most",
        }
        fields.update(kw)
        return Target.objects.create(**fields)

    return make


# ------------------------------------------------------------------------------------------------ Nijmegen
def test_nijmegen_percentage_targets_are_expressible_and_judged_at_period_end(make_target):
    """Seed 004: residential volume -6%, foster care +11%, family homes +3% in 2021 vs 2017."""
    run = make_run("2021-12")
    # November 2017 is deliberately different: the year's baseline is the December (peildatum) value.
    put(run, {"2017-11": 260, "2017-12": 250, "2021-12": 235}, group="residential")
    put(run, {"2017-12": 300, "2021-12": 333}, group="PLZ")
    put(run, {"2017-12": 50, "2021-12": 51}, group="GZH")
    period = {"period_start": dt.date(2018, 1, 1), "period_end": dt.date(2021, 12, 31), "kind": "change_pct", "baseline_period": "2017"}

    residential = target_progress(make_target(name="res", target_value=-6, direction="at_most", **period), run)
    assert residential.baseline == 250 and residential.baseline_computed
    assert residential.goal == pytest.approx(235.0)  # 250 × 0.94
    assert residential.actual == 235
    assert residential.status == Status.ACHIEVED  # 235 ≤ 235

    foster = target_progress(make_target(name="plz", group="PLZ", target_value=11, direction="at_least", **period), run)
    assert foster.goal == pytest.approx(333.0)  # 300 × 1.11
    assert foster.status == Status.ACHIEVED  # 333 ≥ 333
    assert foster.finished and foster.forecast == 333  # a finished period's forecast is its final value

    homes = target_progress(make_target(name="gzh", group="GZH", target_value=3, direction="at_least", **period), run)
    assert homes.goal == pytest.approx(51.5)  # 50 × 1.03
    assert homes.status == Status.NOT_ACHIEVED  # 51 < 51.5 at period end


def test_a_running_percentage_target_follows_the_straight_line_from_the_baseline(make_target):
    run = make_run("2019-12")
    put(run, {"2017-12": 200, "2019-12": 194})
    t = make_target(kind="change_pct", target_value=-6, baseline_period="2017", period_start=dt.date(2018, 1, 1),
                    period_end=dt.date(2021, 12, 31))
    p = target_progress(t, run)
    # goal 188; 730 of the 1461 days from 31-12-2017 to 31-12-2021 have passed: 200 − 12 × 730/1461
    assert p.goal == pytest.approx(188.0)
    assert p.expected == pytest.approx(200 - 12 * 730 / 1461)  # 194.0041
    assert p.actual == 194
    assert p.status == Status.ON_TRACK  # 194 ≤ 194.004
    assert not p.finished


# ------------------------------------------------------------------------------------------------ kinds
def test_change_abs_five_fewer_under_twelves_than_in_2019(make_target):
    """Seed 000: 5 fewer under-12s in residential care than in 2019 (December against December)."""
    run = make_run("2020-12")
    put(run, {"2019-12": 28, "2020-06": 25, "2020-12": 23}, band="0-11")
    t = make_target(kind="change_abs", target_value=-5, baseline_period="2019", band="0-11")
    p = target_progress(t, run)
    assert (p.baseline, p.goal, p.actual) == (28, 23, 23)
    assert p.status == Status.ACHIEVED
    FigureSeries.objects.filter(run=run).update(values={"2019-12": 28, "2020-12": 35})
    assert target_progress(t, run).status == Status.NOT_ACHIEVED  # the period has ended


def test_value_target_uses_the_latest_value_at_or_before_the_period_end(make_target):
    run = make_run("2021-06")
    put(run, {"2020-11": 12, "2020-12": 9, "2021-06": 3})
    t = make_target(kind="value", target_value=10, direction="at_most")
    p = target_progress(t, run)
    assert p.actual == 9 and p.actual_date == dt.date(2020, 12, 31)  # not June 2021: after the period
    assert p.status == Status.ACHIEVED


def test_accumulate_sums_the_months_of_the_period_and_extrapolates_the_rate(make_target):
    run = make_run("2020-06", first_month="2019-01")
    # December 2019 lies before the period; March is missing and counts 0.
    put(run, {"2019-12": 7, "2020-01": 2, "2020-02": 3, "2020-04": 5, "2020-05": 4, "2020-06": 1}, metric="step_downs", group="all")
    t = make_target(metric="step_downs", group="all", kind="accumulate", target_value=20, direction="at_least")
    p = target_progress(t, run)
    assert p.actual == 15  # 2 + 3 + 0 + 5 + 4 + 1
    # 1 Jan – 30 Jun 2020 is 182 of the year's 366 days
    assert p.expected == pytest.approx(20 * 182 / 366)  # 9.95
    assert p.forecast == pytest.approx(15 / 182 * 366)  # 30.16
    assert p.status == Status.ON_TRACK
    assert [v for _d, v in p.points] == [0, 2, 5, 5, 10, 14, 15]  # cumulative, from 0 at the start


def test_accumulate_reached_is_achieved_and_a_cap_is_only_achieved_at_the_end(make_target):
    run = make_run("2020-06", first_month="2019-01")
    put(run, months("2020-01", [4, 4, 4, 4, 4, 1]), metric="escalations", group="all")
    at_least = make_target(name="a", metric="escalations", group="all", kind="accumulate", target_value=20, direction="at_least")
    assert target_progress(at_least, run).status == Status.ACHIEVED  # 21 ≥ 20 already in June
    cap = make_target(name="b", metric="escalations", group="all", kind="accumulate", target_value=30, direction="at_most")
    p = target_progress(cap, run)
    # 21 > expected 30 × 182/366 = 14.9 and the forecast 21/182 × 366 = 42.2 passes the cap: off track
    assert p.status == Status.OFF_TRACK
    cap.target_value = 50  # expected 24.9: 21 is below it, but a cap is never achieved before the end
    cap.save()
    assert target_progress(cap, run).status == Status.ON_TRACK
    cap.target_value = 20  # already passed
    cap.save()
    assert target_progress(cap, run).status == Status.OFF_TRACK


# ------------------------------------------------------------------------------------------------ statuses
@pytest.fixture
def value_target(make_target):
    """Baseline 100 in December 2019, at most 70 on 31-12-2021; run up to December 2020.
    Expected by now: 100 − 30 × 366/731 = 84.98; 10% of the gap is 3."""
    return make_target(kind="value", target_value=70, direction="at_most", baseline_period="2019",
                       period_start=dt.date(2020, 1, 1), period_end=dt.date(2021, 12, 31))


def _status_with(value_target, values_2020: list[float]):
    run = make_run("2020-12")
    put(run, {"2019-12": 100, **months("2020-01", values_2020)})
    return target_progress(value_target, run)


def test_status_on_track(value_target):
    p = _status_with(value_target, [84] * 12)
    assert p.expected == pytest.approx(100 - 30 * 366 / 731)
    assert p.status == Status.ON_TRACK  # 84 ≤ 84.98


def test_status_at_risk_because_the_forecast_reaches_the_goal(value_target):
    p = _status_with(value_target, [112 - 2 * i for i in range(12)])  # 112 … 90, falling ~2 a month
    assert p.actual == 90  # worse than 84.98 by more than 3
    assert p.forecast == pytest.approx(66, abs=1.0)  # 12 more months at −2: about 66 ≤ 70
    assert p.status == Status.AT_RISK


def test_status_at_risk_within_ten_percent_of_the_gap(value_target):
    p = _status_with(value_target, [87] * 12)  # flat: forecast 87 misses, but 87 − 84.98 = 2.02 ≤ 3
    assert p.forecast == pytest.approx(87)
    assert p.status == Status.AT_RISK


def test_status_off_track(value_target):
    p = _status_with(value_target, [95] * 12)  # 10.02 behind and flat
    assert p.status == Status.OFF_TRACK


def test_status_achieved_while_running(value_target):
    p = _status_with(value_target, [69] * 12)
    assert p.status == Status.ACHIEVED


def test_a_metric_not_yet_measured_shows_no_numbers(make_target, monkeypatch):
    from monitoring import registry

    later = registry.Metric("later_figure", "Later", "Nog niet gemeten.", registry.Kind.FLOW, registry.Aggregation.SUM, available=False)
    monkeypatch.setitem(registry.REGISTRY, later.key, later)
    run = make_run("2020-12")
    put(run, months("2020-01", [5] * 12), metric="later_figure", group="all")  # even if a series existed
    t = make_target(metric="later_figure", group="all", kind="accumulate", target_value=20, direction="at_least")
    p = target_progress(t, run)
    assert p.status == Status.NOT_MEASURED
    assert p.status_label == "nog niet gemeten"
    assert (p.actual, p.expected, p.forecast, p.goal) == (None, None, None, None)
    assert not p.has_numbers


def test_no_run_yet_gives_no_figures(make_target):
    p = target_progress(make_target(), None)
    assert p.status == Status.NO_DATA and p.status_label == "nog geen cijfers" and p.actual is None
    pending = SnapshotRun.objects.create(status="running", data_date=dt.date(2020, 12, 31), last_month="2020-12")
    assert target_progress(make_target(name="b"), pending).status == Status.NO_DATA


def test_a_change_without_data_for_its_baseline_has_no_figures(make_target):
    run = make_run("2020-12", first_month="2019-01")
    put(run, {"2020-12": 5})
    t = make_target(kind="change_pct", target_value=-6, baseline_period="2015")
    p = target_progress(t, run)
    assert p.status == Status.NO_DATA and p.goal is None


def test_a_scope_the_run_did_not_compute_has_no_figures(make_target, foodvalley):
    run = make_run("2020-12")
    put(run, {"2020-12": 5})  # Food Valley only
    other = make_target(region=None, municipality=foodvalley.municipalities.get(cbs_code="GM0345"))
    p = target_progress(other, run)
    assert p.status == Status.NO_DATA and "Veenendaal" in p.reason  # not "0 children, achieved"


# ------------------------------------------------------------------------------------------------ baseline
def test_computed_baseline_rules(make_target):
    run = make_run("2020-12", first_month="2019-01")
    put(run, months("2019-01", [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]), metric="stock")
    # entries: 2019 has every month 2 except August (missing: 0)
    entries = {k: 2 for k in months("2019-01", [0] * 12) if k != "2019-08"}
    put(run, entries, metric="entries")
    put(run, {"2019": 410, "2019-Q4": 380, "2020": 300}, metric="los_median", group="stay")

    stock_year = make_target(name="a", baseline_period="2019")
    assert computed_baseline(stock_year, run) == (21, dt.date(2019, 12, 31))  # December, the peildatum
    stock_q3 = make_target(name="b", baseline_period="2019-Q3")
    assert computed_baseline(stock_q3, run) == (18, dt.date(2019, 9, 30))  # September
    flow_year = make_target(name="c", metric="entries", baseline_period="2019")
    assert computed_baseline(flow_year, run) == (22, dt.date(2019, 12, 31))  # 11 months × 2 + August 0
    flow_q4 = make_target(name="d", metric="entries", baseline_period="2019-Q4")
    assert computed_baseline(flow_q4, run)[0] == 6
    cohort = make_target(name="e", metric="los_median", group="stay", baseline_period="2019")
    assert computed_baseline(cohort, run)[0] == 410  # the stored yearly value
    outside = make_target(name="f", baseline_period="2018")
    assert computed_baseline(outside, run)[0] is None  # before the run's first month


def test_an_entered_baseline_wins_and_a_flow_compares_twelve_months_with_a_year(make_target):
    run = make_run("2020-06", first_month="2019-01")
    put(run, {**months("2019-01", [3] * 12), **months("2020-01", [1] * 6)}, metric="entries")
    t = make_target(metric="entries", kind="change_pct", target_value=-50, direction="at_most", baseline_period="2019")
    p = target_progress(t, run)
    assert p.baseline == 36 and p.goal == 18  # 12 × 3, halved
    assert p.actual == 24  # the twelve months up to June 2020: 6 × 3 + 6 × 1
    t.baseline_value = 40
    t.save()
    p = target_progress(t, run)
    assert p.baseline == 40 and not p.baseline_computed and p.goal == 20


def test_a_value_target_without_baseline_period_starts_from_the_month_before_the_period(make_target):
    run = make_run("2020-06", first_month="2019-12")
    put(run, months("2019-12", [41, 40, 39, 38, 37, 36, 35]))  # falling 1 a month
    t = make_target(kind="value", target_value=28, direction="at_most")  # 41 → 28 over 2020
    p = target_progress(t, run)
    assert p.baseline == 41 and p.baseline_date == dt.date(2019, 12, 31)
    assert p.expected == pytest.approx(41 - 13 * 182 / 366)  # 34.54
    assert p.forecast == pytest.approx(29, abs=0.3)  # six more months at −1 from 35: 29 > 28, misses
    assert p.status == Status.AT_RISK  # 35 is 0.46 behind, within 10% of the gap of 13 (1.3)


# ------------------------------------------------------------------------------------------------ demo
def test_demo_targets_are_idempotent_and_cite_their_source(foodvalley):
    assert ensure_demo_targets() == (len(DEMO_TARGETS), 0)
    assert ensure_demo_targets() == (0, 0)
    call_command("demo_targets")
    assert Target.objects.count() == len(DEMO_TARGETS) == 23
    assert all(t.source.startswith(("Seed 000", "Seed 001", "Seed 003", "Seed 004")) for t in Target.objects.all())
    zero = Target.objects.get(metric="stock", kind="value", target_value=0, group="residential")
    assert zero.direction == "at_most" and zero.period_end == dt.date(2030, 12, 31)
    # an administrator's edit survives a second run; --update resets it
    zero.period_end = dt.date(2028, 12, 31)
    zero.save()
    call_command("demo_targets")
    assert Target.objects.get(pk=zero.pk).period_end == dt.date(2028, 12, 31)
    call_command("demo_targets", "--update")
    assert Target.objects.get(pk=zero.pk).period_end == dt.date(2030, 12, 31)


def test_demo_targets_on_hand_made_figures(foodvalley):
    ensure_demo_targets()
    run = make_run("2021-12")
    put(run, {"2017-12": 234, "2021-12": 198}, group="residential")
    put(run, {"2019-12": 28, "2020-12": 35}, group="residential", band="0-11")
    put(run, {"2017-12": 298, "2021-12": 306}, metric="foster_children", group="all")
    put(run, {"2017-12": 67, "2021-12": 76}, group="GZH")
    put(run, months("2020-01", [1] * 12), metric="breakdowns_prevented", group="all")
    status = {t.name: target_progress(t, run).status for t in Target.objects.all()}
    assert status["Residentiële zorg −6% t.o.v. 2017 (eind 2021)"] == Status.ACHIEVED  # 198 ≤ 219.96
    assert status["Pleegzorg +11% t.o.v. 2017 (eind 2021)"] == Status.NOT_ACHIEVED  # 306 < 330.78
    assert status["Gezinshuizen +3% t.o.v. 2017 (eind 2021)"] == Status.ACHIEVED  # 76 ≥ 69.01
    assert status["5 kinderen onder 12 minder in residentiële hulp dan in 2019"] == Status.NOT_ACHIEVED  # 35 > 23
    assert status["15 breakdowns in de pleegzorg voorkomen (2020)"] == Status.NOT_ACHIEVED  # 12 < 15 at the period end
    assert sum(s == Status.NOT_MEASURED for s in status.values()) == 0  # casework and foster care are measured
    # the zero ambition: baseline December 2021 = 198, run ends there: expected = baseline, not yet started
    zero = target_progress(Target.objects.get(target_value=0, kind="value", group="residential"), run)
    assert zero.baseline == 198 and zero.expected == 198 and zero.status == Status.ON_TRACK


def test_the_other_demo_targets_of_the_documents_on_hand_made_figures(foodvalley):
    """Issue 17's targets: places in foster families and family homes against 2017, prospects recruited over three
    years, prospects per match, prevented placements in 2020, zero stay and zero closed care."""
    ensure_demo_targets()
    run = make_run("2024-06", first_month="2017-01")
    put(run, {"2017-12": 175, "2020-12": 190}, metric="foster_places", group="pleeggezin")
    put(run, {"2017-12": 50, "2020-12": 53}, metric="foster_places", group="gezinshuis")
    # 180 over 2018-2020; 2021's 600 lie after the period and do not count
    put(run, months("2018-01", [5] * 36 + [50] * 12), metric="recruitment", group="informatieavond")
    put(run, {"2018": 9.0, "2019": 8.5, "2020": 7.5}, metric="prospects_per_match", group="all")
    put(run, months("2020-01", [4] * 12), metric="placements_prevented", group="all")  # 48 < 50
    put(run, {"2021-12": 400, "2024-06": 380}, group="stay")
    put(run, {"2023-12": 12, "2024-06": 12}, group="JZP")
    progress = {t.name: target_progress(t, run) for t in Target.objects.all()}
    places = progress["20 plaatsen pleegzorg erbij t.o.v. 2017 (eind 2020)"]
    assert (places.baseline, places.goal, places.actual, places.status) == (175, 195, 190, Status.NOT_ACHIEVED)
    homes = progress["2 plaatsen gezinshuis erbij t.o.v. 2017 (eind 2020)"]
    assert (homes.goal, homes.actual, homes.status) == (52, 53, Status.ACHIEVED)
    recruited = progress["160 aspirant-pleegouders werven (2018–2020)"]
    assert (recruited.actual, recruited.status) == (180, Status.ACHIEVED)
    per_match = progress["Hooguit 8 aspiranten per match (2018–2020)"]
    assert (per_match.actual, per_match.status) == (7.5, Status.ACHIEVED)
    prevented = progress["50 kinderen minder uit huis geplaatst (2020)"]
    assert (prevented.actual, prevented.status) == (48, Status.NOT_ACHIEVED)
    stay = progress["Nul uithuisplaatsingen (alle verblijf)"]
    assert stay.baseline == 400 and stay.actual == 380 and stay.goal == 0
    closed = progress["Nul gesloten plaatsingen"]
    # a straight line from 12 (December 2023) to 0 at the end of 2030: half a year in, 12 is behind the line
    assert closed.baseline == 12 and closed.actual == 12 and closed.expected < 12 and closed.status in (Status.AT_RISK, Status.OFF_TRACK)


def test_a_duration_goal_reads_in_days_and_months():
    from monitoring import registry
    from monitoring.models import Direction, Target, TargetKind
    from monitoring.targets.progress import goal_text

    target = Target(metric="los_median", kind=TargetKind.VALUE, target_value=304, direction=Direction.AT_MOST)
    assert goal_text(target, registry.get("los_median")) == "≤ 304 dagen (10,0 maanden)"
    count = Target(metric="stock", kind=TargetKind.VALUE, target_value=0, direction=Direction.AT_MOST)
    assert goal_text(count, registry.get("stock")) == "≤ 0"


def test_a_duration_of_a_small_cohort_is_hidden_with_it_on_the_targets_page(make_target):
    """A stay duration rests on its cohort: 4 stays in 2025 (≤5) hide the 2025 median for a viewer of protected
    figures — value, chart point and forecast — while 2024's median of 40 stays stays visible."""
    from monitoring.targets.progress import card

    run = make_run("2025-12", first_month="2023-01")
    put(run, {"2024": 300.0, "2025": 280.0}, metric="los_median", group="tg_JLVB")
    put(run, {"2024": 40, "2025": 4}, metric="cohort_size", group="tg_JLVB")
    target = make_target(metric="los_median", group="tg_JLVB", kind="value", target_value=304, direction="at_most",
                         period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31))
    progress = target_progress(target, run)
    assert progress.actual == 280.0
    protected = card(progress, suppress=True)
    assert protected["cells"]["actual"].suppressed and protected["cells"]["actual"].text == "≤5"
    assert "280" not in str(protected["figure"]) and "300" in str(protected["figure"])
    assert card(progress, suppress=False)["cells"]["actual"].text == "280"
    # a baseline on the small year is hidden too, with the expected value drawn from it
    change = make_target(metric="los_median", group="tg_JLVB", kind="change_pct", target_value=-10, baseline_period="2025",
                         period_start=dt.date(2025, 1, 1), period_end=dt.date(2026, 12, 31))
    cells = card(target_progress(change, run), suppress=True)["cells"]
    assert cells["baseline"].suppressed and cells["goal"].suppressed
