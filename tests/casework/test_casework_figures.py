"""Casework figures against hand-computed data (metrics.md "Casework figures", prevented_6m/12m)."""
from __future__ import annotations

import datetime as dt

import pytest

from casework import services
from casework.figures import casework_series
from casework.models import CaseWeekReview, RetReview, ThreatCase, TrajectoryFollowUp
from placements.bsn import synthetic_bsn
from placements.models import Episode
from placements.services import child_register

D = dt.date


@pytest.fixture
def kids(owner, outsider):
    ede = [child_register(user=owner, bsn=synthetic_bsn(100 + i), birth_date=D(2010, 1, 1), sex="M", label=f"E{i}")[0] for i in range(4)]
    vnd = [child_register(user=outsider, bsn=synthetic_bsn(200 + i), birth_date=D(2010, 1, 1), sex="V", label=f"V{i}")[0] for i in range(2)]
    return ede, vnd


def series(region, data_date, metric, scope=None):
    scope = scope or region.name
    found = [v for lv, sc, g, b, m, v in casework_series(data_date=data_date, region=region) if m == metric and sc == scope]
    assert all(g == "all" for lv, sc, g, b, m, v in casework_series(data_date=data_date, region=region) if m != "signals")
    return found[0] if found else {}


def case(child, opened, closed=None, outcome="", gi=False):
    return ThreatCase.objects.create(child=child, municipality=child.municipality, opened_on=opened, signaller="school",
                                     status="closed" if closed else "open", closed_on=closed, outcome=outcome, gi_involved=gi)


def stay(child, form, start, end=None, provider=None):
    return Episode.objects.create(child=child, care_form=form, provider=provider, municipality=child.municipality, start_date=start, end_date=end)


def test_placement_prevented_after_183_days_without_a_stay(kids, foodvalley, care_forms, provider):
    (a, b, c, d), (v, _) = kids
    case(a, D(2020, 1, 10), D(2020, 3, 1), "stays_home")                       # no stay: prevented once 2020-08-31 has passed
    case(b, D(2020, 1, 10), D(2020, 3, 1), "stays_home")
    stay(b, care_forms["PLZ"], D(2020, 7, 1), provider=provider)               # stay within 183 days: not prevented
    case(c, D(2020, 1, 10), D(2020, 3, 1), "residential")                      # other outcome: not counted
    case(d, D(2020, 1, 10), D(2020, 3, 1), "stays_home")
    stay(d, care_forms["PLZ"], D(2020, 9, 1), provider=provider)               # stay after 183 days: still prevented
    case(v, D(2020, 2, 1), D(2020, 4, 15), "stays_home")                       # Veenendaal, known on 2020-10-15
    assert D(2020, 3, 1) + dt.timedelta(days=183) == D(2020, 8, 31)
    assert series(foodvalley, D(2020, 8, 30), "placements_prevented") == {}
    assert series(foodvalley, D(2020, 8, 31), "placements_prevented") == {"2020-03": 2}
    assert series(foodvalley, D(2020, 10, 31), "placements_prevented") == {"2020-03": 2, "2020-04": 1}
    assert series(foodvalley, D(2020, 10, 31), "placements_prevented", scope="GM0228") == {"2020-03": 2}
    assert series(foodvalley, D(2020, 10, 31), "placements_prevented", scope="GM0345") == {"2020-04": 1}


def test_prevented_6m_and_12m_shares(kids, foodvalley, care_forms, provider):
    (a, b, c, d), (v, w) = kids
    for child in (a, b, c, d):
        case(child, D(2020, 2, 1))
    case(a, D(2020, 3, 1))                                           # second case of a in Q1: first one counts
    stay(b, care_forms["RES"], D(2020, 5, 1), provider=provider)      # within 183 days of 2020-02-01
    stay(c, care_forms["PLZ"], D(2020, 12, 1), provider=provider)     # within 365, after 183 days
    stay(d, care_forms["AMB"], D(2020, 3, 1), provider=provider)      # no stay: counts as prevented
    case(v, D(2020, 5, 1))                                           # Q2
    # Q1 ends 2020-03-31: 6m known from 2020-09-30, 12m from 2021-03-31; the year 2020 from 2021-07-02 / 2021-12-31
    assert series(foodvalley, D(2020, 9, 29), "prevented_6m") == {}
    assert series(foodvalley, D(2020, 9, 30), "prevented_6m") == {"2020-Q1": 0.75}         # 3 of 4 (b placed)
    assert series(foodvalley, D(2021, 3, 31), "prevented_12m") == {"2020-Q1": 0.5}          # 2 of 4 (b and c)
    assert "2020" not in series(foodvalley, D(2021, 7, 1), "prevented_6m")  # 2020-12-31 + 183 days = 2021-07-02
    six = series(foodvalley, D(2021, 7, 2), "prevented_6m")
    assert six == {"2020-Q1": 0.75, "2020-Q2": 1.0, "2020": 0.8}                          # 4 of 5 in the year
    assert series(foodvalley, D(2021, 7, 2), "prevented_6m", scope="GM0345") == {"2020-Q2": 1.0, "2020": 1.0}
    # the denominators, stored for the 95% interval: 4 children in Q1, 1 in Q2, 5 in the year; per municipality
    assert series(foodvalley, D(2021, 7, 2), "prevented_6m_n") == {"2020-Q1": 4, "2020-Q2": 1, "2020": 5}
    assert series(foodvalley, D(2021, 7, 2), "prevented_6m_n", scope="GM0345") == {"2020-Q2": 1, "2020": 1}
    assert series(foodvalley, D(2021, 3, 31), "prevented_12m_n") == {"2020-Q1": 4}


