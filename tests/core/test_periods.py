"""core.periods: the one place for period keys and how a Dutch reader sees them."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from core import periods as P

D = dt.date


def test_it_steps_months_across_years_and_ranges_them_inclusively():
    assert P.month_add("2026-11", 2) == "2027-01"
    assert P.month_add("2026-01", -1) == "2025-12"
    assert P.month_add("2026-03", -27) == "2023-12"
    assert P.month_range("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert P.month_range("2026-02", "2026-01") == []


def test_it_numbers_months_as_integers_and_back():
    n = P.month_number(D(2024, 2, 29))
    assert P.month_number_key(n) == "2024-02" and P.month_number_end(n) == D(2024, 2, 29)
    assert P.month_number_end(P.month_number(D(2023, 2, 1))) == D(2023, 2, 28)
    assert P.month_number_key(P.month_number(D(2025, 12, 31)) + 1) == "2026-01"


@pytest.mark.parametrize("month, quarter", [("2026-01", "2026-Q1"), ("2026-03", "2026-Q1"), ("2026-04", "2026-Q2"), ("2026-12", "2026-Q4")])
def test_it_puts_a_month_in_its_quarter(month, quarter):
    assert P.quarter_of(month) == quarter
    assert month in P.quarter_months(quarter)


def test_quarters_shift_across_years_and_end_on_their_last_day():
    assert P.quarter_shift("2026-Q1", -1) == "2025-Q4"
    assert P.quarter_shift("2025-Q4", 5) == "2027-Q1"
    assert P.quarter_end("2024-Q1") == D(2024, 3, 31) and P.quarter_end("2026-Q4") == D(2026, 12, 31)


@pytest.mark.parametrize("key, last", [("2020", "2020-12"), ("2020-Q3", "2020-09"), ("2020-H1", "2020-06"), ("2020-07", "2020-07")])
def test_the_last_month_of_every_kind_of_period(key, last):
    assert P.period_last_month(key) == last
    assert P.parse_period(key).last_month == last


def test_it_parses_period_keys_and_refuses_anything_else():
    q = P.parse_period("2024-Q1")
    assert (q.kind, q.start, q.end, q.months) == ("quarter", D(2024, 1, 1), D(2024, 3, 31), 3)
    assert P.parse_period("2024-H2").start == D(2024, 7, 1)
    for bad in ("", None, "2024-13", "2024-Q5", "24-01", "2024-1", "2024-H3"):
        assert P.parse_period(bad) is None


def test_parse_month_falls_back_to_the_last_month_and_clamps():
    assert P.parse_month("2025-06", first="2020-01", last="2026-10") == "2025-06"
    assert P.parse_month("2019-06", first="2020-01", last="2026-10") == "2020-01"
    assert P.parse_month("2027-01", first="2020-01", last="2026-10") == "2026-10"
    assert P.parse_month("2025-13", first="2020-01", last="2026-10") == "2026-10"
    assert P.parse_month("<script>", first="2020-01", last="2026-10") == "2026-10"


def test_a_data_date_is_the_end_of_the_month_before_and_ages_turn_on_the_birthday():
    assert P.last_complete_month_end(D(2026, 3, 1)) == D(2026, 2, 28)
    assert P.last_complete_month_end(D(2024, 3, 31)) == D(2024, 2, 29)
    assert P.age_on(D(2014, 5, 17), D(2026, 5, 16)) == 11
    assert P.age_on(D(2014, 5, 17), D(2026, 5, 17)) == 12
    assert P.age_on(D(2008, 2, 29), D(2026, 2, 28)) == 17  # a 29 February birthday counts on 1 March
    assert P.age_on(D(2008, 2, 29), D(2026, 3, 1)) == 18


def test_people_read_k3_2026_in_dutch_and_q3_2026_in_english():
    with translation.override("nl"):
        assert P.quarter_label("2026-Q3") == "K3 2026"
        assert P.period_label("2026-Q3") == "K3 2026"
        assert P.period_label("2026-10") == "okt 2026"
        assert P.period_label("2026-H2") == "2e halfjaar 2026"
        assert P.period_label("2026") == "2026"
        assert P.quarter_long("2026-Q3") == "juli – september 2026"
    with translation.override("en"):
        assert P.quarter_label("2026-Q3") == "Q3 2026"
        assert P.period_label("2026-10") == "Oct 2026"


def test_a_year_to_date_reads_as_months():
    from core.periods import year_to_date_label

    assert year_to_date_label("2025-06") == "jan–jun 2025"
    assert year_to_date_label("2025-01") == "jan 2025"
