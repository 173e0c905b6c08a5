"""Reads of the registry, always scoped to the user (a view never filters by municipality itself).

Scope rules:
- wijkteam worker: children, episodes and declarations of their own municipality only;
- project team: no identifying records at all (figures only, elsewhere);
- administrator: no child records in the pages either; they manage reference data, imports and the log.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.models import AccessLogEntry
from accounts.roles import is_wijkteam

from .bsn import contains_bsn, is_valid_bsn, normalise_bsn, pseudonymise
from .models import CareForm, Child, Declaration, Episode, Municipality, Region

#: How a search query was interpreted (logged instead of the query itself).
QUERY_NONE = "list"
QUERY_BSN = "bsn"
QUERY_INVALID_BSN = "invalid_bsn"
QUERY_LABEL = "label"


def can_see_children(*, user) -> bool:
    """True for the only users with case access: wijkteam workers of a municipality."""
    return is_wijkteam(user)


def classify_query(query: str) -> str:
    """Tell a BSN (valid or not) from a label fragment, without keeping the query.

    A query of 7 to 10 digits (spaces, dots and dashes allowed, full-width digits read as digits) is read as a BSN;
    it is used only when it has 8 or 9 digits and passes the 11-check, otherwise it is an invalid BSN (never a label).
    Any other query that holds a BSN however written ("999900055 12 jaar", "9999/00055") is not searched and never
    shown back either: it counts as an invalid BSN.
    """
    query = unicodedata.normalize("NFKC", query or "").strip()
    if not query:
        return QUERY_NONE
    compact = normalise_bsn(query)
    if compact.isascii() and compact.isdigit() and 7 <= len(compact) <= 10:
        return QUERY_BSN if is_valid_bsn(compact) else QUERY_INVALID_BSN
    if contains_bsn(query):
        return QUERY_INVALID_BSN
    return QUERY_LABEL


def child_scope(*, user) -> QuerySet[Child]:
    """All children the user may see (empty for everyone but a wijkteam worker of a municipality)."""
    if not is_wijkteam(user):
        return Child.objects.none()
    return Child.objects.filter(municipality_id=user.municipality_id)


def child_search(*, user, query: str = "") -> QuerySet[Child]:
    """Children in scope matching `query` (a BSN, hashed and matched, or a label fragment), newest first; no annotations,
    so counting them is a plain indexed count."""
    qs = child_scope(user=user)
    query = (query or "").strip()
    kind = classify_query(query)
    if kind == QUERY_BSN:
        qs = qs.filter(pseudonym=pseudonymise(unicodedata.normalize("NFKC", query)))
    elif kind == QUERY_INVALID_BSN:
        qs = qs.none()
    elif kind == QUERY_LABEL:
        qs = qs.filter(label__icontains=query)
    return qs.order_by("-created_at", "-id")


def with_care_summary(qs: QuerySet[Child]) -> QuerySet[Child]:
    """Episode count, open episodes, last start and the highest open care form of each child."""
    highest_open = Episode.objects.filter(child=OuterRef("pk"), end_date__isnull=True).order_by("-care_form__rung", "-start_date")
    return qs.select_related("municipality").annotate(
        episode_count=Count("episodes"),
        open_count=Count("episodes", filter=Q(episodes__end_date__isnull=True)),
        last_start=Max("episodes__start_date"),
        open_form=Subquery(highest_open.values("care_form__name")[:1]),
        open_rung=Subquery(highest_open.values("care_form__rung")[:1]),
    )


def child_list(*, user, query: str = "") -> QuerySet[Child]:
    """Children in scope, newest first, with their care summary. `query` is a BSN (hashed and matched) or a label fragment."""
    return with_care_summary(child_search(user=user, query=query))


def child_list_page(*, user, query: str = "", number=1, per_page: int = 25) -> Page:
    """One page of the child list. The count and the page's ids come from the plain indexed search; only the rows of
    the page get their care summary (summarising every child of a large municipality first took 0.2 s a page)."""
    page = Paginator(child_search(user=user, query=query).values_list("id", flat=True), per_page).get_page(number)
    ids = list(page.object_list)
    rows = {c.id: c for c in with_care_summary(Child.objects.filter(pk__in=ids))} if ids else {}
    page.object_list = [rows[i] for i in ids if i in rows]
    return page


def child_get(*, user, pk: int) -> Child | None:
    """One child in scope, or None (the caller answers 404 and logs the refusal)."""
    return child_scope(user=user).select_related("municipality", "municipality__region", "target_group").filter(pk=pk).first()


def episode_list_for_child(*, child: Child) -> QuerySet[Episode]:
    """Episodes of a child already obtained through `child_get` (and so in scope)."""
    return child.episodes.select_related("care_form", "provider", "municipality").order_by("start_date", "id")


def episode_get(*, user, pk: int) -> Episode | None:
    return (
        Episode.objects.filter(child__in=child_scope(user=user), pk=pk)
        .select_related("child", "care_form", "provider", "municipality")
        .first()
    )


def child_ref_for_audit(*, pk) -> str:
    """The reference of any child id, for logging a refused access (never shown to the user)."""
    reference = Child.objects.filter(pk=pk).values_list("reference", flat=True).first()
    return reference or f"id {pk} (onbekend)"


def episode_ref_for_audit(*, pk) -> str:
    """The reference of the child of any episode id, for logging a refused access."""
    reference = Episode.objects.filter(pk=pk).values_list("child__reference", flat=True).first()
    return reference or f"episode {pk} (onbekend)"


def _active_on(day: dt.date, prefix: str = "") -> Q:
    """Episodes active on `day`: start <= day < end (half-open, open end = running)."""
    return Q(**{f"{prefix}start_date__lte": day}) & (Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": day}))


def municipality_summary(*, user) -> dict[str, int]:
    """Counts for a wijkteam worker's start page: children, children in care now, children/stays in care now."""
    today = timezone.localdate()
    scope = child_scope(user=user)
    children = scope.aggregate(
        registered=Count("id", distinct=True),
        in_care=Count("id", distinct=True, filter=_active_on(today, "episodes__")),
    )
    open_stays = Episode.objects.filter(child__in=scope, care_form__with_stay=True).filter(_active_on(today)).count()
    return {"registered": children["registered"], "in_care": children["in_care"], "open_stays": open_stays}


