"""The figure engine against hand-computed expectations on small, deliberately tricky data.

Care forms used: 1 = AMB (rung 1), 7 = PLZ foster (rung 2, stay, family-based), 9 = GZH family home
(rung 3, stay, family-based), 12 = RES residential (rung 5, stay). Municipalities 10 and 11 are in
region 100, municipality 20 in region 200.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from monitoring import engine as E

FORMS = {"AMB": 1, "PLZ": 7, "GZH": 9, "RES": 12}
RUNG = {1: 1, 7: 2, 9: 3, 12: 5}
STAY = {1: False, 7: True, 9: True, 12: True}
FAMILY = {1: False, 7: True, 9: True, 12: False}
REGION = {10: 100, 11: 100, 20: 200}


def day(s: str) -> int:
    return (dt.date.fromisoformat(s) - dt.date(1970, 1, 1)).days


def month(s: str) -> int:
    y, m = s.split("-")
    return (int(y) - 1970) * 12 + int(m) - 1


def build(episodes, births, *, data_date="2021-12-31", declarations=()):
    """episodes: (child, form code, municipality, start, end or None, reason)."""
    ep = list(episodes)
    ds = E.Dataset(
        ep_child=np.array([e[0] for e in ep], np.int64),
        ep_form=np.array([FORMS[e[1]] for e in ep], np.int64),
        ep_muni=np.array([e[2] for e in ep], np.int64),
        ep_start=np.array([day(e[3]) for e in ep], np.int64),
        ep_end=np.array([day(e[4]) if e[4] else E.OPEN for e in ep], np.int64),
        ep_reason=np.array([int(e[5]) if e[5] else 0 for e in ep], np.int16),
        child_birth=np.array([day(b) for b in births], np.int64),
        form_rung=RUNG, form_stay=STAY, form_family=FAMILY, muni_region=REGION,
        dec_child=np.array([d[0] for d in declarations], np.int64),
        dec_form=np.array([FORMS[d[1]] for d in declarations], np.int64),
        dec_muni=np.array([d[2] for d in declarations], np.int64),
        dec_start=np.array([day(d[3]) for d in declarations], np.int64),
        dec_cents=np.array([round(d[4] * 100) for d in declarations], np.int64),
        data_date=day(data_date),
    )
    return ds


def value(frame, metric, *, level="country", scope=0, group=E.ALL, band=E.BAND_ALL, m=None):
    rows = frame[(frame["metric"] == metric) & (frame["level"] == level) & (frame["scope"] == scope)
                 & (frame["group"] == group) & (frame["band"] == band) & (frame["month"] == month(m))]
    assert len(rows) <= 1
    return int(rows["value"].iloc[0]) if len(rows) else 0


def test_it_counts_stock_on_the_last_day_and_excludes_episodes_ending_on_it():
    ds = build([
        (0, "RES", 10, "2020-01-10", "2020-01-31", "31"),  # ends on the peildatum: not in January's stock
        (1, "RES", 10, "2020-01-31", "2020-02-01", "31"),  # one night, on the peildatum: in stock
        (2, "RES", 10, "2020-02-01", None, ""),  # open
    ], ["2010-01-01"] * 3)
    f = E.monthly_figures(ds, month("2020-01"), month("2020-03"))
    assert value(f, "stock", group=E.RESIDENTIAL, m="2020-01") == 1
    assert value(f, "stock", group=E.RESIDENTIAL, m="2020-02") == 1
    assert value(f, "stock", group=E.RESIDENTIAL, m="2020-03") == 1
    assert value(f, "served", group=E.RESIDENTIAL, m="2020-01") == 2
    assert value(f, "served", group=E.RESIDENTIAL, m="2020-02") == 1  # child 1 was in care on 31 January only
    assert value(f, "entries", group=E.RESIDENTIAL, m="2020-01") == 2
    assert value(f, "exits", group=E.RESIDENTIAL, m="2020-01") == 1
    assert value(f, "exits", group=E.RESIDENTIAL, m="2020-02") == 1


def test_it_counts_a_child_in_two_forms_of_a_group_once():
    ds = build([
        (0, "PLZ", 10, "2020-01-01", None, ""),
        (0, "GZH", 10, "2020-01-15", None, ""),
    ], ["2010-06-01"])
    f = E.monthly_figures(ds, month("2020-01"), month("2020-01"))
    assert value(f, "stock", group=E.FAMILY_BASED, m="2020-01") == 1
    assert value(f, "stock", group=FORMS["PLZ"], m="2020-01") == 1
    assert value(f, "stock", group=FORMS["GZH"], m="2020-01") == 1
    assert value(f, "entries", group=E.FAMILY_BASED, m="2020-01") == 1  # in the group the day before the second
    assert value(f, "care_days", group=E.FAMILY_BASED, m="2020-01") == 31


def test_it_moves_the_band_at_the_birthday_for_stock_and_splits_care_days_by_day():
    # turns 12 on 2020-03-15: band 0-11 on 29 Feb, 12-17 on 31 Mar
    ds = build([(0, "RES", 10, "2020-02-01", None, "")], ["2008-03-15"], data_date="2020-03-31")
    f = E.monthly_figures(ds, month("2020-02"), month("2020-03"))
    assert value(f, "stock", group=E.RESIDENTIAL, band=0, m="2020-02") == 1
    assert value(f, "stock", group=E.RESIDENTIAL, band=1, m="2020-02") == 0
    assert value(f, "stock", group=E.RESIDENTIAL, band=1, m="2020-03") == 1
    assert value(f, "stock", group=E.RESIDENTIAL, band=0, m="2020-03") == 0
    # March: 14 days at age 11 (1-14 March), 17 days at age 12 (15-31 March)
    assert value(f, "care_days", group=E.RESIDENTIAL, band=0, m="2020-03") == 14
    assert value(f, "care_days", group=E.RESIDENTIAL, band=1, m="2020-03") == 17
    assert value(f, "care_days", group=E.RESIDENTIAL, m="2020-03") == 31
    assert value(f, "care_days", group=E.RESIDENTIAL, m="2020-02") == 29  # leap year


def test_it_moves_to_18_plus_and_counts_the_entry_by_age_on_the_day():
    ds = build([(0, "RES", 10, "2020-05-20", None, "")], ["2002-05-20"], data_date="2020-05-31")
    f = E.monthly_figures(ds, month("2020-05"), month("2020-05"))
    assert value(f, "entries", group=E.RESIDENTIAL, band=2, m="2020-05") == 1  # 18 on the day of entry
    assert value(f, "stock", group=E.RESIDENTIAL, band=2, m="2020-05") == 1


def test_a_child_moving_between_municipalities_counts_once_in_the_region_and_once_in_each_municipality():
    ds = build([
        (0, "PLZ", 10, "2020-01-01", "2020-03-10", "38"),
        (0, "PLZ", 11, "2020-03-10", None, ""),  # same region, continues the stay
        (1, "RES", 11, "2020-03-01", "2020-03-05", "31"),
        (1, "RES", 20, "2020-03-20", None, ""),  # other region
    ], ["2012-01-01", "2012-01-01"], data_date="2020-03-31")
    f = E.monthly_figures(ds, month("2020-03"), month("2020-03"))
    assert value(f, "served", level="municipality", scope=10, group=E.STAY, m="2020-03") == 1
    assert value(f, "served", level="municipality", scope=11, group=E.STAY, m="2020-03") == 2
    assert value(f, "served", level="region", scope=100, group=E.STAY, m="2020-03") == 2
    assert value(f, "served", level="region", scope=200, group=E.STAY, m="2020-03") == 1
    assert value(f, "served", group=E.STAY, m="2020-03") == 2  # country: distinct children
    assert value(f, "stock", level="municipality", scope=10, group=E.STAY, m="2020-03") == 0
    assert value(f, "stock", level="municipality", scope=11, group=E.STAY, m="2020-03") == 1
    # child 0 continues in 11: no exit from 10 and no entry in 11 for the group
    assert value(f, "exits", level="municipality", scope=10, group=E.STAY, m="2020-03") == 0
    assert value(f, "entries", level="municipality", scope=11, group=E.STAY, m="2020-03") == 1  # child 1 on 1 March
    assert value(f, "entries", level="municipality", scope=20, group=E.STAY, m="2020-03") == 1
    # child 1 was placed twice in March: once in the country's entries
    assert value(f, "entries", group=E.STAY, m="2020-03") == 1
    # the move of child 0 from 10 to 11 is a move (doorplaatsing), counted at 11
    assert value(f, "moves", level="municipality", scope=11, group=E.STAY, m="2020-03") == 1


def test_escalation_step_down_and_the_30_day_gap_rule():
    ds = build([
        (0, "PLZ", 10, "2020-01-01", "2020-03-01", "33"),  # foster, breaks down
        (0, "RES", 10, "2020-03-20", "2020-09-01", "31"),  # 19 days at home: keeps level 2, so this is an escalation
        (0, "GZH", 10, "2020-09-01", None, ""),  # step-down to family home
        (1, "AMB", 20, "2020-01-01", "2020-02-01", "31"),
        (1, "RES", 20, "2020-04-01", None, ""),  # 60 days at home: a new start, not an escalation
    ], ["2010-01-01", "2010-01-01"])
    f = E.monthly_figures(ds, month("2020-01"), month("2020-12"))
    assert value(f, "escalations", group=E.RESIDENTIAL, m="2020-03") == 1
    assert value(f, "escalations", group=E.RESIDENTIAL, m="2020-04") == 0
    assert value(f, "escalations", level="municipality", scope=10, group=FORMS["RES"], m="2020-03") == 1
    assert value(f, "step_downs", group=FORMS["GZH"], m="2020-09") == 1
    assert value(f, "step_downs", group=E.ALL, m="2020-09") == 1
    # the foster episode ended early one-sidedly (33) and within 30 days of an escalation: one breakdown
    assert value(f, "breakdowns", group=E.FAMILY_BASED, m="2020-03") == 1
    # a foster -> residential spell with a 19-day gap is not a move (the child went home in between)
    assert value(f, "moves", group=E.STAY, m="2020-03") == 0


def test_breakdown_by_escalation_without_an_unplanned_reason():
    ds = build([
        (0, "PLZ", 10, "2020-01-01", "2020-05-10", "31"),  # planned end ...
        (0, "RES", 10, "2020-05-25", None, ""),  # ... but 15 days later residential: breakdown
        (1, "PLZ", 10, "2020-01-01", "2020-05-10", "31"),
        (1, "RES", 10, "2020-07-01", None, ""),  # 52 days later: not counted
    ], ["2010-01-01", "2010-01-01"])
    f = E.monthly_figures(ds, month("2020-05"), month("2020-05"))
    assert value(f, "breakdowns", group=E.FAMILY_BASED, m="2020-05") == 1


def test_cost_sums_corrections_and_counts_distinct_clients():
    ds = build([(0, "RES", 10, "2020-01-01", None, "")], ["2010-01-01", "2011-01-01"], declarations=[
        (0, "RES", 10, "2020-01-01", 7000.00),
        (0, "RES", 10, "2020-01-01", -7000.00),  # correction
        (0, "RES", 10, "2020-01-01", 7250.50),
        (1, "AMB", 10, "2020-01-31", 410.25),
        (1, "AMB", 10, "2020-02-01", 99.99),  # next month by its period start
    ])
    f = E.monthly_figures(ds, month("2020-01"), month("2020-02"))
    jan = f[(f.metric == "cost") & (f.level == "country") & (f.group == E.ALL) & (f.band == E.BAND_ALL) & (f.month == month("2020-01"))]
    assert jan["value"].iloc[0] == pytest.approx(7660.75)
    assert value(f, "clients_declared", group=E.ALL, m="2020-01") == 2
    assert value(f, "clients_declared", group=E.RESIDENTIAL, m="2020-01") == 1
    assert value(f, "clients_declared", group=E.ALL, m="2020-02") == 1


def test_yearly_cost_table_total_row_sums_the_per_form_counts():
    ds = build([], ["2010-01-01", "2011-01-01", "2012-01-01"], declarations=[
        (0, "RES", 10, "2020-02-01", 1000.00),
        (0, "PLZ", 10, "2020-05-01", 300.00),  # child 0 in two forms
        (1, "RES", 10, "2020-03-01", 500.00),
        (1, "RES", 10, "2020-04-01", -100.00),
        (2, "PLZ", 10, "2021-01-01", 50.00),
    ], data_date="2021-01-31")
    y = E.yearly_cost_figures(ds, month("2021-01"))
    c = y[(y.level == "country") & (y.period == "2020")].set_index(["group", "metric"])["value"]
    assert c[(FORMS["RES"], "clients_declared_year")] == 2
    assert c[(FORMS["RES"], "cost_year")] == pytest.approx(1400.00)
    assert c[(FORMS["RES"], "cost_per_client")] == pytest.approx(700.00)
    assert c[(FORMS["PLZ"], "clients_declared_year")] == 1
    assert c[(E.ALL, "clients_declared_year")] == 3  # 2 + 1, although only 2 distinct children
    assert c[(E.ALL, "cost_year")] == pytest.approx(1700.00)
    assert c[(E.ALL, "cost_per_client")] == pytest.approx(566.67)


def test_kaplan_meier_with_censoring():
    # durations 10 (event), 20 (censored), 30 (event), 40 (event): S(10)=3/4, S(30)=3/4*1/2=3/8, S(40)=0
    km = E.kaplan_meier_quantiles(np.zeros(4, int), np.array([10, 20, 30, 40]), np.array([1, 0, 1, 1]))
    assert km[0.25].iloc[0] == 10
    assert km[0.5].iloc[0] == 30
    assert km[0.75].iloc[0] == 40
    # only censored after the first event: median undefined
    km = E.kaplan_meier_quantiles(np.zeros(3, int), np.array([10, 50, 60]), np.array([1, 0, 0]))
    assert np.isnan(km[0.5].iloc[0])


def test_cohort_figures_leave_out_short_spells_and_entries_at_18():
    ds = build([
        (0, "RES", 10, "2020-01-05", "2020-01-10", "31"),  # 5 days: left out
        (1, "RES", 10, "2020-01-05", "2020-03-05", "31"),  # 60 days, home
        (2, "PLZ", 10, "2020-02-01", "2020-04-01", "38"),
        (2, "RES", 10, "2020-04-02", None, ""),  # next day: same spell (move), open -> censored
        (3, "RES", 10, "2020-03-01", "2020-06-01", "31"),  # entered at 18: left out
        (1, "RES", 10, "2020-06-01", "2020-08-01", "31"),  # child 1 re-enters within 365 days
    ], ["2010-01-01", "2010-01-01", "2010-01-01", "2002-01-01"], data_date="2020-12-31")
    c = E.cohort_figures(ds, month("2020-12"))
    q1 = c[(c.level == "country") & (c.period == "2020-Q1") & (c.group == E.STAY)].set_index("metric")["value"]
    assert q1["cohort_size"] == 2
    assert q1["los_median"] == 60  # S(60) = 1/2
    assert np.isnan(q1["los_q3"])  # the open spell never ends
    assert q1["home_within_12m"] == pytest.approx(0.5)
    # exit cohort Q1: child 1's spell ended 5 March, re-entered 1 June -> 1 of 1 (child 0's short spell too: 0 of 1)
    re = c[(c.level == "country") & (c.metric == "reentry_within_12m") & (c.period == "2020-Q1")]["value"].iloc[0]
    assert re == pytest.approx(0.5)


def test_a_child_in_care_in_two_municipalities_on_one_day_is_one_care_day_in_the_region_and_the_country():
    """metrics.md (sharpened): care days at region and country count a child once per day, like the distinct-child
    figures. Child 0: ambulant help paid by municipality 10 the whole of March 2021 and a foster placement paid by
    municipality 11 (same region) from 21 March: 31 + 11 days in the municipalities, 31 in the region and the
    country. Child 1: residential in municipality 10 (region 100) 1–10 March and in municipality 20 (region 200)
    6–15 March: each region counts its own days, the country the 15 distinct days once. A 12th birthday on 11 March
    splits child 0's days by band (10 days aged 11, 21 days aged 12)."""
    ds = build([
        (0, "AMB", 10, "2021-03-01", "2021-04-01", "31"),
        (0, "PLZ", 11, "2021-03-21", "2021-04-01", "31"),
        (1, "RES", 10, "2021-03-01", "2021-03-11", "31"),
        (1, "RES", 20, "2021-03-06", "2021-03-16", "31"),
    ], ["2009-03-11", "2008-01-01"])
    f = E.monthly_figures(ds, month("2021-03"), month("2021-03"))
    m = "2021-03"
    # municipalities: each its own days (unchanged)
    assert value(f, "care_days", level="municipality", scope=10, m=m) == 31 + 10
    assert value(f, "care_days", level="municipality", scope=11, m=m) == 11
    assert value(f, "care_days", level="municipality", scope=20, m=m) == 10
    # region 100: child 0 once a day (31, not 42), child 1's 10 days there; region 200: child 1's 10 days
    assert value(f, "care_days", level="region", scope=100, m=m) == 31 + 10
    assert value(f, "care_days", level="region", scope=200, m=m) == 10
    # the country: child 0 31 days, child 1 the 15 days of 1–15 March once
    assert value(f, "care_days", m=m) == 31 + 15
    # per group the rule is the same: both of child 1's episodes are residential
    assert value(f, "care_days", group=E.RESIDENTIAL, m=m) == 15
    assert value(f, "care_days", level="region", scope=100, group=E.STAY, m=m) == 11 + 10
    # by band: child 0 is 11 from 1 to 10 March and 12 from the 11th; child 1 is 13 all month
    assert value(f, "care_days", level="region", scope=100, band=0, m=m) == 10
    assert value(f, "care_days", level="region", scope=100, band=1, m=m) == 21 + 10


