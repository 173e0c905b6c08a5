"""Reads of foster care, always scoped to the user (a view never filters by provider or municipality itself).

Scope rules:
- foster-care worker (role pleegzorg, with a provider): the provider's families (all of them), the children
  placed with them (short reference and age, never the wijkteam's label), their risks and the provider's
  prospects;
- wijkteam worker (with a municipality): a family only as far as children of their municipality are (or were)
  placed there — the family's capacity facts and only those children (with their label); the risks of those
  placements; matching for children of their municipality lists the families with a free place (capacity facts
  only, never other children);
- project team and administrator: no records; aggregated figures on the dashboard and the recruitment funnel
  of their region (the country for an administrator without a region).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from accounts import roles
from accounts.roles import is_admin, is_fostercare, is_project, is_wijkteam
from core.periods import age_on, month_key, month_range
from placements.models import Child, Episode

from .models import (
    OPEN_STATUSES,
    DropReason,
    FamilyKind,
    FamilyStatus,
    FosterFamily,
    FosterPlacement,
    PlacementRisk,
    Prospect,
    RiskStatus,
    Stage,
)
from .services import fit_errors, placed_on

STATUS_ORDER = (FamilyStatus.ACTIVE, FamilyStatus.APPROVED, FamilyStatus.IN_TRAINING, FamilyStatus.PAUSED, FamilyStatus.STOPPED)


def can_see_records(*, user) -> bool:
    return is_fostercare(user) or is_wijkteam(user)


def can_see_funnel(*, user) -> bool:
    return is_fostercare(user) or is_project(user) or is_admin(user)


# ------------------------------------------------------------------------------------------- families
def _own_children_placed(user) -> Q:
    return Q(placements__episode__child__municipality_id=user.municipality_id)


def family_scope(*, user) -> QuerySet[FosterFamily]:
    if is_fostercare(user):
        return FosterFamily.objects.filter(provider_id=user.provider_id)
    if is_wijkteam(user):
        mine = FosterPlacement.objects.filter(family=OuterRef("pk"), episode__child__municipality_id=user.municipality_id)
        return FosterFamily.objects.filter(Exists(mine))
    return FosterFamily.objects.none()


def family_list(*, user, status: str = "", kind: str = "") -> QuerySet[FosterFamily]:
    """status: one status, "alle" for every family, empty for the current ones (not stopped). Active and available
    families first, then the reference."""
    qs = family_scope(user=user).select_related("municipality", "provider")
    if status == "alle":
        pass
    elif status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status=FamilyStatus.STOPPED)
    if kind:
        qs = qs.filter(kind=kind)
    order = Case(*[When(status=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)], default=Value(9), output_field=IntegerField())
    return qs.annotate(status_rank=order).order_by("status_rank", "reference", "id")


def family_get(*, user, pk: int) -> FosterFamily | None:
    return family_scope(user=user).select_related("municipality", "provider").filter(pk=pk).first()


def placement_scope(*, user) -> QuerySet[FosterPlacement]:
    if is_fostercare(user):
        return FosterPlacement.objects.filter(family__provider_id=user.provider_id)
    if is_wijkteam(user):
        return FosterPlacement.objects.filter(episode__child__municipality_id=user.municipality_id)
    return FosterPlacement.objects.none()


def placements_of_family(*, user, family: FosterFamily) -> list[FosterPlacement]:
    """The children placed in the family that the user may see (all for the provider, own municipality for a wijkteam)."""
    open_risk = PlacementRisk.objects.filter(placement=OuterRef("pk"), status=RiskStatus.OPEN).order_by("-registered_on", "-id")
    return list(
        placement_scope(user=user).filter(family=family)
        .select_related("episode", "episode__child", "episode__care_form", "episode__municipality")
        .annotate(has_open_risk=Exists(open_risk), open_risk_id=Subquery(open_risk.values("id")[:1]))
        .order_by("-episode__start_date", "-id")
    )


def placement_get(*, user, pk: int) -> FosterPlacement | None:
    return (placement_scope(user=user).select_related("family", "family__provider", "episode", "episode__child", "episode__care_form")
            .filter(pk=pk).first())


def placement_ref_for_audit(*, pk) -> str:
    ref = FosterPlacement.objects.filter(pk=pk).values_list("episode__child__reference", flat=True).first()
    return ref if ref else f"placement {pk} (onbekend)"


def occupancy(family: FosterFamily, day: dt.date | None = None) -> tuple[int, int]:
    """(children placed, free places) on `day`."""
    day = day or timezone.localdate()
    n = placed_on(family, day)
    return n, max(0, family.places - n)


def show_label(*, user, child: Child) -> bool:
    """A child's label is shown only inside its municipality (the wijkteam)."""
    return is_wijkteam(user) and child.municipality_id == user.municipality_id


