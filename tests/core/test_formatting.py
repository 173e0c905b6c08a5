"""core.formatting: numbers, money, shares and dates as people read them, through Django's localisation."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone, translation

from core import formatting as F


def test_dutch_numbers_group_thousands_with_a_dot_and_use_a_decimal_comma():
    with translation.override("nl"):
        assert F.number(1234567) == "1.234.567"
        assert F.number(124085) == "124.085"
        assert F.number(2.5, 1) == "2,5"
        assert F.number(-1234.25, 2) == "-1.234,25"
        assert F.number(None) == "–"
        assert F.count_or_decimal(4) == "4" and F.count_or_decimal(2.25) == "2,2"  # one decimal, as a float rounds


def test_english_notation_with_the_english_interface():
    with translation.override("en"):
        assert F.number(1234567) == "1,234,567"
        assert F.number(2.5, 1) == "2.5"
        assert F.euro(1234.5) == "€ 1,234.50"


def test_money_rounds_cents_half_up_and_keeps_its_sign():
    with translation.override("nl"):
        assert F.euro(Decimal("1234.565")) == "€ 1.234,57"
        assert F.euro(-12) == "€ -12,00"
        assert F.euro("") == "" and F.euro(None) == ""
        assert F.euro_whole(1234567.4) == "€ 1.234.567"
        assert F.euro_whole(-999.6) == "€ -1.000"
        assert F.euro_whole(None) == "–"


def test_shares_and_changes():
    with translation.override("nl"):
        assert F.percent(0.125) == "12%" and F.percent(0.125, 1) == "12,5%" and F.percent(None) == "–"
        assert F.change(3) == "+3" and F.change(-2.5) == "−2,5" and F.change(0) == "0"
        assert F.change_percent(8.06) == "+8,1%" and F.change_percent(-12) == "−12,0%" and F.change_percent(None) == "–"


def test_spreadsheet_numbers_have_a_decimal_comma_and_no_grouping():
    assert F.spreadsheet_number(1234) == "1234"
    assert F.spreadsheet_number(-1000.5) == "-1000,5"
    assert F.spreadsheet_number(0.125, 2) == "0,12"  # 0.125 is exact in binary: rounded half to even
    assert F.spreadsheet_number(None) == ""


def test_dates_are_day_month_year():
    assert F.date(dt.date(2012, 5, 17)) == "17-05-2012"
    assert F.date(None) == ""
    moment = timezone.make_aware(dt.datetime(2026, 12, 4, 9, 5))
    assert F.date(moment) == timezone.localtime(moment).strftime("%d-%m-%Y %H:%M")
    with translation.override("nl"):
        assert F.date_long(dt.date(2026, 5, 17)) == "17 mei 2026"


def test_stay_durations_in_days_read_as_months_with_one_decimal():
    # seed 004: J&O "één jaar … 10 maanden", J-LVB "drie jaar … 2 jaar en 6 maanden"
    assert (F.months_of_days(365), F.months_of_days(304), F.months_of_days(913)) == ("12,0", "10,0", "30,0")
    assert F.months_of_days(45) == "1,5" and F.months_of_days(None) == ""
