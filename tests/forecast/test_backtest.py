"""The backtest: fitted a year before the data date on a steady process, the forecast lands near what happened."""
from __future__ import annotations

import datetime as dt

import pytest

from forecast import services
from placements.models import Child, Episode
from tests.forecast.test_model import FIRST, A, B, generate

pytestmark = pytest.mark.django_db


def test_a_backtest_on_a_steady_process_lands_near_the_truth(ede, care_forms, provider):
    episodes = generate(seed=4, months=40, start_stock=(60, 20))
    forms = {A: care_forms["PLZ"], B: care_forms["RES"]}
    children = Child.objects.bulk_create([Child(pseudonym=f"bt-{i:05d}" + "0" * 55, birth_date=dt.date(2015, 1, 1), municipality=ede)
                                          for i in range(len(episodes.birth))])
    day = lambda n: dt.date(1970, 1, 1) + dt.timedelta(days=int(n))  # noqa: E731
    Episode.objects.bulk_create([
        Episode(child=children[c], care_form=forms[int(f)], provider=provider, municipality=ede, start_date=day(s),
                end_date=None if e >= 2**31 - 1 else day(e))
        for c, f, s, e in zip(episodes.child, episodes.form, episodes.start, episodes.end, strict=True)])
    last = FIRST + 39  # the generated months end here
    until = dt.date(1970 + last // 12, last % 12 + 1, 1)
    until = (until.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    bt = services.backtest(scope_name="GM0228", data_until=until, months=12, simulations=300)
    assert len(bt.rows) == 12 and bt.fitted_until < until
    assert bt.mape is not None and bt.mape < 0.25
    assert 0.5 <= bt.coverage <= 1.0
