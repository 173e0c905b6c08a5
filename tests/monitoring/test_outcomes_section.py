"""The dashboard's "Uitkomsten": outcome tiles of the engine's and the casework's figures, and the table of who
signals and who refers per quarter, all published through core.publication."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core import publication
from monitoring.dashboard.outcomes import last_quarters
from monitoring.models import FigureSeries, SnapshotRun
from tests.conftest import login

pytestmark = pytest.mark.django_db
SCOPE = "Food Valley"


@pytest.fixture
def outcome_run(foodvalley):
    run = SnapshotRun.objects.create(status="done", data_date=dt.date(2024, 12, 31), first_month="2023-01", last_month="2024-12")

    def put(metric, values, group="all", band="all"):
        FigureSeries.objects.create(run=run, level="region", scope=SCOPE, group=group, band=band, metric=metric, values=values)

    put("stock", {f"2024-{m:02d}": 40 for m in range(1, 13)}, group="stay")
    put("moves", {"2024-01": 7, "2024-02": 5, "2024-09": 30}, group="stay")  # up to June: 12
    put("moves_per_1000_days", {"2023": 2.345, "2024-Q1": 9.9}, group="stay")
    put("no_new_start", {"2023-H2": 0.8, "2024-H1": 0.75}), put("no_new_start_n", {"2023-H2": 40, "2024-H1": 40})
    put("breakdowns", {"2024-03": 2}, group="family_based", band="12-17")
    put("jim_home_6m", {"2023": 0.9}), put("jim_home_6m_n", {"2023": 100})
    # who signals: Q1 2024 school 12, huisarts 3 (all 15); Q2 school 20, all 20
    put("signals", {"2024-01": 10, "2024-02": 2, "2024-05": 20}, group="school")
    put("signals", {"2024-03": 3}, group="huisarts")
    put("signals", {"2024-01": 10, "2024-02": 2, "2024-03": 3, "2024-05": 20})
    put("stay_entries_referrer", {"2024-04": 9}, group="02")
    put("stay_entries_referrer", {"2024-04": 11}, group="01")
    return run


def _tile(html: str, key: str) -> str:
    start = html.index(f'data-outcomes="{key}"')
    return html[start:start + 700]


def test_it_shows_the_outcome_tiles_of_the_chosen_month_protected(client, project_user, outcome_run):
    html = login(client, project_user).get(reverse("monitoring:dashboard"), {"scope": SCOPE, "month": "2024-06"}).content.decode()
    assert 'id="outcomes-section"' in html
    assert f'>{publication.count(12).text}</div>' in _tile(html, "moves:stay")  # January to June, not September
    assert ">2,3</div>" in _tile(html, "moves_per_1000_days:stay")  # the last measurable year by June 2024: 2023
    assert ">75%</div>" in _tile(html, "no_new_start") and "1e halfjaar 2024" in _tile(html, "no_new_start")
    assert ">≤5</div>" in _tile(html, "breakdowns:family_based:12-17")  # two children: protected
    assert ">90%</div>" in _tile(html, "jim_home_6m")


def test_it_shows_who_signals_and_who_refers_per_quarter(client, project_user, outcome_run):
    html = login(client, project_user).get(reverse("monitoring:dashboard"), {"scope": SCOPE, "month": "2024-06"}).content.decode()
    table = html[html.index('data-sources="signallers"'):html.index('data-sources="referrers"')]
    school = table[table.index('data-group="school"'):]
    school = school[:school.index("</tr>")]
    # Q1: 12 of 15 — the share is hidden because the rest (3) is small; Q2: 20 of 20 — hidden too (100%)
    assert f"{publication.count(12).text} <span" in school and "afgeschermd" in school
    huisarts = table[table.index('data-group="huisarts"'):]
    huisarts = huisarts[:huisarts.index("</tr>")]
    assert "≤5</td>" in huisarts and "afgeschermd" not in huisarts  # a hidden count has no share beside it
    # the four quarters together: school 32 of 35 (its share hidden: the rest, 3, is small)
    assert school.count("<td") == 5 and f"{publication.count(32).text} <span" in school.split("<td")[-1]
    referrers = html[html.index('data-sources="referrers"'):]
    gp = referrers[referrers.index('data-group="02"'):]
    gp = gp[:gp.index("</tr>")]
    assert f"{publication.count(9).text} <span class=\"text-muted\">(45%)</span>" in gp  # 9 of 20 in Q2
    assert gp.split("<td")[-1].count("(45%)") == 1  # and in the four quarters together


def test_the_last_four_whole_quarters():
    assert last_quarters("2024-06") == ["2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]
    assert last_quarters("2024-05") == ["2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1"]


def test_the_quarterly_report_prints_the_outcomes_and_who_signals(outcome_run, foodvalley):
    from reports.content import build_report
    from reports.render import render_html

    report = build_report(run=outcome_run, region=foodvalley, quarter="2024-Q2")
    rows = {r["key"]: r for r in report.outcomes}
    assert rows["moves:stay"]["text"] == publication.count(12).text and rows["breakdowns:family_based:12-17"]["suppressed"]
    assert report.sources["quarters"] == ["K3 2023", "K4 2023", "K1 2024", "K2 2024"]
    html = render_html(report)
    section = html[html.index('<section id="outcomes">'):html.index('id="casework"')]
    assert "Doorplaatsingen (verblijf)" in section and "Wie signaleert een dreigende uithuisplaatsing" in section
    assert "Huisarts" in section and "(45%)" in section  # the GP's 9 of 20 entries into stay in Q2
