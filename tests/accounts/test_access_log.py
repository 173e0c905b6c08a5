"""The access log (NEN 7513 / BIO 8.15): what is logged, that it is append-only, and the administrators' page."""
import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessLogEntry
from placements.services import episode_start
from tests.conftest import login

D = dt.date
LOG = reverse("accounts:access_log")


# --- what is logged ----------------------------------------------------------------------------


def test_read_search_create_change_and_denied_are_logged_through_the_pages(client, owner, outsider, child, bsn, provider, care_forms):
    login(client, owner)
    client.get(reverse("children:detail", args=[child.pk]))
    client.post(reverse("children:list"), {"q": bsn})
    client.post(reverse("children:episode_start", args=[child.pk]), {
        "care_form": care_forms["PLZ"].pk, "provider": provider.pk, "start_date": "2024-01-01",
        "referrer": "01", "legal_framework": "vrijwillig", "municipality": child.municipality_id,
    })
    episode = child.episodes.get()
    client.post(reverse("children:episode_end", args=[episode.pk]), {"end_date": "2024-02-01", "end_reason": "31"})
    login(client, outsider).get(reverse("children:detail", args=[child.pk]))

    rows = list(AccessLogEntry.objects.order_by("id").values_list("actor_username", "action", "object_type", "object_ref", "result"))
    ref = child.reference
    assert rows == [
        ("anna", "create", "child", ref, "ok"),  # the fixture registers the child
        ("anna", "read", "child", ref, "ok"),
        ("anna", "search", "child", "", "ok"),
        ("anna", "create", "episode", ref, "ok"),
        ("anna", "change", "episode", ref, "ok"),
        ("carla", "read", "child", ref, "denied"),
    ]
    origins = set(AccessLogEntry.objects.exclude(actor_username="anna", action="create", object_type="child").values_list("origin", flat=True))
    assert origins == {"127.0.0.1"}


def test_no_entry_contains_a_bsn_or_a_label(client, owner, child, bsn):
    login(client, owner)
    client.post(reverse("children:list"), {"q": bsn})
    client.get(reverse("children:list"), {"q": "AB-1001"})
    client.get(reverse("children:detail", args=[child.pk]))
    for entry in AccessLogEntry.objects.all():
        text = " ".join([entry.object_ref, entry.detail, entry.object_type, entry.origin])
        assert bsn not in text and "AB-1001" not in text


def test_the_timestamp_and_actor_are_recorded(owner):
    before = timezone.now()
    entry = log_access(actor=owner, action="read", object_type="child", object_ref="abc")
    assert entry.actor == owner and entry.actor_username == "anna"
    assert before <= entry.timestamp <= timezone.now()
    assert entry.origin == "cli"


# --- append-only ------------------------------------------------------------------------------


@pytest.fixture
def entry(owner):
    return log_access(actor=owner, action="read", object_type="child", object_ref="0123456789")


def test_an_existing_entry_cannot_be_saved_again(entry):
    entry.result = "denied"
    with pytest.raises(PermissionError):
        entry.save()
    assert AccessLogEntry.objects.get(pk=entry.pk).result == "ok"


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(PermissionError):
        entry.delete()
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_the_queryset_cannot_update_or_delete(entry):
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(result="denied")
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.all().delete()
    assert AccessLogEntry.objects.get(pk=entry.pk).result == "ok"


def test_a_raw_sql_update_is_refused_by_the_database_trigger(entry):
    table = AccessLogEntry._meta.db_table
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET result = 'denied' WHERE id = %s", [entry.pk])
    assert AccessLogEntry.objects.get(pk=entry.pk).result == "ok"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQLite trigger guards UPDATE only")