def test_ret_cases_count_distinct_cases_in_the_month_of_their_first_review(kids, foodvalley):
    (a, b, c, _d), (v, _) = kids
    ca, cb, cc, cv = case(a, D(2020, 1, 5), gi=True), case(b, D(2020, 1, 5), gi=True), case(c, D(2020, 1, 5)), case(v, D(2020, 1, 5), gi=True)
    for cs, day, invited in ((ca, D(2020, 1, 20), ["wijkteam", "gi"]), (ca, D(2020, 2, 20), ["wijkteam"]),
                             (cb, D(2020, 2, 3), ["wijkteam"]), (cb, D(2020, 3, 3), ["gi"]),
                             (cc, D(2020, 2, 10), ["wijkteam", "gi"]), (cv, D(2020, 2, 11), ["gi"])):
        RetReview.objects.create(case=cs, region=foodvalley, review_date=day, question="?", invited=invited, follow_up_on=day + dt.timedelta(days=180))
    assert series(foodvalley, D(2020, 12, 31), "ret_cases") == {"2020-01": 1, "2020-02": 3}
    # GI involved: a (invited at its first review), b (not at its first), v (invited); c has no GI
    assert series(foodvalley, D(2020, 12, 31), "ret_cases_gi_invited") == {"2020-01": 1, "2020-02": 1}
    assert series(foodvalley, D(2020, 12, 31), "ret_cases", scope="GM0228") == {"2020-01": 1, "2020-02": 2}
    assert series(foodvalley, D(2020, 1, 31), "ret_cases") == {"2020-01": 1}  # reviews after the data date do not count


def test_case_week_cases_distinct_children(kids, foodvalley, owner):
    (a, b, _c, _d), _ = kids
    for child, day in ((a, D(2020, 10, 5)), (a, D(2020, 11, 5)), (b, D(2020, 10, 6))):
        CaseWeekReview.objects.create(child=child, municipality=child.municipality, review_date=day, helped="x", missing="y")
    assert series(foodvalley, D(2020, 12, 31), "case_week_cases") == {"2020-10": 2}


def test_jim_families_and_monitored(kids, foodvalley, care_forms, provider):
    (a, b, c, _d), (v, _) = kids
    ja = stay(a, care_forms["JIM"], D(2020, 1, 15), provider=provider)
    jb = stay(b, care_forms["JIM"], D(2020, 2, 1), D(2020, 3, 31), provider=provider)   # ends 31 March: not active on 31 March
    sc = stay(c, care_forms["SYS"], D(2020, 1, 1), provider=provider)
    stay(v, care_forms["JIM"], D(2020, 3, 1), provider=provider)
    TrajectoryFollowUp.objects.create(episode=ja, date=D(2019, 12, 31) + dt.timedelta(days=31), how_it_goes="good")  # 2020-01-31
    TrajectoryFollowUp.objects.create(episode=jb, date=D(2020, 2, 15), how_it_goes="good")
    TrajectoryFollowUp.objects.create(episode=sc, date=D(2020, 3, 1), how_it_goes="mixed")
    jim = series(foodvalley, D(2020, 5, 31), "jim_families")
    assert jim == {"2020-01": 1, "2020-02": 2, "2020-03": 2, "2020-04": 2, "2020-05": 2}
    mon = series(foodvalley, D(2020, 5, 31), "jim_families_monitored")
    # a's follow-up of 2020-01-31 is within 92 days of Jan, Feb, Mar (31 Mar - 60 d) and Apr (30 Apr - 90 d), not May (121 d)
    assert mon == {"2020-01": 1, "2020-02": 2, "2020-03": 1, "2020-04": 1}
    assert series(foodvalley, D(2020, 5, 31), "systemic_families") == {m: 1 for m in ("2020-01", "2020-02", "2020-03", "2020-04", "2020-05")}
    assert series(foodvalley, D(2020, 5, 31), "systemic_families_monitored") == {"2020-03": 1, "2020-04": 1, "2020-05": 1}
    assert series(foodvalley, D(2020, 5, 31), "jim_families", scope="GM0345") == {"2020-03": 1, "2020-04": 1, "2020-05": 1}


def test_residential_checklists_and_share(kids, foodvalley, care_forms, provider, owner):
    (a, b, c, _d), _ = kids
    items = {k: True for k in services.CHECKLIST_ITEMS}
    texts = {"alternatives_note": "x", "return_plan": "y", "under12_justification": "z"}
    from placements.services import episode_start

    for child, day in ((a, D(2021, 3, 1)), (b, D(2021, 3, 10))):
        cl = services.checklist_create(user=owner, child=child, care_form=care_forms["RES"], completed_on=day - dt.timedelta(days=3), **items, **texts)
        episode_start(user=owner, child=child, care_form=care_forms["RES"], provider=provider, start_date=day, checklist=cl)
    episode_start(user=owner, child=c, care_form=care_forms["JZP"], provider=provider, start_date=D(2021, 4, 1), allow_without_checklist=True)
    stay(c, care_forms["PLZ"], D(2021, 1, 1), provider=provider)  # not residential
    assert series(foodvalley, D(2021, 12, 31), "residential_checklists") == {"2021-03": 2}
    assert series(foodvalley, D(2021, 12, 31), "residential_checklists_share") == {"2021": pytest.approx(2 / 3, abs=1e-6)}
    assert series(foodvalley, D(2021, 12, 31), "residential_checklists_share_n") == {"2021": 3}  # 2 of 3 placements


def test_country_level(kids, foodvalley):
    (a, *_), _ = kids
    case(a, D(2020, 1, 10), D(2020, 3, 1), "stays_home")
    out = casework_series(data_date=D(2021, 1, 31), region=None)
    assert [(lv, sc, v) for lv, sc, g, b, m, v in out if m == "placements_prevented"] == [("country", "NL", {"2020-03": 1})]
