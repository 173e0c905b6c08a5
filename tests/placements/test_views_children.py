"""Child list, search, detail and registration: the scope triangle, privacy of the BSN and the label, logging."""
import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import AccessLogEntry
from placements.bsn import synthetic_bsn
from placements.models import Child
from placements.services import child_register, episode_start
from tests.conftest import login

D = dt.date
LIST = reverse("children:list")
REGISTER = reverse("children:register")


def detail_url(child):
    return reverse("children:detail", args=[child.pk])


def register(user, n, label=""):
    child, _ = child_register(user=user, bsn=synthetic_bsn(n), birth_date=D(2015, 2, 3), sex="M", label=label)
    return child


@pytest.fixture
def other_child(outsider):
    """A child of Veenendaal, registered by the outsider."""
    return register(outsider, 77, label="VN-7777")


def page(response) -> str:
    return response.content.decode()


# --- list --------------------------------------------------------------------------------------


def test_the_owner_sees_the_list_with_the_child(client, owner, child):
    response = login(client, owner).get(LIST)
    assert response.status_code == 200
    html = page(response)
    assert "AB-1001" in html and child.reference in html and "2012" in html and "Meisje" in html


def test_the_list_shows_the_highest_open_care_form(client, owner, child, provider, care_forms):
    episode_start(user=owner, child=child, care_form=care_forms["AMB"], provider=provider, start_date=D(2023, 1, 1))
    episode_start(user=owner, child=child, care_form=care_forms["RES"], provider=provider, start_date=D(2023, 2, 1), allow_without_checklist=True)
    row = login(client, owner).get(LIST).context["page"].object_list[0]
    assert (row.open_form, row.open_rung, row.open_count) == ("Residentiële groepszorg (leefgroep/behandelgroep)", 5, 2)
    assert "Residentiële groepszorg" in page(client.get(LIST))


def test_a_colleague_sees_the_list_with_the_child(client, colleague, child):
    assert "AB-1001" in page(login(client, colleague).get(LIST))


def test_an_outsider_sees_only_their_own_children(client, outsider, child, other_child):
    html = page(login(client, outsider).get(LIST))
    assert "VN-7777" in html
    assert "AB-1001" not in html and child.reference not in html


@pytest.mark.parametrize("who", ["project_user", "admin_user"])
def test_project_team_and_administrators_are_refused_from_the_list(request, client, who, child):
    user = request.getfixturevalue(who)
    response = login(client, user).get(LIST)
    assert response.status_code == 403
    assert "AB-1001" not in page(response)
    assert "Geen toegang" in page(response)
    entry = AccessLogEntry.objects.get(actor=user)
    assert (entry.action, entry.result) == ("search", "denied")


