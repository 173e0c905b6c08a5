"""Writing to the access log. Call `log_access` for every read, search, change, import and export touching a child."""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from axes.helpers import get_client_ip_address

from .models import AccessAction, AccessLogEntry, AccessResult

#: Functions that make a text fit for the log (placements registers its BSN detector: accounts sits below it).
#: The writer never stores what it did not check: every detail and object reference passes each of them.
SCRUBBERS: list = []


def register_scrubber(scrub) -> None:
    if scrub not in SCRUBBERS:
        SCRUBBERS.append(scrub)


def scrub(text: str) -> str:
    for fn in SCRUBBERS:
        text = fn(text)
    return text


#: the app's own child reference (the first 10 hex characters of a pseudonym, placements.Child.reference): about 3 in
#: 1,000 consist of digits that pass the BSN 11-check by chance; scrubbing them would cut the child's log history
_CHILD_REFERENCE = re.compile(r"[0-9a-f]{10}")


def scrub_ref(ref: str) -> str:
    """An object reference fit for the log: a child reference as it is, anything else scrubbed."""
    return ref if _CHILD_REFERENCE.fullmatch(ref) else scrub(ref)


def request_origin(request) -> str:
    """The client's address as django-axes takes it (django-ipware, trusting X-Forwarded-For only behind
    PROXY_COUNT proxies); anything that is not an IP address is stored as "?" (a forged header never reaches the log)."""
    if request is None:
        return "cli"
    address = get_client_ip_address(request) or ""
    try:
        return str(ipaddress.ip_address(address.strip()))[:64]
    except ValueError:
        return "?"


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
        object_ref=scrub_ref(object_ref)[:80],
        result=result,
        origin=origin if origin is not None else request_origin(request),
        detail=scrub(detail)[:255],
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
            object_ref=scrub_ref(ref)[:80],
            result=AccessResult.OK,
            origin=origin,
            detail=scrub(detail)[:255],
        )
        for ref in object_refs
    ]
    AccessLogEntry.objects.bulk_create(rows)
    return len(rows)


__all__ = ["AccessAction", "AccessResult", "log_access", "log_access_many", "request_origin"]
