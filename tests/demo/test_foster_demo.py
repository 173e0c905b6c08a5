"""The foster-care demo on a small demo region: every foster / family-home episode is placed in a family of its
provider, no family is ever over capacity, the status history matches the placements, the risk register is
consistent with the episodes, recruitment leads to the recruited families, and the same seed gives the same data."""
from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

from django.core.management import call_command
from django.db.models import Count

from demo.fostercare import build_demo_fostercare
from demo.region import DemoOptions, build_demo, demo_data_exists, reset_demo
from fostercare.models import FamilyStatus, FosterFamily, FosterPlacement, PlacementRisk, Prospect
from placements.models import Episode

DATA_DATE = dt.date(2021, 12, 31)


def small_region():
    if demo_data_exists():
        reset_demo()
    build_demo(DemoOptions(children=2500, from_year=2018, until=DATA_DATE, seed=7, chunk_size=2500, declarations=False))


def snapshot():
    return (
        sorted(FosterFamily.objects.values_list("reference", "kind", "places", "status", "status_since")),
        sorted(FosterPlacement.objects.values_list("family__reference", "episode__start_date", "episode__child__pseudonym")),
        list(PlacementRisk.objects.order_by("placement__episode__child__pseudonym", "registered_on")
             .values_list("placement__episode__child__pseudonym", "registered_on", "resolved_on", "outcome", "reason")),
        Prospect.objects.count(),
    )


def test_the_demo_is_consistent_and_deterministic():
    small_region()
    counts = build_demo_fostercare(seed=5, data_date=DATA_DATE)
    foster_episodes = Episode.objects.filter(care_form__with_stay=True, care_form__family_based=True)
    assert counts["placements"] == foster_episodes.count() == FosterPlacement.objects.count() > 50
    # every episode in a family of its own provider, of the right kind
    for placement in FosterPlacement.objects.select_related("family", "episode__care_form"):
        assert placement.family.provider_id == placement.episode.provider_id
        assert {"NPZ": "netwerk", "PLZ": "bestand", "GZH": "gezinshuis"}[placement.episode.care_form.code] == placement.family.kind
    # never more children than places on any start day; the status at the data date matches the placements
    spans = defaultdict(list)
    for fam, start, end in FosterPlacement.objects.values_list("family_id", "episode__start_date", "episode__end_date"):
        spans[fam].append((start, end))
    for family in FosterFamily.objects.all():
        own = spans.get(family.pk, [])
        for day, _e in own:
            assert sum(1 for s, e in own if s <= day and (e is None or e > day)) <= family.places
        placed_now = sum(1 for s, e in own if s <= DATA_DATE and (e is None or e > DATA_DATE))
        if family.status == FamilyStatus.ACTIVE:
            assert placed_now > 0
        elif family.status in (FamilyStatus.APPROVED, FamilyStatus.STOPPED, FamilyStatus.IN_TRAINING):
            assert placed_now == 0, family.reference
        if family.status == FamilyStatus.STOPPED:
            assert family.stop_reason
        history = list(family.status_changes.values_list("date", flat=True))
        assert history == sorted(history) and history[-1] == family.status_since
    # the risk register: at most one risk per placement open at a time; an ended risk ends its episode that day
    assert not PlacementRisk.objects.filter(status="open").values("placement").annotate(n=Count("id")).filter(n__gt=1).exists()
    for risk in PlacementRisk.objects.filter(outcome="beeindigd").select_related("placement__episode"):
        assert risk.resolved_on == risk.placement.episode.end_date and risk.reason and risk.destination
    assert not PlacementRisk.objects.filter(registered_on__gt=DATA_DATE).exists()
    assert not PlacementRisk.objects.filter(resolved_on__gt=DATA_DATE).exists()
    assert PlacementRisk.objects.filter(outcome="stabiel").exists() and PlacementRisk.objects.filter(status="open").exists()
    # recruitment: every recruited family has its approved prospect, and about 8 prospects per recruited family
    recruited = Prospect.objects.filter(family__isnull=False)
    assert recruited.exists() and all(p.approved_on == p.family.status_changes.filter(status="goedgekeurd").first().date for p in recruited)
    assert 4 <= Prospect.objects.filter(info_on__year__lt=2021).count() / max(1, recruited.filter(info_on__year__lt=2021).count()) <= 12
    # the same seed again gives the same data
    first = snapshot()
    build_demo_fostercare(seed=5, data_date=DATA_DATE)
    assert snapshot() == first
    # the command is idempotent with --if-missing
    out = io.StringIO()
    call_command("demo_fostercare", "--if-missing", stdout=out)
    assert "bestaat al" in out.getvalue() and snapshot() == first
