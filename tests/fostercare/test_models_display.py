"""How foster-care records read on the pages."""
from fostercare.models import FosterFamily


def test_an_age_range_of_one_age_reads_as_that_age():
    assert FosterFamily(age_min=5, age_max=5).age_range == "5 jaar"
    assert FosterFamily(age_min=0, age_max=12).age_range == "0–12 jaar"
