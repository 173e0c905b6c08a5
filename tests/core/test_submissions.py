"""A submitted form is handled once (core.submissions; issue 15: a double click created two episodes, and any form
that creates or consumes something had the same defect)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from casework.models import ThreatCase
from core.models import FormSubmission
from core.submissions import FIELD
from placements.bsn import synthetic_bsn
from placements.services import child_register
from tests.conftest import login

pytestmark = pytest.mark.django_db
D = dt.date


def token_of(page: str) -> str:
    match = re.search(rf'name="{FIELD}" value="([0-9a-f]{{32}})"', page)
    assert match, "the form carries no one-time token"
    return match.group(1)


def case_form(kid, **extra) -> dict:
    return {"child": kid.pk, "opened_on": "2024-01-06", "signaller": "school", "concerns": ["veiligheid"],
            "child_view": "Wil thuis blijven.", "parents_view": "Willen hulp.", **extra}


@pytest.fixture
def kid(owner):
    return child_register(user=owner, bsn=synthetic_bsn(4401), birth_date=D(2012, 4, 4), sex="V", label="SO-1")[0]


def test_it_handles_a_form_sent_twice_once_and_leads_the_second_to_the_first_result(client, owner, kid):
    login(client, owner)
    token = token_of(client.get(reverse("casework:case_open") + f"?kind={kid.pk}").content.decode())
    first = client.post(reverse("casework:case_open"), case_form(kid, **{FIELD: token}))
    second = client.post(reverse("casework:case_open"), case_form(kid, **{FIELD: token}), follow=True)
    case = ThreatCase.objects.get(child=kid)  # one case, not two
    assert first.status_code == 302 and first["Location"] == reverse("casework:case_detail", args=[case.pk])
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "al verstuurd" in second.content.decode()


def test_it_lets_a_form_with_errors_be_sent_again_with_its_token(client, owner, kid):
    login(client, owner)
    token = token_of(client.get(reverse("casework:case_open") + f"?kind={kid.pk}").content.decode())
    refused = client.post(reverse("casework:case_open"), case_form(kid, opened_on="", **{FIELD: token}))
    assert refused.status_code == 200 and not FormSubmission.objects.filter(token=token).exists()
    accepted = client.post(reverse("casework:case_open"), case_form(kid, **{FIELD: token}))
    assert accepted.status_code == 302 and ThreatCase.objects.filter(child=kid).count() == 1


def test_it_does_not_lead_another_user_to_where_a_token_led(client, owner, colleague, kid):
    login(client, owner)
    token = token_of(client.get(reverse("casework:case_open") + f"?kind={kid.pk}").content.decode())
    client.post(reverse("casework:case_open"), case_form(kid, **{FIELD: token}))
    login(client, colleague)
    response = client.post(reverse("casework:case_open"), case_form(kid, **{FIELD: token}), HTTP_REFERER="http://testserver/casework/")
    assert response.status_code == 302 and response["Location"] == "http://testserver/casework/"
    assert ThreatCase.objects.filter(child=kid).count() == 1


def test_it_frees_the_token_of_a_view_that_failed(client, owner, kid, monkeypatch):
    from casework import views

    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(views.services, "case_open", broken)
    client.raise_request_exception = False
    login(client, owner)
    token = token_of(client.get(reverse("casework:case_open") + f"?kind={kid.pk}").content.decode())
    assert client.post(reverse("casework:case_open"), case_form(kid, **{FIELD: token})).status_code == 500
    assert not FormSubmission.objects.filter(token=token).exists()


def test_a_support_form_sent_twice_records_one_support(client, foster_worker, ede):
    from fostercare import services as foster

    family = foster.family_register(user=None, provider=foster_worker.provider, reference="PG-2", municipality=ede, kind="bestand",
                                    places=1, age_min=0, age_max=17, siblings_together=False, status="goedgekeurd",
                                    status_since=D(2019, 1, 1))
    login(client, foster_worker)
    token = token_of(client.get(reverse("fostercare:support_add", args=[family.pk])).content.decode())
    form = {"kind": "respijt", "start_date": "2024-02-10", "end_date": "", "note": "", FIELD: token}
    first = client.post(reverse("fostercare:support_add", args=[family.pk]), form)
    second = client.post(reverse("fostercare:support_add", args=[family.pk]), form)
    assert first.status_code == 302 and second.status_code == 302
    assert family.supports.count() == 1


#: POST forms that create or consume nothing: signing in, the language, searching a child, two-factor set-up
NOT_ONCE = {"registration/login.html", "registration/password_change.html", "base.html", "home/wijkteam.html",
            "placements/child_list.html", "accounts/two_factor_setup.html", "accounts/two_factor_verify.html"}


def test_every_other_post_form_carries_a_one_time_token():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    missing = []
    for path in sorted(root.rglob("*.html")):
        name = path.relative_to(root).as_posix()
        text = path.read_text()
        for form in re.finditer(r"<form[^>]*>", text):
            tag = form.group(0)
            if 'method="get"' in tag or ("method=" not in tag) or name in NOT_ONCE:
                continue
            if "{% submit_once %}" not in text[form.end():form.end() + 200]:
                missing.append(f"{name}: {tag}")
    assert missing == []
