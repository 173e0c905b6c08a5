"""Writing to the access log. Call `log_access` for every read, search, change, import and export touching a child."""
from __future__ import annotations

from collections.abc import Iterable

from .models import AccessAction, AccessLogEntry, AccessResult


def request_origin(request) -> str:
    if request is None:
        return "cli"
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    address = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR", "")
    return address[:64]


def log_access(
    *,
    actor=None,
    request=None,
    action: str,
    object_type: str,
    object_ref: str = "",
    result: str = AccessResult.OK,
    detail: str = "",
    origin: str | None = None,
) -> AccessLogEntry:
    """Append one entry. `object_ref` is a pseudonym or record id, never a BSN or label."""
    if actor is None and request is not None:
        actor = request.user if getattr(request.user, "is_authenticated", False) else None
    return AccessLogEntry.objects.create(
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_username=getattr(actor, "username", "") or "",
        action=action,
        object_type=object_type,
        object_ref=object_ref[:80],
        result=result,
        origin=origin if origin is not None else request_origin(request),
        detail=detail[:255],
    )


def log_access_many(*, actor=None, request=None, action: str, object_type: str, object_refs: Iterable[str], detail: str = "") -> int:
    """Append one entry per object in a single insert (e.g. a list page showing 25 children)."""
    origin = request_origin(request)
    if actor is None and request is not None:
        actor = request.user if getattr(request.user, "is_authenticated", False) else None
    rows = [
        AccessLogEntry(
            actor=actor,
            actor_username=getattr(actor, "username", "") or "",
            action=action,
            object_type=object_type,
            object_ref=ref[:80],
            result=AccessResult.OK,
            origin=origin,
            detail=detail[:255],
        )
        for ref in object_refs
    ]
    AccessLogEntry.objects.bulk_create(rows)
    return len(rows)


__all__ = ["AccessAction", "AccessResult", "log_access", "log_access_many", "request_origin"]