# ------------------------------------------------------------------------------------------- matching
def match_children(*, user) -> QuerySet[Child]:
    """Children a wijkteam worker may match: their municipality's children."""
    if not is_wijkteam(user):
        return Child.objects.none()
    return Child.objects.filter(municipality_id=user.municipality_id).order_by("label", "id")


def match_child_get(*, user, pk: int) -> Child | None:
    return match_children(user=user).select_related("municipality").filter(pk=pk).first()


@dataclass
class Candidate:
    family: FosterFamily
    free: int
    distance_rank: int  # 0 same municipality, 1 same region, 2 elsewhere
    network_first: int  # 0 for a network family when network is preferred
    fits: bool
    problems: list[str]


def match_candidates(*, user, child: Child, on: dt.date, siblings: int = 1, prefer_network: bool = True,
                     include_unfit: bool = False) -> list[Candidate]:
    """Families with a free place that fits the child: available (approved or active), enough free places for the
    siblings, the child's age inside the family's age range, siblings together when more than one; a network family
    only while it has had no child yet (it is registered for one particular child). Ranked by
    network first (when preferred), then the distance rank of the family's municipality to the child's
    (same municipality, same region, elsewhere), then most free places, then the reference."""
    if not is_wijkteam(user) or child.municipality_id != user.municipality_id:
        return []
    region_id = child.municipality.region_id
    running = Q(placements__episode__start_date__lte=on) & (Q(placements__episode__end_date__isnull=True) | Q(placements__episode__end_date__gt=on))
    # A network family is kin or a known adult of one particular child: it is offered only while it has never had
    # a child placed (registered for this child and not yet matched), never as a general family for others.
    families = (FosterFamily.objects.filter(status__in=OPEN_STATUSES).select_related("municipality", "provider")
                .annotate(n_placed=Count("placements", filter=running), n_ever=Count("placements"))
                .exclude(kind=FamilyKind.NETWORK, n_ever__gt=0))
    out = []
    for family in families:
        n = family.n_placed
        problems = fit_errors(family=family, child=child, on=on, siblings=siblings, placed=n)
        if problems and not include_unfit:
            continue
        rank = 0 if family.municipality_id == child.municipality_id else (1 if family.municipality.region_id == region_id else 2)
        network = 0 if (prefer_network and family.kind == FamilyKind.NETWORK) else 1
        out.append(Candidate(family=family, free=max(0, family.places - n), distance_rank=rank, network_first=network,
                             fits=not problems, problems=problems))
    out.sort(key=lambda c: (not c.fits, c.network_first, c.distance_rank, -c.free, c.family.reference))
    return out


def family_for_match(*, user, pk: int) -> FosterFamily | None:
    """Any available family may be chosen in a match (capacity facts only); the service checks the fit."""
    if not is_wijkteam(user):
        return None
    return FosterFamily.objects.filter(pk=pk, status__in=OPEN_STATUSES).select_related("provider", "municipality").first()


# ------------------------------------------------------------------------------------------- risks
def risk_scope(*, user) -> QuerySet[PlacementRisk]:
    return PlacementRisk.objects.filter(placement__in=placement_scope(user=user))


def risk_get(*, user, pk: int) -> PlacementRisk | None:
    return (
        risk_scope(user=user)
        .select_related("placement", "placement__family", "placement__family__provider", "placement__episode",
                        "placement__episode__child", "placement__episode__care_form")
        .prefetch_related("follow_ups", "supports").filter(pk=pk).first()
    )


def risk_ref_for_audit(*, pk) -> str:
    ref = PlacementRisk.objects.filter(pk=pk).values_list("placement__episode__child__reference", flat=True).first()
    return ref if ref else f"risk {pk} (onbekend)"


@dataclass
class RiskRow:
    risk: PlacementRisk
    days_at_risk: int
    last_follow_up: dt.date | None
    open_on_last: bool


