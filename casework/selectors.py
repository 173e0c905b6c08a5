"""Reads of casework, always scoped to the user (a view never filters by municipality or region itself).

Scope rules:
- wijkteam worker (with a municipality): cases, checklists, reviews and follow-ups of children of their
  own municipality (with the child's label);
- RET member (role ret, with a region): only the cases brought to their region's RET, with the wijkteam's
  label (a BSN is never stored, so never shown); the chair also sees agenda, open actions, overdue follow-ups;
- project team and administrator: no case records; the Week van de Casus lessons without identifying data
  (no child, label, municipality or exact date).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts import roles
from accounts.roles import is_admin, is_project, is_ret, is_wijkteam
from core.periods import age_on, quarter_key, quarter_label
from placements.models import Child, Episode

from .models import CaseStatus, CaseWeekReview, Lesson, ResidentialChecklist, RetAction, RetFollowUp, RetReview, ThreatCase
from .services import FOLLOW_UP_CODES

MONITOR_DAYS = 92
CASE_WEEK_WINDOW_DAYS = 365


def can_see_cases(*, user) -> bool:
    return is_wijkteam(user) or is_ret(user)


def can_see_lessons(*, user) -> bool:
    return is_wijkteam(user) or is_ret(user) or is_project(user) or is_admin(user)


# ------------------------------------------------------------------------------------------- cases
def case_scope(*, user) -> QuerySet[ThreatCase]:
    if is_wijkteam(user):
        return ThreatCase.objects.filter(child__municipality_id=user.municipality_id)
    if is_ret(user):
        brought = RetReview.objects.filter(case=OuterRef("pk"), region_id=user.region_id)
        return ThreatCase.objects.filter(Exists(brought))
    return ThreatCase.objects.none()


def case_list(*, user, status: str = "") -> QuerySet[ThreatCase]:
    qs = case_scope(user=user).select_related("child", "municipality").annotate(last_ret=Max("ret_reviews__review_date"))
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-opened_on", "-id")


def case_get(*, user, pk: int) -> ThreatCase | None:
    return (
        case_scope(user=user).select_related("child", "municipality", "municipality__region").filter(pk=pk)
        .prefetch_related("alternatives", Prefetch("ret_reviews", queryset=RetReview.objects.prefetch_related("actions", "follow_ups")))
        .first()
    )


def case_ref_for_audit(*, pk) -> str:
    ref = ThreatCase.objects.filter(pk=pk).values_list("child__reference", flat=True).first()
    return ref if ref else f"case {pk} (onbekend)"


def children_for_case(*, user) -> QuerySet[Child]:
    """Children a wijkteam worker may open a case for (their municipality)."""
    if not is_wijkteam(user):
        return Child.objects.none()
    return Child.objects.filter(municipality_id=user.municipality_id).order_by("label", "id")


def child_get(*, user, pk: int) -> Child | None:
    return children_for_case(user=user).select_related("municipality").filter(pk=pk).first()


# ------------------------------------------------------------------------------------------- RET
def review_scope(*, user) -> QuerySet[RetReview]:
    if is_wijkteam(user):
        return RetReview.objects.filter(case__child__municipality_id=user.municipality_id)
    if is_ret(user):
        return RetReview.objects.filter(region_id=user.region_id)
    return RetReview.objects.none()


def review_get(*, user, pk: int) -> RetReview | None:
    return (
        review_scope(user=user).select_related("case", "case__child", "case__municipality").filter(pk=pk)
        .prefetch_related("actions", "follow_ups").first()
    )


def review_ref_for_audit(*, pk) -> str:
    ref = RetReview.objects.filter(pk=pk).values_list("case__child__reference", flat=True).first()
    return ref if ref else f"review {pk} (onbekend)"


def action_get(*, user, pk: int) -> RetAction | None:
    return RetAction.objects.filter(review__in=review_scope(user=user), pk=pk).select_related("review", "review__case__child").first()


@dataclass
class Agenda:
    upcoming: list[RetReview]
    recent: list[RetReview]
    open_actions: list[RetAction]
    overdue_follow_ups: list[RetReview]


def ret_agenda(*, user, today: dt.date | None = None) -> Agenda:
    """The chair's view of the region's RET: upcoming and recent reviews, open actions, overdue follow-ups."""
    today = today or timezone.localdate()
    reviews = review_scope(user=user).select_related("case", "case__child", "case__municipality")
    has_follow_up = RetFollowUp.objects.filter(review=OuterRef("pk"))
    return Agenda(
        upcoming=list(reviews.filter(review_date__gte=today).order_by("review_date", "id")[:50]),
        recent=list(reviews.filter(review_date__lt=today, review_date__gte=today - dt.timedelta(days=90)).order_by("-review_date", "-id")[:50]),
        open_actions=list(RetAction.objects.filter(review__in=review_scope(user=user), done_on__isnull=True)
                          .select_related("review", "review__case__child", "review__case__municipality").order_by("due_on", "id")),
        overdue_follow_ups=list(reviews.filter(follow_up_on__lt=today).exclude(Exists(has_follow_up))
                                .order_by("follow_up_on", "id")),
    )


# ------------------------------------------------------------------------------------------- checklists
def checklist_scope(*, user) -> QuerySet[ResidentialChecklist]:
    if not is_wijkteam(user):
        return ResidentialChecklist.objects.none()
    return ResidentialChecklist.objects.filter(child__municipality_id=user.municipality_id)


def checklist_get(*, user, pk: int) -> ResidentialChecklist | None:
    return checklist_scope(user=user).select_related("child", "care_form", "episode", "episode__provider").filter(pk=pk).first()


def checklist_ref_for_audit(*, pk) -> str:
    ref = ResidentialChecklist.objects.filter(pk=pk).values_list("child__reference", flat=True).first()
    return ref if ref else f"checklist {pk} (onbekend)"


def open_checklist(*, child: Child) -> ResidentialChecklist | None:
    """The child's latest completed checklist not yet used for a placement (the child is already in scope)."""
    return ResidentialChecklist.objects.filter(child=child, episode__isnull=True).order_by("-completed_on", "-id").first()


