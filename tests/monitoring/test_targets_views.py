"""The targets page (scoping, suppression, no inline script) and the admin (Target form validation, the
computed baseline, read-only runs and series)."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from monitoring.models import FigureSeries, SnapshotRun, Target
from placements.models import Municipality, Region
from tests.conftest import login

URL = "/monitor/doelen/"


@pytest.fixture
def run(db):
    return SnapshotRun.objects.create(status="done", data_date=dt.date(2020, 12, 31), first_month="2020-01", last_month="2020-12")


def series(run, scope, values, *, level="region", group="residential", band="all", metric="stock"):
    return FigureSeries.objects.create(run=run, level=level, scope=scope, group=group, band=band, metric=metric, values=values)


def target(name, *, region=None, municipality=None, **kw) -> Target:
    fields = {"metric": "stock", "group": "residential", "band": "all", "period_start": dt.date(2020, 1, 1),
              "period_end": dt.date(2021, 12, 31), "kind": "value", "target_value": 0, "direction": "at_most"}
    fields.update(kw)
    return Target.objects.create(name=name, region=region, municipality=municipality, **fields)


@pytest.fixture
def targets(foodvalley, ede, veenendaal):
    utrecht = Municipality.objects.get(cbs_code="GM0344")
    return {
        "region": target("Doel regio Food Valley", region=foodvalley),
        "ede": target("Doel gemeente Ede", municipality=ede),
        "veenendaal": target("Doel gemeente Veenendaal", municipality=veenendaal),
        "other_muni": target("Doel gemeente Utrecht", municipality=utrecht),
        "other_region": target("Doel regio Utrecht stad", region=Region.objects.get(name="Utrecht stad")),
        "inactive": target("Doel uitgezet", region=foodvalley, active=False),
    }


def names(response) -> set[str]:
    return {c["target"].name for c in response.context["cards"]}


def test_url_name():
    assert reverse("targets:list") == URL


def test_anonymous_is_sent_to_login(client, targets):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_project_team_sees_its_region_and_its_municipalities_only(client, project_user, targets, run):
    response = login(client, project_user).get(URL)
    assert response.status_code == 200
    assert names(response) == {"Doel regio Food Valley", "Doel gemeente Ede", "Doel gemeente Veenendaal"}
    assert b"Doel gemeente Utrecht" not in response.content and b"Doel uitgezet" not in response.content


def test_wijkteam_sees_own_municipality_and_region(client, owner, targets, run):
    response = login(client, owner).get(URL)
    assert names(response) == {"Doel regio Food Valley", "Doel gemeente Ede"}


def test_admin_sees_all_active_targets(client, admin_user, targets, run):
    response = login(client, admin_user).get(URL)
    assert names(response) == {t.name for k, t in targets.items() if k != "inactive"}


def test_small_counts_are_suppressed_except_for_the_municipality_s_own_wijkteam(client, project_user, owner, targets, run):
    series(run, "GM0228", {"2020-11": 4, "2020-12": 3}, level="municipality")
    response = login(client, project_user).get(URL)
    card = next(c for c in response.context["cards"] if c["target"].name == "Doel gemeente Ede")
    assert card["cells"]["actual"].text == "≤5"
    assert card["progress"].status_label == "uit koers"  # the status is still shown
    html = response.content.decode()
    block = html[html.index(f'data-target="{targets["ede"].pk}"'):]
    assert 'data-field="actual">≤5<' in block[:4000]
    assert "uit koers" in block[:600]
    fig = card["figure"]
    assert fig["data"][0]["y"][-2:] == [None, None]  # 4 and 3 are not drawn either

    client.logout()
    response = login(client, owner).get(URL)
    card = next(c for c in response.context["cards"] if c["target"].name == "Doel gemeente Ede")
    assert card["cells"]["actual"].text == "3"
    assert card["figure"]["data"][0]["y"][-1] == 3


def test_the_page_shows_figures_status_and_a_chart_without_inline_script(client, project_user, foodvalley, run):
    t = target("Minder residentieel", region=foodvalley, kind="change_abs", target_value=-10, baseline_period="2020-01",
               period_end=dt.date(2020, 12, 31))
    series(run, "Food Valley", {"2020-01": 50, "2020-12": 38})
    response = login(client, project_user).get(URL)
    html = response.content.decode()
    card = response.context["cards"][0]
    assert card["progress"].status == "achieved"  # 38 ≤ 40 at period end
    assert card["cells"]["baseline"].text == "50" and card["cells"]["goal"].text == "40"
    assert "behaald" in html
    # the chart's figure travels as JSON; every script either has a src or is JSON data
    data = re.search(rf'<script id="target-figure-{t.pk}" type="application/json">(.*?)</script>', html, re.S)
    figure = json.loads(data.group(1))
    assert figure["data"][1]["y"] == [50, 40]  # the target line: baseline → goal
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "js/targets.js" in html and "vendor/plotly/plotly.min.js" in html


def test_a_target_not_yet_measured_shows_its_status_without_numbers(client, project_user, foodvalley, run):
    target("15 breakdowns voorkomen", region=foodvalley, metric="breakdowns_prevented", group="all",
           kind="accumulate", target_value=20, direction="at_least")
    response = login(client, project_user).get(URL)
    card = response.context["cards"][0]
    assert card["figure"] is None
    assert "nog niet gemeten" in response.content.decode()
    assert 'data-field="actual"' not in response.content.decode()


def test_without_a_run_the_page_says_so(client, project_user, targets):
    response = login(client, project_user).get(URL)
    assert "Er zijn nog geen cijfers berekend." in response.content.decode()
    assert {c["progress"].status for c in response.context["cards"]} == {"no_data"}


def test_project_user_without_region_sees_no_targets(client, targets):
    from tests.conftest import make_user

    loose = make_user("los", "project")
    response = login(client, loose).get(URL)
    assert response.context["cards"] == []


# ------------------------------------------------------------------------------------------------ admin
ADD = "/admin/monitoring/target/add/"


def form_data(**kw):
    data = {"name": "Doel", "metric": "stock", "region": "", "municipality": "", "group": "residential", "band": "0-11",
            "period_start": "01-01-2020", "period_end": "31-12-2020", "kind": "change_abs", "target_value": "-5",
            "direction": "at_most", "baseline_period": "2019", "baseline_value": "", "note": "", "source": "Seed 000", "active": "on"}
    data.update(kw)
    return data


def test_admin_form_needs_exactly_one_scope(client, admin_user, foodvalley, ede):
    login(client, admin_user)
    both = client.post(ADD, form_data(region=foodvalley.pk, municipality=ede.pk))
    assert both.status_code == 200
    assert "Kies een jeugdregio óf een gemeente, niet allebei." in both.content.decode()
    none = client.post(ADD, form_data())
    assert "Kies een jeugdregio of een gemeente." in none.content.decode()
    assert not Target.objects.exists()
    ok = client.post(ADD, form_data(region=foodvalley.pk))
    assert ok.status_code == 302
    t = Target.objects.get()
    assert (t.region, t.municipality, t.group, t.band, t.kind) == (foodvalley, None, "residential", "0-11", "change_abs")


@pytest.mark.parametrize(("change", "message"), [
    ({"baseline_period": ""}, "Een verandering heeft een basisperiode nodig."),
    ({"baseline_period": "2019-13"}, "Gebruik JJJJ, JJJJ-MM, JJJJ-Qn of JJJJ-Hn"),
    ({"kind": "accumulate", "target_value": "20"}, "Optellen kan alleen bij een figuur die per maand optelt"),
    ({"kind": "change_pct", "baseline_value": "0"}, "Een procentuele verandering kan niet vanaf een basiswaarde 0."),
    ({"period_end": "31-12-2019"}, "Het einde van de periode ligt vóór het begin."),
    ({"metric": "cost_year", "baseline_period": "2019-06"}, "Deze figuur bestaat niet per maand."),
])
def test_admin_form_validation_messages(client, admin_user, foodvalley, change, message):
    response = login(client, admin_user).post(ADD, form_data(region=foodvalley.pk, **change))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Target.objects.exists()


def test_admin_form_offers_registry_metrics_groups_and_bands(client, admin_user):
    html = login(client, admin_user).get(ADD).content.decode()
    assert '<option value="stock">Kinderen in zorg (peildatum) (stock)</option>' in html
    assert '<option value="breakdowns_prevented">' in html and "Nog niet gemeten" in html
    assert '<option value="RES">' in html and '<option value="family_based">' in html
    assert '<option value="0-11">' in html


def test_admin_shows_the_computed_baseline_and_the_status(client, admin_user, foodvalley, run):
    t = target("Onder 12", region=foodvalley, kind="change_abs", target_value=-5, baseline_period="2020-06", band="0-11")
    series(run, "Food Valley", {"2020-06": 28, "2020-12": 25}, band="0-11")
    html = login(client, admin_user).get(f"/admin/monitoring/target/{t.pk}/change/").content.decode()
    assert f"30 op 30-06-2020 (run {run.pk}, cijfers t/m 2020-12)" in html  # 28, published as 30
    listing = client.get("/admin/monitoring/target/").content.decode()
    assert "Onder 12" in listing and "op koers" in listing  # 25 ≤ expected 28 − 5 × 184/549 = 26.3


def test_project_team_cannot_reach_the_admin(client, project_user):
    response = login(client, project_user).get(ADD)
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_runs_and_series_are_read_only_in_the_admin(client, admin_user, run):
    series(run, "Food Valley", {"2020-12": 5})
    series(run, "GM0228", {"2020-12": 5}, level="municipality")
    login(client, admin_user)
    listing = client.get("/admin/monitoring/snapshotrun/")
    assert listing.status_code == 200
    assert re.search(r'<td class="field-n_series">2</td>', listing.content.decode())
    assert client.get("/admin/monitoring/snapshotrun/add/").status_code == 403
    detail = client.get(f"/admin/monitoring/snapshotrun/{run.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.post(f"/admin/monitoring/snapshotrun/{run.pk}/change/", {"status": "failed"}).status_code == 403
    s = FigureSeries.objects.first()
    assert client.get("/admin/monitoring/figureseries/").status_code == 200
    assert client.post(f"/admin/monitoring/figureseries/{s.pk}/change/", {"scope": "X"}).status_code == 403
    assert client.post(f"/admin/monitoring/figureseries/{s.pk}/delete/", {"post": "yes"}).status_code == 403
    assert FigureSeries.objects.get(pk=s.pk).scope == s.scope


def test_expected_and_forecast_are_rounded_not_hidden_and_come_from_the_published_baseline(client, project_user, owner, ede, run):
    """Under-12s in Ede from 4 (January 2020, computed baseline) to 0 at the end of 2021; December 2020: 3. Expected on
    31-12-2020: 4 − 4 × 335/700 = 2,09. The project team sees the baseline as ≤5, so its expected value is computed from
    that range: 0 … 5 × (1 − 335/700) = 0 … 2,61 → "0–3"; the wijkteam of Ede sees 4 and 2. Never "≤5" for a model."""
    t = target("Onder 12 naar nul", municipality=ede, band="0-11", baseline_period="2020-01")
    series(run, "GM0228", {f"2020-{m:02d}": (4 if m <= 6 else 3) for m in range(1, 13)}, level="municipality", band="0-11")
    cards = {c["target"].name: c for c in login(client, project_user).get(URL).context["cards"]}
    cells = cards[t.name]["cells"]
    assert (cells["baseline"].text, cells["actual"].text, cells["expected"].text) == ("≤5", "≤5", "0–3")
    assert cells["forecast"].text.isdigit() and not cells["forecast"].suppressed
    client.logout()
    cells = {c["target"].name: c for c in login(client, owner).get(URL).context["cards"]}[t.name]["cells"]
    assert (cells["baseline"].text, cells["actual"].text, cells["expected"].text) == ("4", "3", "2")


def test_a_finished_target_reads_achieved_or_not_achieved(client, project_user, foodvalley, run):
    t = target("Hooguit 20 residentieel in 2020", region=foodvalley, period_end=dt.date(2020, 12, 31), target_value=20)
    series(run, "Food Valley", {"2020-12": 23})
    card = next(c for c in login(client, project_user).get(URL).context["cards"] if c["target"].pk == t.pk)
    assert card["progress"].status_label == "niet behaald"
    FigureSeries.objects.filter(run=run).update(values={"2020-12": 19})
    card = next(c for c in client.get(URL).context["cards"] if c["target"].pk == t.pk)
    assert card["progress"].status_label == "behaald"


def test_a_change_target_shows_its_goal_from_the_published_baseline(client, project_user, foodvalley, run):
    """Residential care in Food Valley: 522 in January 2020 (computed baseline), goal −10%. The exact goal 469,8 would
    give the exact baseline back (469,8 / 0,9 = 522); the project team sees the published baseline 525 and the goal
    from it, 472,5, also at the end of the chart's target line. The status is judged on the exact goal."""
    t = target("Residentieel −10%", region=foodvalley, kind="change_pct", target_value=-10, baseline_period="2020-01")
    series(run, "Food Valley", {"2020-01": 522, "2020-12": 471})
    card = next(c for c in login(client, project_user).get(URL).context["cards"] if c["target"].pk == t.pk)
    assert (card["cells"]["baseline"].text, card["cells"]["goal"].text) == ("525", "472,5")
    assert card["figure"]["data"][1]["y"][-1] == 472.5
    assert "469,8" not in client.get(URL).content.decode()
    assert card["progress"].goal == pytest.approx(469.8)  # judged on the exact goal


