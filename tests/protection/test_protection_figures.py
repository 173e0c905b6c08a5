"""Court-order figures against hand-computed data (protection.figures): measures on the peildatum (a measure ending
on the last day does not count, one starting on it does), provisional measure followed by the order, a child whose
measure moves to another municipality, a measure after the data date; entries into stay care that are court-ordered
by the episode's framework or by a measure on the start day, a move that is no entry, a second entry of one child."""
from __future__ import annotations

import datetime as dt

import pytest

from monitoring.registry import ALL_SCOPES
from placements.bsn import synthetic_bsn
from placements.models import Episode, Region
from placements.services import child_register
from protection.figures import protection_series
from protection.models import Measure

D = dt.date
DATA_DATE = D(2024, 6, 30)


@pytest.fixture
def world(owner, outsider, provider, care_forms, ede, veenendaal):
    kid = {name: child_register(user=owner, bsn=synthetic_bsn(300 + i), birth_date=D(2012, 1, 1), sex="M", label=name)[0]
           for i, name in enumerate("ABDEFG")}
    kid["C"] = child_register(user=outsider, bsn=synthetic_bsn(399), birth_date=D(2012, 1, 1), sex="V", label="C")[0]

    def measure(name, kind, start, end=None, muni=ede):
        Measure.objects.create(child=kid[name], kind=kind, gi=provider, municipality=muni, start_date=start, end_date=end)

    def episode(name, form, start, end=None, legal="vrijwillig"):
        Episode.objects.create(child=kid[name], care_form=care_forms[form], provider=provider, municipality=kid[name].municipality,
                               start_date=start, end_date=end, legal_framework=legal)

    measure("A", "11", D(2024, 1, 15), D(2024, 3, 31))  # ends on the last day of March: not on March's peildatum
    measure("B", "12", D(2024, 2, 1), D(2024, 2, 20))  # provisional OTS, then the OTS: one child, two measures
    measure("B", "11", D(2024, 2, 20))
    measure("C", "21", D(2024, 6, 30), muni=veenendaal)  # starts on June's peildatum: counts
    measure("D", "11", D(2024, 4, 1), D(2024, 5, 1))  # moves from Ede to Veenendaal
    measure("D", "11", D(2024, 5, 1), muni=veenendaal)
    measure("E", "21", D(2024, 7, 5))  # after the data date
    episode("A", "PLZ", D(2024, 2, 10))  # voluntary, but A is under a measure that day: court-ordered entry
    episode("E", "RES", D(2024, 3, 1), D(2024, 4, 1), legal="ots")  # court-ordered entry
    episode("E", "GZH", D(2024, 4, 1), legal="ots")  # a move: no entry
    episode("F", "PLZ", D(2024, 1, 10), D(2024, 2, 1))  # voluntary entry
    episode("F", "PLZ", D(2024, 5, 1))  # voluntary re-entry: a second entry event
    episode("G", "AMB", D(2024, 3, 1), legal="ots")  # no stay
    episode("G", "RES", D(2024, 7, 2), legal="voogdij")  # after the data date
    return kid


def values(metric, scope, region=ALL_SCOPES):
    found = [v for lv, sc, g, b, m, v in protection_series(data_date=DATA_DATE, region=region) if m == metric and sc == scope]
    assert len(found) <= 1
    return found[0] if found else {}


def test_it_counts_children_under_a_measure_on_each_peildatum(world):
    assert values("measure_children", "GM0228") == {"2024-01": 1, "2024-02": 2, "2024-03": 1, "2024-04": 2, "2024-05": 1, "2024-06": 1}
    assert values("measure_children", "GM0345") == {"2024-05": 1, "2024-06": 2}
    # the region counts D once in May, and B, C and D in June
    assert values("measure_children", "Food Valley") == {"2024-01": 1, "2024-02": 2, "2024-03": 1, "2024-04": 2, "2024-05": 2,
                                                          "2024-06": 3}


def test_it_counts_new_measures_per_month_up_to_the_data_date(world):
    assert values("measure_starts", "GM0228") == {"2024-01": 1, "2024-02": 2, "2024-04": 1}
    assert values("measure_starts", "Food Valley") == {"2024-01": 1, "2024-02": 2, "2024-04": 1, "2024-05": 1, "2024-06": 1}


def test_it_counts_court_ordered_entries_into_stay_and_their_share(world):
    assert values("stay_entries_court", "GM0228") == {"2024-01": 0, "2024-02": 1, "2024-03": 1, "2024-05": 0}
    assert values("stay_entries_court_share", "GM0228") == {"2024-Q1": round(2 / 3, 6), "2024-Q2": 0.0}
    assert values("stay_entries_court_share_n", "GM0228") == {"2024-Q1": 3, "2024-Q2": 1}  # 2024 has not ended: no year


def test_a_region_alone_and_the_country_give_the_same_values(world):
    region = Region.objects.get(name="Food Valley")
    assert values("measure_children", "Food Valley", region=region) == values("measure_children", "Food Valley")
    assert values("stay_entries_court_share", "GM0228", region=region) == values("stay_entries_court_share", "GM0228")
    assert values("measure_children", "NL", region=None)["2024-06"] == 3


def test_it_counts_entries_into_stay_by_referrer_and_a_move_not(world):
    """A's entry (February) referred by the GI, E's (March) and F's first (January) by a GP, F's re-entry (May)
    without a referrer; E's move to the family home (referred by the wijkteam) is no entry."""
    def refer(name, form, code):
        Episode.objects.filter(child=world[name], care_form__code=form).order_by("start_date").update(referrer=code)

    refer("A", "PLZ", "04")
    refer("E", "RES", "02")
    refer("E", "GZH", "01")
    Episode.objects.filter(child=world["F"], start_date=D(2024, 1, 10)).update(referrer="02")
    by_group = {g: v for lv, sc, g, b, m, v in protection_series(data_date=DATA_DATE, region=ALL_SCOPES)
                if m == "stay_entries_referrer" and sc == "GM0228"}
    assert by_group == {"04": {"2024-02": 1}, "02": {"2024-01": 1, "2024-03": 1}, "onbekend": {"2024-05": 1}}
    # the groups add up to all entries of the quarter (the share's denominator)
    q1 = sum(v.get(m, 0) for v in by_group.values() for m in ("2024-01", "2024-02", "2024-03"))
    assert q1 == values("stay_entries_court_share_n", "GM0228")["2024-Q1"] == 3