def test_kaplan_meier_median_interval_brookmeyer_crowley_log_log():
    """16 spells of 1..16 days, censored at 3, 7, 12, 15 and 16 days (the rest end). Kaplan–Meier and Greenwood's
    V(t) = Σ d/(n(n−d)) at the event times, then the log-log band S^exp(±1.959964·√V/|log S|):
        t   n   S(t)      V(t)      lower band  upper band
        4  13  0.807692  0.015337  0.5140      0.9338
        5  12  0.740385  0.022913  0.4464      0.8940     ← lower band first ≤ 0.5: lower bound 5
        9   8  0.523504  0.063749  0.2490      0.7399
       10   7  0.448718  0.087559  0.1916      0.6780     ← S first ≤ 0.5: median 10
       13   4  0.280449  0.204226  0.0779      0.5308
       14   3  0.186966  0.370893  0.0328      0.4392     ← upper band first ≤ 0.5: upper bound 14
    e.g. at t = 5: σ = √0.022913 / |log 0.740385| = 0.151370 / 0.300585 = 0.503585; 0.740385^exp(0.986995) =
    0.740385^2.683161 = 0.4464. The first quartile: S(5) ≤ 0.75 → 5, interval from the lower band's 0.6323 ≤ 0.75
    at t = 1 to the upper band's 0.7399 ≤ 0.75 at t = 9. The third quartile (S(14) = 0.187) has no upper bound:
    the upper band stays at 0.4392 > 0.25 after the last event (open interval)."""
    t = np.arange(1, 17)
    event = np.isin(t, [3, 7, 12, 15, 16], invert=True)
    km = E.kaplan_meier_quantiles(np.zeros(16, int), t, event, interval=1.959963984540054).iloc[0]
    assert (km[0.25], km[("low", 0.25)], km[("high", 0.25)]) == (5, 1, 9)
    assert (km[0.5], km[("low", 0.5)], km[("high", 0.5)]) == (10, 5, 14)
    assert (km[0.75], km[("low", 0.75)]) == (14, 9) and np.isnan(km[("high", 0.75)])


