"""Casework services: the status flow, the RET review, the residential checklist rule, Week van de Casus."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AccessLogEntry
from casework import services
from casework.models import CaseStatus, Outcome, ResidentialChecklist
from placements.bsn import synthetic_bsn
from placements.services import child_register, episode_start

D = dt.date


@pytest.fixture
def case(owner, child):
    return services.case_open(user=owner, child=child, opened_on=D(2020, 1, 6), signaller="school", concerns=["veiligheid"])


def checklist_items(**overrides):
    data = {k: True for k in services.CHECKLIST_ITEMS}
    data.update(alternatives_note="JIM en pleegzorg geprobeerd.", consulted_note="RET", return_plan="Terug naar huis binnen 9 maanden.")
    data.update(overrides)
    return data


# --- status flow -----------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [
    ["in_review", "plan_running", "closed"],
    ["in_review", "closed"],
    ["closed"],
])
def test_valid_transitions(owner, case, path):
    day = D(2020, 1, 10)
    for to in path:
        services.case_transition(user=owner, case=case, to=to, on=day, outcome=Outcome.STAYS_HOME if to == "closed" else "")
        day += dt.timedelta(days=5)
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.closed_on == day - dt.timedelta(days=5)
    assert case.outcome == Outcome.STAYS_HOME
    if "in_review" in path:
        assert case.in_review_on == D(2020, 1, 10)


@pytest.mark.parametrize("before, to", [
    ([], "plan_running"),               # skipping a step
    ([], "open"),                       # to itself
    (["in_review"], "open"),            # backwards
    (["in_review", "plan_running"], "in_review"),
    (["in_review", "plan_running", "closed"], "open"),
    (["closed"], "closed"),             # after closing nothing
])
def test_invalid_transitions_are_refused_in_dutch(owner, case, before, to):
    for step in before:
        services.case_transition(user=owner, case=case, to=step, on=D(2020, 2, 1), outcome="other" if step == "closed" else "")
    status = case.status
    with pytest.raises(ValidationError) as err:
        services.case_transition(user=owner, case=case, to=to, on=D(2020, 3, 1), outcome="other")
    assert "kan de casus niet naar" in str(err.value.message_dict["to"])
    case.refresh_from_db()
    assert case.status == status


def test_closing_needs_an_outcome_and_a_date_after_the_previous_step(owner, case):
    with pytest.raises(ValidationError) as err:
        services.case_transition(user=owner, case=case, to="closed", on=D(2020, 1, 1), outcome="")
    assert set(err.value.message_dict) == {"on", "outcome"}


def test_stays_home_refused_while_a_stay_runs(owner, case, provider, care_forms):
    episode_start(user=owner, child=case.child, care_form=care_forms["PLZ"], provider=provider, start_date=D(2020, 2, 1))
    with pytest.raises(ValidationError) as err:
        services.case_transition(user=owner, case=case, to="closed", on=D(2020, 3, 1), outcome=Outcome.STAYS_HOME)
    assert "lopend verblijfstraject" in str(err.value)


def test_closed_case_cannot_change(owner, case):
    services.case_transition(user=owner, case=case, to="closed", on=D(2020, 2, 1), outcome="moved")
    with pytest.raises(ValidationError):
        services.case_update(user=owner, case=case, plan="x")
    with pytest.raises(ValidationError):
        services.ret_review_create(user=owner, case=case, review_date=D(2020, 3, 1), question="?", invited=["wijkteam"])


# --- RET ---------------------------------------------------------------------------------------------
def test_bringing_to_the_ret_moves_an_open_case_in_review_and_defaults_the_follow_up(owner, case, foodvalley):
    review = services.ret_review_create(user=owner, case=case, review_date=D(2020, 1, 31), question="Alternatief?", invited=["wijkteam"])
    case.refresh_from_db()
    assert (case.status, case.in_review_on) == (CaseStatus.IN_REVIEW, D(2020, 1, 31))
    assert review.follow_up_on == D(2020, 7, 31)  # +6 months
    assert review.region == foodvalley


def test_ret_refuses_attendance_of_uninvited_and_follow_up_before_review(owner, case):
    with pytest.raises(ValidationError) as err:
        services.ret_review_create(user=owner, case=case, review_date=D(2020, 2, 1), question="?", invited=["wijkteam"],
                                   attended=["gi"], follow_up_on=D(2020, 1, 1))
    assert set(err.value.message_dict) == {"attended", "follow_up_on"}


def test_gi_not_invited_flag(owner, child):
    case = services.case_open(user=owner, child=child, opened_on=D(2020, 1, 6), signaller="gi", concerns=["veiligheid"], gi_involved=True)
    without = services.ret_review_create(user=owner, case=case, review_date=D(2020, 2, 1), question="?", invited=["wijkteam"])
    with_gi = services.ret_review_create(user=owner, case=case, review_date=D(2020, 3, 1), question="?", invited=["wijkteam", "gi"])
    assert without.gi_not_invited and not with_gi.gi_not_invited


# --- checklist rule ---------------------------------------------------------------------------------
def test_residential_start_without_checklist_is_refused(owner, child, provider, care_forms):
    for code in ("RES", "DRM", "JZP"):
        with pytest.raises(ValidationError) as err:
            episode_start(user=owner, child=child, care_form=care_forms[code], provider=provider, start_date=D(2024, 1, 1))
        assert "checklist" in str(err.value.message_dict["care_form"])
    assert not child.episodes.exists()


def test_non_residential_stays_need_no_checklist(owner, child, provider, care_forms):
    for code in ("PLZ", "GZH", "CRS"):
        episode_start(user=owner, child=child, care_form=care_forms[code], provider=provider, start_date=D(2024, 1, 1))
    assert child.episodes.count() == 3


def test_with_a_checklist_the_start_works_and_locks_the_checklist(owner, child, provider, care_forms):
    teen, _ = child_register(user=owner, bsn=synthetic_bsn(50), birth_date=D(2008, 1, 1), sex="M", label="T")
    cl = services.checklist_create(user=owner, child=teen, care_form=care_forms["RES"], completed_on=D(2024, 1, 1), **checklist_items())
    assert not cl.flag_case_week
    ep = episode_start(user=owner, child=teen, care_form=care_forms["RES"], provider=provider, start_date=D(2024, 1, 2), checklist=cl)
    cl.refresh_from_db()
    assert cl.episode == ep and cl.is_locked
    with pytest.raises(ValidationError) as err:
        services.checklist_update(user=owner, checklist=cl, care_form=care_forms["RES"], completed_on=D(2024, 1, 1), **checklist_items())
    assert "kan niet meer worden gewijzigd" in str(err.value)
    # a used checklist cannot allow a second placement
    with pytest.raises(ValidationError):
        episode_start(user=owner, child=teen, care_form=care_forms["DRM"], provider=provider, start_date=D(2024, 2, 1), checklist=cl)


def test_checklist_must_be_complete_and_before_the_start(owner, child, provider, care_forms):
    with pytest.raises(ValidationError) as err:
        services.checklist_create(user=owner, child=child, care_form=care_forms["RES"], completed_on=D(2024, 1, 1),
                                  **checklist_items(alt_jim=False, return_plan=""))
    assert {"alt_jim", "return_plan", "under12_justification"} <= set(err.value.message_dict)
    with pytest.raises(ValidationError) as err:
        services.checklist_create(user=owner, child=child, care_form=care_forms["PLZ"], completed_on=D(2024, 1, 1),
                                  **checklist_items(under12_justification="x"))
    assert "care_form" in err.value.message_dict
    cl = services.checklist_create(user=owner, child=child, care_form=care_forms["RES"], completed_on=D(2024, 3, 1),
                                   **checklist_items(under12_justification="Ernstige onveiligheid."))
    with pytest.raises(ValidationError) as err:
        episode_start(user=owner, child=child, care_form=care_forms["RES"], provider=provider, start_date=D(2024, 2, 1), checklist=cl)
    assert "start_date" in err.value.message_dict


def test_under_12_needs_a_justification_and_is_flagged_for_the_case_week(owner, child, provider, care_forms):
    # child born 2012-05-17: 11 on 2024-01-01
    cl = services.checklist_create(user=owner, child=child, care_form=care_forms["RES"], completed_on=D(2024, 1, 1),
                                   **checklist_items(under12_justification="Geen gezinshuisplek; ernstige onveiligheid."))
    assert cl.flag_case_week
    ep = episode_start(user=owner, child=child, care_form=care_forms["RES"], provider=provider, start_date=D(2024, 1, 5), checklist=cl)
    from casework.selectors import case_week_candidates

    assert [e.pk for e in case_week_candidates(user=owner, today=D(2024, 6, 1))] == [ep.pk]


def test_admin_or_import_bypass_is_allowed_and_logged_as_such(admin_user, owner, child, provider, care_forms):
    ep = episode_start(user=admin_user, child=child, care_form=care_forms["RES"], provider=provider, start_date=D(2024, 1, 1),
                       allow_without_checklist=True)
    assert not ResidentialChecklist.objects.filter(episode=ep).exists()
    entry = AccessLogEntry.objects.filter(object_type="episode").first()
    assert "without checklist (admin/import)" in entry.detail


# --- Week van de Casus -------------------------------------------------------------------------------
def test_case_week_review_only_for_under_12_placements(owner, provider, care_forms, child):
    teen, _ = child_register(user=owner, bsn=synthetic_bsn(51), birth_date=D(2005, 1, 1), sex="M", label="T")
    ep = episode_start(user=owner, child=teen, care_form=care_forms["RES"], provider=provider, start_date=D(2020, 1, 1),
                       allow_without_checklist=True)
    with pytest.raises(ValidationError) as err:
        services.case_week_review_create(user=owner, child=teen, episode=ep, review_date=D(2020, 3, 1), helped="a", missing="b")
    assert "onder de 12" in str(err.value)
    ep2 = episode_start(user=owner, child=child, care_form=care_forms["RES"], provider=provider, start_date=D(2020, 1, 1),
                        allow_without_checklist=True)
    review = services.case_week_review_create(user=owner, child=child, episode=ep2, review_date=D(2020, 3, 1), helped="a", missing="b",
                                              lessons=[("Eerder netwerk", services.parse_tags("Netwerk, wachtlijst, netwerk"))])
    assert [t.name for t in review.lessons.get().tags.all()] == ["netwerk", "wachtlijst"]


def test_trajectory_follow_up_only_for_jim_and_systemic(owner, child, provider, care_forms):
    amb = episode_start(user=owner, child=child, care_form=care_forms["AMB"], provider=provider, start_date=D(2020, 1, 1))
    with pytest.raises(ValidationError):
        services.trajectory_follow_up_add(user=owner, episode=amb, date=D(2020, 2, 1), how_it_goes="good", still_home=True)
    jim = episode_start(user=owner, child=child, care_form=care_forms["JIM"], provider=provider, start_date=D(2020, 1, 1))
    services.trajectory_follow_up_add(user=owner, episode=jim, date=D(2020, 2, 1), how_it_goes="good", still_home=True)
    assert jim.trajectory_follow_ups.count() == 1
