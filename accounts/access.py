"""Refusing a request, once: a Dutch page (templates/accounts/refused.html) with 403, or 404 for a record outside the
user's scope (its existence is not revealed), and the denied attempt in the access log.

Views start with one gate per resource: `role_required(Role.ADMIN, object_type=…)` for a role, `access_required(
check, object_type=…, area=…)` for a predicate of accounts.roles or of an app's selectors, and `refuse(…)` where a
view finds out itself (a record outside the scope, a scope it may not see).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.shortcuts import render
from django.utils.translation import gettext as _

from . import roles
from .audit import log_access
from .models import AccessAction, AccessResult


def refuse(request, *, status: int = 403, message: str | None = None, object_type: str | None = None, action: str | None = None,
           object_ref: str = "", detail: str = ""):
    """The refusal page; with `object_type`, the attempt is written to the access log as denied first."""
    if object_type is not None:
        action = action or (AccessAction.READ if request.method in ("GET", "HEAD") else AccessAction.CHANGE)
        log_access(request=request, action=action, object_type=object_type, object_ref=object_ref, result=AccessResult.DENIED,
                   detail=detail or f"role {roles.role_of(request.user)} refused")
    if status == 404:
        title = _("Niet gevonden")
        message = message or _("Dit dossier bestaat niet of valt buiten uw gemeente. De poging is vastgelegd in het toegangslog.")
    else:
        title = _("Geen toegang")
        message = message or _("Met uw rol heeft u hier geen toegang toe. De poging is vastgelegd in het toegangslog.")
    return render(request, "accounts/refused.html", {"title": title, "message": message, "status": status}, status=status)


def access_required(check: Callable, *, object_type: str, area: str = "", message: str | None = None, action: str | None = None):
    """View decorator: users for whom `check(user=…)` is false get the 403 page, logged as denied (as `action`, or as a
    read or change by the request's method)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(user=request.user):
                detail = f"no {area} access (role {roles.role_of(request.user)})" if area else ""
                return refuse(request, message=message, object_type=object_type, action=action, detail=detail)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def role_required(*allowed: str, object_type: str, message: str | None = None):
    """View decorator: only users acting in one of the `allowed` roles (a superuser acts as administrator)."""
    return access_required(lambda *, user: roles.has_role(user, *allowed), object_type=object_type, message=message)