def test_kaplan_meier_interval_when_the_last_spell_ends_and_per_group():
    """Where everyone still at risk has the event, S = 0 and Greenwood's V is infinite: the upper band is undefined
    there (R: NA, lifelines: inf), so an upper bound that only that point would give stays open. Group 0: ten spells
    2..12 days (censored at 3, 6, 9): S(8) = 0.405 is the median; the lower band is 0.473 ≤ 0.5 already at 2; the
    upper band is 0.5611 at 10 and undefined at 12 → open. Group 1 (the 16 spells above) is unaffected by group 0."""
    t0 = np.array([2, 3, 4, 5, 6, 7, 8, 9, 10, 12])
    e0 = np.array([1, 0, 1, 1, 0, 1, 1, 0, 1, 1])
    t1 = np.arange(1, 17)
    e1 = np.isin(t1, [3, 7, 12, 15, 16], invert=True).astype(int)
    km = E.kaplan_meier_quantiles(np.r_[np.zeros(10, int), np.ones(16, int)], np.r_[t0, t1], np.r_[e0, e1], interval=1.959963984540054)
    low, high = km[("low", 0.5)].tolist(), km[("high", 0.5)].tolist()
    assert km["g"].tolist() == [0, 1] and km[0.5].tolist() == [8, 10]
    assert low == [2, 5] and np.isnan(high[0]) and high[1] == 14
    # without `interval` the frame is what it was: the estimates only
    assert list(E.kaplan_meier_quantiles(np.zeros(10, int), t0, e0).columns) == ["g", 0.25, 0.5, 0.75]


