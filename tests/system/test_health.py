"""/health/ reports the database, the broker and the last run separately (issue 15: it said 200 with the database
down)."""
from __future__ import annotations

from unittest import mock

from django.db import OperationalError
from django.urls import reverse


def test_it_reports_each_part(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["database"] == "ok" and body["broker"].startswith("not used") and body["last_run"] == {"status": "none"}


def test_it_answers_503_when_the_database_does_not(client, db):
    # the real outage (a stopped PostgreSQL) is drilled in scripts/drill_postgres_restart; here the cursor fails
    with mock.patch("foodvalley.health.connection.cursor", side_effect=OperationalError("server closed the connection")):
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"database": "down", "broker": "not used (tasks run in-process)", "last_run": None}
