"""The casework's outcome figures against hand-computed data (casework.outcomes): who signals, RET advice followed
after six months, JIM and systemic families still at home after 6 and 12 months."""
from __future__ import annotations

import datetime as dt

import pytest

from casework.figures import casework_series
from casework.models import RetFollowUp, RetReview, ThreatCase
from placements.bsn import synthetic_bsn
from placements.models import Episode
from placements.services import child_register

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def kids(owner, outsider):
    ede = [child_register(user=owner, bsn=synthetic_bsn(500 + i), birth_date=D(2010, 1, 1), sex="M", label=f"E{i}")[0] for i in range(5)]
    vnd = [child_register(user=outsider, bsn=synthetic_bsn(600 + i), birth_date=D(2010, 1, 1), sex="V", label=f"V{i}")[0] for i in range(2)]
    return ede, vnd


def series(region, data_date, metric, scope=None, group="all"):
    scope = scope or region.name
    found = [v for lv, sc, g, b, m, v in casework_series(data_date=data_date, region=region) if m == metric and sc == scope and g == group]
    return found[0] if found else {}


def _case(child, opened, signaller):
    return ThreatCase.objects.create(child=child, municipality=child.municipality, opened_on=opened, signaller=signaller)


def test_it_counts_signals_per_signaller_and_month(kids, foodvalley):
    (e0, e1, e2, *_r), (v0, _v1) = kids
    _case(e0, D(2024, 1, 31), "school")
    _case(e1, D(2024, 2, 1), "school")   # the next month
    _case(e1, D(2024, 2, 20), "huisarts")  # the same child again: every case counts
    _case(v0, D(2024, 3, 5), "huisarts")
    _case(e2, D(2024, 7, 1), "gi")  # after the data date
    d = D(2024, 6, 30)
    assert series(foodvalley, d, "signals") == {"2024-01": 1, "2024-02": 2, "2024-03": 1}
    assert series(foodvalley, d, "signals", group="school") == {"2024-01": 1, "2024-02": 1}
    assert series(foodvalley, d, "signals", group="huisarts") == {"2024-02": 1, "2024-03": 1}
    assert series(foodvalley, d, "signals", scope="GM0345", group="huisarts") == {"2024-03": 1}
    assert series(foodvalley, d, "signals", group="gi") == {}


def test_ret_advice_still_followed_after_six_months(kids, foodvalley):
    """Reviews in Q1 2024: r1 followed at 190 days (yes), r2 partly at 200 days, r3 only a follow-up at 100 days (not
    counted), r4 first 'no' at 150 days then 'yes' at 200 (the first at ≥183 days counts: yes). Q1 share 2/3; the
    period is measurable from 30-09-2024 (31 March + 183 days)."""
    (e0, e1, e2, e3, _e4), _v = kids

    def review(child, day):
        return RetReview.objects.create(case=_case(child, day - dt.timedelta(days=10), "wijkteam"), region=foodvalley, review_date=day,
                                        question="?", follow_up_on=day + dt.timedelta(days=90))

    def follow(r, days, followed):
        RetFollowUp.objects.create(review=r, date=r.review_date + dt.timedelta(days=days), advice_followed=followed, what_happened="x")

    r1, r2, r3, r4 = review(e0, D(2024, 1, 15)), review(e1, D(2024, 2, 10)), review(e2, D(2024, 3, 1)), review(e3, D(2024, 3, 31))
    follow(r1, 190, "yes")
    follow(r2, 200, "partly")
    follow(r3, 100, "yes")
    follow(r4, 150, "no")
    follow(r4, 200, "yes")
    assert series(foodvalley, D(2024, 9, 29), "ret_advice_followed_6m") == {}  # 183 days after the quarter have not passed
    late = D(2024, 12, 31)
    assert series(foodvalley, late, "ret_advice_followed_6m") == {"2024-Q1": round(2 / 3, 6)}
    assert series(foodvalley, late, "ret_advice_followed_6m_n") == {"2024-Q1": 3}
    assert "2024" not in series(foodvalley, D(2025, 7, 1), "ret_advice_followed_6m")  # 31-12-2024 + 183 days is 2 July
    assert series(foodvalley, D(2025, 7, 31), "ret_advice_followed_6m")["2024"] == round(2 / 3, 6)


def test_jim_and_systemic_families_still_at_home(kids, foodvalley, care_forms, provider):
    """JIM starts in Q1 2024: e0 (stays home), e1 (residential 100 days later: not home at 6 months), e2 (foster care
    250 days later: home at 6, not at 12 months), e1's second JIM in the same quarter counts once. Systemic: v0 in
    Veenendaal stays home."""
    (e0, e1, e2, *_r), (v0, _v1) = kids

    def ep(child, form, start, end=None):
        Episode.objects.create(child=child, care_form=care_forms[form], provider=provider, municipality=child.municipality,
                               start_date=start, end_date=end)

    ep(e0, "JIM", D(2024, 1, 10), D(2024, 6, 1))
    ep(e1, "JIM", D(2024, 1, 20), D(2024, 2, 1))
    ep(e1, "JIM", D(2024, 3, 1))
    ep(e1, "RES", D(2024, 1, 20) + dt.timedelta(days=100))
    ep(e2, "JIM", D(2024, 2, 1))
    ep(e2, "PLZ", D(2024, 2, 1) + dt.timedelta(days=250))
    ep(v0, "SYS", D(2024, 3, 15))
    d = D(2025, 12, 31)  # the year 2024 + 365 days has passed
    assert series(foodvalley, d, "jim_home_6m") == {"2024-Q1": round(2 / 3, 6), "2024": round(2 / 3, 6)}
    assert series(foodvalley, d, "jim_home_6m_n") == {"2024-Q1": 3, "2024": 3}
    assert series(foodvalley, d, "jim_home_12m") == {"2024-Q1": round(1 / 3, 6), "2024": round(1 / 3, 6)}
    assert series(foodvalley, d, "systemic_home_6m", scope="GM0345") == {"2024-Q1": 1.0, "2024": 1.0}
    assert series(foodvalley, d, "systemic_home_12m", scope="GM0228") == {}
    # not measurable yet: a run at 30-09-2024 has Q1's 6-month share (31 March + 183 days = 30 September) but no 12-month one
    early = D(2024, 9, 30)
    assert series(foodvalley, early, "jim_home_6m") == {"2024-Q1": round(2 / 3, 6)}
    assert series(foodvalley, early, "jim_home_12m") == {}
