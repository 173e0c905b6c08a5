"""Foster-care pages: the whole flow of the issue through the test client (register a family, match a child, register
a risk, add support and a follow-up, resolve as stable; a second risk ending in residential care), the snapshot run
and the target; scoping per role and the access log."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AccessLogEntry, Role
from fostercare import services
from fostercare.models import FosterFamily, PlacementRisk
from monitoring.models import Target
from monitoring.runs.services import run_compute, run_create
from monitoring.targets.progress import target_progress
from placements.bsn import synthetic_bsn
from placements.models import Episode
from placements.services import child_register
from tests.conftest import login, make_user

D = dt.date


@pytest.fixture
def kids(owner, outsider):
    a = child_register(user=owner, bsn=synthetic_bsn(901), birth_date=D(2010, 4, 1), sex="M", label="PZ-A")[0]
    b = child_register(user=owner, bsn=synthetic_bsn(902), birth_date=D(2007, 9, 1), sex="V", label="PZ-B")[0]
    v = child_register(user=outsider, bsn=synthetic_bsn(903), birth_date=D(2011, 1, 1), sex="V", label="VN-1")[0]
    return a, b, v


def test_the_whole_flow_counts_a_prevented_breakdown_and_a_breakdown_with_escalation(client, foster_worker, owner, kids, foodvalley,
                                                                                      ede, care_forms, provider):
    a, b, _v = kids
    # 1. the foster-care worker registers a family
    login(client, foster_worker)
    response = client.post(reverse("fostercare:family_create"), {
        "reference": "PG-2020-001", "kind": "bestand", "municipality": ede.pk, "places": 2, "age_min": 0, "age_max": 17,
        "siblings_together": "on", "status": "goedgekeurd", "status_since": "2019-12-02", "note": "",
    })
    family = FosterFamily.objects.get(reference="PG-2020-001")
    assert response.status_code == 302 and response["Location"] == reverse("fostercare:family_detail", args=[family.pk])
    assert family.provider == foster_worker.provider
    client.logout()

    # 2. the wijkteam worker matches two children of Ede with that family
    login(client, owner)
    page = client.get(reverse("fostercare:match_child", args=[a.pk]) + "?start_date=2020-01-06&siblings=1&prefer_network=on")
    assert page.status_code == 200 and 'data-family="PG-2020-001"' in page.content.decode()
    for kid in (a, b):
        response = client.post(reverse("fostercare:match_child", args=[kid.pk]), {"family": family.pk, "start_date": "2020-01-06", "siblings": 1})
        assert response.status_code == 302
    pa, pb = (family.placements.get(episode__child=k) for k in (a, b))
    assert pa.episode.care_form.code == "PLZ" and pa.episode.provider == foster_worker.provider

    # 3. risk on a's placement, support, follow-up, resolved as stable
    response = client.post(reverse("fostercare:risk_create", args=[pa.pk]), {
        "registered_on": "2020-02-03", "severity": "hoog", "signals": ["gedrag_kind", "overbelasting"], "signals_text": "Veel conflicten.",
        "support_deployed": "Extra bezoek.",
    })
    risk = PlacementRisk.objects.get(placement=pa)
    assert response["Location"] == reverse("fostercare:risk_detail", args=[risk.pk])
    response = client.post(reverse("fostercare:support_add", args=[family.pk]), {
        "kind": "respijt", "start_date": "2020-02-10", "end_date": "", "risk": risk.pk, "note": "Eén weekend per maand.",
    })
    assert response["Location"] == reverse("fostercare:risk_detail", args=[risk.pk])
    client.post(reverse("fostercare:risk_follow_up", args=[risk.pk]), {"date": "2020-03-02", "severity": "midden", "note": "Respijt helpt."})
    response = client.post(reverse("fostercare:risk_resolve", args=[risk.pk]), {"resolved_on": "2020-04-01", "outcome": "stabiel"})
    assert response.status_code == 302
    risk.refresh_from_db()
    assert (risk.status, risk.outcome, risk.supports.count(), risk.follow_ups.count()) == ("afgesloten", "stabiel", 1, 1)
    detail = client.get(reverse("fostercare:risk_detail", args=[risk.pk])).content.decode()
    assert "Plaatsing stabiel" in detail and "Respijt" in detail

    # 4. a second risk (b) ends in a move to residential care: checklist, resolve as ended, start the residential episode
    response = client.post(reverse("fostercare:risk_create", args=[pb.pk]), {"registered_on": "2020-05-04", "severity": "hoog", "signals": ["veiligheid"]})
    risk2 = PlacementRisk.objects.get(placement=pb)
    response = client.post(reverse("fostercare:risk_resolve", args=[risk2.pk]), {
        "resolved_on": "2020-06-01", "outcome": "beeindigd", "reason": "verzoek_gedrag", "destination": "residentieel", "note": "Pleegouders konden het niet meer.",
    })
    assert response.status_code == 302
    assert Episode.objects.get(pk=pb.episode_id).end_date == D(2020, 6, 1)
    checklist = {f: "on" for f in ("alt_ambulant", "alt_jim", "alt_systemic", "alt_foster", "alt_family_home", "ret_consulted", "child_heard",
                                    "parents_heard", "safety_assessed")}
    response = client.post(reverse("casework:checklist_create", args=[b.pk]), {
        "care_form": care_forms["RES"].pk, "completed_on": "2020-05-25", "alternatives_note": "Pleegzorg lukt niet meer.",
        "consulted_note": "RET", "return_plan": "Terug naar een gezinsvorm binnen een jaar.", **checklist,
    })
    assert response.status_code == 302
    response = client.post(reverse("children:episode_start", args=[b.pk]), {
        "care_form": care_forms["RES"].pk, "provider": provider.pk, "start_date": "2020-06-01", "referrer": "01",
        "legal_framework": "vrijwillig", "municipality": ede.pk,
    })
    assert response.status_code == 302 and Episode.objects.filter(child=b, care_form__code="RES").exists()
    client.logout()

    # 5. the snapshot run counts one prevented breakdown (April), one breakdown and one escalation (June)
    target = Target.objects.create(name="15 breakdowns voorkomen", region=foodvalley, metric="breakdowns_prevented", group="all", band="all",
                                   period_start=D(2020, 1, 1), period_end=D(2020, 12, 31), kind="accumulate", target_value=15,
                                   direction="at_least")
    early = run_compute(run_create(today=D(2020, 7, 10)))  # data date 2020-06-30: April's 183 days have not passed
    assert early.series.get(scope="Food Valley", group="all", metric="breakdowns_prevented").values == {}
    run = run_compute(run_create(today=D(2020, 11, 10)))  # data date 2020-10-31: April is measurable from 30-10-2020
    series = {(s.scope, s.group, s.metric): s.values for s in run.series.filter(scope__in=["Food Valley", "GM0228"])}
    assert series[("Food Valley", "all", "breakdowns_prevented")] == {"2020-04": 1}
    assert series[("GM0228", "all", "breakdowns_prevented")] == {"2020-04": 1}
    assert series[("Food Valley", "all", "foster_breakdowns_registered")] == {"2020-06": 1}
    assert series[("Food Valley", "all", "foster_escalations")] == {"2020-06": 1}
    assert {p: v for p, v in series[("Food Valley", "family_based", "breakdowns")].items() if v} == {"2020-06": 1}
    assert {p: v for p, v in series[("Food Valley", "RES", "escalations")].items() if v} == {"2020-06": 1}
    assert series[("Food Valley", "all", "foster_families_active")]["2020-06"] == 1
    assert series[("Food Valley", "all", "foster_free_places")]["2020-05"] == 0 and series[("Food Valley", "all", "foster_free_places")]["2020-06"] == 1
    progress = target_progress(target, run)
    assert progress.status not in ("not_measured", "no_data") and progress.actual == 1

    # 6. the dashboard shows the prevented breakdown (wijkteam of Ede: exact numbers) and the targets page the progress
    html = login(client, owner).get(reverse("monitoring:dashboard") + "?scope=GM0228&month=2020-06").content.decode()
    assert 'id="fostercare-section"' in html
    section = html[html.index('data-fostercare="breakdowns_prevented"'):]
    assert '<div class="fs-4 fw-semibold">1</div>' in section[:400]
    client.logout()
    project = make_user("piet", Role.PROJECT, region=foodvalley)
    html = login(client, project).get(reverse("monitoring:dashboard") + "?scope=Food+Valley&month=2020-06").content.decode()
    section = html[html.index('data-fostercare="breakdowns_prevented"'):]
    assert '<div class="fs-4 fw-semibold">≤5</div>' in section[:400]  # one child: suppressed for the project team
    html = client.get(reverse("targets:list")).content.decode()
    assert "15 breakdowns voorkomen" in html and "nog niet gemeten" not in html.split("15 breakdowns voorkomen")[1][:2000]
    # the access log has every read and change of the children's foster records, without labels
    refs = {a.reference, b.reference}
    entries = AccessLogEntry.objects.filter(object_ref__in=refs, object_type__in=["foster_placement", "placement_risk"])
    assert entries.filter(action="create").count() >= 3 and entries.filter(action="change").count() >= 3 and entries.filter(action="read").count() >= 1
    assert not AccessLogEntry.objects.filter(detail__contains="PZ-").exists()


@pytest.fixture
def setup(foster_provider, other_foster_provider, ede, veenendaal, owner, outsider, kids):
    a, b, v = kids
    mine = services.family_register(user=None, provider=foster_provider, reference="MINE", municipality=ede, kind="bestand", places=3,
                                    status="goedgekeurd", status_since=D(2019, 1, 1))
    other = services.family_register(user=None, provider=other_foster_provider, reference="OTHER", municipality=ede, kind="bestand",
                                     places=2, status="goedgekeurd", status_since=D(2019, 1, 1))
    pa = services.match_record(user=owner, child=a, family=mine, start_date=D(2020, 1, 6))
    pv = services.match_record(user=outsider, child=v, family=mine, start_date=D(2020, 1, 6))
    pb = services.match_record(user=owner, child=b, family=other, start_date=D(2020, 1, 6))
    ra = services.risk_register(user=owner, placement=pa, registered_on=D(2020, 2, 3), severity="hoog", signals=["school"])
    rv = services.risk_register(user=outsider, placement=pv, registered_on=D(2020, 2, 3), severity="laag", signals=["school"])
    rb = services.risk_register(user=owner, placement=pb, registered_on=D(2020, 2, 3), severity="laag", signals=["school"])
    return {"mine": mine, "other": other, "pa": pa, "pv": pv, "pb": pb, "ra": ra, "rv": rv, "rb": rb, "kids": kids}


def test_foster_worker_sees_own_providers_families_and_children_only(client, foster_worker, setup):
    login(client, foster_worker)
    html = client.get(reverse("fostercare:family_list")).content.decode()
    assert 'data-family="MINE"' in html and 'data-family="OTHER"' not in html
    html = client.get(reverse("fostercare:family_detail", args=[setup["mine"].pk])).content.decode()
    a, _b, v = setup["kids"]
    assert a.reference in html and v.reference in html
    assert "PZ-A" not in html and "VN-1" not in html  # the wijkteam's labels stay inside the municipality
    response = client.get(reverse("fostercare:family_detail", args=[setup["other"].pk]))
    assert response.status_code == 404
    assert AccessLogEntry.objects.filter(actor=foster_worker, object_ref=f"family {setup['other'].pk}", result="denied").exists()
    assert client.get(reverse("fostercare:risk_detail", args=[setup["rb"].pk])).status_code == 404
    assert client.get(reverse("fostercare:risk_detail", args=[setup["ra"].pk])).status_code == 200
    risk_list = client.get(reverse("fostercare:risk_list") + "?maand=2020-02").content.decode()
    assert f'data-risk="{setup["ra"].pk}"' in risk_list and f'data-risk="{setup["rv"].pk}"' in risk_list and f'data-risk="{setup["rb"].pk}"' not in risk_list
    # no matching for a foster-care worker (the wijkteam places children); no child pages
    assert client.get(reverse("fostercare:match_start")).status_code == 403
    assert client.get(reverse("children:detail", args=[a.pk])).status_code == 403
    home = client.get(reverse("home")).content.decode()
    assert 'id="fostercare-overview"' in home
    assert AccessLogEntry.objects.filter(actor=foster_worker, object_type="foster_placement", action="read", object_ref=a.reference).exists()


def test_wijkteam_sees_a_family_only_as_far_as_its_children_are_placed_there(client, owner, outsider, setup):
    a, b, v = setup["kids"]
    login(client, owner)
    html = client.get(reverse("fostercare:family_list")).content.decode()
    assert 'data-family="MINE"' in html and 'data-family="OTHER"' in html  # Ede children in both
    html = client.get(reverse("fostercare:family_detail", args=[setup["mine"].pk])).content.decode()
    assert a.reference in html and "PZ-A" in html and v.reference not in html  # Veenendaal's child is not shown
    assert 'id="family-edit"' not in html  # only the provider edits the family
    assert client.get(reverse("fostercare:risk_detail", args=[setup["rv"].pk])).status_code == 404
    assert client.get(reverse("fostercare:family_edit", args=[setup["mine"].pk])).status_code == 403
    client.logout()
    login(client, outsider)
    html = client.get(reverse("fostercare:family_list")).content.decode()
    assert 'data-family="MINE"' in html and 'data-family="OTHER"' not in html
    assert client.get(reverse("fostercare:family_detail", args=[setup["other"].pk])).status_code == 404
    # matching another municipality's child is refused and logged
    assert client.get(reverse("fostercare:match_child", args=[a.pk])).status_code == 404
    assert AccessLogEntry.objects.filter(actor=outsider, object_type="foster_placement", object_ref=a.reference, result="denied").exists()


def test_project_team_sees_aggregates_only(client, project_user, setup):
    login(client, project_user)
    for name, args in (("fostercare:family_list", []), ("fostercare:family_detail", [setup["mine"].pk]),
                       ("fostercare:risk_list", []), ("fostercare:risk_detail", [setup["ra"].pk])):
        assert client.get(reverse(name, args=args)).status_code == 403
    response = client.get(reverse("fostercare:recruitment"))
    assert response.status_code == 200 and 'id="funnel-totals"' in response.content.decode()
    assert 'id="prospect-table"' not in response.content.decode()
    assert client.get(reverse("fostercare:prospect_create")).status_code == 403


def test_recruitment_pages_for_the_provider(client, foster_worker, ede):
    login(client, foster_worker)
    response = client.post(reverse("fostercare:prospect_create"), {"reference": "AS-1", "municipality": ede.pk, "kind": "bestand",
                                                                     "info_on": "2020-01-14"})
    assert response.status_code == 302
    prospect = foster_worker.provider.prospects.get()
    for day in ("2020-02-01", "2020-03-01", "2020-04-01"):
        client.post(reverse("fostercare:prospect_step", args=[prospect.pk]), {"action": "advance", "on": day})
    response = client.post(reverse("fostercare:prospect_step", args=[prospect.pk]), {"action": "advance", "on": "2020-06-02", "places": 2,
                                                                                     "age_min": 0, "age_max": 12})
    prospect.refresh_from_db()
    assert prospect.stage == "goedgekeurd" and response["Location"] == reverse("fostercare:family_detail", args=[prospect.family_id])
    html = client.get(reverse("fostercare:recruitment") + "?jaar=2020").content.decode()
    assert 'data-stage="goedgekeurd"' in html and 'id="funnel-months"' in html
    family = prospect.family
    services.family_set_status(user=foster_worker, family=family, status="gestopt", on=D(2020, 9, 1), reason="onvoldoende_steun")
    html = client.get(reverse("fostercare:recruitment") + "?jaar=2020").content.decode()
    leaving = html[html.index('id="families-leaving"'):]
    assert "Onvoldoende ondersteuning" in leaving[:300]
    assert AccessLogEntry.objects.filter(actor=foster_worker, object_type="prospect", action="change").count() == 4


def test_pages_render_for_the_flow(client, owner, foster_worker, setup):
    login(client, foster_worker)
    for url in (reverse("fostercare:family_create"), reverse("fostercare:family_edit", args=[setup["mine"].pk]),
                reverse("fostercare:family_status", args=[setup["mine"].pk]), reverse("fostercare:support_add", args=[setup["mine"].pk]),
                reverse("fostercare:risk_follow_up", args=[setup["ra"].pk]), reverse("fostercare:risk_resolve", args=[setup["ra"].pk]),
                reverse("fostercare:recruitment"), reverse("fostercare:prospect_create")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'id="submit-id-save"' in response.content.decode() or "funnel" in response.content.decode()
    client.logout()
    login(client, owner)
    html = client.get(reverse("fostercare:match_start")).content.decode()
    assert 'id="id_child_0"' in html and 'type="radio"' in html  # the newest children of the scope, to choose from
    assert client.get(reverse("fostercare:match_start") + f"?child={setup['kids'][0].pk}")["Location"].endswith(
        reverse("fostercare:match_child", args=[setup["kids"][0].pk]))
    assert client.get(reverse("fostercare:risk_create", args=[setup["pa"].pk])).status_code == 200


def test_a_direct_post_cannot_pick_a_family_the_list_leaves_out(client, foster_worker, owner, kids, ede, care_forms):
    """Issue 15: another child's network family, left out of the candidates, was accepted by a direct POST."""
    a, b, _v = kids
    network = services.family_register(user=foster_worker, provider=foster_worker.provider, reference="NW-A", municipality=ede,
                                       kind="netwerk", places=2, age_min=0, age_max=17, siblings_together=True,
                                       status="goedgekeurd", status_since=D(2019, 1, 1))
    login(client, owner)
    url = lambda kid: reverse("fostercare:match_child", args=[kid.pk])  # noqa: E731
    assert client.post(url(a), {"family": network.pk, "start_date": "2020-01-06", "siblings": 1}).status_code == 302  # its child
    page = client.get(url(b) + "?start_date=2020-02-03&siblings=1&prefer_network=on").content.decode()
    assert 'data-family="NW-A"' not in page  # the list leaves it out for another child
    response = client.post(url(b), {"family": network.pk, "start_date": "2020-02-03", "siblings": 1})
    assert response.status_code == 200 and "staat niet (meer) in de lijst van passende gezinnen" in response.content.decode()
    assert network.placements.count() == 1
    assert AccessLogEntry.objects.filter(object_type="foster_placement", result="denied", object_ref=b.reference).exists()
    with pytest.raises(ValidationError, match="netwerkgezin"):  # and the service refuses it too, whoever calls it
        services.match_record(user=owner, child=b, family=network, start_date=D(2020, 2, 3))
