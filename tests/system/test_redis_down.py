"""Redis (the broker) down: the web app keeps serving, the views that start background work answer within a few
seconds with a clear Dutch message instead of a 500 or a hang, and nothing stays 'pending' or 'running'.

No worker needed: eager mode is switched off and the broker points at a port where nothing listens, so these run
on SQLite and on PostgreSQL. Also: a part of a snapshot run recorded twice (a redelivered message) never
finishes the run early (services.run_part_done).
"""
from __future__ import annotations

import datetime as dt
import socket
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.background import BACKGROUND_UNAVAILABLE, broker_available
from foodvalley.celery import app as celery_app
from monitoring.models import FigureSeries, RunStatus, SnapshotRun
from monitoring.runs import services
from placements.models import Episode, ImportJob, ImportStatus
from reports.models import GeneratedReport, ReportStatus
from tests.conftest import login

DATA = Path(__file__).parent.parent / "data" / "imports"
MESSAGE = str(BACKGROUND_UNAVAILABLE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again at once: nothing listens there


def _reset_pools():
    celery_app._pool = None
    try:
        celery_app.amqp._producer_pool = None
    except AttributeError:  # pragma: no cover
        pass


@pytest.fixture
def broker_down(settings, tmp_path):
    keys = ("broker_url", "result_backend", "task_always_eager")
    saved = {k: celery_app.conf[k] for k in keys}  # before the Django settings change (Celery reads them lazily)
    url = f"redis://127.0.0.1:{free_port()}/0"
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # import uploads are private files
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    _reset_pools()
    try:
        yield url
    finally:
        celery_app.conf.update(saved)
        _reset_pools()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def timed_post(client, url, data=None):
    started = time.monotonic()
    response = client.post(url, data or {}, follow=True)
    return response, time.monotonic() - started


def test_the_app_keeps_serving_and_a_run_start_says_background_work_is_unavailable(client, admin_user, owner, child, project_user, figures_run, broker_down):
    assert not broker_available()
    login(client, owner)  # a case worker: the child list and a child
    for url in (reverse("children:list"), reverse("children:detail", args=[child.pk])):
        assert client.get(url).status_code == 200, url
    login(client, project_user)  # the project team: the dashboard
    page = client.get(reverse("monitoring:dashboard"), {"scope": "Food Valley"})
    assert page.status_code == 200 and page.context["dash"].run == figures_run
    login(client, admin_user)
    for url in (reverse("monitoring:runs"), reverse("imports:list")):
        assert client.get(url).status_code == 200, url
    before = set(SnapshotRun.objects.values_list("pk", flat=True))
    response, seconds = timed_post(client, reverse("monitoring:run_start"))
    assert response.status_code == 200 and seconds < 5, seconds
    assert MESSAGE in _messages(response)
    assert MESSAGE in response.content.decode()
    new = SnapshotRun.objects.exclude(pk__in=before).get()
    assert new.status == RunStatus.FAILED and new.finished_at and "niet beschikbaar" in new.message
    assert not FigureSeries.objects.filter(run=new).exists()
    assert not SnapshotRun.objects.filter(status__in=[RunStatus.PENDING, RunStatus.RUNNING]).exists()
    # the runs page says so too
    assert "Achtergrondwerk is op dit moment niet beschikbaar" in client.get(reverse("monitoring:runs")).content.decode()
    # the published figures are still the ones shown
    login(client, project_user)
    assert client.get(reverse("monitoring:dashboard"), {"scope": "Food Valley"}).context["dash"].run == figures_run


def test_an_upload_with_the_broker_down_is_removed_closed_and_explained(client, admin_user, provider, broker_down, settings):
    login(client, admin_user)
    upload = SimpleUploadedFile("trajecten.csv", (DATA / "episodes_clean.csv").read_bytes(), content_type="text/csv")
    response, seconds = timed_post(client, reverse("imports:upload"), {"kind": "episodes", "file": upload})
    assert response.status_code == 200 and seconds < 5, seconds
    assert MESSAGE in _messages(response)
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.FAILED and "niet beschikbaar" in job.message and job.finished_at
    # the upload holds BSNs: a job that will not run keeps nothing (issue 15: it stayed in the media folder)
    assert not job.file and not any(p.is_file() for p in settings.PRIVATE_MEDIA_ROOT.rglob("*.csv"))
    assert not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*.csv"))
    assert Episode.objects.count() == 0  # nothing half-imported
    assert client.get(reverse("imports:detail", args=[job.pk])).status_code == 200


def test_a_report_with_the_broker_down_is_closed_and_does_not_block_a_new_one(client, figures_run, project_user, broker_down):
    login(client, project_user)
    data = {"scope": "Food Valley", "quarter": "2025-Q4", "run": figures_run.pk}
    response, seconds = timed_post(client, reverse("reports:start"), data)
    assert response.status_code == 200 and seconds < 5, seconds
    assert MESSAGE in _messages(response)
    report = GeneratedReport.objects.get()
    assert report.status == ReportStatus.FAILED and "niet beschikbaar" in report.message and not report.file
    # a second try is not refused as 'already being made'
    response, _ = timed_post(client, reverse("reports:start"), data)
    assert GeneratedReport.objects.count() == 2 and MESSAGE in _messages(response)


def test_the_eager_default_is_unchanged(client, admin_user, figures_run):
    assert celery_app.conf.task_always_eager and broker_available()


# --- the run's own bookkeeping: a part recorded twice never finishes the run early --------------------------

@pytest.mark.django_db
def test_a_part_recorded_twice_counts_once_and_the_run_finishes_exactly_when_every_part_is_in():
    parts = ["episodes", "declarations", "casework", "fostercare"]
    run = SnapshotRun.objects.create(status=RunStatus.RUNNING, data_date=dt.date(2020, 12, 31), parts=parts)
    assert not services.run_part_done(run_id=run.pk, part="episodes")
    assert not services.run_part_done(run_id=run.pk, part="episodes")  # a redelivered part that had finished but was not acked
    assert not services.run_part_done(run_id=run.pk, part="casework")
    assert not services.run_part_done(run_id=run.pk, part="declarations")
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and run.progress < 100 and run.phase == "3 van 4 delen berekend"
    assert services.run_part_done(run_id=run.pk, part="fostercare")  # the last part finishes the run
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.progress == 100
    assert not services.run_part_done(run_id=run.pk, part="fostercare")  # and a late duplicate does not finish it again
    # a failed run is not turned into a done one by a late part
    failed = SnapshotRun.objects.create(status=RunStatus.FAILED, data_date=dt.date(2020, 12, 31), parts=parts,
                                        parts_done=["casework", "declarations", "episodes"])
    assert not services.run_part_done(run_id=failed.pk, part="fostercare")
    assert SnapshotRun.objects.get(pk=failed.pk).status == RunStatus.FAILED