def test_the_ret_and_foster_care_see_their_regions_targets_and_no_chart_library_without_any(client, foodvalley, run, foster_worker):
    from tests.conftest import make_user

    ret = make_user("ret-t", "ret", region=foodvalley)
    empty = login(client, ret).get(URL).content.decode()
    assert "vendor/plotly" not in empty and "Er zijn nog geen doelen" in empty
    target("Nul residentieel", region=foodvalley, metric="stock", group="residential", kind="value", target_value=0, direction="at_most",
           period_start=dt.date(2020, 1, 1), period_end=dt.date(2030, 12, 31))
    for user in (ret, foster_worker):
        response = login(client, user).get(URL)
        assert [c["target"].name for c in response.context["cards"]] == ["Nul residentieel"]


def test_the_project_teams_start_page_shows_its_running_targets_at_a_glance(client, project_user, foodvalley, run):
    target("Nul residentieel", region=foodvalley, metric="stock", group="residential", kind="value", target_value=0, direction="at_most",
           period_start=dt.date(2020, 1, 1), period_end=dt.date(2030, 12, 31))
    series(run, "Food Valley", {"2020-06": 44, "2020-12": 40})
    text = login(client, project_user).get("/").content.decode()
    assert "Lopende doelen" in text and "Nul residentieel" in text and 'href="/monitor/doelen/#target-' in text
