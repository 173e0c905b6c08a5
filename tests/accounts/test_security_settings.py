"""Security settings: production mode passes check --deploy and sends the security headers; CSP without inline
script; sessions expire (cookie age, browser close, idle timeout); Dutch password rules; login throttling;
secrets only from the environment."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_texts, validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.middleware import LAST_ACTIVITY_KEY, LOGIN_AT_KEY
from tests.conftest import PASSWORD, login

ROOT = Path(__file__).resolve().parent.parent.parent
PROD_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "test-" + "k3y-" * 15,
    "BSN_HASH_KEY": "test-bsn-Zq8v3LrT0p2mWx9bK4sYd7nHc1fGj6uE5aQ",  # 32+ characters (core.checks)
    "ALLOWED_HOSTS": "monitor.example.nl",
    "DATABASE_URL": "sqlite:////tmp/fv-security-never-opened.sqlite3",
}

# Runs in a fresh interpreter with production settings: prints the effective settings and the headers of a
# plain-http and an https request to /health/ (no database is touched).
PROBE = r"""
import json, django
django.setup()
from django.conf import settings as s
from django.test import Client
c = Client(HTTP_HOST="monitor.example.nl")
plain = c.get("/health/")
secure = c.get("/health/", secure=True)
print(json.dumps({
    "DEBUG": s.DEBUG,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE, "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SESSION_COOKIE_HTTPONLY": s.SESSION_COOKIE_HTTPONLY, "SESSION_EXPIRE_AT_BROWSER_CLOSE": s.SESSION_EXPIRE_AT_BROWSER_CLOSE,
    "SESSION_COOKIE_AGE": s.SESSION_COOKIE_AGE, "REQUIRE_ADMIN_2FA": s.REQUIRE_ADMIN_2FA,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT, "SECURE_HSTS_SECONDS": s.SECURE_HSTS_SECONDS,
    "plain_status": plain.status_code, "plain_location": plain.get("Location", ""),
    "status": secure.status_code, "headers": dict(secure.headers.items()),
}))
"""


def _run(args, env_extra, **kwargs):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ENV", "SECRET_KEY", "BSN_HASH_KEY", "DEBUG")}
    env.update(env_extra)
    env["DJANGO_SETTINGS_MODULE"] = "foodvalley.settings"
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, **kwargs)


@pytest.fixture(scope="module")
def production():
    result = _run([sys.executable, "-c", PROBE], PROD_ENV)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_in_production_mode():
    result = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_complains_about_the_development_defaults():
    """The check is able to fail: development mode (DEBUG, insecure cookies, dev secret) is reported."""
    result = _run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                  {"DATABASE_URL": PROD_ENV["DATABASE_URL"]})
    assert result.returncode != 0
    for check_id in ("security.W004", "security.W012", "security.W016", "security.W018", "foodvalley.E001"):
        assert check_id in result.stderr + result.stdout, check_id


@pytest.mark.parametrize("missing", ["SECRET_KEY", "BSN_HASH_KEY"])
def test_production_refuses_to_start_without_a_secret(missing):
    env = {k: v for k, v in PROD_ENV.items() if k != missing}
    result = _run([sys.executable, "-c", "import django; django.setup()"], env)
    assert result.returncode != 0
    assert f"{missing} must be set when DJANGO_ENV=production" in result.stderr


def test_no_secret_is_written_in_the_settings_file():
    """Secrets come from the environment; the only literals are the clearly marked development defaults."""
    source = (ROOT / "foodvalley" / "settings.py").read_text()
    literals = re.findall(r"env_secret\(\"(\w+)\", \"([^\"]*)\"\)", source)
    assert {name for name, _ in literals} == {"SECRET_KEY", "BSN_HASH_KEY"}
    assert all(value.startswith("dev-only-") for _, value in literals)
    assert not re.search(r"(PASSWORD|SECRET|TOKEN|API_KEY)\s*=\s*[\"'][^\"']", source)


def test_production_cookies_and_redirects(production):
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] is True and production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert production["SESSION_COOKIE_AGE"] == 8 * 3600
    assert production["REQUIRE_ADMIN_2FA"] is True
    assert production["plain_status"] == 301
    assert production["plain_location"] == "https://monitor.example.nl/health/"


def test_production_security_headers(production):
    headers = production["headers"]
    assert production["status"] == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp


def _directives(csp: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in csp.split(";")) if part}


def test_every_page_has_a_csp_without_inline_script(client, owner):
    login(client, owner)
    response = client.get(reverse("home"))
    directives = _directives(response["Content-Security-Policy"])
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""(href|src)\s*=\s*["']\s*javascript:""", re.I)


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JS_URL):
            for match in pattern.finditer(text):
                if 'type="application/json"' in match.group(0):  # data islands are not executed
                    continue
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)[:80]}")
    assert not offenders, "inline script is blocked by the CSP; move it to static/js/:\n" + "\n".join(offenders)


