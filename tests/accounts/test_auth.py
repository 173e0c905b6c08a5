"""Login (Dutch, crispy), login throttling with django-axes, logout by POST only."""
import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

LOGIN = reverse("login")
LOGOUT = reverse("logout")


@pytest.fixture(autouse=True)
def _clean_axes(db):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


def test_the_login_page_is_dutch_and_public(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Gebruikersnaam" in html and "Wachtwoord" in html and "Inloggen" in html
    assert 'lang="nl"' in html


def test_a_correct_login_goes_to_the_start_page(client, owner):
    response = client.post(LOGIN, {"username": "anna", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_login_keeps_the_next_page(client, owner):
    response = client.post(LOGIN, {"username": "anna", "password": PASSWORD, "next": reverse("children:list")})
    assert response["Location"] == reverse("children:list")


def test_a_wrong_password_shows_a_dutch_error(client, owner):
    response = client.post(LOGIN, {"username": "anna", "password": "fout"})
    assert response.status_code == 200
    assert "Voer een juiste gebruikersnaam en wachtwoord in" in response.content.decode()


def test_five_failures_lock_the_account_even_for_the_right_password(client, owner):
    for _ in range(5):
        response = client.post(LOGIN, {"username": "anna", "password": "fout"})
    response = client.post(LOGIN, {"username": "anna", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Inloggen tijdelijk geblokkeerd" in html
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_four_failures_do_not_lock(client, owner):
    for _ in range(4):
        client.post(LOGIN, {"username": "anna", "password": "fout"})
    response = client.post(LOGIN, {"username": "anna", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_the_lockout_is_per_user(client, owner, colleague):
    for _ in range(6):
        client.post(LOGIN, {"username": "anna", "password": "fout"})
    response = client.post(LOGIN, {"username": "bart", "password": PASSWORD})
    assert response.status_code == 302


def test_logout_works_by_post_only(client, owner):
    client.post(LOGIN, {"username": "anna", "password": PASSWORD})
    assert client.get(LOGOUT).status_code == 405
    assert client.get(reverse("home")).status_code == 200
    response = client.post(LOGOUT)
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert client.get(reverse("home")).status_code == 302


def test_every_page_needs_login(client, child):
    for url in (reverse("home"), reverse("children:list"), reverse("children:register"), reverse("accounts:access_log"),
                reverse("children:detail", args=[child.pk]), reverse("children:episode_start", args=[child.pk])):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{LOGIN}?next={url}"
