"""Forecast jobs stored with their run, the forecast page (access, publication, downloads), the scenario editor, the
target solver's answers and the targets page's "prognose" from the model."""
from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np
import pytest

from accounts.models import AccessLogEntry, AccessResult, Role
from core.models import JobStatus
from forecast import display, model, services
from forecast.models import Forecast, ForecastScenario
from monitoring.models import Direction, Target, TargetKind
from monitoring.targets.progress import target_progress
from placements.models import Child, Episode, Municipality
from tests.conftest import login, make_user

pytestmark = pytest.mark.django_db
D = dt.date


def _month(month: int) -> dt.date:
    return D(2024 + (month - 1) // 12, (month - 1) % 12 + 1, 1)


@pytest.fixture
def steady(ede, care_forms, provider):
    """Two children enter residential care in Ede each month of 2024 and 2025 and stay 8 months: 16 in care at the
    end of 2025."""
    n = 0
    for month in range(1, 25):
        for _ in range(2):
            child = Child.objects.create(pseudonym=f"jb-{n:04d}" + "0" * 56, birth_date=D(2012, 1, 1), municipality=ede)
            end = _month(month + 8) if month + 8 <= 24 else None
            Episode.objects.create(child=child, care_form=care_forms["RES"], provider=provider, municipality=ede, start_date=_month(month),
                                   end_date=end)
            n += 1


@pytest.fixture
def target(foodvalley):
    return Target.objects.create(name="Hooguit 5 in residentieel eind 2026", metric="stock", region=foodvalley, group="residential",
                                 band="all", period_start=D(2026, 1, 1), period_end=D(2026, 12, 31), kind=TargetKind.VALUE,
                                 target_value=5, direction=Direction.AT_MOST)


@pytest.fixture
def built(steady, figures_run, foodvalley, target):
    ForecastScenario.objects.create(region=foodvalley, name="Minder instroom", start=D(2026, 4, 1), group="residential", entries_pct=-50)
    job = services.forecast_create(user=None, run=figures_run, region=foodvalley, months=12, simulations=300)
    return services.forecast_build(job.pk)


def test_it_builds_a_forecast_with_its_scenarios_backtest_and_solver(built, figures_run):
    assert built.status == JobStatus.DONE and built.progress == 100 and built.run == figures_run and built.seconds is not None
    result = built.result
    assert result["months"][0] == "2026-01" and len(result["months"]) == 12
    base, fewer = result["scenarios"]
    assert base["name"].startswith("Basis") and fewer["name"] == "Minder instroom"
    res_base, res_fewer = base["series"]["residential"]["all"]["mean"], fewer["series"]["residential"]["all"]["mean"]
    assert abs(res_base[0] - 16) < 3  # the steady state: 2 a month × 8 months
    assert res_base[:3] == res_fewer[:3] and res_fewer[-1] < res_base[-1] - 3  # halved entries from April on
    assert [b["months"] for b in result["backtest"]] == [12, 24]
    assert result["backtest"][0]["fitted_until"] == "2024-12-31"
    (solved,) = result["targets"]
    assert solved["goal"] == 5 and solved["months"] == 12
    assert solved["entries_mean"]["reachable"] and 0 < solved["entries_mean"]["factor"] < 0.6
    # 80% certain needs at least as large a cut as the mean
    assert solved["entries_p80"]["factor"] <= solved["entries_mean"]["factor"]
    assert solved["stay_mean"]["months_shorter"] > 0


def test_the_targets_forecast_comes_from_the_model_when_its_scope_has_one(steady, figures_run, foodvalley, target):
    before = target_progress(target, figures_run)
    assert not before.forecast_modelled
    job = services.forecast_create(user=None, run=figures_run, region=foodvalley, months=12, simulations=300)
    result = services.forecast_build(job.pk).result
    after = target_progress(target, figures_run)
    assert after.forecast_modelled
    assert after.forecast == pytest.approx(result["scenarios"][0]["series"]["residential"]["all"]["mean"][11])


def test_a_forecast_of_another_run_or_scope_does_not_feed_the_target(steady, figures_run, foodvalley, ede, target):
    job = services.forecast_create(user=None, run=figures_run, region=foodvalley, municipality=ede, months=12, simulations=200)
    services.forecast_build(job.pk)
    assert not target_progress(target, figures_run).forecast_modelled  # Ede's forecast is not the region's


def test_youths_growth_is_the_geometric_mean_of_the_last_five_years():
    years = {2018: 500.0, 2020: 1000.0, 2021: 1010.0, 2022: 1020.1, 2023: 1030.301, 2024: 1040.60401, 2025: 2000.0}
    assert services.youths_growth(years, until_year=2024) == pytest.approx(0.01, abs=1e-9)
    assert services.youths_growth({2024: 1000.0}, until_year=2024) == 0.0


def _one_state_fit(growth: float) -> model.Fit:
    s = len(model.BANDS)
    transitions = np.zeros((s, s + 1))
    transitions[:, -1] = 1.0  # everyone goes home after a month: the stock is the month's entries
    return model.Fit(forms=[1], transitions=transitions, counts=transitions * 0, entries=np.array([10.0, 0, 0]), entry_counts=np.zeros(s),
                     exposure=1.0, stock=np.zeros(s), last_month=660, youths=1000.0, youths_growth=growth)


def test_entries_grow_with_the_youths_and_a_scenario_can_set_another_growth():
    fit = _one_state_fit(0.10)
    grown = model.simulate(fit, months=12, simulations=4000).draws[:, :, 0].mean(axis=0)
    assert grown[11] == pytest.approx(11.0, abs=0.25)  # 10 a month × 1.1 after a year
    assert grown[0] == pytest.approx(10 * 1.1 ** (1 / 12), abs=0.25)
    flat = model.simulate(fit, months=12, simulations=4000, scenario=model.Scenario(youths_growth=0.0)).draws[:, :, 0].mean(axis=0)
    assert flat[11] == pytest.approx(10.0, abs=0.25)


def test_a_shorter_stay_in_a_state_nobody_left_sends_the_leavers_home():
    s = len(model.BANDS)
    transitions = np.zeros((s, s + 1))
    transitions[np.arange(s), np.arange(s)] = 1.0  # never seen leaving
    fit = model.Fit(forms=[1], transitions=transitions, counts=transitions * 0, entries=np.zeros(s), entry_counts=np.zeros(s), exposure=1.0,
                    stock=np.array([10.0, 0, 0]), last_month=660, youths=1000.0)
    draws = model.simulate(fit, months=3, simulations=200, scenario=model.Scenario(stay_factor={0: 0.5})).draws
    assert np.isfinite(draws).all() and draws[:, 2, 0].mean() < 3  # half leave each month: 10 → ~1.25 after three


# ------------------------------------------------------------------------------------------------ page
def test_it_shows_the_project_team_its_forecast_with_published_numbers(client, project_user, built):
    response = login(client, project_user).get("/prognose/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Minder instroom" in content and "Hoe werkt de prognose?" in content and "terugtoets" in content.lower()
    assert "Hooguit 5 in residentieel eind 2026" in content  # the solver's row
    assert AccessLogEntry.objects.filter(actor=project_user, object_type="forecast", result=AccessResult.OK).exists()
    figure = response.context["charts"][2]["figure"]  # residential
    for trace in figure["data"]:
        assert all(v is None or v % 5 == 0 for v in trace["y"])  # published: ≤5 a gap, else a multiple of 5


def test_it_refuses_other_roles_and_other_regions_and_logs_it(client, built, ede, veenendaal, foodvalley, provider):
    other = Municipality.objects.get(cbs_code="GM0363").region
    stranger = make_user("pt-ams", Role.PROJECT, region=other)
    response = login(client, stranger).get("/prognose/?gebied=Food Valley")
    assert response.status_code == 403
    assert AccessLogEntry.objects.filter(actor=stranger, object_type="forecast", result=AccessResult.DENIED).exists()
    assert client.get(f"/prognose/{built.pk}/status/").status_code == 404
    assert client.get(f"/prognose/{built.pk}/download/?format=csv").status_code == 404
    worker = make_user("wt", Role.WIJKTEAM, ede)
    assert login(client, worker).get("/prognose/").status_code == 403
    assert login(client, worker).post("/prognose/berekenen/", {"gebied": "Food Valley"}).status_code == 403


def test_the_status_of_a_job_is_json_for_its_region(client, project_user, built):
    data = login(client, project_user).get(f"/prognose/{built.pk}/status/").json()
    assert data["status"] == "done" and data["progress"] == 100


def test_the_csv_is_dutch_and_protects_small_numbers(client, project_user, built):
    response = login(client, project_user).get(f"/prognose/{built.pk}/download/?format=csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffmaand;gebied;scenario;zorgvormgroep;leeftijd;kinderen_gemiddeld")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    body = rows[1:]
    assert {r[2] for r in body} == {"Basis: niets verandert", "Minder instroom"}
    counts = [r[5] for r in body]
    assert "≤5" in counts  # e.g. the empty age bands
    assert all(c == "≤5" or int(c) % 5 == 0 for c in counts)
    hidden_costs = [r[9] for r in body if r[5] == "≤5"]
    assert hidden_costs and all(c == "≤5" for c in hidden_costs)
    xlsx = client.get(f"/prognose/{built.pk}/download/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_starting_a_forecast_runs_it_as_a_job_on_the_latest_run(client, project_user, steady, figures_run, foodvalley):
    response = login(client, project_user).post("/prognose/berekenen/", {"gebied": "GM0228"})
    assert response.status_code == 302 and "gebied=GM0228" in response["Location"]
    job = Forecast.objects.get()
    assert job.municipality.cbs_code == "GM0228" and job.run == figures_run and job.status == JobStatus.DONE  # eager here
    assert job.created_by == project_user
    assert "Prognose · Ede" in client.get(response["Location"]).content.decode()


def test_the_scenario_editor_saves_refuses_a_bsn_and_stays_in_the_region(client, project_user, foodvalley, bsn):
    login(client, project_user)
    fields = {"name": "Korter verblijf", "start": "2027-01-01", "group": "residential", "entries_pct": "0", "stay_months_shorter": "2",
              "in_report": "on"}
    response = client.post("/prognose/scenario/nieuw/", {**fields, "description": f"kind {bsn}"})
    assert response.status_code == 200 and "Vul hier geen BSN in" in response.content.decode()
    assert client.post("/prognose/scenario/nieuw/", fields).status_code == 302
    saved = ForecastScenario.objects.get(name="Korter verblijf")
    assert saved.region == foodvalley and saved.stay_months_shorter == 2
    assert client.post("/prognose/scenario/nieuw/", fields).status_code == 200  # the name is taken
    other = ForecastScenario.objects.create(region=Municipality.objects.get(cbs_code="GM0363").region, name="Elders", start=D(2027, 1, 1))
    assert client.get(f"/prognose/scenario/{other.pk}/").status_code == 404
    assert client.post(f"/prognose/scenario/{saved.pk}/verwijderen/").status_code == 302  # unconfirmed: back to the form
    assert ForecastScenario.objects.filter(pk=saved.pk).exists()
    assert client.post(f"/prognose/scenario/{saved.pk}/verwijderen/", {"confirm": "1"}).status_code == 302
    assert not ForecastScenario.objects.filter(pk=saved.pk).exists()


def test_the_comparison_hides_a_cost_with_its_small_count(built):
    built.result["scenarios"][1]["series"]["residential"]["all"]["years"] = {"2026": {
        "cost_mean": 12345.0, "cost_p10": 1.0, "cost_p90": 2.0, "end_mean": 4.2, "end_p10": 2.0, "end_p90": 7.0}}
    built.result["scenarios"][0]["series"]["residential"]["all"]["years"] = {"2026": {
        "cost_mean": 99999.0, "cost_p10": 1.0, "cost_p90": 2.0, "end_mean": 16.4, "end_p10": 12.0, "end_p90": 21.0}}
    table = display.comparison(built, group="residential", k=5)
    base, fewer = (r["cells"][0] for r in table.rows)
    assert base["end"].text == "20" and base["band"] == "15–25" and base["cost"].text == "€ 99.999"
    assert fewer["end"].text == "≤5" and fewer["cost"].suppressed


def test_the_quarterly_report_shows_the_forecast_of_its_run_with_the_chosen_scenarios(built, figures_run, foodvalley):
    from reports.content import build_report
    from reports.render import render_html

    ForecastScenario.objects.create(region=foodvalley, name="Niet in rapport", start=D(2026, 1, 1), in_report=False)
    job = services.forecast_create(user=None, run=figures_run, region=foodvalley, months=24, simulations=200)
    services.forecast_build(job.pk)
    report = build_report(run=figures_run, region=foodvalley, quarter="2025-Q4")
    assert report.forecast is not None and report.forecast["comparison"].years == ["2026", "2027"]
    assert [r["name"] for r in report.forecast["comparison"].rows] == ["Basis: niets verandert", "Minder instroom"]
    html = render_html(report)
    section = html[html.index('id="forecast"'):html.index('id="charts"')]
    assert "Minder instroom" in section and "Niet in rapport" not in section and "<svg" in section
    assert "gefit tot en met 31-12-2024" in section  # the 12-month backtest
    # another region's report on the same run has no forecast
    other = Municipality.objects.get(cbs_code="GM0363").region
    assert build_report(run=figures_run, region=other, quarter="2025-Q4").forecast is None


def test_the_demo_forecast_adds_its_scenarios_and_one_forecast_once(steady, figures_run, foodvalley):
    from demo.forecast import build_demo_forecast

    assert build_demo_forecast() == {"scenario's": 2, "prognoses": 1}
    assert build_demo_forecast() == {"scenario's": 0, "prognoses": 0}
    forecast = Forecast.objects.get()
    assert forecast.run == figures_run and len(forecast.result["scenarios"]) == 3


def test_the_targets_page_says_which_forecast_comes_from_the_model(client, project_user, built, target):
    content = login(client, project_user).get("/monitor/doelen/").content.decode()
    card = content[content.index(f'id="target-{target.pk}"'):]
    assert "data-forecast-model" in card[:4000]


def test_known_at_is_what_reading_on_that_day_gives_and_a_scope_reads_only_its_region(steady, ede, care_forms, provider):
    from monitoring.engine.load import load_episodes

    elsewhere = Municipality.objects.get(cbs_code="GM0363")
    child = Child.objects.create(pseudonym="far" + "0" * 61, birth_date=D(2010, 1, 1), municipality=elsewhere)
    Episode.objects.create(child=child, care_form=care_forms["RES"], provider=provider, municipality=elsewhere, start_date=D(2024, 1, 1))
    now = load_episodes(data_date=D(2025, 12, 31))
    day = D(2024, 12, 31)
    then, read = services.known_at(now, day), load_episodes(data_date=day)
    for name in ("ep_child", "ep_form", "ep_muni", "ep_start", "ep_end"):
        assert np.array_equal(getattr(then, name), getattr(read, name)), name
    assert then.data_date == read.data_date
    scope = services.scope_get("Food Valley")
    mine = services.scope_read(scope, D(2025, 12, 31))
    assert len(mine.ep_child) == 48 and set(mine.ep_muni.tolist()) == {ede.pk}  # not the child elsewhere
    assert len(mine.child_ids) == 48
    assert len(services.scope_read(services.scope_get("NL"), D(2025, 12, 31), declarations=False).ep_child) == 49


def test_a_forecast_reaches_the_end_of_the_furthest_running_stock_target(figures_run, foodvalley, target):
    assert services.forecast_create(user=None, run=figures_run, region=foodvalley).months == 36  # 2026-12 is within 36
    Target.objects.create(name="Nul in 2030", metric="stock", region=foodvalley, group="stay", period_start=D(2026, 1, 1),
                          period_end=D(2030, 12, 31), kind=TargetKind.VALUE, target_value=0, direction=Direction.AT_MOST)
    assert services.forecast_create(user=None, run=figures_run, region=foodvalley).months == 60  # Jan 2026 … Dec 2030


def test_a_scenario_index_that_is_no_ascii_number_shows_the_base(client, project_user, built):
    response = login(client, project_user).get("/prognose/", {"scenario": "²"})  # "²".isdigit() is True, int("²") fails
    assert response.status_code == 200 and response.context["shown_index"] == 0


def test_the_user_picks_the_reference_window(client, project_user, steady, figures_run):
    login(client, project_user).post("/prognose/berekenen/", {"gebied": "Food Valley", "venster": "12"})
    job = Forecast.objects.get()
    assert job.window == 12 and job.result["window"] == 12
    assert "laatste 12 maanden" in client.get("/prognose/").content.decode()
    client.post("/prognose/berekenen/", {"gebied": "Food Valley", "venster": "7"})  # not offered: the default
    assert Forecast.objects.order_by("-id").first().window == 24


def test_an_administrator_opens_on_the_region_that_delivers_data(client, admin_user, steady):
    assert login(client, admin_user).get("/prognose/").context["choice"].key == "Food Valley"  # not Achterhoek, first by name
    assert client.get("/maatregelen/").context["region"].name == "Food Valley"
