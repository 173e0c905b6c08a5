"""Error pages that work while the database is away.

Django calls ``handler500`` inside the ``except`` block of the failed request, so ``sys.exc_info()`` still holds
the exception. A lost database (``OperationalError`` / ``InterfaceError``: PostgreSQL restarting, refusing
connections or dropping them) gets a calm Dutch 503 page with ``Retry-After``; every other exception keeps the
generic 500 page. Django logs both with the traceback (logger ``django.request``); the visitor never sees one.

Neither page may touch the database: the templates are rendered without the request, so no context processor
runs (``request.user``, the session and the messages would each need a query), and if rendering fails anyway
(a template or static-files manifest problem) a fixed HTML text is returned instead of a second error.
"""
from __future__ import annotations

import sys

from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.html import escape
from django.utils.translation import gettext as _

DATABASE_ERRORS = (OperationalError, InterfaceError)
#: Seconds the 503 response asks a client to wait before trying again (header Retry-After).
RETRY_AFTER_SECONDS = 60


def is_database_outage(exc: BaseException | None) -> bool:
    """True for a database error, also when another exception was raised *from* one (explicit cause chain)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DATABASE_ERRORS):
            return True
        exc, seen = exc.__cause__, seen + 1
    return False


def _page(template_name: str, title: str, text: str, status: int, retry_url: str = "/") -> HttpResponse:
    try:
        body = loader.render_to_string(template_name, {"title": title, "text": text, "retry_url": retry_url})
    except Exception:  # noqa: BLE001 - the error page must not become a second error
        body = (
            '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
            f"<title>{escape(title)} · Foodvalley Monitor</title></head>"
            f"<body><h1>{escape(title)}</h1><p>{escape(text)}</p></body></html>"
        )
    response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, *args, **kwargs) -> HttpResponse:
    """handler500: the 503 page for a database outage, the 500 page for anything else."""
    if is_database_outage(sys.exc_info()[1]):
        return service_unavailable(request)
    return _page(
        "500.html",
        _("Er ging iets mis"),
        _("Er ging iets mis bij het verwerken van uw verzoek. De fout is vastgelegd; probeer het later opnieuw of "
          "neem contact op met de beheerder als het blijft gebeuren."),
        500,
    )


def service_unavailable(request, *args, **kwargs) -> HttpResponse:
    response = _page(
        "503.html",
        _("Even niet beschikbaar"),
        _("De database is even niet bereikbaar. Probeer het over een minuut opnieuw; er is niets verloren."),
        503,
        # "Try again" reloads the same page (a GET; a form that failed is shown again, not resubmitted).
        retry_url=request.get_full_path() if request is not None else "/",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
