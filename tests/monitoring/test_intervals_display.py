"""95% intervals (issue 14, part 2) where people read them: the run stores what they need, the dashboard's hover
and figure tiles, the definitions page and the PDF appendix show them — and hide them with a hidden value.

Hand-computed Wilson bounds used below (z = 1.959964): 12 of 40 (30%): z²/n = 0.096037, centre =
(0.3 + 0.048018) / 1.096037 = 0.317526, half = 1.788224 · √(0.00525 + 0.000600) = 0.136776 → 18,1%–45,4%.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse

from casework.templatetags.casework_figures import casework_figures
from monitoring.dashboard import charts, selectors
from monitoring.models import FigureSeries
from monitoring.runs import services
from placements.bsn import pseudonymise, synthetic_bsn
from placements.models import Child, Episode
from reports import content
from tests.conftest import login


def _add(run, scope, group, metric, values, level="region"):
    FigureSeries.objects.create(run=run, level=level, scope=scope, group=group, band="all", metric=metric, values=values)


# --------------------------------------------------------------------------------------------- the run
def test_a_run_stores_share_denominators_and_quantile_bounds(ede, care_forms, provider):
    """Three residential spells in Ede starting in January 2020: 30, 60 (one-sided by the client, iJw 32) and 90
    days; all end (9 February, 10 March, 9 April). dropout for RES: 1 of the 2 ended in Q1, 0 of the 1 ended in Q2,
    1 of 3 in the year → stored with dropout_n 2, 1, 3. The entry cohort 2020-Q1 (3 spells, all ended): S = 2/3, 1/3, 0 → median 60; Greenwood at 30:
    V = 1/(3·2) = 0.1667, σ = 0.4082 / 0.4055 = 1.0068, lower band (2/3)^exp(1.973) = 0.222 ≤ 0.5 → lower bound 30;
    the upper band is 0.96 at 30, (1/3)^exp(−z·σ(60)) with V = 1/6 + 1/2, σ = 0.8165 / 1.0986 = 0.7432 →
    (1/3)^0.2335 = 0.774 at 60, undefined at 90 (S = 0) → open."""
    kids = [Child.objects.create(pseudonym=pseudonymise(synthetic_bsn(700 + i)), birth_date=dt.date(2010, 1, 1), municipality=ede) for i in range(3)]
    for child, days, reason in zip(kids, (30, 60, 90), ("31", "32", "31"), strict=True):
        start = dt.date(2020, 1, 10)
        Episode.objects.create(child=child, care_form=care_forms["RES"], provider=provider, municipality=ede, start_date=start,
                               end_date=start + dt.timedelta(days=days), end_reason=reason)
    run = services.run_compute(services.run_create(today=dt.date(2021, 1, 15)))
    got = {(s.scope, s.group, s.metric): s.values for s in FigureSeries.objects.filter(run=run, scope=ede.cbs_code)}
    assert got[(ede.cbs_code, "RES", "dropout")] == {"2020-Q1": 0.5, "2020-Q2": 0.0, "2020": pytest.approx(1 / 3, abs=1e-6)}
    assert got[(ede.cbs_code, "RES", "dropout_n")] == {"2020-Q1": 2, "2020-Q2": 1, "2020": 3}
    assert got[(ede.cbs_code, "stay", "los_median")]["2020-Q1"] == 60
    assert got[(ede.cbs_code, "stay", "los_median_low")]["2020-Q1"] == 30
    assert got[(ede.cbs_code, "stay", "los_median_high")].get("2020-Q1") is None  # open: the upper band never gets there
    assert got[(ede.cbs_code, "stay", "cohort_size")]["2020-Q1"] == 3


# --------------------------------------------------------------------------------------------- dashboard
def _los_series(n_q1: int, n_q2: int) -> dict:
    return {("stay", "all", "los_median"): {"2020-Q1": 120.0, "2020-Q2": 95.0},
            ("stay", "all", "los_median_low"): {"2020-Q1": 80.0, "2020-Q2": 40.0},
            ("stay", "all", "los_median_high"): {"2020-Q1": 1210.0},
            ("stay", "all", "cohort_size"): {"2020-Q1": n_q1, "2020-Q2": n_q2}}


def test_the_length_of_stay_hover_shows_the_interval_in_dutch_numbers():
    table = selectors._los(_los_series(24, 12), ["2020-03", "2020-06"], exact=False, k=5)
    median = next(t for t in table.traces if t.metric == "los_median")
    fig = charts.los_figure(table)
    texts = next(d for d in fig["data"] if d["name"] == median.name)["text"]
    # n is a count of children: published rounded up (24 → 25) to this viewer; the bounds are durations
    # the duration in months with one decimal too, as the region's documents state durations (120 / 30,44 = 3,9)
    assert texts[0] == "120 dagen, 3,9 maanden (95%-interval 80–1.210 dagen, n = 25)"
    assert texts[1] == "95 dagen, 3,1 maanden (95%-interval vanaf 40 dagen (bovengrens nog onbepaald), n = 15)"
    exact = selectors._los(_los_series(24, 12), ["2020-03"], exact=True, k=5)
    assert next(t for t in exact.traces if t.metric == "los_median").points[0].interval.endswith("n = 24")
    assert "95%-interval" in table.note


def test_no_interval_or_n_for_a_hidden_median():
    table = selectors._los(_los_series(24, 3), ["2020-03", "2020-06"], exact=False, k=5)
    median = next(t for t in table.traces if t.metric == "los_median")
    assert median.points[1].cell.suppressed and median.points[1].interval == ""
    texts = next(d for d in charts.los_figure(table)["data"] if d["name"] == median.name)["text"]
    assert texts[1] == "afgeschermd (cohort ≤5)"  # no interval, no n


def test_casework_shares_carry_their_interval_and_lose_it_when_hidden(figures_run, foodvalley):
    region = foodvalley.name
    # 2025's 183 days have not passed by the data date 31-12-2025: a run stores only 2024
    _add(figures_run, region, "all", "prevented_6m", {"2024": 0.3})
    _add(figures_run, region, "all", "prevented_6m_n", {"2024": 40})
    _add(figures_run, region, "all", "residential_checklists_share", {"2025": 0.5})
    _add(figures_run, region, "all", "residential_checklists_share_n", {"2025": 8})  # 4 of 8: both parts ≤ 5
    _add(figures_run, region, "all", "prevented_12m", {"2024": 0.5})  # no denominator stored (a run from before)
    dash = SimpleNamespace(run=figures_run, month="2025-12", scope=SimpleNamespace(key=region), exact=False)
    rows = {r["key"]: r for r in casework_figures(dash)["rows"]}
    # 12 of 40: n is published as 40 (36–40); Wilson for 11 of 36 (the smallest n): 18,0–46,9% (exact n: 18–45%)
    assert rows["prevented_6m"]["text"] == "30%" and rows["prevented_6m"]["interval"] == "95%-interval 18–47%, n = 40"
    assert rows["prevented_6m"]["period"] == "2024"  # the last measurable year, and why not 2025:
    assert rows["prevented_6m"]["not_measurable"] == "2025 nog niet meetbaar (vanaf 02-07-2026)"  # 31-12-2025 + 183 days
    assert rows["residential_checklists_share"]["period"] == "2025" and rows["residential_checklists_share"]["not_measurable"] == ""
    assert rows["residential_checklists_share"]["suppressed"] and rows["residential_checklists_share"]["text"] == "afgeschermd"
    assert rows["residential_checklists_share"]["interval"] == ""
    # a share without a stored denominator (a run from before) is shown as before, without an interval
    assert rows["prevented_12m"]["text"] == "50%" and rows["prevented_12m"]["interval"] == ""


# --------------------------------------------------------------------------------------------- definitions
def test_the_definitions_page_explains_the_intervals(client, project_user):
    html = login(client, project_user).get(reverse("monitoring:definitions")).content.decode()
    assert "Hoe zeker een aandeel of verblijfsduur is (95%-interval)" in html
    assert "Wilson-score-interval" in html and "Brookmeyer en Crowley" in html and "log(−log)" in html
    assert 'id="m-dropout_n"' not in html and 'id="m-los_median_low"' not in html  # internal series are not figures
    dropout = html[html.index('id="m-dropout"'):]
    assert "met interval" in dropout[:dropout.index("</dd>")]


# --------------------------------------------------------------------------------------------- report
def test_the_report_rows_and_the_pdf_appendix_show_the_intervals(figures_run, foodvalley, project_user):
    from tests.reports.test_reports import _generate, _text

    region = foodvalley.name
    # a data date by which the 183 days of 2025-Q4 have passed (31-12-2025 + 183 = 02-07-2026): measurable
    figures_run.data_date = dt.date(2026, 7, 31)
    figures_run.save(update_fields=["data_date"])
    _add(figures_run, region, "all", "prevented_6m", {"2025-Q4": 0.3, "2025-Q3": 0.5})
    _add(figures_run, region, "all", "prevented_6m_n", {"2025-Q4": 40, "2025-Q3": 8})
    rows = {r.key: r for r in content._source_rows(figures_run, content.report_scope(region=foodvalley), "2025-Q4", "2025-Q3", "2024-Q4", 5)}
    row = rows["prevented_6m"]
    assert row.now.text == "30%" and row.intervals[0] == "95%-interval 18–47%, n = 40"
    assert row.prev_q.suppressed and row.intervals[1] == ""  # 4 of 8: hidden, and its interval with it
    text = _text(_generate(figures_run, foodvalley, project_user))
    appendix = text[text.index("Bijlage: definities"):]
    assert "Hoe zeker zijn de aandelen?" in appendix and "Wilson-score-interval" in appendix
    assert "Voorkomen na 6 maanden 30% 95%-interval 18–47%, n = 40 afgeschermd" in appendix
