"""The administrators' runs pages: list, starting a recompute (Celery eager in tests), progress JSON,
locking, revisions; everyone else gets 403."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from monitoring.models import FigureSeries, RunStatus, SnapshotRun
from monitoring.runs import services
from placements.bsn import pseudonymise, synthetic_bsn
from placements.models import CareForm, Child, Episode, Municipality, Provider
from tests.conftest import login
from tests.monitoring.test_dashboard import TODAY, build_region, region_run  # noqa: F401  (fixture)


@pytest.mark.parametrize("who", ["project_user", "owner"])
def test_runs_pages_are_admin_only(client, request, who, region_run):  # noqa: F811
    login(client, request.getfixturevalue(who))
    pk = region_run.pk
    for url in (reverse("monitoring:runs"), reverse("monitoring:run_detail", args=[pk]), reverse("monitoring:run_status", args=[pk]),
                reverse("monitoring:run_revisions")):
        assert client.get(url).status_code == 403, url
    before = SnapshotRun.objects.count()
    assert client.post(reverse("monitoring:run_start")).status_code == 403
    assert client.post(reverse("monitoring:run_lock", args=[pk])).status_code == 403
    assert SnapshotRun.objects.count() == before
    assert not SnapshotRun.objects.get(pk=pk).locked


def test_admin_sees_the_list(client, admin_user, region_run):  # noqa: F811
    response = login(client, admin_user).get(reverse("monitoring:runs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Cijfers opnieuw berekenen" in html
    assert f'data-run="{region_run.pk}"' in html
    assert "2019-06 – 2020-12" in html
    assert str(region_run.series_count) in html


def test_starting_a_run_eagerly_finishes_it(client, admin_user, ede, veenendaal, monkeypatch):
    build_region(ede, veenendaal)
    monkeypatch.setattr(services, "run_create", lambda **kw: _create_at(TODAY, **kw))
    login(client, admin_user)
    assert client.get(reverse("monitoring:run_start")).status_code == 405
    response = client.post(reverse("monitoring:run_start"))
    run = SnapshotRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("monitoring:run_detail", args=[run.pk])
    assert run.status == RunStatus.DONE and run.progress == 100
    assert run.created_by == admin_user and run.trigger == "manual"
    assert run.series_count == FigureSeries.objects.filter(run=run).count() > 0
    assert FigureSeries.objects.get(run=run, scope="Food Valley", group="stay", band="all", metric="stock").values["2020-12"] == 10
    status = client.get(reverse("monitoring:run_status", args=[run.pk])).json()
    assert status == {**status, "status": "done", "progress": 100, "finished": True}
    assert status["fields"]["series_count"] == f"{run.series_count:,}".replace(",", ".")
    page = client.get(reverse("monitoring:run_detail", args=[run.pk])).content.decode()
    assert 'data-finished="1"' in page and "js/jobs.js" in page
    # and the dashboard now has figures
    assert client.get(reverse("monitoring:dashboard"), {"scope": "Food Valley"}).context["dash"].run == run


def _create_at(today, **kwargs):
    return _real_run_create(today=today, **kwargs)


_real_run_create = services.run_create


def test_a_running_run_blocks_a_second_start_and_reports_progress(client, admin_user, db):
    running = SnapshotRun.objects.create(data_date=dt.date(2020, 12, 31), status=RunStatus.RUNNING, progress=40, phase="3 van 7 regio's berekend")
    login(client, admin_user)
    response = client.post(reverse("monitoring:run_start"))
    assert response["Location"] == reverse("monitoring:run_detail", args=[running.pk])
    assert SnapshotRun.objects.count() == 1
    status = client.get(reverse("monitoring:run_status", args=[running.pk])).json()
    assert status["progress"] == 40 and status["finished"] is False and status["phase"] == "3 van 7 regio's berekend"
    page = client.get(reverse("monitoring:run_detail", args=[running.pk])).content.decode()
    assert 'data-finished="0"' in page and reverse("monitoring:run_status", args=[running.pk]) in page
    assert client.get(reverse("monitoring:run_status", args=[9999])).status_code == 404


def test_a_failing_start_marks_the_run_failed(client, admin_user, db, monkeypatch):
    from monitoring.runs import tasks

    def boom(run_id):
        raise RuntimeError("deelberekening kapot")

    monkeypatch.setattr(tasks.compute_snapshot, "delay", boom)
    login(client, admin_user).post(reverse("monitoring:run_start"))
    run = SnapshotRun.objects.get()
    assert run.status == RunStatus.FAILED and "kapot" in run.message
    assert client.get(reverse("monitoring:run_status", args=[run.pk])).json()["finished"] is True


def test_lock_and_revisions(client, admin_user, region_run):  # noqa: F811
    login(client, admin_user)
    response = client.post(reverse("monitoring:run_lock", args=[region_run.pk]), {"note": "Kwartaal 4 2020"})
    assert response.status_code == 302
    region_run.refresh_from_db()
    assert region_run.locked and region_run.lock_note == "Kwartaal 4 2020" and region_run.locked_by == admin_user
    # nothing newer yet
    assert "zelf vastgezet" in client.get(reverse("monitoring:run_revisions")).content.decode()
    # a late registration: a seventh and eighth foster child in Veenendaal from November
    veen = Municipality.objects.get(cbs_code="GM0345")
    plz = CareForm.objects.get(code="PLZ")
    for n in (1, 2):
        child = Child.objects.create(pseudonym=pseudonymise(synthetic_bsn(900 + n)), birth_date=dt.date(2012, 1, 1), municipality=veen)
        Episode.objects.create(child=child, care_form=plz, provider=Provider.objects.first(), municipality=veen,
                               start_date=dt.date(2020, 11, 20), end_date=dt.date(2020, 12, 5))
    newer = services.run_compute(services.run_create(today=TODAY))
    response = client.get(reverse("monitoring:run_revisions"), {"scope": "GM0345"})
    assert response.status_code == 200
    rows = list(response.context["page"].paginator.object_list)  # every page: revisions now include appeared figures
    stock = [r for r in rows if (r["metric"], r["group"], r["band"], r["period"]) == ("stock", "PLZ", "all", "2020-11")]
    # 6 → 8 children: both published as 10 (the page shows only published counts)
    assert [(r["old"], r["new"], r["old_text"], r["new_text"]) for r in stock] == [(6, 8, "10", "10")]
    assert "Kinderen in zorg (peildatum)" in response.content.decode()
    assert response.context["newer"] == newer and response.context["published"] == region_run
    # the published run is unchanged
    assert FigureSeries.objects.get(run=region_run, scope="GM0345", group="PLZ", band="all", metric="stock").values["2020-11"] == 6


def test_lock_of_an_unfinished_run_is_refused(client, admin_user, db):
    run = SnapshotRun.objects.create(data_date=dt.date(2020, 12, 31), status=RunStatus.RUNNING)
    login(client, admin_user).post(reverse("monitoring:run_lock", args=[run.pk]))
    run.refresh_from_db()
    assert not run.locked