def test_a_raw_sql_delete_is_refused_on_postgresql(entry):
    table = AccessLogEntry._meta.db_table
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [entry.pk])
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE and its statement trigger are PostgreSQL's")
def test_a_truncate_is_refused_on_postgresql(entry):
    """The row triggers do not fire on TRUNCATE (issue 15): a statement trigger refuses it for every session that has
    not said it may (only this suite's database flush does)."""
    table = AccessLogEntry._meta.db_table
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL foodvalley.allow_log_truncate = 'off'")
        cursor.execute(f"TRUNCATE {table}")
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


# --- the page ----------------------------------------------------------------------------------


def _entries(owner, outsider):
    log_access(actor=owner, action="read", object_type="child", object_ref="aaaa111111")
    log_access(actor=owner, action="search", object_type="child", detail="list, 3 children, page 1")
    log_access(actor=outsider, action="read", object_type="child", object_ref="aaaa111111", result="denied")
    log_access(actor=outsider, action="change", object_type="episode", object_ref="bbbb222222")


def _refs(response):
    return [(e.actor_username, e.action, e.result) for e in response.context["page"].object_list]


def test_the_administrator_sees_the_log_newest_first(client, admin_user, owner, outsider):
    _entries(owner, outsider)
    response = login(client, admin_user).get(LOG)
    assert response.status_code == 200
    assert _refs(response) == [("carla", "change", "ok"), ("carla", "read", "denied"), ("anna", "search", "ok"), ("anna", "read", "ok")]
    html = response.content.decode()
    assert "aaaa111111" in html and "Geweigerd" in html


@pytest.mark.parametrize("params, expected", [
    ({"actor_username": "car"}, [("carla", "change", "ok"), ("carla", "read", "denied")]),
    ({"action": "read"}, [("carla", "read", "denied"), ("anna", "read", "ok")]),
    ({"result": "denied"}, [("carla", "read", "denied")]),
    ({"object_ref": "aaaa"}, [("carla", "read", "denied"), ("anna", "read", "ok")]),
    ({"object_ref": "bbbb222222", "actor_username": "anna"}, []),
])
def test_the_log_can_be_searched(client, admin_user, owner, outsider, params, expected):
    _entries(owner, outsider)
    assert _refs(login(client, admin_user).get(LOG, params)) == expected


def test_the_log_can_be_searched_by_date_range(client, admin_user, owner, outsider):
    _entries(owner, outsider)
    today = timezone.localdate()
    login(client, admin_user)
    assert len(_refs(client.get(LOG, {"date_from": today.isoformat(), "date_to": today.isoformat()}))) == 4
    assert _refs(client.get(LOG, {"date_from": (today + dt.timedelta(days=1)).isoformat()})) == []
    assert _refs(client.get(LOG, {"date_to": (today - dt.timedelta(days=1)).isoformat()})) == []


def test_the_log_is_paginated_by_50_keeping_the_filter(client, admin_user, owner):
    for i in range(60):
        log_access(actor=owner, action="read", object_type="child", object_ref=f"ref{i:07d}")
    login(client, admin_user)
    first = client.get(LOG, {"action": "read"})
    assert len(first.context["page"].object_list) == 50
    html = first.content.decode()
    assert "?action=read&amp;page=2" in html
    second = client.get(LOG, {"action": "read", "page": 2})
    assert len(second.context["page"].object_list) == 10


@pytest.mark.parametrize("who", ["owner", "colleague", "outsider", "project_user"])
def test_other_roles_are_refused_and_the_refusal_is_logged(request, client, who):
    user = request.getfixturevalue(who)
    response = login(client, user).get(LOG)
    assert response.status_code == 403
    entry = AccessLogEntry.objects.get(actor=user)
    assert (entry.object_type, entry.result) == ("access_log", "denied")


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(LOG)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_log_page_shows_no_labels(client, admin_user, owner, child, provider, care_forms):
    episode_start(user=owner, child=child, care_form=care_forms["PLZ"], provider=provider, start_date=D(2024, 1, 1))
    html = login(client, admin_user).get(LOG).content.decode()
    assert child.reference in html and "AB-1001" not in html
