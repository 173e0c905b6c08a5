"""Import pages: administrators only; upload runs the task; the report shows counts, providers and errors."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AccessLogEntry, Role
from placements.imports import views
from placements.models import Episode, ImportIssue, ImportJob, ImportStatus
from tests.conftest import login, make_user

DATA = Path(__file__).parent.parent / "data" / "imports"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"  # import uploads are private files


@pytest.fixture
def queued(monkeypatch):
    """Run the task in-process whatever the broker settings; record the ids given to `delay`."""
    from placements.imports import views

    ids = []

    def delay(job_id):
        ids.append(job_id)
        return views.run_import.apply(args=[job_id])

    monkeypatch.setattr(views.run_import, "delay", delay)
    return ids


@pytest.fixture
def job(db):
    return ImportJob.objects.create(kind="episodes", original_name="trajecten.csv", file="imports/x.csv",
                                    status=ImportStatus.REFUSED, rows_total=3, rows_done=3, error_count=1)


def urls(job):
    return [reverse("imports:list"), reverse("imports:upload"), reverse("imports:detail", args=[job.pk]),
            reverse("imports:status", args=[job.pk])]


def test_anonymous_users_are_sent_to_login(client, job):
    for url in urls(job):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("who", ["owner", "project_user"])
def test_wijkteam_and_project_users_are_refused(client, job, who, request):
    user = request.getfixturevalue(who)
    login(client, user)
    for url in urls(job):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("imports:upload"), {"kind": "episodes"}).status_code == 403
    assert AccessLogEntry.objects.filter(actor=user, result="denied", object_type="import").count() == 5


def test_an_admin_role_without_superuser_may_use_the_pages(client, job):
    login(client, make_user("beheer", Role.ADMIN))
    for url in urls(job):
        assert client.get(url).status_code == 200, url


def test_admin_uploads_a_file_and_sees_the_report(client, admin_user, provider, queued):
    login(client, admin_user)
    page = client.get(reverse("imports:upload"))
    assert page.status_code == 200 and b'name="file"' in page.content and b"E304" in page.content
    upload = SimpleUploadedFile("trajecten.csv", (DATA / "episodes_clean.csv").read_bytes(), content_type="text/csv")
    response = client.post(reverse("imports:upload"), {"kind": "episodes", "file": upload})
    job = ImportJob.objects.get()
    assert queued == [job.pk]
    assert response.status_code == 302 and response.url == reverse("imports:detail", args=[job.pk])
    assert (job.status, job.created_by, job.original_name, job.created) == (ImportStatus.DONE, admin_user, "trajecten.csv", 5)
    assert Episode.objects.count() == 5
    report = client.get(response.url)
    text = report.content.decode()
    assert report.status_code == 200
    assert "Nieuwe Aanbieder BV" in text and "Geïmporteerd" in text
    assert 'style="width: 100%">100%<' in text  # a finished import shows a full progress bar
    assert f'data-job-status-url="/imports/{job.pk}/status.json"' in text
    assert 'data-finished="1"' in text
    assert AccessLogEntry.objects.get(object_ref=f"import {job.pk}").actor == admin_user
    listing = client.get(reverse("imports:list")).content.decode()
    assert "trajecten.csv" in listing and reverse("imports:detail", args=[job.pk]) in listing


def test_a_refused_upload_shows_every_error(client, admin_user, provider, queued):
    login(client, admin_user)
    upload = SimpleUploadedFile("fout.csv", (DATA / "episodes_errors.csv").read_bytes())
    response = client.post(reverse("imports:upload"), {"kind": "episodes", "file": upload}, follow=True)
    text = response.content.decode()
    assert "Geweigerd" in text
    for code in ("E102", "E104", "E105", "E106", "E107", "E103", "E108", "E109", "E205", "E206", "F006", "E301", "E303", "E101"):
        assert f"<code>{code}</code>" in text, code
    assert "900000016" not in text and "123456789" not in text
    assert Episode.objects.count() == 0


def test_the_error_table_is_paginated_by_100(client, admin_user, job):
    ImportIssue.objects.bulk_create([ImportIssue(job=job, row=n, field="bsn", code="E102", message=f"melding {n}")
                                     for n in range(2, 152)])
    login(client, admin_user)
    url = reverse("imports:detail", args=[job.pk])
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert first.count("<code>E102</code>") == 100 and second.count("<code>E102</code>") == 50
    assert "melding 2<" in first and "melding 151<" in second


def test_the_status_json_for_polling(client, admin_user, job):
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, phase="controleren", rows_total=200, rows_done=50)
    login(client, admin_user)
    data = client.get(reverse("imports:status", args=[job.pk])).json()
    assert data == {"id": job.pk, "status": "running", "status_display": "Bezig", "badge": "text-bg-primary",
                    "phase": "controleren", "progress": 25, "finished": False, "message": "",
                    "fields": {"rows_total": "200", "rows_done": "50", "error_count": "1", "created": "0", "updated": "0", "unchanged": "0"}}
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'data-finished="0"' in page and "progress-bar-animated" in page


def test_pages_use_no_inline_script(client, admin_user, job):
    login(client, admin_user)
    for url in urls(job)[:3]:
        html = client.get(url).content.decode()
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
        assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts), url
    assert "js/jobs.js" in client.get(urls(job)[2]).content.decode()


def test_an_upload_without_a_file_shows_the_form_again(client, admin_user, queued):
    login(client, admin_user)
    response = client.post(reverse("imports:upload"), {"kind": "episodes"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    wrong = SimpleUploadedFile("data.xlsx", b"PK\x03\x04")
    assert client.post(reverse("imports:upload"), {"kind": "episodes", "file": wrong}).status_code == 200
    assert ImportJob.objects.count() == 0 and queued == []


def test_an_unknown_job_is_404(client, admin_user):
    login(client, admin_user)
    assert client.get(reverse("imports:detail", args=[999])).status_code == 404
    assert client.get(reverse("imports:status", args=[999])).status_code == 404


def test_an_upload_is_a_private_file_and_gone_when_the_job_ends(client, admin_user, provider, settings, queued):
    """Issue 15: uploads with clear BSNs lay in the media folder, which the development server served to every role."""
    login(client, admin_user)
    seen = []
    original = views.create_job

    def spy(**kwargs):
        job = original(**kwargs)
        seen.append((job.file.name, job.file.storage.exists(job.file.name), job.file.url, job.file.path))
        return job

    views.create_job = spy
    try:
        upload = SimpleUploadedFile("trajecten.csv", (DATA / "episodes_clean.csv").read_bytes(), content_type="text/csv")
        client.post(reverse("imports:upload"), {"kind": "episodes", "file": upload})
    finally:
        views.create_job = original
    name, existed, url, path = seen[0]
    assert existed and url == "" and str(path).startswith(str(settings.PRIVATE_MEDIA_ROOT))  # private, no URL
    assert not any(settings.MEDIA_ROOT.rglob("*.csv"))
    assert not (settings.PRIVATE_MEDIA_ROOT / name).exists()  # removed once the job ended


def test_an_upload_above_the_limit_is_refused_in_dutch(client, admin_user, settings):
    settings.IMPORT_MAX_MB = 1
    login(client, admin_user)
    big = SimpleUploadedFile("groot.csv", b"a;b\n" * (300 * 1024), content_type="text/csv")  # 1.2 MB
    response = client.post(reverse("imports:upload"), {"kind": "episodes", "file": big})
    assert response.status_code == 200 and "Het bestand is groter dan 1 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


# --- the uploaded file: administrators only, each download logged (issue 15) ----------------------


@pytest.fixture
def waiting_job(admin_user):
    """A job whose task has not run yet: it still keeps its upload."""
    from placements.imports.service import create_job

    content = b"bsn;geboortedatum\n999900017;01-01-2012\n"
    return create_job(kind="episodes", fileobj=SimpleUploadedFile("trajecten.csv", content), original_name="trajecten.csv", user=admin_user)


def test_it_lets_an_administrator_download_a_kept_upload_and_logs_it(client, admin_user, waiting_job):
    login(client, admin_user)
    response = client.get(reverse("imports:file", args=[waiting_job.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"bsn;geboortedatum")
    assert 'attachment; filename="trajecten.csv"' == response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    entry = AccessLogEntry.objects.get(object_type="import_file")
    assert (entry.actor, entry.action, entry.object_ref) == (admin_user, "export", f"import {waiting_job.pk}")
    # the detail page links to it while the file is kept
    assert reverse("imports:file", args=[waiting_job.pk]) in client.get(reverse("imports:detail", args=[waiting_job.pk])).content.decode()


@pytest.mark.parametrize("role", [Role.PROJECT, Role.WIJKTEAM, Role.RET, Role.FOSTERCARE])
def test_it_refuses_the_upload_to_every_other_role_and_logs_the_refusal(client, waiting_job, ede, foodvalley, role):
    user = make_user(f"u-{role}", role, ede, region=foodvalley)
    login(client, user)
    response = client.get(reverse("imports:file", args=[waiting_job.pk]))
    assert response.status_code == 403
    assert b"999900017" not in response.content
    assert AccessLogEntry.objects.filter(actor=user, result="denied", object_type="import").exists()
    assert not AccessLogEntry.objects.filter(object_type="import_file").exists()


def test_it_says_in_dutch_when_the_file_is_no_longer_kept(client, admin_user, waiting_job):
    from placements.imports.service import job_discard_file

    job_discard_file(waiting_job)
    login(client, admin_user)
    response = client.get(reverse("imports:file", args=[waiting_job.pk]), follow=True)
    assert "niet meer bewaard" in response.content.decode()
    assert not AccessLogEntry.objects.filter(object_type="import_file").exists()


def test_the_admin_shows_no_media_link_to_the_upload(client, admin_user, waiting_job):
    login(client, admin_user)
    page = client.get(reverse("admin:placements_importjob_change", args=[waiting_job.pk])).content.decode()
    assert reverse("imports:file", args=[waiting_job.pk]) in page
    assert "/media/" not in page and waiting_job.file.name not in page


def test_the_example_files_import_cleanly_and_the_codes_list_the_taxonomy(client, admin_user, provider):
    import csv as _csv
    import io as _io

    from placements.imports.service import create_job, import_file

    login(client, admin_user)
    for kind, url in (("episodes", "/imports/voorbeeld/trajecten/"), ("declarations", "/imports/voorbeeld/declaraties/")):
        response = client.get(url)
        text = response.content.decode("utf-8")
        assert response.status_code == 200 and text.startswith("\ufeff") and ";" in text.splitlines()[0]
        job = import_file(create_job(kind=kind, fileobj=_io.BytesIO(response.content), original_name=f"voorbeeld-{kind}.csv",
                                     user=admin_user))
        assert (job.status, job.error_count) == ("done", 0), job.message
    codes = list(_csv.reader(_io.StringIO(client.get("/imports/codes/").content.decode("utf-8-sig")), delimiter=";"))
    assert codes[0] == ["soort", "code", "naam", "trede_of_regio", "met_verblijf"]
    assert ["zorgvorm", "RES"] in [r[:2] for r in codes] and ["gemeente", "GM0228"] in [r[:2] for r in codes]
