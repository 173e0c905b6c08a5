"""The action plan: measures with their execution and bottlenecks, per region, for the project team and
administrators; as they stood at a quarter's end in the report."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import AccessLogEntry, AccessResult, Role
from actionplan import selectors, services
from actionplan.models import Bottleneck, Measure, MeasureStatus
from monitoring.models import Target
from placements.models import Municipality
from tests.conftest import login, make_user

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def amsterdam_region(db):
    return Municipality.objects.get(cbs_code="GM0363").region


@pytest.fixture
def target(foodvalley):
    return Target.objects.create(name="Nul residentieel", metric="stock", region=foodvalley, group="residential",
                                 period_start=D(2022, 1, 1), period_end=D(2030, 12, 31), kind="value", target_value=0,
                                 direction="at_most", baseline_period="2021")


def _measure(region, user=None, **kw) -> Measure:
    fields = {"title": "Checklist residentieel", "owner": "Kernteam", "planned_on": D(2024, 6, 30)} | kw
    return services.measure_create(user=user, region=region, **fields)


def _created(measure: Measure, day: dt.date) -> Measure:
    Measure.objects.filter(pk=measure.pk).update(created_at=timezone.make_aware(dt.datetime.combine(day, dt.time(12))))
    measure.refresh_from_db()
    return measure


# ------------------------------------------------------------------------------------------------ pages
def test_it_shows_the_project_team_the_measures_of_its_region_only(client, project_user, foodvalley, amsterdam_region):
    _measure(foodvalley, title="Checklist residentieel")
    _measure(amsterdam_region, title="Amsterdamse maatregel")
    response = login(client, project_user).get("/maatregelen/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Checklist residentieel" in content and "Amsterdamse maatregel" not in content


def test_it_refuses_a_measure_of_another_region_with_404_and_logs_it(client, project_user, amsterdam_region):
    other = _measure(amsterdam_region, title="Amsterdamse maatregel")
    response = login(client, project_user).get(f"/maatregelen/{other.pk}/")
    assert response.status_code == 404
    assert AccessLogEntry.objects.filter(object_type="measure", result=AccessResult.DENIED, actor=project_user).exists()


@pytest.mark.parametrize("role", [Role.WIJKTEAM, Role.RET, Role.FOSTERCARE])
def test_it_refuses_other_roles_and_logs_it(client, role, ede, foodvalley, provider):
    user = make_user(f"u-{role}", role, municipality=ede if role == Role.WIJKTEAM else None,
                     region=foodvalley if role == Role.RET else None, provider=provider if role == Role.FOSTERCARE else None)
    assert login(client, user).get("/maatregelen/").status_code == 403
    assert AccessLogEntry.objects.filter(object_type="measure", result=AccessResult.DENIED, actor=user).exists()


def test_an_administrator_picks_the_region(client, admin_user, foodvalley, amsterdam_region):
    _measure(amsterdam_region, title="Amsterdamse maatregel")
    content = login(client, admin_user).get(f"/maatregelen/?regio={amsterdam_region.pk}").content.decode()
    assert "Amsterdamse maatregel" in content


def test_it_records_a_measure_from_the_form_and_logs_it(client, project_user, foodvalley, target):
    response = login(client, project_user).post("/maatregelen/nieuw/", {
        "title": "Week van de Casus", "owner": "Projectleider", "planned_on": "2026-12-31", "description": "Tien casussen",
        "targets": [target.pk]})
    measure = Measure.objects.get(title="Week van de Casus")
    assert response.status_code == 302 and response["Location"] == f"/maatregelen/{measure.pk}/"
    assert measure.region == foodvalley and list(measure.targets.all()) == [target] and measure.status == MeasureStatus.PLANNED
    assert measure.created_by == project_user
    assert AccessLogEntry.objects.filter(object_type="measure", object_ref=str(measure.pk), action="create").exists()


def test_it_refuses_a_bsn_in_free_text(client, project_user, foodvalley):
    from placements.bsn import synthetic_bsn

    response = login(client, project_user).post("/maatregelen/nieuw/", {
        "title": f"Kind {synthetic_bsn(7)} thuis houden", "owner": "Wijkteam", "planned_on": "2026-12-31"})
    assert response.status_code == 200 and not Measure.objects.exists()
    assert "Vul hier geen BSN in" in response.content.decode()


def test_it_refuses_a_target_of_another_region(foodvalley, amsterdam_region):
    theirs = Target.objects.create(name="Amsterdam nul", metric="stock", region=amsterdam_region, period_start=D(2022, 1, 1),
                                   period_end=D(2030, 12, 31), kind="value", target_value=0, direction="at_most")
    with pytest.raises(ValidationError) as exc:
        _measure(foodvalley, targets=[theirs])
    assert "targets" in exc.value.message_dict


def test_a_progress_update_sets_the_status_of_the_latest_by_date(client, project_user, foodvalley):
    measure = _measure(foodvalley)
    login(client, project_user)
    today = timezone.localdate()
    response = client.post(f"/maatregelen/{measure.pk}/", {"date": today.isoformat(), "status": "loopt", "text": "Gestart in Ede."})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.RUNNING
    # an update dated earlier fills in the history: the current status stays that of the latest
    services.measure_update_add(user=project_user, measure=measure, date=today - dt.timedelta(days=30), status="vertraagd", text="Eerder")
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.RUNNING
    assert AccessLogEntry.objects.filter(object_type="measure", action="change", object_ref=str(measure.pk)).count() == 2


def test_it_refuses_an_update_in_the_future(client, project_user, foodvalley):
    measure = _measure(foodvalley)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = login(client, project_user).post(f"/maatregelen/{measure.pk}/", {"date": tomorrow.isoformat(), "status": "loopt", "text": "x"})
    assert response.status_code == 200 and not measure.updates.exists()
    assert "wat al gebeurd is" in response.content.decode()


def test_it_records_and_resolves_a_bottleneck(client, project_user, foodvalley):
    measure = _measure(foodvalley)
    login(client, project_user)
    response = client.post("/maatregelen/knelpunten/nieuw/", {"title": "Crises leiden tot plaatsing", "raised_on": "2024-02-01",
                                                              "measures": [measure.pk]})
    assert response.status_code == 302
    item = Bottleneck.objects.get()
    assert list(item.measures.all()) == [measure] and item.resolved_on is None
    bad = client.post(f"/maatregelen/knelpunten/{item.pk}/", {"title": item.title, "raised_on": "2024-02-01", "resolved_on": "2024-01-01"})
    assert bad.status_code == 200 and "vóór het werd gesignaleerd" in bad.content.decode()
    client.post(f"/maatregelen/knelpunten/{item.pk}/", {"title": item.title, "raised_on": "2024-02-01", "resolved_on": "2024-05-15"})
    item.refresh_from_db()
    assert item.resolved_on == D(2024, 5, 15) and list(item.measures.all()) == []


# ------------------------------------------------------------------------------------------------ as of a quarter
def test_measures_and_bottlenecks_as_they_stood_at_a_quarters_end(foodvalley):
    """A: running from 10 January, done on 1 May 2024. B: recorded in August 2024. C: planned for March, no update.
    Q1: A running (its January text), C planned and overdue; Q2: A done (within the quarter), C; Q3: A gone (done
    before July), B and C."""
    a = _created(_measure(foodvalley, title="A", planned_on=D(2024, 6, 30)), D(2023, 12, 1))
    services.measure_update_add(user=None, measure=a, date=D(2024, 1, 10), status="loopt", text="Gestart")
    services.measure_update_add(user=None, measure=a, date=D(2024, 5, 1), status="uitgevoerd", text="Klaar")
    _created(_measure(foodvalley, title="B", planned_on=D(2025, 1, 31)), D(2024, 8, 20))
    _created(_measure(foodvalley, title="C", planned_on=D(2024, 3, 15)), D(2023, 11, 1))

    def at(start, end):
        return {r.measure.title: r for r in selectors.measures_as_of(region=foodvalley, start=start, day=end)}

    q1 = at(D(2024, 1, 1), D(2024, 3, 31))
    assert set(q1) == {"A", "C"}
    assert (q1["A"].status, q1["A"].execution, q1["A"].overdue) == ("loopt", "Gestart", False)
    assert (q1["C"].status, q1["C"].execution, q1["C"].overdue) == ("gepland", "", True)
    q2 = at(D(2024, 4, 1), D(2024, 6, 30))
    assert (q2["A"].status, q2["A"].execution, q2["A"].execution_date) == ("uitgevoerd", "Klaar", D(2024, 5, 1))
    assert list(q2) == ["C", "A"]  # open measures first
    assert set(at(D(2024, 7, 1), D(2024, 9, 30))) == {"B", "C"}

    Bottleneck.objects.create(region=foodvalley, title="Opgelost in Q2", raised_on=D(2024, 2, 1), resolved_on=D(2024, 5, 15))
    Bottleneck.objects.create(region=foodvalley, title="Vanaf Q3", raised_on=D(2024, 7, 1))

    def open_in(start, end):
        return [b.title for b in selectors.bottlenecks_as_of(region=foodvalley, start=start, day=end)]

    assert open_in(D(2024, 1, 1), D(2024, 3, 31)) == ["Opgelost in Q2"]
    assert open_in(D(2024, 4, 1), D(2024, 6, 30)) == ["Opgelost in Q2"]
    assert open_in(D(2024, 7, 1), D(2024, 9, 30)) == ["Vanaf Q3"]


def test_the_quarterly_report_prints_the_measures_and_bottlenecks(foodvalley, ede):
    from monitoring.runs import services as runs
    from reports.content import build_report
    from reports.render import render_html

    measure = _created(_measure(foodvalley, title="Checklist residentieel", planned_on=D(2025, 6, 30)), D(2025, 1, 5))
    services.measure_update_add(user=None, measure=measure, date=D(2025, 2, 1), status="loopt", text="Getest in twee wijkteams")
    Bottleneck.objects.create(region=foodvalley, title="Crises leiden vaak tot uithuisplaatsing", raised_on=D(2025, 1, 1))
    run = runs.run_compute(runs.run_create(today=D(2025, 4, 15)))
    report = build_report(run=run, region=foodvalley, quarter="2025-Q1")
    assert [m.measure.title for m in report.measures] == ["Checklist residentieel"]
    html = render_html(report)
    section = html[html.index('id="measures"'):html.index('id="charts"')]
    assert "Checklist residentieel" in section and "In uitvoering" in section and "Getest in twee wijkteams" in section
    assert "01-02-2025" in section and "Crises leiden vaak tot uithuisplaatsing" in section


def test_the_demo_action_plan_is_idempotent_and_links_its_targets(foodvalley):
    from demo.actionplan import build_demo_actionplan
    from demo.targets import ensure_demo_targets

    ensure_demo_targets()
    first = build_demo_actionplan()
    assert first["maatregelen"] == 8 and first["knelpunten"] == 5
    assert build_demo_actionplan() == {"maatregelen": 0, "voortgangsmeldingen": 0, "knelpunten": 0}
    checklist = Measure.objects.get(title__startswith="Checklist")
    assert checklist.status == MeasureStatus.DONE and checklist.targets.count() == 1
