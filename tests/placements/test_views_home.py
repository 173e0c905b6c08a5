"""The start page per role: municipality figures, the suppressed region overview, the administrator's links."""
import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.models import AccessLogEntry, Role
from placements.bsn import synthetic_bsn
from placements.services import child_register, episode_start
from tests.conftest import login, make_user

D = dt.date
BIRTH = D(2012, 5, 17)
START = D(2024, 3, 1)
HOME = reverse("home")


def register(user, n, label=""):
    child, _ = child_register(user=user, bsn=synthetic_bsn(n), birth_date=D(2013, 8, 8), sex="O", label=label)
    return child


def start(user, child, form, provider, day=START, municipality=None):
    return episode_start(user=user, child=child, care_form=form, provider=provider, start_date=day, municipality=municipality,
                         allow_without_checklist=True)


def html_of(response) -> str:
    return response.content.decode()


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- wijkteam ----------------------------------------------------------------------------------


def test_the_wijkteam_page_shows_the_municipalitys_figures_and_recent_children(client, owner, child, provider, care_forms):
    b = register(owner, 2, label="CD-2002")
    register(owner, 3, label="EF-3003")
    start(owner, child, care_forms["PLZ"], provider)
    start(owner, b, care_forms["AMB"], provider)
    response = login(client, owner).get(HOME)
    assert response.status_code == 200
    assert response.context["summary"] == {"registered": 3, "in_care": 2, "open_stays": 1}
    html = html_of(response)
    assert "Wijkteam Ede" in html
    for label in ("AB-1001", "CD-2002", "EF-3003"):
        assert label in html
    assert child.reference in html
    assert reverse("children:register") in html and reverse("children:list") in html


def test_a_colleague_sees_the_same_children(client, colleague, child):
    assert "AB-1001" in html_of(login(client, colleague).get(HOME))


def test_an_outsider_sees_neither_the_label_nor_the_count(client, outsider, child):
    response = login(client, outsider).get(HOME)
    assert response.context["summary"]["registered"] == 0
    assert "AB-1001" not in html_of(response) and child.reference not in html_of(response)


def test_a_wijkteam_worker_without_municipality_gets_a_notice(client, db):
    user = make_user("zonder", Role.WIJKTEAM)
    html = html_of(login(client, user).get(HOME))
    assert "nog geen gemeente gekoppeld" in html
    assert reverse("children:list") not in html


def test_the_search_box_on_the_start_page_posts(client, owner, child):
    html = html_of(login(client, owner).get(HOME))
    assert f'method="post" action="{reverse("children:list")}"' in html


# --- project team ------------------------------------------------------------------------------


@pytest.fixture
def region_data(owner, outsider, provider, care_forms, child):
    """Ede: 6 children with a stay now (4 family-based, 2 residential); Veenendaal: 1 in a family home."""
    kids = [child] + [register(owner, 10 + i, label=f"E-{i}") for i in range(7)]
    for k in kids[:3]:
        start(owner, k, care_forms["PLZ"], provider)
    start(owner, kids[3], care_forms["PLZ"], provider)
    start(owner, kids[3], care_forms["NPZ"], provider)  # two family-based forms: counts once
    start(owner, kids[4], care_forms["RES"], provider)
    start(owner, kids[5], care_forms["JZP"], provider)
    start(owner, kids[6], care_forms["AMB"], provider)  # no stay
    ended = start(owner, kids[7], care_forms["RES"], provider)
    ended.end_date = D(2024, 4, 1)
    ended.save()
    start(outsider, register(outsider, 30, label="V-30"), care_forms["GZH"], provider)


def _rows(response):
    return {r["municipality"].cbs_code: (r["stay"], r["family_based"], r["residential"]) for r in response.context["rows"]}


