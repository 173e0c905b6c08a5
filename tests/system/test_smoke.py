import pytest

from placements.models import CareForm, Municipality, Region


@pytest.mark.django_db
def test_it_loads_all_municipalities_and_regions():
    assert Municipality.objects.count() == 342
    assert Region.objects.count() == 42
    fv = Region.objects.get(name="Food Valley")
    assert sorted(fv.municipalities.values_list("cbs_code", flat=True)) == ["GM0203", "GM0228", "GM0267", "GM0279", "GM0339", "GM0340", "GM0345"]


@pytest.mark.django_db
def test_it_ships_the_default_taxonomy():
    codes = set(CareForm.objects.values_list("code", flat=True))
    assert {"AMB", "JIM", "SYS", "IHT", "DAG", "PLZ", "NPZ", "GZH", "LOG", "CRS", "RES", "DRM", "JZP", "BW18"} <= codes
    assert CareForm.objects.get(code="RES").is_residential
    assert not CareForm.objects.get(code="PLZ").is_residential
