"""Foster-care figures against hand-computed data (fostercare.figures docstring; metrics.md breakdowns_prevented)."""
from __future__ import annotations

import datetime as dt

import pytest

from fostercare.figures import fostercare_series
from fostercare.models import FamilyStatusChange, FosterFamily, FosterPlacement, PlacementRisk, Prospect
from placements.bsn import synthetic_bsn
from placements.models import Episode
from placements.services import child_register

D = dt.date


@pytest.fixture
def kids(owner, outsider):
    ede = [child_register(user=owner, bsn=synthetic_bsn(700 + i), birth_date=D(2010, 1, 1), sex="M", label=f"E{i}")[0] for i in range(5)]
    vnd = [child_register(user=outsider, bsn=synthetic_bsn(800 + i), birth_date=D(2010, 1, 1), sex="V", label=f"V{i}")[0] for i in range(2)]
    return ede, vnd


def get(region, data_date, metric, scope=None, group="all"):
    scope = scope or region.name
    found = [v for lv, sc, g, b, m, v in fostercare_series(data_date=data_date, region=region) if m == metric and sc == scope and g == group]
    return found[0] if found else {}


APPROVED_2019 = (("goedgekeurd", D(2019, 1, 1), ""),)


def fam(provider, muni, ref, kind="bestand", places=1, history=APPROVED_2019):
    f = FosterFamily.objects.create(provider=provider, municipality=muni, reference=ref, kind=kind, places=places,
                                    status=history[-1][0], status_since=history[-1][1])
    for status, day, reason in history:
        FamilyStatusChange.objects.create(family=f, status=status, date=day, reason=reason)
    return f


def place(family, child, form, start, end=None, reason=""):
    ep = Episode.objects.create(child=child, care_form=form, provider=family.provider, municipality=child.municipality, start_date=start,
                                end_date=end, end_reason=reason)
    return FosterPlacement.objects.create(family=family, episode=ep, matched_on=start)


def risk(placement, reg, resolved=None, outcome="", reason=""):
    return PlacementRisk.objects.create(placement=placement, registered_on=reg, severity="midden", signals=["school"],
                                        status="afgesloten" if resolved else "open", resolved_on=resolved, outcome=outcome, reason=reason)


def test_breakdowns_prevented_and_the_risk_figures(kids, foodvalley, foster_provider, care_forms):
    (e0, e1, e2, e3, e4), (v0, _v1) = kids
    plz, res = care_forms["PLZ"], care_forms["RES"]
    f = fam(foster_provider, e0.municipality, "F", places=6)
    p0 = place(f, e0, plz, D(2020, 1, 1))
    risk(p0, D(2020, 2, 10), D(2020, 4, 1), "stabiel")                       # prevented (April)
    p1 = place(f, e1, plz, D(2020, 1, 1), D(2020, 6, 15), "33")
    risk(p1, D(2020, 2, 1), D(2020, 3, 1), "stabiel")                        # broke down 2020-06-15 (≤ 183 days): not prevented
    p2 = place(f, e2, plz, D(2020, 1, 1))
    risk(p2, D(2020, 1, 10), D(2020, 8, 1), "stabiel")                       # resolved after 204 days: not prevented
    p3 = place(f, e3, plz, D(2020, 1, 1), D(2020, 5, 20), "31")              # planned end, then residential 10 days later
    Episode.objects.create(child=e3, care_form=res, provider=foster_provider, municipality=e3.municipality, start_date=D(2020, 5, 30))
    risk(p3, D(2020, 3, 2), D(2020, 3, 31), "stabiel")                       # escalation within 30 days of the end: not prevented
    p4 = place(f, e4, plz, D(2020, 1, 1), D(2020, 12, 1), "31")
    risk(p4, D(2020, 1, 6), D(2020, 2, 3), "stabiel")                        # ends as planned after the window: prevented (February)
    risk(p4, D(2020, 9, 1), D(2020, 10, 5), "beeindigd", "verzoek_kind")     # a registered breakdown (the episode goes on in the data)
    pv = place(fam(foster_provider, v0.municipality, "G"), v0, plz, D(2020, 1, 1))
    risk(pv, D(2020, 3, 15))                                                 # open at the data date (Veenendaal)

    data_date = D(2020, 12, 31)
    assert get(foodvalley, data_date, "breakdowns_prevented") == {"2020-02": 1, "2020-04": 1}
    assert get(foodvalley, data_date, "breakdowns_prevented", scope="GM0345") == {}
    assert get(foodvalley, data_date, "foster_breakdowns_registered") == {"2020-10": 1}
    assert get(foodvalley, data_date, "foster_breakdowns_registered", group="verzoek_kind") == {"2020-10": 1}
    assert get(foodvalley, data_date, "foster_risks_registered", scope="GM0228") == {"2020-01": 2, "2020-02": 2, "2020-03": 1, "2020-09": 1}
    # at risk on the last day of the month (distinct placements)
    at_risk = get(foodvalley, data_date, "foster_at_risk")
    assert at_risk["2020-01"] == 2          # p2 (10 Jan) and p4 (6 Jan)
    assert at_risk["2020-02"] == 3          # p0, p1, p2 (p4 resolved 3 Feb)
    assert at_risk["2020-03"] == 3          # p0, p2, pv (p1 resolved 1 March, p3 on the 31st itself)
    assert at_risk["2020-09"] == 2 and at_risk["2020-12"] == 1  # p4's second risk and pv; then only pv
    # days at risk in January: p2 from 10 Jan (22 days) + p4 from 6 Jan (26 days)
    assert get(foodvalley, data_date, "foster_at_risk_days")["2020-01"] == 48
    # an earlier run does not yet see the later breakdown of p1: then p1's risk counts as prevented
    assert get(foodvalley, D(2020, 5, 31), "breakdowns_prevented") == {"2020-02": 1, "2020-03": 1, "2020-04": 1}


