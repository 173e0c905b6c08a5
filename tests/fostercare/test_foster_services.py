"""Foster care services and selectors: matching rules, the risk life cycle, family status rules, the recruitment
funnel (hand-computed counts)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AccessLogEntry
from fostercare import selectors, services
from fostercare.models import FamilyStatus, FosterPlacement, PlacementRisk, Prospect, RiskOutcome, Stage
from placements.bsn import synthetic_bsn
from placements.models import Episode, Municipality
from placements.services import child_register

D = dt.date


def family(provider, muni, ref, *, kind="bestand", places=1, age=(0, 17), siblings=False, status="goedgekeurd", since=None, user=None):
    since = since or D(2019, 1, 1)
    return services.family_register(user=user, provider=provider, reference=ref, municipality=muni, kind=kind, places=places,
                                    age_min=age[0], age_max=age[1], siblings_together=siblings, status=status, status_since=since)


@pytest.fixture
def kid(owner):
    return child_register(user=owner, bsn=synthetic_bsn(501), birth_date=D(2012, 3, 1), sex="M", label="PZ-1")[0]


@pytest.fixture
def kid2(owner):
    return child_register(user=owner, bsn=synthetic_bsn(502), birth_date=D(2008, 6, 1), sex="V", label="PZ-2")[0]


# ------------------------------------------------------------------------------------------- matching
def test_fit_rules_status_places_age_and_siblings(foster_provider, ede, kid):
    fam = family(foster_provider, ede, "PG-1", places=2, age=(0, 6))
    on = D(2020, 1, 6)  # kid is 7
    problems = services.fit_errors(family=fam, child=kid, on=on)
    assert len(problems) == 1 and "7 jaar" in problems[0]
    fam.age_max = 7
    assert services.fit_errors(family=fam, child=kid, on=on) == []
    assert any("broers en zussen" in p for p in services.fit_errors(family=fam, child=kid, on=on, siblings=2))
    assert any("vrije plaats" in p for p in services.fit_errors(family=fam, child=kid, on=on, siblings=3))
    fam.status = FamilyStatus.IN_TRAINING
    assert any("niet beschikbaar" in p for p in services.fit_errors(family=fam, child=kid, on=on))


def test_candidates_ranked_network_first_then_distance_then_free_places(foster_provider, ede, veenendaal, kid, owner):
    far = Municipality.objects.exclude(region=ede.region).order_by("cbs_code").first()
    a = family(foster_provider, veenendaal, "A-regio", places=3)
    b = family(foster_provider, ede, "B-zelfde", places=1)
    c = family(foster_provider, ede, "C-zelfde-2", places=2)
    d = family(foster_provider, far, "D-elders", places=5)
    n = family(foster_provider, far, "N-netwerk", kind="netwerk", places=1)
    family(foster_provider, ede, "X-jong", places=2, age=(0, 4))  # age does not fit
    family(foster_provider, ede, "Y-training", status="in_opleiding")  # not available
    on = D(2020, 1, 6)
    got = [c_.family.reference for c_ in selectors.match_candidates(user=owner, child=kid, on=on)]
    assert got == ["N-netwerk", "C-zelfde-2", "B-zelfde", "A-regio", "D-elders"]
    got = [c_.family.reference for c_ in selectors.match_candidates(user=owner, child=kid, on=on, prefer_network=False)]
    assert got == ["C-zelfde-2", "B-zelfde", "A-regio", "D-elders", "N-netwerk"]
    # two siblings: only families that take siblings and have two free places
    c.siblings_together = True
    c.save()
    assert [x.family.reference for x in selectors.match_candidates(user=owner, child=kid, on=on, siblings=2)] == ["C-zelfde-2"]
    assert {x.family.pk for x in selectors.match_candidates(user=owner, child=kid, on=on)} == {a.pk, b.pk, c.pk, d.pk, n.pk}


def test_match_starts_the_episode_links_it_and_fills_the_place(foster_provider, ede, kid, kid2, owner, care_forms):
    fam = family(foster_provider, ede, "PG-9", places=1)
    placement = services.match_record(user=owner, child=kid, family=fam, start_date=D(2020, 1, 6))
    episode = placement.episode
    assert (episode.care_form.code, episode.provider, episode.start_date, episode.child) == ("PLZ", foster_provider, D(2020, 1, 6), kid)
    fam.refresh_from_db()
    assert (fam.status, fam.status_since) == (FamilyStatus.ACTIVE, D(2020, 1, 6))
    assert list(fam.status_changes.values_list("status", flat=True)) == ["goedgekeurd", "actief"]
    # the only place is taken now
    assert selectors.match_candidates(user=owner, child=kid2, on=D(2020, 2, 1)) == []
    with pytest.raises(ValidationError):
        services.match_record(user=owner, child=kid2, family=fam, start_date=D(2020, 2, 1))
    # a family home places in GZH, a network family in NPZ
    home = family(foster_provider, ede, "GH-1", kind="gezinshuis", places=4)
    assert services.match_record(user=owner, child=kid2, family=home, start_date=D(2020, 2, 1)).episode.care_form.code == "GZH"
    assert AccessLogEntry.objects.filter(object_type="foster_placement", object_ref=kid.reference, action="create").count() == 1


def test_link_an_existing_episode_only_when_provider_and_form_fit(foster_provider, other_foster_provider, ede, kid, care_forms, owner):
    fam = family(foster_provider, ede, "PG-2")
    foreign = Episode.objects.create(child=kid, care_form=care_forms["PLZ"], provider=other_foster_provider, municipality=ede, start_date=D(2019, 1, 1))
    with pytest.raises(ValidationError):
        services.placement_link(user=owner, family=fam, episode=foreign)
    res = Episode.objects.create(child=kid, care_form=care_forms["RES"], provider=foster_provider, municipality=ede, start_date=D(2019, 1, 1))
    with pytest.raises(ValidationError):
        services.placement_link(user=owner, family=fam, episode=res)
    ok = Episode.objects.create(child=kid, care_form=care_forms["NPZ"], provider=foster_provider, municipality=ede, start_date=D(2019, 2, 1))
    assert services.placement_link(user=owner, family=fam, episode=ok).matched_on == D(2019, 2, 1)


# ------------------------------------------------------------------------------------------- risk life cycle
@pytest.fixture
def placement(foster_provider, ede, kid, owner):
    fam = family(foster_provider, ede, "PG-R", places=2)
    return services.match_record(user=owner, child=kid, family=fam, start_date=D(2020, 1, 6))


def test_risk_register_follow_up_and_resolve_stable(placement, owner):
    with pytest.raises(ValidationError) as exc:
        services.risk_register(user=owner, placement=placement, registered_on=D(2020, 1, 1), severity="hoog", signals=[])
    assert set(exc.value.message_dict) == {"registered_on", "signals"}  # before the placement, no signal
    risk = services.risk_register(user=owner, placement=placement, registered_on=D(2020, 2, 3), severity="hoog", signals=["gedrag_kind"])
    with pytest.raises(ValidationError):  # one open risk per placement
        services.risk_register(user=owner, placement=placement, registered_on=D(2020, 2, 10), severity="laag", signals=["school"])
    services.risk_follow_up_add(user=owner, risk=risk, date=D(2020, 3, 2), severity="midden", note="Respijt helpt.")
    risk.refresh_from_db()
    assert risk.severity == "midden"
    with pytest.raises(ValidationError) as exc:  # before the last follow-up
        services.risk_resolve(user=owner, risk=risk, resolved_on=D(2020, 3, 1), outcome=RiskOutcome.STABLE)
    assert "resolved_on" in exc.value.message_dict
    services.risk_resolve(user=owner, risk=risk, resolved_on=D(2020, 4, 1), outcome=RiskOutcome.STABLE, reason="verzoek_kind")
    risk.refresh_from_db()
    assert (risk.status, risk.outcome, risk.reason, risk.is_breakdown) == ("afgesloten", "stabiel", "", False)
    assert placement.episode.end_date is None
    with pytest.raises(ValidationError):
        services.risk_follow_up_add(user=owner, risk=risk, date=D(2020, 4, 2), severity="laag", note="x")
    # after resolving, a new risk may be registered
    assert services.risk_register(user=owner, placement=placement, registered_on=D(2020, 5, 4), severity="laag", signals=["school"]).pk


def test_resolve_as_ended_ends_the_episode_with_a_one_sided_reason(placement, owner):
    risk = services.risk_register(user=owner, placement=placement, registered_on=D(2020, 5, 4), severity="hoog", signals=["overbelasting"])
    with pytest.raises(ValidationError) as exc:
        services.risk_resolve(user=owner, risk=risk, resolved_on=D(2020, 6, 1), outcome=RiskOutcome.ENDED)
    assert set(exc.value.message_dict) == {"reason", "destination"}
    services.risk_resolve(user=owner, risk=risk, resolved_on=D(2020, 6, 1), outcome=RiskOutcome.ENDED, reason="verzoek_gedrag",
                          destination="residentieel")
    episode = Episode.objects.get(pk=placement.episode_id)
    assert (episode.end_date, episode.end_reason) == (D(2020, 6, 1), "33")
    assert PlacementRisk.objects.get(pk=risk.pk).is_breakdown
    # a planned move is an ending, not a breakdown; the child's request maps to 32
    p2 = services.match_record(user=owner, child=episode.child, family=placement.family, start_date=D(2020, 7, 1))
    r2 = services.risk_register(user=owner, placement=p2, registered_on=D(2020, 7, 6), severity="laag", signals=["wens_kind"])
    services.risk_resolve(user=owner, risk=r2, resolved_on=D(2020, 8, 3), outcome=RiskOutcome.ENDED, reason="gepland", destination="thuis")
    assert Episode.objects.get(pk=p2.episode_id).end_reason == "34" and not PlacementRisk.objects.get(pk=r2.pk).is_breakdown


def test_family_status_rules(foster_provider, ede, kid, owner):
    fam = family(foster_provider, ede, "PG-S", status="in_opleiding", since=D(2019, 5, 1))
    with pytest.raises(ValidationError):  # "active" needs a child
        services.family_set_status(user=owner, family=fam, status=FamilyStatus.ACTIVE, on=D(2019, 9, 1))
    services.family_set_status(user=owner, family=fam, status=FamilyStatus.APPROVED, on=D(2019, 9, 1))
    services.match_record(user=owner, child=kid, family=fam, start_date=D(2020, 1, 6))
    with pytest.raises(ValidationError) as exc:  # children still placed, and a reason is required
        services.family_set_status(user=owner, family=fam, status=FamilyStatus.STOPPED, on=D(2020, 2, 1))
    assert set(exc.value.message_dict) == {"status", "reason"}
    fam.placements.get().episode.__class__.objects.filter(pk=fam.placements.get().episode_id).update(end_date=D(2020, 3, 1), end_reason="31")
    services.family_set_status(user=owner, family=fam, status=FamilyStatus.STOPPED, on=D(2020, 4, 1), reason="onvoldoende_steun")
    assert list(fam.status_changes.values_list("status", "reason")) == [
        ("in_opleiding", ""), ("goedgekeurd", ""), ("actief", ""), ("gestopt", "onvoldoende_steun")]


# ------------------------------------------------------------------------------------------- recruitment
def test_pipeline_and_funnel_counts(foster_provider, other_foster_provider, ede, foster_worker, other_foster_worker, owner, kid):
    def prospect(ref, info, provider=foster_provider):
        return services.prospect_register(user=foster_worker, provider=provider, reference=ref, municipality=ede, info_on=info)

    p1 = prospect("AS-1", D(2020, 1, 14))
    p2 = prospect("AS-2", D(2020, 1, 14))
    p3 = prospect("AS-3", D(2020, 2, 11))
    prospect("AS-4", D(2020, 2, 11))
    prospect("AS-X", D(2020, 2, 11), provider=other_foster_provider)  # another provider: not in this worker's funnel
    for day in (D(2020, 2, 1), D(2020, 3, 1), D(2020, 4, 1)):
        services.prospect_advance(user=foster_worker, prospect=p1, on=day)
    fam_prospect = services.prospect_advance(user=foster_worker, prospect=p1, on=D(2020, 6, 2), places=2, age_min=0, age_max=12)
    assert fam_prospect.stage == Stage.APPROVED and fam_prospect.family.status == FamilyStatus.APPROVED
    assert (fam_prospect.family.places, fam_prospect.family.age_max, fam_prospect.family.reference) == (2, 12, "AS-1")
    services.prospect_advance(user=foster_worker, prospect=p2, on=D(2020, 2, 20))
    services.prospect_drop(user=foster_worker, prospect=p2, on=D(2020, 3, 5), reason="eigen_keuze")
    with pytest.raises(ValidationError):  # before the previous stage
        services.prospect_advance(user=foster_worker, prospect=p3, on=D(2020, 2, 1))
    with pytest.raises(ValidationError):
        services.prospect_drop(user=foster_worker, prospect=p2, on=D(2020, 3, 6), reason="anders")
    # the recruited family takes its first child in July: one realised match
    services.match_record(user=owner, child=kid, family=fam_prospect.family, start_date=D(2020, 7, 1))

    f = selectors.funnel(user=foster_worker, first=D(2020, 1, 1), last=D(2020, 12, 31))
    assert f.totals == {"informatieavond": 4, "intake": 2, "training": 1, "beoordeling": 1, "goedgekeurd": 1}
    assert f.counts["2020-01"]["informatieavond"] == 2 and f.counts["2020-02"]["informatieavond"] == 2
    assert f.counts["2020-02"]["intake"] == 2 and f.counts["2020-03"]["afgehaakt"] == 1 and f.counts["2020-06"]["goedgekeurd"] == 1
    assert f.dropped == 1 and f.drop_reasons[0][1] == 1
    assert dict(f.conversions)["Informatieavond → Intake"] == 0.5
    assert dict(f.conversions)["Informatieavond → Goedgekeurd"] == 0.25
    assert f.matches == 1 and f.prospects_per_match == 4.0
    assert f.now_in_stage["goedgekeurd"] == 1 and f.now_in_stage["afgehaakt"] == 1 and f.now_in_stage["informatieavond"] == 2
    # the other provider's worker sees only its own prospect; no match there
    g = selectors.funnel(user=other_foster_worker, first=D(2020, 1, 1), last=D(2020, 12, 31))
    assert g.totals["informatieavond"] == 1 and g.matches == 0 and g.prospects_per_match is None
    assert Prospect.objects.count() == 5 and FosterPlacement.objects.count() == 1


def test_support_can_be_planned_ahead_up_to_a_year(foster_provider, ede):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    fam = family(foster_provider, ede, "PG-plan")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    planned = services.support_add(user=None, family=fam, kind="respijt", start_date=tomorrow, end_date=tomorrow + dt.timedelta(days=2))
    assert planned.start_date == tomorrow
    with pytest.raises(ValidationError, match="tot een jaar vooruit"):
        services.support_add(user=None, family=fam, kind="respijt", start_date=timezone.localdate() + dt.timedelta(days=400))
