"""The child-protection demo on a small demo region: every child placed under an order has its measure around the
first such stay, no child has two measures at once, some children at home are under supervision, the share of
court-ordered entries into stay is near the national "bijna 45 procent", and the same seed gives the same data."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from demo.protection import build_demo_measures
from demo.region import DemoOptions, build_demo, demo_data_exists, reset_demo
from placements.models import COURT_ORDERED, Episode
from protection.figures import protection_series
from protection.models import Measure

DATA_DATE = dt.date(2021, 12, 31)


def test_the_demo_measures_are_consistent_and_deterministic():
    if demo_data_exists():
        reset_demo()
    build_demo(DemoOptions(children=2500, from_year=2018, until=DATA_DATE, seed=7, chunk_size=2500, declarations=False))
    counts = build_demo_measures(seed=3, today=DATA_DATE)
    assert counts["measures"] == Measure.objects.count() > 50
    spans = defaultdict(list)
    for child_id, start, end in Measure.objects.values_list("child_id", "start_date", "end_date"):
        spans[child_id].append((start, end or dt.date.max))
    for child_spans in spans.values():
        ordered = sorted(child_spans)
        assert all(a[1] <= b[0] for a, b in zip(ordered, ordered[1:], strict=False)), "overlapping measures"
    first_court = {}
    for child_id, start in (Episode.objects.filter(care_form__with_stay=True, legal_framework__in=COURT_ORDERED)
                            .order_by("start_date").values_list("child_id", "start_date")):
        first_court.setdefault(child_id, start)
    assert set(first_court) <= set(spans)
    assert all(any(s <= start < e for s, e in spans[c]) for c, start in first_court.items())
    at_home = set(spans) - set(first_court)
    assert at_home, "no child at home under supervision"
    shares = [v for lv, sc, g, b, m, v in protection_series(data_date=DATA_DATE, region=None) if m == "stay_entries_court_share"][0]
    assert 0.3 <= shares["2021"] <= 0.6, shares
    before = sorted(Measure.objects.values_list("child__pseudonym", "kind", "start_date", "end_date"))
    build_demo_measures(seed=3, today=DATA_DATE)
    assert sorted(Measure.objects.values_list("child__pseudonym", "kind", "start_date", "end_date")) == before


def test_the_demo_crises_halve_the_placements_after_a_crisis_from_2020():
    """The demo region's crises: about 40% followed by a placement before 2020 (the project plan: about half in
    2015-2018), fewer from 2020 when crises are handled at home more often; deterministic for a seed."""
    from crisis.figures import crisis_series
    from crisis.models import CrisisContact
    from demo.crisis import build_demo_crisis

    if demo_data_exists():
        reset_demo()
    build_demo(DemoOptions(children=6000, from_year=2017, until=DATA_DATE, seed=7, chunk_size=3000, declarations=False))
    counts = build_demo_crisis(seed=3, today=DATA_DATE)
    assert counts["contacts"] == CrisisContact.objects.count() > 10 and counts["from 2020"] > counts["contacts"] / 2
    share = [v for lv, sc, g, b, m, v in crisis_series(data_date=DATA_DATE, region=None) if m == "crisis_placement_90d"][0]
    assert share["2018"] > 0.3 and share["2020"] < share["2018"] * 0.8 and "2021" not in share, share  # 2021: window open
    before = sorted(CrisisContact.objects.values_list("child__pseudonym", "date", "source"))
    build_demo_crisis(seed=3, today=DATA_DATE)
    assert sorted(CrisisContact.objects.values_list("child__pseudonym", "date", "source")) == before


def test_the_demo_target_groups_give_j_lvb_the_longest_stays():
    """Seed 004: J&O stays about a year, J-LVB about three. The demo's J-LVB children are chosen among the long stays,
    so their median stay is longer than J&O's."""
    from demo.target_groups import assign_demo_target_groups
    from monitoring import engine as E
    from monitoring.engine.load import load_episodes
    from placements.models import Child, TargetGroup

    if demo_data_exists():
        reset_demo()
    build_demo(DemoOptions(children=4000, from_year=2016, until=DATA_DATE, seed=7, chunk_size=4000, declarations=False))
    counts = assign_demo_target_groups(seed=3)
    assert sum(counts.values()) == Child.objects.filter(target_group__isnull=False).count() > 0
    ds = load_episodes(data_date=DATA_DATE)
    c = E.cohort_figures(ds, ds.last_month)
    ids = dict(TargetGroup.objects.values_list("code", "pk"))
    median = {code: c[(c.level == "country") & (c.group == E.TARGET_GROUP_BASE - ids[code]) & (c.metric == "los_median")
                      & (c.period == "2018")]["value"].iloc[0] for code in ("JO", "JLVB")}
    assert median["JLVB"] > median["JO"] * 1.5, median
