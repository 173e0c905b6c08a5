"""Casework pages: the scope triangle for every view, the access log, de-identified lessons, and the
end-to-end story of issue 4 ("Done when") through the Django test client."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLogEntry, Role
from casework import services
from casework.models import CaseStatus, ThreatCase
from monitoring.models import Target
from monitoring.runs.services import run_compute, run_create
from monitoring.targets.progress import target_progress
from placements.bsn import synthetic_bsn
from placements.models import Region
from placements.services import child_register, episode_start
from tests.conftest import login, make_user

D = dt.date
ITEMS = {k: True for k in services.CHECKLIST_ITEMS}
TEXTS = {"alternatives_note": "Alles geprobeerd.", "return_plan": "Terug binnen 9 maanden.", "under12_justification": "Onveilig."}


@pytest.fixture
def ret_member(foodvalley):
    return make_user("rita", Role.RET, region=foodvalley)


@pytest.fixture
def ret_chair(foodvalley):
    return make_user("ruud", Role.RET, region=foodvalley, is_ret_chair=True)


@pytest.fixture
def ret_other(foodvalley):
    return make_user("roos", Role.RET, region=Region.objects.exclude(pk=foodvalley.pk).order_by("name").first(), is_ret_chair=True)


@pytest.fixture
def world(owner, child, provider, care_forms):
    case = services.case_open(user=owner, child=child, opened_on=D(2024, 1, 5), signaller="school", concerns=["veiligheid"], gi_involved=True)
    review = services.ret_review_create(user=owner, case=case, review_date=D(2024, 1, 20), question="Alternatief?", invited=["wijkteam"])
    action = services.ret_action_add(user=owner, review=review, description="Netwerkberaad", owner="wijkteam", due_on=D(2024, 2, 1))
    unbrought = services.case_open(user=owner, child=child, opened_on=D(2024, 2, 5), signaller="huisarts", concerns=["gedrag"])
    checklist = services.checklist_create(user=owner, child=child, care_form=care_forms["RES"], completed_on=D(2024, 3, 1), **ITEMS, **TEXTS)
    placement = episode_start(user=owner, child=child, care_form=care_forms["RES"], provider=provider, start_date=D(2024, 3, 2), checklist=checklist)
    week = services.case_week_review_create(user=owner, child=child, episode=placement, review_date=D(2024, 5, 1), helped="Korte lijnen.",
                                            missing="Gezinshuisplek.", lessons=[("Eerder netwerk betrekken.", ["netwerk"])])
    jim = episode_start(user=owner, child=child, care_form=care_forms["JIM"], provider=provider, start_date=D(2024, 6, 1))
    return {"case": case, "review": review, "action": action, "unbrought": unbrought, "checklist": checklist, "placement": placement,
            "week": week, "jim": jim}


OK, NF, FB = 200, 404, 403
#   url name, object, {user fixture: expected status}
MATRIX = [
    ("case_list", None, {"owner": OK, "colleague": OK, "outsider": OK, "ret_member": OK, "ret_other": OK, "project_user": FB, "admin_user": FB}),
    ("case_open", None, {"owner": OK, "colleague": OK, "outsider": OK, "ret_member": FB, "project_user": FB, "admin_user": FB}),
    ("case_detail", "case", {"owner": OK, "colleague": OK, "outsider": NF, "ret_member": OK, "ret_other": NF, "project_user": FB, "admin_user": FB}),
    ("case_detail", "unbrought", {"owner": OK, "ret_member": NF}),
    ("case_edit", "case", {"owner": OK, "colleague": OK, "outsider": NF, "ret_member": FB, "project_user": FB}),
    ("case_status", "case", {"owner": OK, "colleague": OK, "outsider": NF, "ret_member": FB, "project_user": FB}),
    ("ret_create", "case", {"owner": OK, "colleague": OK, "outsider": NF, "ret_member": FB, "project_user": FB}),
    ("ret_detail", "review", {"owner": OK, "colleague": OK, "outsider": NF, "ret_member": OK, "ret_other": NF, "project_user": FB, "admin_user": FB}),
    ("ret_edit", "review", {"owner": OK, "outsider": NF, "ret_member": OK, "ret_other": NF, "project_user": FB}),
    ("ret_follow_up", "review", {"owner": OK, "outsider": NF, "ret_member": OK, "ret_other": NF, "project_user": FB}),
    ("ret_agenda", None, {"ret_chair": OK, "ret_other": OK, "ret_member": FB, "owner": FB, "project_user": FB, "admin_user": FB}),
    ("checklist_list", None, {"owner": OK, "outsider": OK, "ret_member": FB, "project_user": FB, "admin_user": FB}),
    ("checklist_create", "child", {"owner": OK, "colleague": OK, "outsider": NF, "ret_member": FB, "project_user": FB}),
    ("checklist_detail", "checklist", {"owner": OK, "colleague": OK, "outsider": NF, "ret_member": FB, "project_user": FB}),
    ("case_week_list", None, {"owner": OK, "outsider": OK, "ret_member": FB, "project_user": FB}),
    ("case_week_create", "placement", {"owner": OK, "outsider": NF, "ret_member": FB, "project_user": FB}),
    ("case_week_detail", "week", {"owner": OK, "colleague": OK, "outsider": NF, "ret_member": FB, "project_user": FB, "admin_user": FB}),
    ("lessons", None, {"owner": OK, "project_user": OK, "admin_user": OK, "ret_member": OK}),
    ("follow_ups", None, {"owner": OK, "outsider": OK, "ret_member": FB, "project_user": FB}),
    ("follow_up_add", "jim", {"owner": OK, "colleague": OK, "outsider": NF, "ret_member": FB, "project_user": FB}),
]


def url_of(name, obj, world, child):
    if obj is None:
        return reverse(f"casework:{name}")
    target = child if obj == "child" else world[obj]
    return reverse(f"casework:{name}", args=[target.pk])


@pytest.mark.parametrize("name, obj, expected", MATRIX, ids=[f"{m[0]}-{m[1]}" for m in MATRIX])
def test_scope_triangle(request, client, world, child, name, obj, expected, ret_member, ret_other, ret_chair):
    url = url_of(name, obj, world, child)
    assert client.get(url).status_code == 302  # anonymous → login
    for fixture, status in expected.items():
        client.logout()
        user = request.getfixturevalue(fixture)
        before = AccessLogEntry.objects.filter(actor=user).count()
        response = login(client, user).get(url)
        assert response.status_code == status, (fixture, name)
        entries = AccessLogEntry.objects.filter(actor=user)
        if status in (NF, FB):
            assert entries.filter(result="denied").count() == 1, (fixture, name)
        elif obj is not None:
            # every read of a case record is logged with the child's pseudonym reference, never a label
            assert entries.count() > before
            assert entries.filter(object_ref=child.reference, result="ok").exists(), (fixture, name)
        html = response.content.decode()
        if fixture in ("outsider", "ret_other", "project_user", "admin_user"):
            assert "AB-1001" not in html, (fixture, name)


def test_lists_are_scoped(client, world, child, outsider, ret_member, ret_other):
    assert [c.pk for c in login(client, ret_member).get(reverse("casework:case_list")).context["cases"]] == [world["case"].pk]
    assert "AB-1001" in client.get(reverse("casework:case_list")).content.decode()  # the wijkteam's label, for the RET
    client.logout()
    assert login(client, ret_other).get(reverse("casework:case_list")).context["cases"] == []
    client.logout()
    response = login(client, outsider).get(reverse("casework:case_list"))
    assert response.context["cases"] == [] and "AB-1001" not in response.content.decode()
    for name in ("checklist_list", "case_week_list", "follow_ups"):
        assert "AB-1001" not in client.get(reverse(f"casework:{name}")).content.decode()


def test_project_team_sees_lessons_without_identifying_data(client, world, child, project_user):
    html = login(client, project_user).get(reverse("casework:lessons")).content.decode()
    assert "Eerder netwerk betrekken." in html and "netwerk" in html and "K2 2024" in html
    for secret in ("AB-1001", child.reference, "Ede", "01-05-2024"):
        assert secret not in html


def test_chair_agenda_shows_open_actions_and_overdue_follow_ups(client, world, ret_chair):
    agenda = login(client, ret_chair).get(reverse("casework:ret_agenda")).context["agenda"]
    assert [a.pk for a in agenda.open_actions] == [world["action"].pk]
    assert [r.pk for r in agenda.overdue_follow_ups] == [world["review"].pk]  # follow-up 2024-07-20 passed, none recorded


def test_ret_form_warns_when_a_gi_is_involved_but_not_invited(client, world, owner):
    url = reverse("casework:ret_edit", args=[world["review"].pk])
    html = login(client, owner).get(url).content.decode()
    assert 'id="gi-warning"' in html and 'id="gi-not-invited"' in html
    detail = client.get(reverse("casework:ret_detail", args=[world["review"].pk])).content.decode()
    assert "de GI was niet uitgenodigd" in detail


def test_invalid_transition_through_the_page_is_refused_with_a_dutch_message(client, world, owner):
    url = reverse("casework:case_status", args=[world["case"].pk])  # in review
    response = login(client, owner).post(url, {"to": "open", "on": "2024-02-01"})
    assert response.status_code == 200
    assert "kan de casus niet naar" in response.content.decode()
    world["case"].refresh_from_db()
    assert world["case"].status == CaseStatus.IN_REVIEW


def test_checklist_page_rule_locked_and_bypass_marked(client, world, owner, child, provider, care_forms, admin_user):
    login(client, owner)
    # locked after the start: the edit page refuses and logs it
    response = client.get(reverse("casework:checklist_edit", args=[world["checklist"].pk]), follow=True)
    assert "kan niet meer worden gewijzigd" in response.content.decode()
    assert AccessLogEntry.objects.filter(object_type="checklist", result="denied", detail__contains="locked").exists()
    # episode start page: without a checklist a residential start is refused with a link to the checklist
    start = reverse("children:episode_start", args=[child.pk])
    assert reverse("casework:checklist_create", args=[child.pk]) in client.get(start).content.decode()
    data = {"care_form": care_forms["DRM"].pk, "provider": provider.pk, "start_date": "2024-09-01", "referrer": "01",
            "legal_framework": "vrijwillig", "municipality": child.municipality_id}
    response = client.post(start, data)
    assert response.status_code == 200 and "checklist plaatsing residentieel is ingevuld" in response.content.decode()
    # with a checklist filled in through the page it works
    response = client.post(reverse("casework:checklist_create", args=[child.pk]), {
        "care_form": care_forms["DRM"].pk, "completed_on": "2024-08-30", **{k: "on" for k in ITEMS}, **TEXTS})
    assert response.status_code == 302
    assert client.post(start, data).status_code == 302
    assert not child.episodes.filter(care_form__code="DRM").get().residential_checklist.flag_case_week  # 12 on 2024-08-30
    assert world["checklist"].flag_case_week  # 11 on 2024-03-01
    # a placement entered by an administrator without a checklist is shown as such
    episode_start(user=admin_user, child=child, care_form=care_forms["JZP"], provider=provider, start_date=D(2024, 10, 1),
                  allow_without_checklist=True)
    html = client.get(reverse("casework:checklist_list")).content.decode()
    assert html.count("data-no-checklist") == 1


def test_overdue_family_follow_ups(client, world, owner):
    rows = login(client, owner).get(reverse("casework:follow_ups") + "?achterstallig=1").context["rows"]
    assert [r.episode.pk for r in rows] == [world["jim"].pk]  # started 2024-06-01, no follow-up in 92 days
    client.post(reverse("casework:follow_up_add", args=[world["jim"].pk]),
                {"date": timezone.localdate().isoformat(), "how_it_goes": "good", "still_home": "on"})
    assert client.get(reverse("casework:follow_ups") + "?achterstallig=1").context["rows"] == []


# --- the story of "Done when" ---------------------------------------------------------------------------
def test_end_to_end_case_prevents_a_placement(client, owner, foodvalley, provider, care_forms):
    kid, _ = child_register(user=owner, bsn=synthetic_bsn(77), birth_date=D(2011, 4, 4), sex="V", label="CD-77")
    episode_start(user=owner, child=kid, care_form=care_forms["AMB"], provider=provider, start_date=D(2019, 11, 1))  # data in the run
    login(client, owner)
    response = client.post(reverse("casework:case_open"), {
        "child": kid.pk, "opened_on": "2020-01-06", "signaller": "school", "concerns": ["veiligheid", "opvoeding"],
        "child_view": "Wil thuis blijven.", "parents_view": "Willen hulp thuis.", "gi_involved": "on",
    })
    case = ThreatCase.objects.get(child=kid)
    assert response.status_code == 302 and response["Location"] == reverse("casework:case_detail", args=[case.pk])
    response = client.post(reverse("casework:ret_create", args=[case.pk]), {
        "review_date": "2020-01-20", "question": "Kan plaatsing worden voorkomen?", "invited": ["wijkteam", "gi", "parents"],
        "attended": ["wijkteam", "gi"], "advice": "Zet een JIM in.",
    })
    review = case.ret_reviews.get()
    assert review.follow_up_on == D(2020, 7, 20)
    client.post(reverse("casework:ret_action_add", args=[review.pk]), {"description": "JIM kiezen", "owner": "wijkteam", "due_on": "2020-02-15"})
    client.post(reverse("casework:case_status", args=[case.pk]), {"to": "plan_running", "on": "2020-02-01"})
    client.post(reverse("casework:ret_follow_up", args=[review.pk]), {
        "date": "2020-07-20", "advice_followed": "yes", "child_at_home": "on", "what_happened": "JIM loopt goed."})
    response = client.post(reverse("casework:case_status", args=[case.pk]), {"to": "closed", "on": "2020-03-01", "outcome": "stays_home"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_on, case.outcome) == ("closed", D(2020, 3, 1), "stays_home")
    assert review.follow_ups.get().child_at_home
    assert AccessLogEntry.objects.filter(object_ref=kid.reference, object_type__in=["threat_case", "ret_review"]).count() >= 6

    target = Target.objects.create(name="20 voorkomen", region=foodvalley, metric="placements_prevented", group="all", band="all",
                                   period_start=D(2020, 1, 1), period_end=D(2020, 12, 31), kind="accumulate", target_value=20,
                                   direction="at_least")
    early = run_compute(run_create(today=D(2020, 8, 15)))   # data date 2020-07-31: not yet known
    assert target_progress(target, early).actual == 0
    # data date 2020-08-31 = closing + 183 days, but March is measurable only when a case closed on 31 March could
    # be: 31-03 + 183 days = 30-09-2020 (registry.measurable_from); until then the run stores nothing for March
    middle = run_compute(run_create(today=D(2020, 9, 10)))
    assert middle.series.get(scope="Food Valley", metric="placements_prevented").values == {}
    assert target_progress(target, middle).actual == 0 and target_progress(target, middle).as_of == D(2020, 2, 29)
    run = run_compute(run_create(today=D(2020, 10, 10)))     # data date 2020-09-30: March is measurable
    assert run.series.get(scope="Food Valley", metric="placements_prevented").values == {"2020-03": 1}
    assert run.series.get(scope="GM0228", metric="ret_cases").values == {"2020-01": 1}
    assert run.series.get(scope="GM0228", metric="ret_cases_gi_invited").values == {"2020-01": 1}
    progress = target_progress(target, run)
    assert progress.status not in ("not_measured", "no_data") and progress.actual == 1
    client.logout()
    from tests.conftest import make_user as mk

    project = mk("piet", Role.PROJECT, region=foodvalley)
    html = login(client, project).get(reverse("monitoring:dashboard") + "?scope=Food+Valley&month=2020-08").content.decode()
    assert 'data-casework="placements_prevented"' in html


def test_starting_a_placement_from_its_checklist_carries_the_care_form_and_explains_the_order(client, owner, child, care_forms, provider):
    checklist = services.checklist_create(user=owner, child=child, care_form=care_forms["JZP"], completed_on=D(2024, 3, 5), **ITEMS, **TEXTS)
    page = login(client, owner).get(reverse("children:episode_start", args=[child.pk]))
    assert page.context["form"]["care_form"].value() == care_forms["JZP"].pk  # chosen on the checklist
    response = client.post(reverse("children:episode_start", args=[child.pk]), {
        "care_form": care_forms["JZP"].pk, "provider": provider.pk, "start_date": "2024-03-04", "referrer": "01",
        "legal_framework": page.context["form"]["legal_framework"].value() or "", "municipality": child.municipality_id})
    text = response.content.decode()
    assert response.status_code == 200 and "ingevuld op 05-03-2024" in text and "zet dan op de checklist de datum" in text
    assert checklist.episode_id is None
