"""accounts.roles answers every "is this user a …" question once; a role without its scope answers False."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from accounts import roles
from accounts.models import Role
from core.start_pages import start_page_view
from tests.conftest import make_user


@pytest.fixture
def people(ede, foodvalley, foster_provider):
    return {
        "wijkteam": make_user("w", Role.WIJKTEAM, municipality=ede),
        "wijkteam_without_municipality": make_user("w0", Role.WIJKTEAM),
        "project": make_user("p", Role.PROJECT, region=foodvalley),
        "project_without_region": make_user("p0", Role.PROJECT),
        "ret": make_user("r", Role.RET, region=foodvalley),
        "ret_chair": make_user("rc", Role.RET, region=foodvalley, is_ret_chair=True),
        "fostercare": make_user("f", Role.FOSTERCARE, provider=foster_provider),
        "admin": make_user("a", Role.ADMIN),
        "superuser_with_wijkteam_role": make_user("s", Role.WIJKTEAM, municipality=ede, is_superuser=True),
    }


def test_it_answers_each_role_with_its_scope(people):
    expect = {
        "wijkteam": {"is_wijkteam"},
        "wijkteam_without_municipality": set(),
        "project": {"is_project", "is_project_with_region"},
        "project_without_region": {"is_project"},
        "ret": {"is_ret"},
        "ret_chair": {"is_ret", "is_ret_chair"},
        "fostercare": {"is_fostercare"},
        "admin": {"is_admin"},
        "superuser_with_wijkteam_role": {"is_admin"},  # a superuser acts as administrator, never with case access
    }
    predicates = ("is_wijkteam", "is_project", "is_project_with_region", "is_ret", "is_ret_chair", "is_fostercare", "is_admin")
    for name, user in people.items():
        assert {p for p in predicates if getattr(roles, p)(user)} == expect[name], name


def test_an_anonymous_user_is_nobody():
    anonymous = AnonymousUser()
    assert roles.role_of(anonymous) == ""
    assert not any(getattr(roles, p)(anonymous) for p in ("is_wijkteam", "is_project", "is_ret", "is_fostercare", "is_admin"))


def test_every_role_has_its_own_start_page(people):
    from casework.views import home_ret
    from fostercare.views import home_fostercare
    from placements.views import home_admin, home_project, home_wijkteam

    assert start_page_view(people["admin"]) is home_admin
    assert start_page_view(people["superuser_with_wijkteam_role"]) is home_admin
    assert start_page_view(people["project"]) is home_project
    assert start_page_view(people["fostercare"]) is home_fostercare
    assert start_page_view(people["wijkteam"]) is home_wijkteam
    assert start_page_view(people["ret"]) is home_ret


def test_a_refusal_is_the_one_dutch_page_with_a_denied_log_entry(people):
    from accounts.access import refuse
    from accounts.models import AccessLogEntry

    request = RequestFactory().get("/ergens/")
    request.user = people["project"]
    response = refuse(request, object_type="figures", detail="test")
    assert response.status_code == 403 and "Geen toegang" in response.content.decode()
    entry = AccessLogEntry.objects.get()
    assert (entry.result, entry.object_type, entry.action, entry.actor_username) == ("denied", "figures", "read", "p")
    hidden = refuse(request, status=404)
    assert hidden.status_code == 404 and "Niet gevonden" in hidden.content.decode() and AccessLogEntry.objects.count() == 1


def test_the_ret_starts_on_its_regions_agenda(client, foodvalley):
    from tests.conftest import login, make_user

    member = make_user("ret-start", "ret", region=foodvalley)
    page = login(client, member).get("/")
    text = page.content.decode()
    assert page.status_code == 200 and "RET-agenda" in text and "Open acties" in text
    assert "nog geen gemeente gekoppeld" not in text


def test_the_administrator_starts_on_runs_imports_and_their_errors(client, admin_user):
    import datetime as dt

    from django.core.files.base import ContentFile

    from monitoring.models import RunStatus, SnapshotRun
    from placements.models import ImportJob
    from tests.conftest import login

    run = SnapshotRun.objects.create(status=RunStatus.DONE, data_date=dt.date(2026, 10, 31), series_count=10338, trigger="command")
    job = ImportJob(kind="episodes", original_name="x.csv", status="refused", rows_total=1200, error_count=16)
    job.file.save("x.csv", ContentFile(b"x"), save=True)
    text = login(client, admin_user).get("/").content.decode()
    assert f'href="/monitor/runs/{run.pk}/"' in text and "10.338" in text and "opdrachtregel" in text
    assert f'href="/imports/{job.pk}/"' in text and "1.200" in text and ">16<" in text
