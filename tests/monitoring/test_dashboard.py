"""The dashboard on a small hand-made region: tiles and their changes, suppression per role, secondary
suppression in the municipalities table, the CSV downloads (content, formula escaping, access log),
valid plotly figures, the empty state, and a bounded number of queries.

The data (last complete month December 2020, Jeugdregio Food Valley):
- Ede (30,000 youths): three children in residential care (RES) on 31-12-2020: e2 since 01-11-2019 (age 14),
  e3 since 01-06-2020 (age 15), e1 since 10-12-2020 (age 8). So residential stock Dec 2020 = 3, Nov 2020 = 2,
  Dec 2019 = 1; under 12 in Dec 2020: 1 (e1).
- Veenendaal (20,000 youths): six children in foster care (PLZ): five since 01-06-2019, one since 15-11-2020;
  one child in a family home (GZH) since 01-05-2020. PLZ Dec 2020 = 6, Nov 2020 = 6, Dec 2019 = 5.
- Region: residential 3, PLZ 6, GZH 1, stay 10 (Nov 2020: 9, Dec 2019: 6); 50,000 youths.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import plotly.graph_objects as go
import pytest
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLogEntry
from core.formatting import spreadsheet_number
from core.periods import month_add
from monitoring.dashboard import charts, selectors
from monitoring.models import RunStatus, SnapshotRun
from monitoring.runs import services
from monitoring.runs.selectors import run_latest
from placements.bsn import pseudonymise, synthetic_bsn
from placements.models import CareForm, Child, Episode, Provider, YouthPopulation
from tests.conftest import login

TODAY = dt.date(2021, 1, 15)  # last complete month: December 2020


def _child(n: int, born: dt.date, municipality) -> Child:
    return Child.objects.create(pseudonym=pseudonymise(synthetic_bsn(500 + n)), birth_date=born, municipality=municipality)


def build_region(ede, veenendaal) -> dict:
    forms = {cf.code: cf for cf in CareForm.objects.all()}
    prov = Provider.objects.create(name="Aanbieder Dashboard")
    e1 = _child(1, dt.date(2012, 3, 1), ede)
    e2 = _child(2, dt.date(2006, 5, 1), ede)
    e3 = _child(3, dt.date(2005, 1, 1), ede)
    for child, start in ((e1, dt.date(2020, 12, 10)), (e2, dt.date(2019, 11, 1)), (e3, dt.date(2020, 6, 1))):
        Episode.objects.create(child=child, care_form=forms["RES"], provider=prov, municipality=ede, start_date=start)
    for i in range(6):
        child = _child(10 + i, dt.date(2010 + i % 4, 2, 1), veenendaal)
        start = dt.date(2019, 6, 1) if i < 5 else dt.date(2020, 11, 15)
        Episode.objects.create(child=child, care_form=forms["PLZ"], provider=prov, municipality=veenendaal, start_date=start)
    g = _child(20, dt.date(2011, 7, 1), veenendaal)
    Episode.objects.create(child=g, care_form=forms["GZH"], provider=prov, municipality=veenendaal, start_date=dt.date(2020, 5, 1))
    for muni, young, teen in ((ede, 18000, 12000), (veenendaal, 12000, 8000)):
        for year in (2019, 2020):
            YouthPopulation.objects.create(municipality=muni, year=year, age_band="0-11", count=young)
            YouthPopulation.objects.create(municipality=muni, year=year, age_band="12-17", count=teen)
    return {"forms": forms, "provider": prov}


@pytest.fixture
def region_run(ede, veenendaal) -> SnapshotRun:
    build_region(ede, veenendaal)
    return services.run_compute(services.run_create(today=TODAY))


def tiles(response) -> dict:
    return {t.key: t for t in response.context["dash"].tiles}


def figures(response) -> dict:
    return charts.with_months(json.loads(json.dumps(response.context["figures"])))


# --------------------------------------------------------------------------------------------- tiles
def test_project_team_sees_region_tiles_with_changes_and_small_numbers_suppressed(client, project_user, region_run):
    response = login(client, project_user).get(reverse("monitoring:dashboard"))
    assert response.status_code == 200
    dash = response.context["dash"]
    assert dash.scope.key == "Food Valley" and dash.month == "2020-12" and not dash.exact
    t = tiles(response)
    # residential 3 and under-12 1: "≤5", and so are their changes (they would reveal the value)
    assert t["residential"].value.text == "≤5"
    assert t["residential"].change_month.text == "–"
    assert t["residential_u12"].value.text == "≤5"
    assert t["gzh"].value.text == "≤5"
    # foster care 6 → 10 (rounded up); November 6 → 10: change 0; December 2019 5 → ≤5: no change shown.
    # Per 1,000 from the published 10: 10 / 50,000 × 1000 = 0.2 (the exact 6 would give 0.12)
    assert t["plz"].value.text == "10"
    assert t["plz"].change_month.text == "0"
    assert t["plz"].change_year.text == "–"
    assert t["plz"].per_1000.text == "0,2"
    # with a stay: 10 → 10 (Nov 9 → 10, Dec 2019 6 → 10); 10 / 50,000 × 1000 = 0.2
    assert t["stay"].value.text == "10"
    assert t["stay"].change_month.text == "0"
    assert t["stay"].change_year.text == "0"
    assert t["stay"].per_1000.text == "0,2"
    assert t["npz"].value.text == "≤5"  # 0 is hidden with 1–5: else four zeros under a "10" would give a 2 away
    html = response.content.decode()
    assert 'data-tile="residential"' in html and "≤5" in html and 'href="/monitor/definities/"' in html


def test_ede_wijkteam_sees_exact_numbers_for_own_municipality(client, owner, region_run):
    response = login(client, owner).get(reverse("monitoring:dashboard"))
    assert response.status_code == 200
    dash = response.context["dash"]
    assert dash.scope.key == "GM0228" and dash.exact
    t = tiles(response)
    assert t["residential"].value.text == "3"
    assert t["residential"].change_month.text == "+1"  # November: 2
    assert t["residential"].change_year.text == "+2"  # December 2019: 1
    assert t["residential"].per_1000.text == "0,1"  # 3 / 30,000 × 1000
    assert t["residential_u12"].value.text == "1"
    assert t["stay"].value.text == "3"
    html = response.content.decode()
    assert "exacte aantallen" in html


def test_project_team_looking_at_ede_sees_suppressed_values(client, project_user, region_run):
    response = login(client, project_user).get(reverse("monitoring:dashboard"), {"scope": "GM0228"})
    t = tiles(response)
    assert t["residential"].value.text == "≤5"
    assert t["residential"].per_1000.text == "≤5"


def test_month_filter_moves_the_tiles_and_bad_months_fall_back(client, owner, region_run):
    login(client, owner)
    response = client.get(reverse("monitoring:dashboard"), {"month": "2020-11"})
    assert response.context["dash"].month == "2020-11"
    assert tiles(response)["residential"].value.text == "2"
    assert client.get(reverse("monitoring:dashboard"), {"month": "2031-01"}).context["dash"].month == "2020-12"
    assert client.get(reverse("monitoring:dashboard"), {"month": "2010-01"}).context["dash"].month == "2019-06"
    assert client.get(reverse("monitoring:dashboard"), {"month": "nonsense"}).context["dash"].month == "2020-12"
    bad = client.get(reverse("monitoring:dashboard"), {"group": "<script>", "band": "99"})
    assert bad.context["dash"].group == "stay" and bad.context["dash"].band == "all"


# --------------------------------------------------------------------------------------------- comparison
def test_municipalities_table_publishes_every_count_as_a_range(client, project_user, region_run):
    response = login(client, project_user).get(reverse("monitoring:dashboard"))
    rows = {r.scope.key: r for r in response.context["dash"].comparison}
    assert rows["GM0228"].stock.text == "≤5"  # Ede 3
    # Veenendaal 7 → 10: region 10 minus Veenendaal "10" leaves Ede anywhere from 0 to 4
    assert rows["GM0345"].stock.text == "10"
    assert rows["GM0345"].per_1000.text == "0,5"  # from the published 10: 10 / 20,000 × 1000 (exact 7 gives 0.35)
    assert rows["Food Valley"].stock.text == "10" and rows["Food Valley"].is_total
    assert rows["GM0203"].stock.text == "≤5"  # Barneveld 0
    assert len(rows) == 8  # seven municipalities and the region
    bars = figures(response)["municipalities"]["data"][0]
    hidden = dict(zip(bars["y"], bars["text"], strict=True))
    assert hidden["Ede"] == "≤5 kinderen" and hidden["Veenendaal"] == "0,5"


def test_wijkteam_comparison_shows_only_own_municipality_and_the_region(client, owner, region_run):
    response = login(client, owner).get(reverse("monitoring:dashboard"))
    rows = response.context["dash"].comparison
    assert [r.scope.key for r in rows] == ["GM0228", "Food Valley"]
    assert rows[0].stock.text == "3"
    assert "Veenendaal" not in response.content.decode()


# --------------------------------------------------------------------------------------------- charts
def test_figures_are_valid_plotly_and_suppressed_points_have_hover_text(client, project_user, region_run):
    response = login(client, project_user).get(reverse("monitoring:dashboard"))
    figs = figures(response)
    assert set(figs) == {"stock_forms", "flows", "levels", "ladder", "los", "cost", "municipalities"}
    for key, fig in figs.items():
        go.Figure(fig)  # raises on an invalid property
        assert fig["layout"]["separators"] == ",.", key
    stack = {t["legendgroup"]: t for t in figs["stock_forms"]["data"] if t["legendgroup"] != "hidden"}
    assert stack["PLZ"]["y"][-1] == 10  # 6, published as 10
    assert stack["RES"]["y"][-1] == 0 and stack["RES"]["text"][-1] == "≤5"  # 3: drawn at zero height, hover "≤5"
    assert figs["stock_forms"]["data"][0]["x"][-1] == "2020-12"
    html = response.content.decode()
    assert 'id="dashboard-figures" type="application/json"' in html
    assert "<script>" not in html.replace('<script src="', "")  # no inline script (CSP)


def test_wijkteam_figures_carry_exact_values(client, owner, region_run):
    response = login(client, owner).get(reverse("monitoring:dashboard"))
    data = figures(response)["stock_forms"]["data"]
    assert all(t.get("legendgroup") != "hidden" for t in data)  # nothing hidden for the wijkteam
    stack = {t["legendgroup"]: t for t in data}
    assert stack["RES"]["y"][-1] == 3
    assert "text" not in stack["RES"]  # nothing hidden: values are formatted by plotly


def test_group_filter_limits_the_per_form_charts(client, project_user, region_run):
    response = login(client, project_user).get(reverse("monitoring:dashboard"), {"group": "family_based"})
    data = figures(response)["stock_forms"]["data"]
    assert [t["legendgroup"] for t in data if t["legendgroup"] != "hidden"] == ["NPZ", "PLZ", "GZH"]
    stack = {t["legendgroup"]: t for t in data if t["legendgroup"] != "hidden"}
    # December 2020: GZH 1 is hidden (≤5), PLZ 6 shows as 10, NPZ 0 is hidden like any count up to 5
    assert stack["GZH"]["text"][-1] == "≤5" and stack["PLZ"]["y"][-1] == 10 and stack["PLZ"]["text"][-1] == "10"
    assert stack["NPZ"]["y"][-1] == 0 and stack["NPZ"]["text"][-1] == "≤5"
    rows = {r.scope.key: r for r in response.context["dash"].comparison}
    assert rows["GM0345"].stock.text == "10" and rows["Food Valley"].stock.text == "10"  # 7 each


# --------------------------------------------------------------------------------------------- CSV
def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_tiles_csv_is_suppressed_and_logged(client, project_user, region_run):
    response = login(client, project_user).get(reverse("monitoring:dashboard_csv"), {"figure": "tiles"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    header, body = rows[0], {r[0]: r for r in rows[1:]}
    assert header[5] == "kinderen_in_zorg"
    assert body["In residentiële zorg"][5] == "≤5"
    assert body["Pleegzorg"][5:9] == ["10", "0,2", "0", "–"]
    entry = AccessLogEntry.objects.get(action="export")
    assert entry.object_type == "figures" and entry.actor_username == project_user.username
    assert entry.object_ref == f"run {region_run.pk}"
    assert "tiles Food Valley 2020-12" in entry.detail


def test_csv_is_suppressed_even_for_the_wijkteam_worker(client, owner, region_run):
    """Every export is suppressed (metrics.md), also for a user who sees the exact numbers on screen."""
    rows = read_csv(login(client, owner).get(reverse("monitoring:dashboard_csv"), {"figure": "tiles"}))
    body = {r[0]: r for r in rows[1:]}
    assert body["In residentiële zorg"][5] == "≤5"


def test_municipalities_csv_carries_the_published_counts(client, project_user, region_run):
    rows = read_csv(login(client, project_user).get(reverse("monitoring:dashboard_csv"), {"figure": "municipalities"}))
    stock = {r[2]: r[7] for r in rows[1:] if r[6] == "stock"}
    assert stock == {"Barneveld": "≤5", "Ede": "≤5", "Nijkerk": "≤5", "Renswoude": "≤5", "Rhenen": "≤5", "Scherpenzeel": "≤5",
                     "Veenendaal": "10", "Food Valley": "10"}
    rate = {r[2]: r[7] for r in rows[1:] if r[6] == "stock_per_1000"}
    assert rate["Ede"] == "≤5" and rate["Veenendaal"] == "0,5" and rate["Food Valley"] == "0,2" and rate["Barneveld"] == "≤5"


def test_csv_escapes_formulas(client, project_user, ede, region_run):
    evil = CareForm.objects.create(code="=1+2", name="@SUM(A1)", rung=4, with_stay=True, family_based=False, cbs_code="14")
    child = _child(99, dt.date(2010, 1, 1), ede)
    prov = Provider.objects.first()
    for i in range(6):  # six children so the value itself is shown
        kid = child if i == 0 else _child(100 + i, dt.date(2010, 1, 1), ede)
        Episode.objects.create(child=kid, care_form=evil, provider=prov, municipality=ede, start_date=dt.date(2020, 10, 1))
    services.run_compute(services.run_create(today=TODAY))
    response = login(client, project_user).get(reverse("monitoring:dashboard_csv"), {"figure": "stock_forms", "group": evil.code})
    rows = read_csv(response)
    last = rows[-1]
    assert last[3] == "'@SUM(A1)"
    assert last[4] == "'=1+2"
    assert last[1] == "2020-12" and last[7] == "10"  # 6, published as 10
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell


@pytest.mark.parametrize(("text", "expected"), [("=A1", "'=A1"), ("+1", "'+1"), ("-2", "'-2"), ("@x", "'@x"), ("\tx", "'\tx"), ("Ede", "Ede"), ("", "")])
def test_safe_text(text, expected):
    assert charts.safe_text(text) == expected


def test_csv_numbers_use_a_decimal_comma_and_negative_amounts_stay_numbers():
    assert spreadsheet_number(1234) == "1234"
    assert spreadsheet_number(0.12) == "0,12"
    assert spreadsheet_number(2.5) == "2,5"
    assert spreadsheet_number(-1000.5) == "-1000,5"


def test_unknown_csv_figure_is_404(client, project_user, region_run):
    assert login(client, project_user).get(reverse("monitoring:dashboard_csv"), {"figure": "nope"}).status_code == 404


# --------------------------------------------------------------------------------------------- empty, performance
def test_no_run_yet_says_so_and_offers_admins_a_start(client, project_user, admin_user, db):
    response = login(client, project_user).get(reverse("monitoring:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nog geen cijfers berekend" in html
    assert reverse("monitoring:run_start") not in html
    html = login(client, admin_user).get(reverse("monitoring:dashboard")).content.decode()
    assert "Nog geen cijfers berekend" in html
    assert reverse("monitoring:run_start") in html


@pytest.mark.parametrize("who", ["project_user", "owner", "admin_user"])
def test_query_count_is_bounded(client, request, who, region_run):
    user = request.getfixturevalue(who)
    login(client, user)
    from django.db import connection

    params = {"scope": "NL"} if who == "admin_user" else {}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("monitoring:dashboard"), params)
    assert response.status_code == 200
    assert len(queries) <= 14, [q["sql"][:120] for q in queries]  # administrators: one more for the two-factor device
    series_reads = [q for q in queries if "monitoring_figureseries" in q["sql"]]
    # the scope's series, the side-by-side comparison, foster care's section and one read for the other sections
    assert len(series_reads) == 4


def test_needed_series_reads_only_what_the_page_shows(region_run):
    forms = selectors.care_forms()
    wanted = selectors.needed_series(group="stay", band="all", forms=forms)
    got = selectors.series_for(run=region_run, scope="Food Valley", wanted=wanted)
    assert set(got) <= wanted
    assert ("RES", "all", "stock") in got and ("stay", "all", "los_median") in got
    assert region_run.series.filter(scope="Food Valley").count() > len(got)


def test_a_repeated_page_comes_from_the_cache_and_a_newer_run_is_read_afresh(client, project_user, region_run):
    from django.db import connection

    login(client, project_user)
    url = reverse("monitoring:dashboard")
    first = client.get(url, {"group": "stay"}).content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, {"group": "stay"}).content.decode()
    series_reads = [q for q in queries if "monitoring_figureseries" in q["sql"]]
    assert len(series_reads) == 1  # only foster care's section: the scope's figures, the comparison and the other sections' series are cached
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", again) == strip.sub("", first)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, {"group": "residential"})  # other filters: read afresh
    assert len([q for q in queries if "monitoring_figureseries" in q["sql"]]) == 4
    earlier = month_add(region_run.last_month, -3)
    with CaptureQueriesContext(connection) as queries:
        other_month = client.get(url, {"group": "residential", "month": earlier})  # a new page from series already read
    assert other_month.context["dash"].month == earlier
    assert len([q for q in queries if "monitoring_figureseries" in q["sql"]]) == 2

    # a newer run with other figures: never the cached page of the old one
    newer = SnapshotRun.objects.create(status=RunStatus.DONE, data_date=region_run.data_date, first_month=region_run.first_month,
                                       last_month=region_run.last_month, finished_at=timezone.now())
    for series in region_run.series.all():
        values = {p: (v * 2 if series.metric == "stock" else v) for p, v in series.values.items()}
        newer.series.create(level=series.level, scope=series.scope, group=series.group, band=series.band, metric=series.metric, values=values)
    assert run_latest().pk == newer.pk
    with CaptureQueriesContext(connection) as queries:
        fresh = client.get(url, {"group": "stay"}).content.decode()
    assert len([q for q in queries if "monitoring_figureseries" in q["sql"]]) == 4
    assert strip.sub("", fresh) != strip.sub("", first)


def test_the_dashboard_cache_keeps_only_the_most_recently_used_sets():
    from monitoring.dashboard.recent import Recent

    recent = Recent(2)
    recent.set("a", 1)
    recent.set("b", 2)
    assert recent.get("a") == 1  # a is now the most recent
    recent.set("c", 3)  # evicts b, the least recently used
    assert (recent.get("a"), recent.get("b"), recent.get("c")) == (1, None, 3)


def test_stay_durations_follow_the_chosen_group_when_it_has_its_own():
    forms = selectors.care_forms()
    assert selectors.los_group("residential", forms) == "residential"
    assert selectors.los_group("PLZ", forms) == "PLZ"
    assert selectors.los_group("AMB", forms) == "stay" and selectors.los_group("all", forms) == "stay"
    need = selectors.needed_series(group="GZH", band="0-11", forms=forms)
    assert ("GZH", "all", "los_median") in need and ("stay", "all", "los_median") not in need


def test_the_duration_chart_says_which_group_it_shows(client, project_user, region_run):
    login(client, project_user)
    assert "Alle verblijfsvormen en leeftijden" in client.get(reverse("monitoring:dashboard"), {"group": "all"}).context["los_subtitle"]
    assert client.get(reverse("monitoring:dashboard"), {"group": "residential"}).context["los_subtitle"].startswith("Residentieel")