def test_escalations_from_foster_care_and_foster_children(kids, foodvalley, foster_provider, care_forms):
    (e0, e1, e2, e3, _e4), (v0, v1) = kids
    plz, npz, gzh, res, jzp = (care_forms[c] for c in ("PLZ", "NPZ", "GZH", "RES", "JZP"))
    ep = lambda c, f, s, e=None: Episode.objects.create(child=c, care_form=f, provider=foster_provider, municipality=c.municipality,  # noqa: E731
                                                        start_date=s, end_date=e)
    ep(e0, plz, D(2020, 1, 1), D(2020, 3, 10))  # foster → residential the same day: 1 (March)
    ep(e0, res, D(2020, 3, 10))
    ep(e1, gzh, D(2020, 1, 1), D(2020, 2, 1))  # 33 days later: not from foster care
    ep(e1, res, D(2020, 3, 5))
    ep(e2, npz, D(2020, 1, 1), D(2020, 4, 1))  # 1 (March); RES→JZP is not
    ep(e2, res, D(2020, 3, 1), D(2020, 5, 1))
    ep(e2, jzp, D(2020, 5, 1))
    ep(v0, plz, D(2020, 1, 1), D(2020, 6, 1))  # 19 days later: 1 (June, Veenendaal)
    ep(v0, res, D(2020, 6, 20))
    ep(e3, res, D(2020, 2, 1))                                                           # never in foster care
    data_date = D(2020, 12, 31)
    assert get(foodvalley, data_date, "foster_escalations") == {"2020-03": 2, "2020-06": 1}
    assert get(foodvalley, data_date, "foster_escalations", scope="GM0345") == {"2020-06": 1}
    # foster children (PLZ + NPZ, not GZH) on the peildatum; v1 in PLZ and NPZ at once counts once
    ep(v1, plz, D(2020, 1, 15), D(2020, 2, 29))
    ep(v1, npz, D(2020, 2, 1))
    kids_in_foster = get(foodvalley, data_date, "foster_children")
    assert kids_in_foster["2020-01"] == 4   # e0, e2, v0, v1 (e1 is in a family home)
    assert kids_in_foster["2020-02"] == 4
    assert kids_in_foster["2020-03"] == 3   # e0 left 10 March; e2, v0, v1
    assert kids_in_foster["2020-04"] == 2   # e2's NPZ ends 1 April
    assert kids_in_foster["2020-06"] == 1 and kids_in_foster["2020-12"] == 1
    assert get(foodvalley, data_date, "foster_children", scope="GM0345")["2020-02"] == 2


