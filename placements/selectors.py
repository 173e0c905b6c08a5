"""Reads of the registry, always scoped to the user (a view never filters by municipality itself).

Scope rules:
- wijkteam worker: children, episodes and declarations of their own municipality only;
- project team: no identifying records at all (figures only, elsewhere);
- administrator: no child records in the pages either; they manage reference data, imports and the log.
"""
from __future__ import annotations

from django.db.models import Count, Max, Q, QuerySet

from accounts.models import Role

from .bsn import is_valid_bsn, pseudonymise
from .models import Child, Episode


def _can_see_children(user) -> bool:
    return bool(user and user.is_authenticated and user.role == Role.WIJKTEAM and user.municipality_id and not user.is_superuser)


def child_scope(*, user) -> QuerySet[Child]:
    """All children the user may see (empty for everyone but a wijkteam worker of a municipality)."""
    if not _can_see_children(user):
        return Child.objects.none()
    return Child.objects.filter(municipality_id=user.municipality_id)


def child_list(*, user, query: str = "") -> QuerySet[Child]:
    """Children in scope, newest first, with episode counts. `query` is a BSN (hashed and matched) or a label fragment."""
    qs = child_scope(user=user).select_related("municipality").annotate(
        episode_count=Count("episodes"),
        open_count=Count("episodes", filter=Q(episodes__end_date__isnull=True)),
        last_start=Max("episodes__start_date"),
    )
    query = (query or "").strip()
    if query:
        digits = "".join(ch for ch in query if ch.isdigit())
        if len(digits) in (8, 9) and len(digits) >= len(query.replace(" ", "").replace("-", "").replace(".", "")) and is_valid_bsn(digits):
            qs = qs.filter(pseudonym=pseudonymise(digits))
        else:
            qs = qs.filter(label__icontains=query)
    return qs.order_by("-created_at", "-id")


def child_get(*, user, pk: int) -> Child | None:
    """One child in scope, or None (the caller answers 404 and logs the refusal)."""
    return child_scope(user=user).select_related("municipality", "municipality__region").filter(pk=pk).first()


def episode_list_for_child(*, child: Child) -> QuerySet[Episode]:
    """Episodes of a child already obtained through `child_get` (and so in scope)."""
    return child.episodes.select_related("care_form", "provider", "municipality").order_by("start_date", "id")


def episode_get(*, user, pk: int) -> Episode | None:
    return (
        Episode.objects.filter(child__in=child_scope(user=user), pk=pk)
        .select_related("child", "care_form", "provider", "municipality")
        .first()
    )