def test_stay_durations_per_care_form_group_measure_the_runs_within_the_group():
    """Per care-form group the runs of that group's episodes: child 2's move from foster care (PLZ) to residential
    care (RES) continues its stay spell but starts a new RES run in Q2, open on the data date (274 days, censored);
    child 1's two RES stays are two runs (60 days in Q1, 61 in Q2); child 0's 5 days and child 3's entry at 18 are
    left out. RES 2020: 60, 61 and 274+ → S = 2/3 after 60, 1/3 after 61: q1 60, median 61, q3 undefined."""
    ds = build([
        (0, "RES", 10, "2020-01-05", "2020-01-10", "31"),
        (1, "RES", 10, "2020-01-05", "2020-03-05", "31"),
        (2, "PLZ", 10, "2020-02-01", "2020-04-01", "38"),
        (2, "RES", 10, "2020-04-02", None, ""),
        (3, "RES", 10, "2020-03-01", "2020-06-01", "31"),
        (1, "RES", 10, "2020-06-01", "2020-08-01", "31"),
    ], ["2010-01-01", "2010-01-01", "2010-01-01", "2002-01-01"], data_date="2020-12-31")
    c = E.cohort_figures(ds, month("2020-12"))
    country = c[c.level == "country"].set_index(["group", "period", "metric"])["value"]
    res, plz = FORMS["RES"], FORMS["PLZ"]
    assert (country[(res, "2020-Q1", "cohort_size")], country[(res, "2020-Q1", "los_median")]) == (1, 60)
    assert (country[(res, "2020-Q2", "cohort_size")], country[(res, "2020-Q2", "los_median")]) == (2, 61)
    assert (country[(res, "2020", "los_q1")], country[(res, "2020", "los_median")]) == (60, 61) and np.isnan(country[(res, "2020", "los_q3")])
    assert country[(E.RESIDENTIAL, "2020", "los_median")] == 61
    assert (country[(plz, "2020-Q1", "los_median")], country[(E.FAMILY_BASED, "2020-Q1", "los_median")]) == (60, 60)
    assert (plz, "2020-Q2", "los_median") not in country.index and (FORMS["AMB"], "2020", "los_median") not in country.index
    # all stay: child 2's spell runs on from 1 February (open), so the stay median of Q1 stays 60 as before
    assert country[(E.STAY, "2020-Q1", "los_median")] == 60


