"""The embedded default (SQLite) survives simultaneous writers (issue 15): 6 of 8 parallel registrations failed with
"database is locked". Eight threads, each with its own connection configured as the settings configure the default
database, write at the same time into a file database: none fails."""
from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded default is SQLite")


def _wrapper(path):
    config = {**settings.DATABASES["default"], "NAME": str(path), "TEST": {}}
    config.setdefault("TIME_ZONE", None)
    config.setdefault("AUTOCOMMIT", True)
    config.setdefault("ATOMIC_REQUESTS", False)
    config.setdefault("CONN_HEALTH_CHECKS", False)
    return DatabaseWrapper(config, alias="concurrency")


def test_the_default_sqlite_settings_use_wal_and_survive_eight_writers(tmp_path):
    db = tmp_path / "embedded.sqlite3"
    setup = _wrapper(db)
    with setup.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("CREATE TABLE registration (id INTEGER PRIMARY KEY, worker INTEGER, n INTEGER)")
    setup.close()
    errors: list[Exception] = []
    start = threading.Barrier(8)

    def register(worker: int) -> None:
        wrapper = _wrapper(db)
        try:
            start.wait()
            for n in range(10):
                # as a request's atomic block does: begin (as the settings say), read, then write
                wrapper.ensure_connection()
                wrapper._start_transaction_under_autocommit()
                cursor = wrapper.connection.cursor()
                cursor.execute("SELECT count(*) FROM registration WHERE worker = ?", [worker]).fetchone()
                time.sleep(0.005)  # others read in the meantime
                cursor.execute("INSERT INTO registration (worker, n) VALUES (?, ?)", [worker, n])
                wrapper.connection.execute("COMMIT")
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            wrapper.close()

    threads = [threading.Thread(target=register, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    check = _wrapper(db)
    with check.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM registration")
        assert cursor.fetchone()[0] == 8 * 10
    check.close()
