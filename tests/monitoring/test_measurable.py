"""Figures that are not measurable yet (issue 14, part 2): the rule written once in monitoring.registry, applied where a
run stores its series, and what pages, the PDF and targets make of it. Hand-computed dates."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from casework.templatetags.casework_figures import casework_figures
from monitoring import registry
from monitoring.models import FigureSeries, RunStatus, SnapshotRun
from monitoring.runs.writer import SeriesWriter
from reports import content

D = dt.date


def test_a_window_that_closes_on_the_data_date_is_closed():
    # exit cohort 2025: 31-12-2025 + 365 days = 31-12-2026
    assert registry.measurable_from("reentry_within_12m", "2025") == D(2026, 12, 31)
    assert registry.is_measurable("reentry_within_12m", "2025", D(2026, 12, 31))
    assert not registry.is_measurable("reentry_within_12m", "2025", D(2026, 12, 30))
    # a quarter: 30-09-2026 + 183 days = 01-04-2027; a month of closing: 31-05-2026 + 183 = 30-11-2026
    assert registry.measurable_from("prevented_6m", "2026-Q3") == D(2027, 4, 1)
    assert registry.measurable_from("placements_prevented", "2026-05") == D(2026, 11, 30)
    # no new start: the half-year after 2025-H2 ends on 30-06-2026
    assert registry.measurable_from("no_new_start", "2025-H2") == D(2026, 6, 30)
    # a share's denominator follows its share; a figure without a window is always measurable
    assert registry.measurable_from("prevented_6m_n", "2026-Q3") == D(2027, 4, 1)
    assert registry.measurable_from("stock", "2026-11") is None and registry.is_measurable("stock", "2026-11", None)


def test_the_last_measurable_day_per_window():
    assert registry.measured_until("placements_prevented", D(2026, 11, 30)) == D(2026, 5, 31)
    assert registry.measured_until("no_new_start", D(2026, 11, 30)) == D(2025, 12, 31)
    assert registry.measured_until("no_new_start", D(2026, 6, 30)) == D(2025, 12, 31)
    assert registry.measured_until("stock", D(2026, 11, 30)) == D(2026, 11, 30)


@pytest.mark.django_db
def test_a_run_stores_no_value_for_a_period_whose_window_is_open():
    run = SnapshotRun.objects.create(status=RunStatus.RUNNING, data_date=D(2026, 12, 31), first_month="2024-01", last_month="2026-12")
    writer = SeriesWriter(run, "episodes")
    writer.add([
        ("region", "Food Valley", "stay", "all", "reentry_within_12m", {"2025": 0.2, "2025-Q4": 0.25, "2026-Q1": 0.0, "2026": 0.0}),
        ("region", "Food Valley", "stay", "all", "stock", {"2026-12": 7}),
    ])
    writer.flush()
    stored = {s.metric: s.values for s in FigureSeries.objects.filter(run=run)}
    assert stored["reentry_within_12m"] == {"2025": 0.2, "2025-Q4": 0.25}  # 2025-Q4 closes on 31-12-2026: kept
    assert stored["stock"] == {"2026-12": 7}


@pytest.fixture
def run_nov(foodvalley):
    return SnapshotRun.objects.create(status=RunStatus.DONE, data_date=D(2026, 11, 30), first_month="2024-01", last_month="2026-11")


def _add(run, scope, metric, values):
    FigureSeries.objects.create(run=run, level="region", scope=scope, group="all", band="all", metric=metric, values=values, part="casework")


def test_the_year_to_date_counts_only_measurable_months_and_says_from_when_the_rest_is(run_nov, foodvalley):
    # placements prevented: the run stored January–May 2026 (May closes on 30-11-2026, the data date)
    _add(run_nov, foodvalley.name, "placements_prevented", {"2026-01": 3, "2026-03": 4, "2026-05": 1})
    dash = SimpleNamespace(run=run_nov, month="2026-11", scope=SimpleNamespace(key=foodvalley.name, label=foodvalley.name), exact=True)
    row = {r["key"]: r for r in casework_figures(dash)["rows"]}["placements_prevented"]
    assert (row["text"], row["period"]) == ("8", "jan–mei 2026")
    assert row["not_measurable"] == "jun 2026 nog niet meetbaar (vanaf 30-12-2026)"  # 30-06-2026 + 183 days


def test_a_yearly_tile_is_never_later_than_the_chosen_month(run_nov, foodvalley):
    _add(run_nov, foodvalley.name, "residential_checklists_share", {"2024": 0.5, "2025": 0.6, "2026": 0.7})
    _add(run_nov, foodvalley.name, "residential_checklists_share_n", {"2024": 40, "2025": 40, "2026": 40})
    rows = lambda month: {r["key"]: r for r in casework_figures(SimpleNamespace(  # noqa: E731
        run=run_nov, month=month, scope=SimpleNamespace(key=foodvalley.name, label=foodvalley.name), exact=True))["rows"]}
    assert (rows("2025-06")["residential_checklists_share"]["period"], rows("2025-06")["residential_checklists_share"]["text"]) == ("2024", "50%")
    assert rows("2025-12")["residential_checklists_share"]["period"] == "2025"
    assert rows("2026-11")["residential_checklists_share"]["period"] == "2026"  # the run's last month: the year so far


def test_the_report_says_not_measurable_instead_of_zero(run_nov, foodvalley):
    _add(run_nov, foodvalley.name, "placements_prevented", {"2026-01": 3, "2026-03": 4, "2026-05": 1})
    rows = {r.key: r for r in content._source_rows(run_nov, content.report_scope(region=foodvalley), "2026-Q3", "2026-Q2", "2025-Q3", 5)}
    row = rows["placements_prevented"]
    assert row.now.value is None and row.now.text == "nog niet meetbaar (vanaf 01-04-2027)"  # 30-09-2026 + 183 days
    assert row.prev_q.text == "nog niet meetbaar (vanaf 30-12-2026)"  # Q2: June's window closes on 30-12-2026
    assert row.prev_y.text == "≤5"  # 2025-Q3: measurable (0 stored months → 0, published as ≤5)


def test_a_yearly_share_says_which_year_is_next_to_become_measurable(run_nov, foodvalley):
    # prevented_12m on 30-11-2026: 2024 measurable; 2025 only from 31-12-2026 (31-12-2025 + 365 days)
    _add(run_nov, foodvalley.name, "prevented_12m", {"2024": 0.68})
    dash = SimpleNamespace(run=run_nov, month="2026-11", scope=SimpleNamespace(key=foodvalley.name, label=foodvalley.name), exact=True)
    row = {r["key"]: r for r in casework_figures(dash)["rows"]}["prevented_12m"]
    assert (row["text"], row["period"]) == ("68%", "2024")
    assert row["not_measurable"] == "2025 nog niet meetbaar (vanaf 31-12-2026)"


def test_a_run_from_before_the_rule_never_shows_an_unmeasurable_year(run_nov, foodvalley):
    # a run stored before the rule may hold 2025 for prevented_12m (measurable only from 31-12-2026): the tile skips it
    _add(run_nov, foodvalley.name, "prevented_12m", {"2024": 0.68, "2025": 0.0})
    dash = SimpleNamespace(run=run_nov, month="2026-11", scope=SimpleNamespace(key=foodvalley.name, label=foodvalley.name), exact=True)
    row = {r["key"]: r for r in casework_figures(dash)["rows"]}["prevented_12m"]
    assert (row["text"], row["period"]) == ("68%", "2024")