def test_the_project_team_sees_the_region_with_small_numbers_suppressed(client, project_user, region_data):
    response = login(client, project_user).get(HOME)
    assert response.status_code == 200
    rows = _rows(response)
    assert len(rows) == 7
    assert rows["GM0228"] == ("10", "≤5", "≤5")  # 6 with stay (rounded up to 10), 4 family-based, 2 residential
    assert rows["GM0345"] == ("≤5", "≤5", "≤5")
    assert rows["GM0339"] == ("≤5", "≤5", "≤5")  # 0: hidden like 1–5
    html = html_of(response)
    assert "Food Valley" in html and "Renswoude" in html and "≤5" in html and "naar boven afgerond" in html
    assert "volledige dashboard" in html


@override_settings(SUPPRESSION_K=3)
def test_the_suppression_threshold_is_a_setting(client, project_user, region_data):
    rows = _rows(login(client, project_user).get(HOME))
    assert rows["GM0228"] == ("6", "6", "≤3")  # 6, 4 and 2 with threes as the base: 6, 6 and ≤3
    assert rows["GM0345"] == ("≤3", "≤3", "≤3")


def test_the_project_page_shows_no_identifying_data(client, project_user, region_data, child):
    html = html_of(login(client, project_user).get(HOME))
    for text in ("AB-1001", "E-0", "V-30", child.reference):
        assert text not in html
    assert reverse("children:list") not in html


def test_the_region_overview_uses_a_fixed_number_of_queries(client, project_user, region_data, django_assert_max_num_queries):
    login(client, project_user)
    # session, user, municipalities, one aggregate (+ savepoints), and for the targets at a glance the latest run and the
    # region's targets (none here; each target reads its series as on the targets page)
    with django_assert_max_num_queries(8):
        client.get(HOME)


def test_the_project_team_of_another_region_sees_other_municipalities(client, region_data):
    from placements.models import Region

    other = make_user("gooi", Role.PROJECT, region=Region.objects.get(name="Gooi-en Vechtstreek"))
    rows = _rows(login(client, other).get(HOME))
    assert "GM0228" not in rows and all(v == ("≤5", "≤5", "≤5") for v in rows.values())


# --- administrator -----------------------------------------------------------------------------


def test_the_administrator_sees_counts_and_links_without_labels(client, admin_user, region_data, child):
    response = login(client, admin_user).get(HOME)
    assert response.status_code == 200
    counts = response.context["counts"]
    assert (counts["municipalities"], counts["care_forms"], counts["children"], counts["episodes"], counts["declarations"]) == (
        342, 15, 9, 10, 0)
    html = html_of(response)
    assert reverse("admin:index") in html and reverse("accounts:access_log") in html
    for text in ("AB-1001", "E-0", "V-30", child.reference):
        assert text not in html


def test_a_staff_user_with_the_admin_role_gets_the_admin_page(client, db):
    user = make_user("beheer", Role.ADMIN, is_staff=True)
    response = login(client, user).get(HOME)
    assert response.status_code == 200 and "counts" in response.context


def test_the_wijkteam_start_page_logs_its_list_of_children_once(client, owner, child):
    register(owner, 2)
    login(client, owner).get(HOME)
    entry = AccessLogEntry.objects.get(actor=owner, action="search")
    assert (entry.object_type, entry.result, entry.detail) == ("child", "ok", "start page, 2 recent children")


def test_the_other_start_pages_write_no_access_log_entries(client, project_user, admin_user, child):
    before = AccessLogEntry.objects.count()
    for user in (project_user, admin_user):
        login(client, user).get(HOME)
    assert AccessLogEntry.objects.count() == before


@pytest.mark.parametrize("who, present, absent", [
    ("owner", ["children:list", "children:register"], ["accounts:access_log"]),
    ("project_user", [], ["children:list", "children:register", "accounts:access_log"]),
    ("admin_user", ["accounts:access_log"], ["children:list", "children:register"]),
])
def test_the_navigation_shows_the_links_of_the_role(request, client, who, present, absent):
    html = html_of(login(client, request.getfixturevalue(who)).get(HOME))
    nav = html[html.index("<nav"):html.index("</nav>")]
    for name in present:
        assert f'href="{reverse(name)}"' in nav
    for name in absent:
        assert f'href="{reverse(name)}"' not in nav
