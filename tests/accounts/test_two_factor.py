"""Two-factor login for administrators (django-otp TOTP): set-up with a server-rendered QR code, the code step
before any page, throttling of wrong codes, and the REQUIRE_ADMIN_2FA switch."""
from __future__ import annotations

import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from tests.conftest import PASSWORD, make_user

SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
HOME = reverse("home")


def code(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


def wrong_code(device: TOTPDevice) -> str:
    valid = {code(device, k) for k in (-2, -1, 0, 1, 2)}
    return next(f"{n:06d}" for n in range(1000000) if f"{n:06d}" not in valid)


def password_login(client, username: str):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


@pytest.fixture(autouse=True)
def _no_axes_attempts(db):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


@pytest.fixture
def beheerder(db):
    return make_user("beheer", Role.ADMIN, is_staff=True)


@pytest.fixture
def device(beheerder):
    return TOTPDevice.objects.create(user=beheerder, name="app", confirmed=True)


def test_an_admin_with_a_device_must_enter_a_code_before_any_page(client, beheerder, device, child):
    password_login(client, "beheer")
    for url in (HOME, reverse("accounts:access_log"), reverse("imports:list"), "/admin/",
                reverse("children:detail", args=[child.pk])):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(VERIFY + "?next="), url
    page = client.get(VERIFY)
    assert page.status_code == 200
    assert "Vul de code in die uw authenticator-app nu toont" in page.content.decode()


def test_a_wrong_code_is_refused_in_dutch_and_a_right_code_opens_the_app(client, beheerder, device):
    password_login(client, "beheer")
    response = client.post(VERIFY, {"token": wrong_code(device), "next": reverse("accounts:access_log")})
    assert response.status_code == 200
    assert "Deze code klopt niet" in response.content.decode()
    assert client.get(HOME).status_code == 302
    device.refresh_from_db()
    device.throttling_failure_timestamp = None  # skip the one-second throttle delay after a failure
    device.throttling_failure_count = 0
    device.save()
    response = client.post(VERIFY, {"token": code(device), "next": reverse("accounts:access_log")})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:access_log")
    assert client.get(HOME).status_code == 200
    assert client.get(reverse("accounts:access_log")).status_code == 200


def test_a_code_is_not_accepted_twice(client, beheerder, device):
    password_login(client, "beheer")
    token = code(device)
    assert client.post(VERIFY, {"token": token})["Location"] == HOME
    client.post(reverse("logout"))
    password_login(client, "beheer")
    response = client.post(VERIFY, {"token": token})
    assert response.status_code == 200 and "Deze code klopt niet" in response.content.decode()


def test_wrong_codes_are_throttled(client, beheerder, device, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute after the first failure: no race with a slow machine
    password_login(client, "beheer")
    client.post(VERIFY, {"token": wrong_code(device)})
    # The next try within the throttle delay is refused even with the right code.
    response = client.post(VERIFY, {"token": code(device)})
    assert response.status_code == 200
    assert "Te veel onjuiste codes" in response.content.decode()
    assert client.get(HOME).status_code == 302


def test_garbage_codes_give_a_dutch_form_error(client, beheerder, device):
    password_login(client, "beheer")
    for token in ("", "12345", "abcdef", "<script>alert(1)</script>", "1" * 200):
        response = client.post(VERIFY, {"token": token})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Vul de zes cijfers uit de app in." in html or "Zorg ervoor dat deze waarde" in html
        assert "<script>alert(1)</script>" not in html


def test_the_next_parameter_cannot_leave_the_site(client, beheerder, device):
    password_login(client, "beheer")
    response = client.post(VERIFY, {"token": code(device), "next": "https://evil.example.com/"})
    assert response["Location"] == HOME


def test_logout_needs_no_code(client, beheerder, device):
    password_login(client, "beheer")
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")


def test_setup_shows_a_server_rendered_qr_code_and_confirms_with_a_code(client, beheerder):
    password_login(client, "beheer")
    page = client.get(SETUP)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    pending = TOTPDevice.objects.get(user=beheerder)
    assert pending.confirmed is False
    # The page shows the same pending device on a reload (no new secret each time).
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=beheerder).count() == 1
    response = client.post(SETUP, {"token": wrong_code(pending)})
    assert "Deze code klopt niet" in response.content.decode()
    pending.refresh_from_db()
    pending.throttling_failure_timestamp = None
    pending.throttling_failure_count = 0
    pending.save()
    response = client.post(SETUP, {"token": code(pending)})
    assert response.status_code == 302 and response["Location"] == HOME
    pending.refresh_from_db()
    assert pending.confirmed is True
    # Verified in this session; a new login asks for the code.
    assert client.get(HOME).status_code == 200
    client.post(reverse("logout"))
    password_login(client, "beheer")
    assert client.get(HOME)["Location"].startswith(VERIFY)


def test_replacing_a_device_needs_the_current_code_first(client, beheerder, device):
    password_login(client, "beheer")
    response = client.get(SETUP + "?opnieuw=1")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    client.post(VERIFY, {"token": code(device)})
    assert "Tweestapsverificatie is ingesteld" in client.get(SETUP).content.decode()
    assert client.get(SETUP + "?opnieuw=1").status_code == 200
    new = TOTPDevice.objects.get(user=beheerder, confirmed=False)
    assert TOTPDevice.objects.filter(user=beheerder, confirmed=True).get() == device  # old one kept until confirmed
    client.post(SETUP, {"token": code(new)})
    assert list(TOTPDevice.objects.filter(user=beheerder).values_list("pk", "confirmed")) == [(new.pk, True)]


def test_required_2fa_sends_an_admin_without_a_device_to_setup(client, beheerder, settings):
    settings.REQUIRE_ADMIN_2FA = True
    password_login(client, "beheer")
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(SETUP + "?next=")
    assert client.get(SETUP).status_code == 200


def test_without_the_requirement_an_admin_without_a_device_gets_in(client, beheerder, settings):
    settings.REQUIRE_ADMIN_2FA = False
    password_login(client, "beheer")
    assert client.get(HOME).status_code == 200


def test_superusers_count_as_administrators(client, settings):
    settings.REQUIRE_ADMIN_2FA = True
    make_user("root", Role.WIJKTEAM, is_superuser=True, is_staff=True)
    password_login(client, "root")
    assert client.get(HOME)["Location"].startswith(SETUP)


def test_other_roles_are_never_asked_and_cannot_set_up(client, owner, settings):
    settings.REQUIRE_ADMIN_2FA = True
    password_login(client, "anna")
    assert client.get(HOME).status_code == 200
    response = client.get(SETUP)
    assert response.status_code == 403
    assert "Tweestapsverificatie is er voor beheerders." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=owner).exists()


def test_only_administrators_may_be_staff(db, foodvalley):
    """Issue 15: a staff user who was no administrator reached /admin/ without a second factor. The database refuses
    such a user, and the admin form says why in Dutch."""
    from django.db import IntegrityError, transaction

    from accounts.admin import UserAdminChangeForm

    with pytest.raises(IntegrityError), transaction.atomic():
        make_user("staf", Role.PROJECT, region=foodvalley, is_staff=True)
    member = make_user("lid", Role.PROJECT, region=foodvalley)
    form = UserAdminChangeForm(instance=member, data={"username": "lid", "role": Role.PROJECT, "region": foodvalley.pk,
                                                      "is_staff": "on", "is_active": "on", "date_joined_0": "2026-01-01",
                                                      "date_joined_1": "10:00"})
    assert not form.is_valid()
    assert "Alleen beheerders hebben toegang tot het beheer" in str(form.errors["is_staff"])