def monthly_risk_list(*, user, month: str | None = None, today: dt.date | None = None) -> tuple[str, list[RiskRow]]:
    """Every placement at risk in the month (a risk open on any day of it), with its age (days at risk up to the
    month's last day, or its resolution) and its last follow-up up to then. Longest at risk first."""
    today = today or timezone.localdate()
    if month:
        try:
            first = dt.date(int(month[:4]), int(month[5:7]), 1)
        except (ValueError, IndexError):
            first = today.replace(day=1)
    else:
        first = today.replace(day=1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    cutoff = min(last, today)
    qs = (
        risk_scope(user=user).filter(registered_on__lte=cutoff).filter(Q(resolved_on__isnull=True) | Q(resolved_on__gte=first))
        .select_related("placement__family", "placement__episode__child", "placement__episode__care_form")
        .annotate(last_follow=Max("follow_ups__date", filter=Q(follow_ups__date__lte=cutoff)))
    )
    rows = []
    for risk in qs:
        end = risk.resolved_on if risk.resolved_on and risk.resolved_on <= cutoff else cutoff
        open_on_last = risk.resolved_on is None or risk.resolved_on > cutoff
        rows.append(RiskRow(risk=risk, days_at_risk=(end - risk.registered_on).days, last_follow_up=risk.last_follow,
                            open_on_last=open_on_last))
    rows.sort(key=lambda r: (not r.open_on_last, -r.days_at_risk, r.risk.pk))
    return month_key(first), rows


# ------------------------------------------------------------------------------------------- recruitment
def prospect_scope(*, user) -> QuerySet[Prospect]:
    if is_fostercare(user):
        return Prospect.objects.filter(provider_id=user.provider_id)
    return Prospect.objects.none()


def prospect_get(*, user, pk: int) -> Prospect | None:
    return prospect_scope(user=user).select_related("municipality", "family").filter(pk=pk).first()


def funnel_prospects(*, user) -> QuerySet[Prospect]:
    """The prospects the funnel counts: a provider's for its worker, the region's for the project team, all for an
    administrator without a region. Aggregates only for the latter two."""
    if is_fostercare(user):
        return prospect_scope(user=user)
    if roles.is_project_with_region(user):
        return Prospect.objects.filter(municipality__region_id=user.scope_region_id)
    if roles.is_admin(user):
        return Prospect.objects.filter(municipality__region_id=user.scope_region_id) if user.scope_region_id else Prospect.objects.all()
    return Prospect.objects.none()


FUNNEL = (("informatieavond", "info_on"), ("intake", "intake_on"), ("training", "training_on"),
          ("beoordeling", "assessment_on"), ("goedgekeurd", "approved_on"))


@dataclass
class Funnel:
    stages: list[tuple[str, str]]  # (code, label)
    months: list[str]
    counts: dict[str, dict[str, int]]  # month → stage → count
    totals: dict[str, int]  # stage → count over the whole period
    dropped: int
    drop_reasons: list[tuple[str, int]]
    conversions: list[tuple[str, float | None]]  # "stage → next", share
    now_in_stage: dict[str, int]
    matches: int
    prospects_per_match: float | None


def funnel(*, user, first: dt.date, last: dt.date) -> Funnel:
    """Counts per stage and month in [first, last] (a prospect counts in a stage in the month it reached it),
    conversion from each stage to the next (over the prospects in the period), drop-outs with reasons, and the
    prospects per realised match (general foster families and family homes whose first child came in the period)."""
    labels = dict(Stage.choices)
    prospects = list(funnel_prospects(user=user).values(*[f for _s, f in FUNNEL], "dropped_on", "drop_reason", "stage", "provider_id",
                                                         "municipality__region_id"))
    months = month_range(month_key(first), month_key(last))
    counts = {mo: {s: 0 for s, _f in FUNNEL} | {"afgehaakt": 0} for mo in months}
    totals = {s: 0 for s, _f in FUNNEL}
    reasons: dict[str, int] = {}
    dropped = 0
    for p in prospects:
        for stage, f in FUNNEL:
            day = p[f]
            if day is not None and first <= day <= last:
                counts[month_key(day)][stage] += 1
                totals[stage] += 1
        if p["dropped_on"] is not None and first <= p["dropped_on"] <= last:
            counts[month_key(p["dropped_on"])]["afgehaakt"] += 1
            dropped += 1
            reasons[p["drop_reason"]] = reasons.get(p["drop_reason"], 0) + 1
    codes = [s for s, _f in FUNNEL]
    conversions = []
    for a, b in zip(codes, codes[1:], strict=False):
        conversions.append((f"{labels[a]} → {labels[b]}", totals[b] / totals[a] if totals[a] else None))
    conversions.append((f"{labels[codes[0]]} → {labels[codes[-1]]}", totals[codes[-1]] / totals[codes[0]] if totals[codes[0]] else None))
    now = {s: 0 for s in codes} | {"afgehaakt": 0}
    for p in prospects:
        now[p["stage"]] = now.get(p["stage"], 0) + 1
    placements = FosterPlacement.objects.exclude(family__kind=FamilyKind.NETWORK)
    if is_fostercare(user):
        placements = placements.filter(family__provider_id=user.provider_id)
    elif user.scope_region_id:
        placements = placements.filter(family__municipality__region_id=user.scope_region_id)
    elif not roles.is_admin(user):
        placements = placements.none()
    firsts = placements.values("family_id").annotate(first=Min("episode__start_date")).values_list("first", flat=True)
    matches = sum(1 for d in firsts if first <= d <= last)
    drop_names = dict(DropReason.choices)
    return Funnel(
        stages=[(s, str(labels[s])) for s in codes] + [("afgehaakt", str(labels["afgehaakt"]))],
        months=months, counts=counts, totals=totals, dropped=dropped,
        drop_reasons=sorted(((str(drop_names.get(k, k or "–")), v) for k, v in reasons.items()), key=lambda kv: -kv[1]),
        conversions=conversions, now_in_stage=now, matches=matches,
        prospects_per_match=(totals[codes[0]] / matches) if matches else None,
    )


def families_leaving(*, user, first: dt.date, last: dt.date) -> list[tuple[str, int]]:
    """Families that stopped in [first, last] per reason (most frequent first), scoped like the funnel: a provider's
    own families for its worker, the region's for the project team, all for an administrator without a region."""
    from .models import FamilyStatusChange, StopReason

    qs = FamilyStatusChange.objects.filter(status=FamilyStatus.STOPPED, date__gte=first, date__lte=last)
    if is_fostercare(user):
        qs = qs.filter(family__provider_id=user.provider_id)
    elif (roles.is_project(user) or roles.is_admin(user)) and user.scope_region_id:
        qs = qs.filter(family__municipality__region_id=user.scope_region_id)
    elif not roles.is_admin(user):
        return []
    names = dict(StopReason.choices)
    rows = qs.values("reason").annotate(n=Count("id")).order_by("-n", "reason")
    return [(str(names.get(r["reason"], r["reason"] or "–")), r["n"]) for r in rows]


# ------------------------------------------------------------------------------------------- start page
@dataclass
class Overview:
    families: int
    active: int
    in_training: int
    free_places: int
    children: int
    open_risks: int
    prospects: int


def overview(*, user, day: dt.date | None = None) -> Overview:
    day = day or timezone.localdate()
    families = list(family_scope(user=user))
    active = [f for f in families if f.status in OPEN_STATUSES]
    running = placement_scope(user=user).filter(episode__start_date__lte=day).filter(Q(episode__end_date__isnull=True) | Q(episode__end_date__gt=day))
    per_family: dict[int, int] = {}
    for fam in running.values_list("family_id", flat=True):
        per_family[fam] = per_family.get(fam, 0) + 1
    return Overview(
        families=len(families), active=len(active),
        in_training=sum(1 for f in families if f.status == "in_opleiding"),
        free_places=sum(max(0, f.places - per_family.get(f.pk, 0)) for f in active),
        children=running.count(),
        open_risks=risk_scope(user=user).filter(status=RiskStatus.OPEN).count(),
        prospects=prospect_scope(user=user).exclude(stage__in=(Stage.APPROVED, Stage.DROPPED)).count(),
    )


def child_age(child: Child, day: dt.date | None = None) -> int:
    return age_on(child.birth_date, day or timezone.localdate())


def open_foster_episodes(*, child: Child) -> QuerySet[Episode]:
    return Episode.objects.filter(child=child, care_form__with_stay=True, care_form__family_based=True, end_date__isnull=True)

