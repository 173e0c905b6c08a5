"""A lost database (issue 7, "Faults"): a request gets the Dutch 503 page (foodvalley/errors.py), never a traceback or
a bare 500, and quickly; any other error keeps the 500 page. Once the database is back, the next request works.

On PostgreSQL the faults are real: the server kills the connection of the running test (as a restart does), or
nothing listens on the port (server down). On both databases an execute wrapper fails every query the way a lost
server does, which also proves the error page itself needs no query at all. The restart of a real server under
gunicorn is the drill scripts/drill_postgres_restart.
"""
from __future__ import annotations

import socket
import time

import psycopg2
import pytest
from django.db import close_old_connections, connection
from django.db.utils import InterfaceError, OperationalError
from django.test import Client

from accounts.models import Role
from tests.conftest import login, make_user

TITLE_503 = "Even niet beschikbaar"
TEXT_503 = "De database is even niet bereikbaar. Probeer het over een minuut opnieuw; er is niets verloren."
TITLE_500 = "Er ging iets mis"
PAGES = ["/", "/kinderen/", "/monitor/"]
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a PostgreSQL server to lose")


@pytest.fixture
def client():
    """A client that returns the error page, as a browser gets it, instead of raising the exception."""
    return Client(raise_request_exception=False)


@pytest.fixture
def wijkteam(ede):
    return make_user("anna", Role.WIJKTEAM, ede)


class FailingQueries:
    """Execute wrapper: every query raises `exc` (before reaching the database) and is counted."""

    def __init__(self, exc: BaseException):
        self.exc = exc
        self.calls = 0

    def __call__(self, execute, sql, params, many, context):
        self.calls += 1
        raise self.exc


def assert_outage_page(response, path: str) -> str:
    body = response.content.decode()
    assert response.status_code == 503, body[:300]
    assert TITLE_503 in body and TEXT_503 in body
    assert "Traceback" not in body and "Error" not in body and "psycopg" not in body
    assert response["Retry-After"] == "60"
    assert response["Cache-Control"] == "no-store"
    assert f'href="{path}"' in body  # "Opnieuw proberen" reloads the same page
    return body


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("exc", [OperationalError("server closed the connection unexpectedly"),
                                 InterfaceError("connection already closed")], ids=["operational", "interface"])
def test_a_lost_database_gives_the_dutch_503_page_without_any_query(client, wijkteam, path, exc):
    login(client, wijkteam)
    assert client.get(path).status_code == 200
    failing = FailingQueries(exc)
    with connection.execute_wrapper(failing):
        response = client.get(path)
    assert failing.calls >= 1  # the request did need the database (session, user) ...
    body = assert_outage_page(response, path)  # ... and the page came without one: every query would have failed
    assert "/static/css/app.css" in body  # the app's own look, not a bare text
    assert client.get(path).status_code == 200


def test_the_login_form_shows_without_the_database_and_its_post_gets_the_503_page(client, wijkteam):
    failing = FailingQueries(OperationalError("could not connect to server: Connection refused"))
    with connection.execute_wrapper(failing):
        assert client.get("/accounts/login/").status_code == 200  # no session yet: nothing to look up
        response = client.post("/accounts/login/", {"username": "anna", "password": "x"})  # needs the user table
    assert failing.calls >= 1
    assert_outage_page(response, "/accounts/login/")


def test_other_errors_keep_the_500_page(client, wijkteam):
    login(client, wijkteam)
    with connection.execute_wrapper(FailingQueries(ValueError("a bug, not an outage"))):
        response = client.get("/kinderen/")
    body = response.content.decode()
    assert response.status_code == 500
    assert TITLE_500 in body and TITLE_503 not in body and "Retry-After" not in response
    assert "Traceback" not in body and "a bug" not in body


def test_an_error_raised_from_a_database_error_counts_as_an_outage(client, wijkteam):
    login(client, wijkteam)
    try:
        raise OperationalError("terminating connection due to administrator command")
    except OperationalError as db_error:
        wrapped = RuntimeError("lookup failed")
        wrapped.__cause__ = db_error
    with connection.execute_wrapper(FailingQueries(wrapped)):
        assert_outage_page(client.get("/kinderen/"), "/kinderen/")


def test_the_page_still_comes_when_its_template_cannot_render(client, wijkteam, settings, tmp_path):
    """A static-files manifest without the CSS (a forgotten collectstatic) breaks {% static %}: a fixed text instead."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    login(client, wijkteam)
    with connection.execute_wrapper(FailingQueries(OperationalError("the database system is starting up"))):
        response = client.get("/kinderen/")
    body = response.content.decode()
    assert response.status_code == 503 and TITLE_503 in body and TEXT_503 in body
    assert "/static/" not in body


# --- real faults on PostgreSQL --------------------------------------------------------------------------------------
def _kill_backend(pid: int) -> None:
    """Terminate one server process from a second connection, as `pg_ctl stop -m fast` does to every client."""
    params = connection.settings_dict
    admin = psycopg2.connect(host=params["HOST"], port=params["PORT"], user=params["USER"],
                             password=params["PASSWORD"] or None, dbname=params["NAME"])
    try:
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", [pid])
            assert cur.fetchone()[0] is True
    finally:
        admin.close()


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps the reference tables
def test_a_killed_connection_gives_503_and_the_next_request_reconnects(client, wijkteam):
    login(client, wijkteam)
    assert client.get("/kinderen/").status_code == 200
    pid = connection.connection.info.backend_pid  # the persistent connection (CONN_MAX_AGE) the next request reuses
    _kill_backend(pid)
    assert_outage_page(client.get("/kinderen/"), "/kinderen/")
    # The test client keeps connections across requests; a server closes the failed one at the end of the request
    # (request_finished → close_old_connections), and the next request connects anew.
    close_old_connections()
    assert client.get("/kinderen/").status_code == 200
    assert connection.connection.info.backend_pid != pid


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # keeps the reference tables
def test_a_server_that_is_down_gives_503_at_once(client, wijkteam):
    login(client, wijkteam)
    assert connection.settings_dict["OPTIONS"]["connect_timeout"] == 5  # settings: no request waits longer to connect
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = _closed_port()
    try:
        started = time.monotonic()
        response = client.get("/monitor/")
        elapsed = time.monotonic() - started
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert_outage_page(response, "/monitor/")
    assert elapsed < 5
    assert client.get("/monitor/").status_code == 200
