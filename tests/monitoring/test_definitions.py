"""The definitions page: every figure's definition and how figures are made publishable, for every role."""
from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import login

URL = reverse("monitoring:definitions")


@pytest.mark.parametrize("who", ["owner", "project_user", "admin_user", "foster_worker"])
def test_it_shows_every_available_figure_and_the_protection_to_each_role(client, request, who):
    user = request.getfixturevalue(who)
    response = login(client, user).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="m-stock"' in html and 'id="m-placements_prevented"' in html and 'id="m-foster_families_leaving"' in html
    assert "Hoe kleine aantallen beschermd zijn" in html
    assert "6 tot en met 10 wordt 10" in html and "Van 0 tot en met 5 staat er ‘≤5’" in html
    assert "Nog niet meetbaar" in html and "meetbaar 183 dagen na de periode" in html and "meetbaar na het volgende halfjaar" in html


def test_it_follows_the_threshold(client, owner, settings):
    settings.SUPPRESSION_K = 10
    html = login(client, owner).get(URL).content.decode()
    assert "11 tot en met 20 wordt 20" in html and "‘≤10’" in html


def test_it_is_for_signed_in_users_only(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