def test_anonymous_users_are_sent_to_the_login_page(client, child):
    for url in (LIST, REGISTER, detail_url(child)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_list_is_paginated_by_25(client, owner):
    for i in range(30):
        register(owner, 100 + i, label=f"K-{i:03d}")
    first = page(login(client, owner).get(LIST))
    assert first.count("K-0") == 25
    assert "K-029" in first and "K-004" not in first  # newest first
    second = page(client.get(LIST + "?page=2"))
    assert second.count("K-0") == 5 and "K-004" in second and "K-000" in second


def test_a_label_search_paginates_with_the_query(client, owner):
    for i in range(27):
        register(owner, 200 + i, label=f"ZZ-{i:03d}")
    register(owner, 300, label="AA-1")
    html = page(login(client, owner).get(LIST, {"q": "zz-"}))
    assert html.count("ZZ-0") == 25 and "AA-1" not in html
    assert "?q=zz-&amp;page=2" in html
    assert page(client.get(LIST, {"q": "zz-", "page": 2})).count("ZZ-0") == 2


# --- search ------------------------------------------------------------------------------------


def test_a_bsn_search_by_post_finds_the_child_without_showing_the_bsn(client, owner, child, bsn):
    register(owner, 2, label="CD-2")
    response = login(client, owner).post(LIST, {"q": bsn})
    assert response.status_code == 200
    html = page(response)
    assert "AB-1001" in html and "CD-2" not in html
    assert bsn not in html


def test_a_bsn_search_by_get_is_refused_and_not_echoed(client, owner, child, bsn):
    """A BSN in a web address would land in history and logs (and the page's language switch repeated it):
    no search, a redirect to the plain list with a Dutch hint (issue 7, hostile input)."""
    for query in (bsn, f"{bsn[:3]} {bsn[3:6]} {bsn[6:]}", "123456789"):
        response = login(client, owner).get(LIST, {"q": query})
        assert response.status_code == 302 and response["Location"] == LIST
        html = client.get(LIST).content.decode()
        assert "Zoek op BSN via het zoekveld" in html
        assert bsn not in html and bsn[:3] + " " + bsn[3:6] not in html


def test_a_bsn_of_another_municipality_finds_nothing(client, outsider, child, bsn):
    html = page(login(client, outsider).post(LIST, {"q": bsn}))
    assert "AB-1001" not in html and bsn not in html
    assert "geen kind met dit BSN" in html


def test_an_invalid_bsn_gives_a_hint_without_echoing_it(client, owner, child):
    html = page(login(client, owner).post(LIST, {"q": "123456789"}))
    assert "geen geldig BSN" in html
    assert "123456789" not in html
    assert "AB-1001" not in html


def test_a_label_search_by_post_redirects_to_a_get(client, owner, child):
    response = login(client, owner).post(LIST, {"q": "AB-10"})
    assert response.status_code == 302 and response["Location"] == LIST + "?q=AB-10"
    html = page(client.get(response["Location"]))
    assert "AB-1001" in html and 'value="AB-10"' in html


def test_searches_are_logged_once_without_the_query(client, owner, child, bsn):
    login(client, owner)
    client.post(LIST, {"q": bsn})
    client.get(LIST, {"q": "AB-10"})
    client.get(LIST)
    client.post(LIST, {"q": "123456789"})
    entries = list(AccessLogEntry.objects.filter(actor=owner, action="search").order_by("id"))
    registered = [e for e in entries if e.detail in ("registered", "already registered")]
    searches = [e for e in entries if e not in registered]
    assert [e.detail for e in searches] == [
        "bsn search, 1 results", "label search, 1 results", "list, 1 children, page 1", "invalid_bsn search, 0 results",
    ]
    for e in entries:
        assert bsn not in f"{e.detail} {e.object_ref}" and "AB-10" not in e.detail and "123456789" not in e.detail


# --- detail ------------------------------------------------------------------------------------


def test_the_owner_sees_the_detail_with_header_and_episodes(client, owner, child, provider, care_forms):
    episode_start(user=owner, child=child, care_form=care_forms["PLZ"], provider=provider, start_date=D(2023, 4, 1), referrer="04",
                  legal_framework="ots")
    response = login(client, owner).get(detail_url(child))
    assert response.status_code == 200
    html = page(response)
    assert "AB-1001" in html and child.reference in html and "17-05-2012" in html and "Ede" in html
    assert "<svg" in html and "Pleegzorg" in html and "01-04-2023" in html
    assert "Gecertificeerde instelling" in html and "Ondertoezichtstelling (OTS)" in html and "Jeugdzorg De Vallei" in html
    assert reverse("children:episode_end", args=[child.episodes.get().pk]) in html


def test_a_colleague_sees_the_detail(client, colleague, child):
    assert login(client, colleague).get(detail_url(child)).status_code == 200


def test_reading_the_detail_is_logged(client, colleague, child):
    login(client, colleague).get(detail_url(child))
    entry = AccessLogEntry.objects.get(actor=colleague, action="read")
    assert (entry.object_type, entry.object_ref, entry.result) == ("child", child.reference, "ok")


def test_an_outsider_gets_404_and_the_refusal_is_logged(client, outsider, child):
    response = login(client, outsider).get(detail_url(child))
    assert response.status_code == 404
    assert "AB-1001" not in page(response) and "Niet gevonden" in page(response)
    entry = AccessLogEntry.objects.get(actor=outsider)
    assert (entry.action, entry.object_ref, entry.result) == ("read", child.reference, "denied")


def test_the_owner_gets_404_for_a_child_of_another_municipality(client, owner, other_child):
    response = login(client, owner).get(detail_url(other_child))
    assert response.status_code == 404
    assert "VN-7777" not in page(response)
    assert AccessLogEntry.objects.filter(actor=owner, result="denied", object_ref=other_child.reference).exists()


def test_an_unknown_id_gives_404_and_is_logged(client, owner):
    assert login(client, owner).get(reverse("children:detail", args=[999999])).status_code == 404
    assert AccessLogEntry.objects.filter(actor=owner, result="denied").count() == 1


@pytest.mark.parametrize("who", ["project_user", "admin_user"])
def test_project_team_and_administrators_are_refused_from_the_detail(request, client, who, child):
    user = request.getfixturevalue(who)
    response = login(client, user).get(detail_url(child))
    assert response.status_code == 403
    assert "AB-1001" not in page(response)
    assert AccessLogEntry.objects.filter(actor=user, action="read", result="denied").count() == 1


# --- register ----------------------------------------------------------------------------------


def _form(**overrides):
    data = {"bsn": synthetic_bsn(5), "birth_date": "2014-09-30", "sex": "M", "label": "EF-5"}
    data.update(overrides)
    return data


def test_the_owner_registers_a_child_and_never_sees_the_bsn_again(client, owner):
    bsn = synthetic_bsn(5)
    login(client, owner)
    assert client.get(REGISTER).status_code == 200
    response = client.post(REGISTER, _form(), follow=True)
    child = Child.objects.get()
    assert response.redirect_chain[-1][0] == detail_url(child)
    assert (child.municipality.cbs_code, child.label, child.birth_date, child.sex, child.registered_by) == (
        "GM0228", "EF-5", D(2014, 9, 30), "M", owner)
    assert bsn not in child.pseudonym
    for url in (LIST, detail_url(child), reverse("home")):
        assert bsn not in page(client.get(url))
    assert bsn not in page(response)
    entry = AccessLogEntry.objects.get(action="create")
    assert (entry.object_type, entry.object_ref, entry.actor) == ("child", child.reference, owner)
    assert not AccessLogEntry.objects.filter(detail__contains=bsn).exists()


def test_a_colleague_can_register_too(client, colleague):
    assert login(client, colleague).post(REGISTER, _form()).status_code == 302
    assert Child.objects.get().municipality.cbs_code == "GM0228"


@pytest.mark.parametrize(
    "bsn, message",
    [
        ("123456789", "de elfproef klopt niet"),
        ("000000000", "geen geldig BSN"),
        ("1234567", "9 cijfers"),
        ("12345678a", "alleen uit cijfers"),
    ],
)
def test_an_invalid_bsn_is_refused_next_to_the_field_and_not_echoed(client, owner, bsn, message):
    response = login(client, owner).post(REGISTER, _form(bsn=bsn))
    assert response.status_code == 200
    assert not Child.objects.exists()
    form = response.context["form"]
    assert list(form.errors) == ["bsn"]
    assert message in form.errors["bsn"][0]
    html = page(response)
    assert message in html
    assert bsn not in html
    assert 'value="EF-5"' in html  # the other fields are kept


def test_a_valid_bsn_is_not_echoed_when_another_field_fails(client, owner):
    bsn = synthetic_bsn(5)
    response = login(client, owner).post(REGISTER, _form(birth_date="2999-01-01"))
    assert list(response.context["form"].errors) == ["birth_date"]
    html = page(response)
    assert "De geboortedatum ligt in de toekomst." in html
    assert bsn not in html


def test_a_child_already_known_in_the_municipality_opens_the_existing_record(client, colleague, child, bsn):
    response = login(client, colleague).post(REGISTER, _form(bsn=bsn, label="NEW"), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(child)
    assert Child.objects.count() == 1 and Child.objects.get().label == "AB-1001"
    assert "al geregistreerd" in page(response)
    assert bsn not in page(response)


def test_a_child_known_in_another_municipality_is_refused_on_the_bsn_field(client, outsider, child, bsn):
    response = login(client, outsider).post(REGISTER, _form(bsn=bsn))
    assert response.status_code == 200
    assert "andere gemeente" in response.context["form"].errors["bsn"][0]
    assert Child.objects.get().municipality.cbs_code == "GM0228"
    assert "AB-1001" not in page(response) and bsn not in page(response)


@pytest.mark.parametrize("who", ["project_user", "admin_user"])
def test_project_team_and_administrators_cannot_register(request, client, who):
    user = request.getfixturevalue(who)
    login(client, user)
    assert client.get(REGISTER).status_code == 403
    assert client.post(REGISTER, _form()).status_code == 403
    assert not Child.objects.exists()
    assert AccessLogEntry.objects.filter(actor=user, action="create", result="denied").count() == 2


def test_the_form_pages_contain_no_inline_script(client, owner, child):
    login(client, owner)
    for url in (LIST, REGISTER, detail_url(child), reverse("children:episode_start", args=[child.pk])):
        html = page(client.get(url))
        assert "<script>" not in html and "<script type=\"text/javascript\">" not in html
        assert "onclick=" not in html


# --- target group (issue 16) ------------------------------------------------------------------------------------
def test_it_records_a_target_group_at_registration_and_changes_it_on_the_childs_page(client, owner, outsider):
    from accounts.models import AccessLogEntry
    from placements.models import Child, TargetGroup

    jlvb, ggz = TargetGroup.objects.get(code="JLVB"), TargetGroup.objects.get(code="GGZ")
    login(client, owner)
    response = client.post(reverse("children:register"), {"bsn": synthetic_bsn(4711), "birth_date": "2013-02-03", "sex": "M",
                                                           "label": "TG-1", "target_group": jlvb.pk})
    child = Child.objects.get(label="TG-1")
    assert response.status_code == 302 and child.target_group == jlvb
    assert "Licht verstandelijke beperking" in client.get(reverse("children:detail", args=[child.pk])).content.decode()
    assert client.post(reverse("children:target_group", args=[child.pk]), {"target_group": ggz.pk}).status_code == 302
    child.refresh_from_db()
    assert child.target_group == ggz
    assert AccessLogEntry.objects.filter(actor=owner, object_ref=child.reference, detail="target group GGZ").exists()
    login(client, outsider)
    assert client.post(reverse("children:target_group", args=[child.pk]), {"target_group": jlvb.pk}).status_code == 404
    child.refresh_from_db()
    assert child.target_group == ggz