@dataclass(frozen=True)
class MunicipalityStock:
    municipality: Municipality
    stay: int
    family_based: int
    residential: int


def region_stock_now(*, user, day: dt.date | None = None) -> list[MunicipalityStock]:
    """Distinct children in care on `day` per municipality of the user's region (metrics.md groups).

    Counted at the episode's responsible municipality. One aggregate query for all municipalities;
    the caller suppresses small numbers. Empty when the user has no region.
    """
    region_id = getattr(user, "scope_region_id", None)
    if not region_id:
        return []
    day = day or timezone.localdate()
    municipalities = list(Municipality.objects.filter(region_id=region_id).order_by("name"))
    rows = (
        Episode.objects.filter(municipality__region_id=region_id, care_form__with_stay=True)
        .filter(_active_on(day))
        .values("municipality_id")
        .annotate(
            stay=Count("child_id", distinct=True),
            family_based=Count("child_id", distinct=True, filter=Q(care_form__family_based=True)),
            residential=Count("child_id", distinct=True, filter=Q(care_form__rung__gte=5)),
        )
    )
    by_id = {row["municipality_id"]: row for row in rows}
    empty = {"stay": 0, "family_based": 0, "residential": 0}
    return [
        MunicipalityStock(municipality=m, **{k: by_id.get(m.id, empty)[k] for k in empty})
        for m in municipalities
    ]


def admin_counts() -> dict[str, int]:
    """Record counts for the administrator's start page (no identifying data)."""
    return {
        "municipalities": Municipality.objects.count(),
        "care_forms": CareForm.objects.count(),
        "children": Child.objects.count(),
        "episodes": Episode.objects.count(),
        "declarations": Declaration.objects.count(),
    }


#: the access-log detail of "this child is registered in another municipality" (written by the registration view)
ELSEWHERE_DETAIL = "registration: known in another municipality"


def elsewhere_answers_recent(*, user, hours: int = 1) -> int:
    """How often `user` was told in the last hours that a child is registered in another municipality (access log)."""
    since = timezone.now() - dt.timedelta(hours=hours)
    return AccessLogEntry.objects.filter(actor=user, object_type="child", detail=ELSEWHERE_DETAIL, timestamp__gte=since).count()


def region_delivering() -> Region | None:
    """The one region whose municipalities have children registered, when exactly one has (an administrator's pages
    open on it rather than on the alphabetically first region or the country); None when none or several do."""
    delivering = list(Region.objects.filter(Exists(Child.objects.filter(municipality__region=OuterRef("pk")))).order_by("name")[:2])
    return delivering[0] if len(delivering) == 1 else None


def import_jobs_recent(*, n: int = 5) -> list:
    """The newest import jobs (administrators' start page: what came in and how many lines were refused)."""
    from .models import ImportJob

    return list(ImportJob.objects.order_by("-created_at", "-id")[:n])
