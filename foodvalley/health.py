"""/health/: what a load balancer or container check needs to know, each part on its own. 200 while the database
answers, 503 when it does not (the app cannot serve a page then); the broker and the last run are reported but do not
fail the check (pages work without background work). No login, no personal data, never cached."""
from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from core.background import broker_available


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception:  # noqa: BLE001 - any failure to answer means: down
        return "down"


def _broker() -> str:
    if not settings.CELERY_BROKER_URL or getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return "not used (tasks run in-process)"
    return "ok" if broker_available() else "down"


def _last_run(database: str) -> dict | None:
    if database != "ok":
        return None
    from monitoring.runs.selectors import run_latest

    try:
        run = run_latest()
    except Exception:  # noqa: BLE001 - reported, not fatal
        return None
    if run is None:
        return {"status": "none"}
    return {"status": run.status, "data_date": run.data_date.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None}


@never_cache
def health(request):
    database = _database()
    body = {"database": database, "broker": _broker(), "last_run": _last_run(database)}
    return JsonResponse(body, status=200 if database == "ok" else 503)
