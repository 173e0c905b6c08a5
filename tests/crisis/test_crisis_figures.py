"""Crisis figures against hand-computed data (crisis.figures): a contact followed by a crisis placement within 30
days is one crisis; a contact 33 days after an earlier one is a new crisis; a placement on day 26 counts within 30
and 90 days, one on day 70 only within 90; home on day 90 means in no stay at all; a quarter whose window has not
closed by the data date has no value."""
from __future__ import annotations

import datetime as dt

import pytest

from crisis.figures import crises_of, crisis_series
from crisis.models import CrisisContact
from monitoring.registry import ALL_SCOPES
from placements.bsn import synthetic_bsn
from placements.models import Episode
from placements.services import child_register

D = dt.date
DATA_DATE = D(2024, 12, 31)


@pytest.fixture
def world(owner, outsider, provider, care_forms):
    kid = {n: child_register(user=owner, bsn=synthetic_bsn(500 + i), birth_date=D(2010, 1, 1), sex="M", label=n)[0] for i, n in enumerate("ABC")}
    kid["D"] = child_register(user=outsider, bsn=synthetic_bsn(599), birth_date=D(2010, 1, 1), sex="V", label="D")[0]

    def contact(name, day):
        CrisisContact.objects.create(child=kid[name], municipality=kid[name].municipality, date=day, source="crisisdienst")

    def episode(name, form, start, end=None):
        Episode.objects.create(child=kid[name], care_form=care_forms[form], provider=provider, municipality=kid[name].municipality,
                               start_date=start, end_date=end)

    contact("A", D(2024, 1, 10))
    episode("A", "CRS", D(2024, 1, 20), D(2024, 2, 5))  # within 30 days of the contact: the same crisis
    episode("A", "RES", D(2024, 2, 5))  # placed on day 26
    contact("B", D(2024, 2, 1))  # stays home
    contact("B", D(2024, 3, 5))  # 33 days later: a new crisis
    episode("C", "CRS", D(2024, 3, 1), D(2024, 3, 15))
    episode("C", "PLZ", D(2024, 5, 10))  # placed on day 70
    episode("C", "AMB", D(2024, 3, 15))  # ambulant care: no stay
    contact("D", D(2024, 12, 20))  # its quarter's window is still open on the data date
    return kid


def values(metric, scope):
    found = [v for lv, sc, g, b, m, v in crisis_series(data_date=DATA_DATE, region=ALL_SCOPES) if m == metric and sc == scope]
    return found[0] if found else {}


def test_events_within_30_days_of_a_crisis_belong_to_it():
    assert crises_of([(D(2024, 1, 20), 1), (D(2024, 1, 10), 1), (D(2024, 2, 9), 2), (D(2024, 2, 10), 2)]) == [
        (D(2024, 1, 10), 1), (D(2024, 2, 10), 2)]


def test_it_counts_crises_per_month(world):
    assert values("crises", "GM0228") == {"2024-01": 1, "2024-02": 1, "2024-03": 2}
    assert values("crises", "GM0345") == {"2024-12": 1}
    assert values("crises", "Food Valley") == {"2024-01": 1, "2024-02": 1, "2024-03": 2, "2024-12": 1}


def test_it_measures_what_followed_each_crisis(world):
    assert values("crisis_placement_30d", "GM0228") == {"2024-Q1": 0.25}
    assert values("crisis_placement_90d", "GM0228") == {"2024-Q1": 0.5}
    assert values("crisis_home_90d", "Food Valley") == {"2024-Q1": 0.5}
    assert values("crisis_placement_90d_n", "Food Valley") == {"2024-Q1": 4}
    assert values("crisis_placement_30d", "GM0345") == {}  # Q4 2024 closes on 30-01-2025 for 30 days: not yet