def test_the_inline_script_scanner_can_fail():
    assert INLINE_SCRIPT.search('<script>alert(1)</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/x.js"></script>')
    assert EVENT_HANDLER.search('<button onclick="x()">')
    assert JS_URL.search('<a href="javascript:alert(1)">')


# --- sessions ---------------------------------------------------------------------------------------------


def test_sessions_end_with_the_browser_and_after_a_working_day(client, owner):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    client.post(reverse("login"), {"username": "anna", "password": PASSWORD})
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""  # a browser-session cookie
    assert cookie["httponly"] is True
    assert client.session.get_expire_at_browser_close() is True


def test_an_idle_session_is_logged_out(client, owner):
    login(client, owner)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    stamp = session[LAST_ACTIVITY_KEY]
    assert abs(stamp - time.time()) < 5
    session[LAST_ACTIVITY_KEY] = stamp - settings.SESSION_IDLE_TIMEOUT - 1
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "U bent uitgelogd omdat u een tijd niet actief was" in page.content.decode()


def test_a_session_within_the_idle_time_stays(client, owner):
    login(client, owner)
    client.get(reverse("home"))
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT + 60
    session.save()
    assert client.get(reverse("home")).status_code == 200
    assert client.session[LAST_ACTIVITY_KEY] >= int(time.time()) - 5  # activity renews the stamp


# --- passwords --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("password, message", [
    ("Kort-1!", "Dit wachtwoord is te kort. Het moet minstens 12 tekens bevatten."),
    ("123456789012", "Dit wachtwoord bevat alleen cijfers."),
    ("password1234", "Dit wachtwoord is te algemeen."),
    ("annajansen2026", "Het wachtwoord lijkt te veel op de gebruikersnaam."),
])
def test_password_rules_in_dutch(password, message):
    from accounts.models import User

    with translation.override("nl"):
        with pytest.raises(ValidationError) as info:
            validate_password(password, User(username="annajansen"))
        assert message in info.value.messages
        assert "Uw wachtwoord moet minstens 12 tekens bevatten." in password_validators_help_texts()


def test_a_good_password_passes():
    validate_password("Paarse-olifant-fietst-2026")


def test_password_change_page_applies_the_rules(client, owner):
    login(client, owner)
    url = reverse("accounts:password_change")
    response = client.post(url, {"old_password": PASSWORD, "new_password1": "kort", "new_password2": "kort"})
    assert response.status_code == 200
    assert "Dit wachtwoord is te kort" in response.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    response = client.post(url, {"old_password": PASSWORD, "new_password1": "Paarse-olifant-fietst-2026",
                                 "new_password2": "Paarse-olifant-fietst-2026"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change_done")
    owner.refresh_from_db()
    assert owner.check_password("Paarse-olifant-fietst-2026")


# --- login throttling (django-axes) -----------------------------------------------------------------------


@pytest.fixture
def no_attempts(db):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


def test_lockout_is_dutch_is_recorded_and_ends_after_the_cooloff(client, owner, no_attempts):
    import datetime as dt

    from axes.models import AccessAttempt
    from django.utils import timezone

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "anna", "password": "fout-wachtwoord"})
    response = client.post(reverse("login"), {"username": "anna", "password": PASSWORD})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Inloggen tijdelijk geblokkeerd" in html and "Probeer het over een kwartier opnieuw" in html
    attempt = AccessAttempt.objects.get(username="anna")
    assert attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT
    assert "fout-wachtwoord" not in str(attempt.post_data) and PASSWORD not in str(attempt.post_data)
    # After the cool-off (15 minutes) the right password works again.
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    response = client.post(reverse("login"), {"username": "anna", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_a_busy_session_ends_eight_hours_after_login(client, owner):
    """Issue 15: the activity stamp re-saved the session on every request, so a busy session never ended."""
    assert settings.SESSION_MAX_DURATION == 8 * 3600
    login(client, owner)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    assert abs(session[LOGIN_AT_KEY] - time.time()) < 5
    session[LOGIN_AT_KEY] = int(time.time()) - 8 * 3600 + 60  # a minute left: still in, however long ago the login
    session.save()
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[LOGIN_AT_KEY] = int(time.time()) - 8 * 3600 - 1
    session[LAST_ACTIVITY_KEY] = int(time.time())  # active a moment ago
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert "omdat u al lang ingelogd was" in client.get(response["Location"]).content.decode()


def test_pages_of_a_logged_in_user_are_never_stored(client, owner, child):
    """Issue 15: child and case pages sent no Cache-Control: no-store."""
    login(client, owner)
    for url in (reverse("children:detail", args=[child.pk]), reverse("children:list"), reverse("home")):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], url
