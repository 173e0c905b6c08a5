"""Casework, foster-care and child-protection providers: one pass over all scopes gives exactly the per-region and country series."""
import datetime as dt

from django.core.management import call_command

from monitoring import registry
from placements.models import Region


def test_all_scopes_in_one_pass_equal_the_region_and_country_passes():
    call_command("demo_region", "--children", "300", "--seed", "11", verbosity=0)
    call_command("demo_casework", verbosity=0)
    call_command("demo_fostercare", verbosity=0)
    call_command("demo_protection", verbosity=0)
    call_command("demo_crisis", verbosity=0)
    data_date = dt.date(2026, 10, 31)
    assert len(registry.SERIES_PROVIDERS) >= 4
    for provider in registry.SERIES_PROVIDERS.values():
        separate = []
        for region in Region.objects.all():
            separate += provider(data_date=data_date, region=region)
        separate += provider(data_date=data_date, region=None)
        together = provider(data_date=data_date, region=registry.ALL_SCOPES)
        as_dict = lambda rows: {(lv, sc, g, b, m): v for lv, sc, g, b, m, v in rows}  # noqa: E731
        assert len(together) == len(as_dict(together))
        assert as_dict(together) == as_dict(separate), provider.__name__
        assert any(lv == "country" for lv, *_ in together) and any(lv == "municipality" for lv, *_ in together)