def test_families_active_leaving_and_free_places(kids, foodvalley, foster_provider, care_forms, ede, veenendaal):
    (e0, e1, e2, _e3, _e4), _v = kids
    plz, gzh = care_forms["PLZ"], care_forms["GZH"]
    a = fam(foster_provider, ede, "A", places=2, history=(("in_opleiding", D(2019, 10, 1), ""), ("goedgekeurd", D(2020, 1, 15), ""),
                                                        ("actief", D(2020, 2, 1), "")))
    place(a, e0, plz, D(2020, 2, 1))
    place(a, e1, plz, D(2020, 3, 10), D(2020, 5, 1))
    b = fam(foster_provider, veenendaal, "B", kind="gezinshuis", places=4, history=(("goedgekeurd", D(2019, 6, 1), ""), ("actief", D(2019, 7, 1), ""),
                                                                                      ("gestopt", D(2020, 4, 20), "onvoldoende_steun")))
    place(b, e2, gzh, D(2019, 7, 1), D(2020, 4, 1))
    fam(foster_provider, ede, "C", places=1, history=(("goedgekeurd", D(2020, 1, 5), ""), ("gepauzeerd", D(2020, 3, 1), "")))
    d = D(2020, 6, 30)
    active = get(foodvalley, d, "foster_families_active")
    assert active["2019-06"] == 1 and active["2019-10"] == 1  # only B (A is in training)
    assert active["2020-01"] == 3   # A (approved 15 Jan), B, C
    assert active["2020-03"] == 2   # C paused
    assert active["2020-04"] == 1   # B stopped 20 April
    assert get(foodvalley, d, "foster_families_active", group="gezinshuis") == {"2019-06": 1, "2019-07": 1, "2019-08": 1, "2019-09": 1,
                                                                                "2019-10": 1, "2019-11": 1, "2019-12": 1, "2020-01": 1,
                                                                                "2020-02": 1, "2020-03": 1}
    free = get(foodvalley, d, "foster_free_places")
    assert free["2019-06"] == 4 and free["2019-07"] == 3   # B empty, then one child
    assert free["2020-01"] == 2 + 3 + 1                    # A (2, no child yet), B (4 − 1), C (1)
    assert free["2020-02"] == 1 + 3 + 1
    assert free["2020-03"] == 0 + 3                         # A full, C paused
    assert free["2020-04"] == 0                             # A still full on 30 April (e1 leaves 1 May), B stopped
    assert free["2020-05"] == 1 and free["2020-06"] == 1
    places = get(foodvalley, d, "foster_places")  # capacity of the active families, children placed or not
    assert places["2019-06"] == 4 and places["2019-12"] == 4   # B only
    assert places["2020-01"] == 2 + 4 + 1 and places["2020-02"] == 7
    assert places["2020-03"] == 2 + 4                           # C paused
    assert places["2020-04"] == 2 and places["2020-06"] == 2    # B stopped
    foster = get(foodvalley, d, "foster_places", group="pleeggezin")  # network and general families, no family home
    assert foster["2020-01"] == 3 and foster["2020-03"] == 2 and "2019-06" not in foster
    assert get(foodvalley, d, "foster_places", group="gezinshuis")["2020-03"] == 4
    assert get(foodvalley, d, "foster_free_places", group="pleeggezin") == {}  # that group is for places only
    assert get(foodvalley, d, "foster_families_leaving") == {"2020-04": 1}
    assert get(foodvalley, d, "foster_families_leaving", group="onvoldoende_steun", scope="GM0345") == {"2020-04": 1}


def test_recruitment_conversion_and_prospects_per_match(kids, foodvalley, foster_provider, care_forms, ede):
    (e0, e1, *_rest), _v = kids
    mk = lambda ref, info, **dates: Prospect.objects.create(provider=foster_provider, municipality=ede, reference=ref, info_on=info, **dates)  # noqa: E731
    mk("P1", D(2020, 1, 10), intake_on=D(2020, 2, 1), training_on=D(2020, 3, 1), assessment_on=D(2020, 5, 1), approved_on=D(2020, 7, 1), stage="goedgekeurd")
    mk("P2", D(2020, 1, 10), intake_on=D(2020, 2, 1), dropped_on=D(2020, 2, 20), stage="afgehaakt", dropped_stage="intake", drop_reason="eigen_keuze")
    for i in range(6):
        mk(f"Q{i}", D(2020, 3, 3))
    mk("R", D(2021, 1, 5))
    # realised matches: a general family whose first child came in 2020, one in 2021; a network family does not count
    g1 = fam(foster_provider, ede, "G1", places=2)
    place(g1, e0, care_forms["PLZ"], D(2020, 9, 1))
    place(g1, e1, care_forms["PLZ"], D(2021, 2, 1))      # second child of the same family: not a new match
    g2 = fam(foster_provider, ede, "G2")
    place(g2, kids[0][2], care_forms["PLZ"], D(2021, 3, 1))
    nw = fam(foster_provider, ede, "NW", kind="netwerk")
    place(nw, kids[0][3], care_forms["NPZ"], D(2020, 4, 1))
    d = D(2021, 6, 30)
    assert get(foodvalley, d, "recruitment", group="informatieavond") == {"2020-01": 2, "2020-03": 6, "2021-01": 1}
    assert get(foodvalley, d, "recruitment", group="intake") == {"2020-02": 2}
    assert get(foodvalley, d, "recruitment", group="goedgekeurd") == {"2020-07": 1}
    assert get(foodvalley, d, "recruitment", group="afgehaakt") == {"2020-02": 1}
    assert get(foodvalley, d, "recruitment_conversion") == {"2020": 0.125, "2021": 0.0}
    assert get(foodvalley, d, "prospects_per_match") == {"2020": 8.0, "2021": 1.0}
    # nothing after the data date
    assert get(foodvalley, D(2020, 6, 30), "recruitment", group="goedgekeurd") == {}


def test_country_level(kids, foodvalley, foster_provider, care_forms):
    (e0, *_r), _v = kids
    f = fam(foster_provider, e0.municipality, "F")
    p = place(f, e0, care_forms["PLZ"], D(2020, 1, 1))
    risk(p, D(2020, 2, 1), D(2020, 3, 1), "stabiel")
    series = fostercare_series(data_date=D(2020, 12, 31), region=None)
    assert {sc for _lv, sc, *_ in series} == {"NL"}
    assert [v for _lv, sc, g, _b, m, v in series if m == "breakdowns_prevented"] == [{"2020-03": 1}]