def test_cohort_figures_store_denominators_and_quantile_bounds():
    """The shares' denominators (`<metric>_n`) and the Kaplan–Meier bounds sit next to the figures; the figures
    themselves are unchanged. Exit cohort 2020-Q1: children 0 (5-day spell, home) and 1 → reentry n = 2."""
    ds = build([
        (0, "RES", 10, "2020-01-05", "2020-01-10", "31"),
        (1, "RES", 10, "2020-01-05", "2020-03-05", "31"),
        (2, "PLZ", 10, "2020-02-01", "2020-04-01", "38"),
        (2, "RES", 10, "2020-04-02", None, ""),
        (1, "RES", 10, "2020-06-01", "2020-08-01", "32"),
    ], ["2010-01-01", "2010-01-01", "2010-01-01"], data_date="2020-12-31")
    c = E.cohort_figures(ds, month("2020-12"))
    q1 = c[(c.level == "country") & (c.period == "2020-Q1") & (c.group == E.STAY)].set_index("metric")["value"]
    assert q1["los_median"] == 60 and q1["reentry_within_12m"] == pytest.approx(0.5) and q1["reentry_within_12m_n"] == 2
    # two spells, one ends at 60 days: S(60) = 1/2, V = 1/(2·1) = 0.5, σ = √0.5 / log 2 = 1.020; the lower band
    # 0.5^exp(2.0) = 0.0058 ≤ 0.5 at 60; the upper band 0.5^exp(−2.0) = 0.91 never gets there: open
    assert q1["los_median_low"] == 60 and np.isnan(q1["los_median_high"])
    # dropout per care form: RES episodes ended in 2020-Q1: child 0's and child 1's (both reason 31) → 0 of 2;
    # in Q3 child 1's second RES episode ends one-sided by the client (iJw 32) → 1 of 1
    drop = c[(c.level == "municipality") & (c.scope == 10) & (c.group == FORMS["RES"])].set_index(["period", "metric"])["value"]
    assert drop[("2020-Q1", "dropout")] == 0 and drop[("2020-Q1", "dropout_n")] == 2
    assert drop[("2020-Q3", "dropout")] == 1 and drop[("2020-Q3", "dropout_n")] == 1
    assert drop[("2020", "dropout")] == pytest.approx(1 / 3) and drop[("2020", "dropout_n")] == 3


