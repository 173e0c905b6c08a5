"""Who may see which figures on the dashboard (and download them): anonymous users log in first, the
project team sees its own region and its municipalities, a wijkteam worker only their own municipality,
an administrator everything; asking for a scope outside one's own is refused and logged."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import AccessLogEntry, Role
from monitoring.dashboard import selectors
from tests.conftest import login, make_user
from tests.monitoring.test_dashboard import region_run  # noqa: F401  (fixture)


def test_anonymous_is_sent_to_login(client, region_run):  # noqa: F811
    for name in ("monitoring:dashboard", "monitoring:dashboard_csv", "monitoring:runs"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_project_team_sees_own_region_and_its_municipalities(client, project_user, region_run):  # noqa: F811
    login(client, project_user)
    response = client.get(reverse("monitoring:dashboard"))
    assert response.status_code == 200
    assert response.context["dash"].scope.key == "Food Valley"
    keys = [s.key for s in response.context["choices"].scopes]
    assert keys[0] == "Food Valley" and "GM0228" in keys and "GM0345" in keys and len(keys) == 8
    assert client.get(reverse("monitoring:dashboard"), {"scope": "GM0345"}).context["dash"].scope.label == "Veenendaal"
    assert client.get(reverse("monitoring:dashboard"), {"scope": "Ede"}).context["dash"].scope.key == "GM0228"


@pytest.mark.parametrize("scope", ["GM0344", "Utrecht stad", "NL", "GM9999"])
def test_project_team_asking_another_scope_is_refused_and_logged(client, project_user, region_run, scope):  # noqa: F811
    login(client, project_user)
    response = client.get(reverse("monitoring:dashboard"), {"scope": scope})
    assert response.status_code == 403
    entry = AccessLogEntry.objects.get(result="denied")
    assert entry.object_type == "figures" and entry.actor_username == project_user.username
    assert client.get(reverse("monitoring:dashboard_csv"), {"figure": "tiles", "scope": scope}).status_code == 403
    assert not AccessLogEntry.objects.filter(action="export").exists()


def test_wijkteam_sees_own_municipality_only(client, owner, region_run):  # noqa: F811
    login(client, owner)
    response = client.get(reverse("monitoring:dashboard"))
    assert response.status_code == 200
    assert [s.key for s in response.context["choices"].scopes] == ["GM0228"]
    assert response.context["dash"].scope.key == "GM0228"
    for scope in ("GM0345", "Veenendaal", "Food Valley", "NL"):
        assert client.get(reverse("monitoring:dashboard"), {"scope": scope}).status_code == 403, scope
    assert client.get(reverse("monitoring:dashboard_csv"), {"figure": "tiles", "scope": "GM0345"}).status_code == 403


def test_veenendaal_wijkteam_sees_exact_veenendaal_figures(client, outsider, region_run):  # noqa: F811
    response = login(client, outsider).get(reverse("monitoring:dashboard"))
    dash = response.context["dash"]
    assert dash.scope.key == "GM0345" and dash.exact
    tiles = {t.key: t for t in dash.tiles}
    assert tiles["gzh"].value.text == "1"
    assert tiles["residential"].value.text == "0"
    assert client.get(reverse("monitoring:dashboard"), {"scope": "GM0228"}).status_code == 403


def test_admin_may_see_every_scope_with_suppression(client, admin_user, region_run):  # noqa: F811
    login(client, admin_user)
    response = client.get(reverse("monitoring:dashboard"))
    assert response.status_code == 200
    # only Food Valley delivers data here: the dashboard opens on it, not on a country that is only Food Valley
    assert response.context["dash"].scope.key == "Food Valley"
    assert not response.context["dash"].exact
    for scope in ("Food Valley", "GM0228", "Utrecht stad", "GM0344"):
        assert client.get(reverse("monitoring:dashboard"), {"scope": scope}).status_code == 200, scope
    ede = client.get(reverse("monitoring:dashboard"), {"scope": "GM0228"})
    assert {t.key: t for t in ede.context["dash"].tiles}["residential"].value.text == "≤5"
    # the country compares the regions
    national = client.get(reverse("monitoring:dashboard"), {"scope": "NL"})
    rows = national.context["dash"].comparison
    assert rows[-1].scope.key == "NL" and rows[-1].is_total
    assert len(rows) == 43  # 42 regions and the country


def test_users_without_a_scope_are_refused(client, db):
    lost = make_user("zonder", Role.PROJECT)
    response = login(client, lost).get(reverse("monitoring:dashboard"))
    assert response.status_code == 403
    assert "geen gemeente of jeugdregio" in response.content.decode()
    assert selectors.dashboard_scopes(lost).scopes == []


def test_sees_exact_only_for_the_own_municipality(owner, project_user, admin_user, db):
    ede = selectors.Scope("GM0228", "Ede", "municipality", "Food Valley")
    veen = selectors.Scope("GM0345", "Veenendaal", "municipality", "Food Valley")
    assert selectors.sees_exact(owner, ede)
    assert not selectors.sees_exact(owner, veen)
    assert not selectors.sees_exact(project_user, ede)
    assert not selectors.sees_exact(admin_user, ede)


def test_the_administrators_dashboard_opens_on_the_country_once_two_regions_deliver(client, admin_user, region_run):  # noqa: F811
    from placements.models import Child, Municipality

    utrecht = Municipality.objects.get(cbs_code="GM0344")
    Child.objects.create(pseudonym="u" * 64, birth_date=dt.date(2012, 1, 1), municipality=utrecht)
    response = login(client, admin_user).get(reverse("monitoring:dashboard"))
    assert response.context["dash"].scope.key == "NL"