def residential_placements(*, user, since: dt.date | None = None) -> QuerySet[Episode]:
    """Residential and closed placements of the user's municipality, with their checklist (or none: admin/import)."""
    if not is_wijkteam(user):
        return Episode.objects.none()
    qs = Episode.objects.filter(child__municipality_id=user.municipality_id, care_form__with_stay=True, care_form__rung__gte=5)
    if since:
        qs = qs.filter(start_date__gte=since)
    return qs.select_related("child", "care_form", "provider", "residential_checklist").order_by("-start_date", "-id")


# ------------------------------------------------------------------------------------------- Week van de Casus
def case_week_scope(*, user) -> QuerySet[CaseWeekReview]:
    if not is_wijkteam(user):
        return CaseWeekReview.objects.none()
    return CaseWeekReview.objects.filter(child__municipality_id=user.municipality_id)


def case_week_get(*, user, pk: int) -> CaseWeekReview | None:
    return case_week_scope(user=user).select_related("child", "episode", "episode__care_form").prefetch_related("lessons__tags").filter(pk=pk).first()


def case_week_ref_for_audit(*, pk) -> str:
    ref = CaseWeekReview.objects.filter(pk=pk).values_list("child__reference", flat=True).first()
    return ref if ref else f"case week {pk} (onbekend)"


def case_week_candidates(*, user, today: dt.date | None = None) -> list[Episode]:
    """Placements to review: residential placements of under-12s (flagged by their checklist, or without one)
    in the last 12 months that have no Week van de Casus review yet."""
    today = today or timezone.localdate()
    reviewed = CaseWeekReview.objects.filter(episode=OuterRef("pk"))
    episodes = (
        residential_placements(user=user, since=today - dt.timedelta(days=CASE_WEEK_WINDOW_DAYS))
        .exclude(Exists(reviewed))
    )
    return [e for e in episodes if age_on(e.child.birth_date, e.start_date) < 12]


def case_week_episode_get(*, user, pk: int) -> Episode | None:
    return residential_placements(user=user).filter(pk=pk).first()


@dataclass
class LessonRow:
    """A lesson without identifying data: period (year and quarter of the review), text, tags, and the
    review's (de-identified) helped / missing / alternative routes."""

    period: str
    text: str
    tags: list[str]
    helped: str
    missing: str
    alternative_routes: str


def lessons_region_wide(*, user, tag: str = "") -> list[LessonRow]:
    """Lessons of the user's region (all regions for an administrator without a region), de-identified."""
    if not can_see_lessons(user=user):
        return []
    qs = Lesson.objects.select_related("review").prefetch_related("tags").order_by("-review__review_date", "-id")
    region_id = getattr(user, "scope_region_id", None)
    if region_id:
        qs = qs.filter(review__municipality__region_id=region_id)
    elif not roles.is_admin(user):
        return []
    if tag:
        qs = qs.filter(tags__name=tag)
    rows = []
    for lesson in qs[:500]:
        d = lesson.review.review_date
        rows.append(LessonRow(period=quarter_label(quarter_key(d)), text=lesson.text, tags=[t.name for t in lesson.tags.all()],
                              helped=lesson.review.helped, missing=lesson.review.missing,
                              alternative_routes=lesson.review.alternative_routes))
    return rows


def lesson_tags(*, user) -> list[str]:
    region_id = getattr(user, "scope_region_id", None)
    qs = Lesson.objects.all()
    if region_id:
        qs = qs.filter(review__municipality__region_id=region_id)
    return sorted(set(qs.values_list("tags__name", flat=True)) - {None})


# ------------------------------------------------------------------------------------------- JIM / systemic
@dataclass
class FollowUpRow:
    episode: Episode
    last_follow_up: dt.date | None
    due: dt.date
    overdue: bool


def trajectory_rows(*, user, today: dt.date | None = None, overdue_only: bool = False) -> list[FollowUpRow]:
    """Running JIM and systemic episodes of the user's municipality with their last follow-up. A follow-up is
    due 92 days after the last one (or after the start); overdue when that day has passed."""
    if not is_wijkteam(user):
        return []
    today = today or timezone.localdate()
    qs = (
        Episode.objects.filter(child__municipality_id=user.municipality_id, care_form__code__in=FOLLOW_UP_CODES)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        .select_related("child", "care_form", "provider")
        .annotate(last_follow_up=Max("trajectory_follow_ups__date"))
        .order_by("start_date", "id")
    )
    rows = []
    for e in qs:
        due = (e.last_follow_up or e.start_date) + dt.timedelta(days=MONITOR_DAYS)
        row = FollowUpRow(episode=e, last_follow_up=e.last_follow_up, due=due, overdue=due < today)
        if row.overdue or not overdue_only:
            rows.append(row)
    rows.sort(key=lambda r: (not r.overdue, r.due))
    return rows


def trajectory_episode_get(*, user, pk: int) -> Episode | None:
    if not is_wijkteam(user):
        return None
    return (
        Episode.objects.filter(child__municipality_id=user.municipality_id, care_form__code__in=FOLLOW_UP_CODES, pk=pk)
        .select_related("child", "care_form", "provider").prefetch_related("trajectory_follow_ups").first()
    )