def test_stay_durations_per_target_group_measure_the_stay_spells_of_its_children():
    """Children 1 and 2 are in target group 5 (e.g. J-LVB), child 0 in 6. Group 5's spells: child 1's 60 days (Q1)
    and 61 days (Q2), child 2's open spell from 1 February (foster care then residential: one spell). Q1: 60 and an
    open 334 → median 60; 2020: 60, 61, open → median 61. Group 6 has only child 0's 5 days: left out."""
    import dataclasses

    ds = build([
        (0, "RES", 10, "2020-01-05", "2020-01-10", "31"),
        (1, "RES", 10, "2020-01-05", "2020-03-05", "31"),
        (2, "PLZ", 10, "2020-02-01", "2020-04-01", "38"),
        (2, "RES", 10, "2020-04-02", None, ""),
        (1, "RES", 10, "2020-06-01", "2020-08-01", "31"),
    ], ["2010-01-01", "2010-01-01", "2010-01-01"], data_date="2020-12-31")
    ds = dataclasses.replace(ds, child_target_group=np.array([6, 5, 5], np.int32))
    c = E.cohort_figures(ds, month("2020-12"))
    tg = c[(c.level == "country") & (c.group == E.TARGET_GROUP_BASE - 5)].set_index(["period", "metric"])["value"]
    assert (tg[("2020-Q1", "cohort_size")], tg[("2020-Q1", "los_median")]) == (2, 60)
    assert (tg[("2020", "cohort_size")], tg[("2020", "los_median")]) == (3, 61)
    assert not (c.group == E.TARGET_GROUP_BASE - 6).any()
