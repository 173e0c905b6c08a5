"""Foster-care figures for the snapshot run (metrics.md: `breakdowns_prevented`; the issue's foster-care figures).

`fostercare_series(data_date=, region=)` returns the same tuples as casework.figures / monitoring.series.frame_series:
(level, scope, group, band, metric, {period: value}); band "all", group "all" unless said otherwise. For a region:
one series per municipality (CBS code) and one for the region (its name); for region=None: the country ("NL").
One query per table, whatever the number of months; only records dated on or before the data date count.
`breakdowns` and `foster_breakdown_12m` are episode figures of the monitoring engine (not repeated here).

"Foster episode" below: an episode of a family-based form with stay (foster care, network foster care,
family home: PLZ, NPZ, GZH in the default taxonomy). "Foster care" in the narrow sense (foster_children) is the
family-based stay forms with CBS hulpvorm 11 (pleegzorg, PLZ + NPZ).

Definitions and the choices made where metrics.md leaves room:
- breakdowns_prevented (month): metrics.md says "foster-care risk registrations resolved without a breakdown
  within 183 days". Read as: a risk counts when it is resolved as "placement stable" on or before its
  registration date + 183 days, and the placement does not break down in [registered_on, registered_on + 183
  days] as far as known on the data date (a later run removes it again when the placement breaks down inside
  that window). Counted in the month of resolving, at the municipality of the foster episode. The placement
  "breaks down" when its episode ends in the window with a one-sided end reason (iJw 32/33, the engine's
  breakdown reasons), or ends within 30 days before a stay episode of a higher rung starts (the engine's
  escalation rule, read from the child's episodes), or another risk of the same placement is resolved in the
  window as ended for any reason but a planned move. (The other reading — resolved, and still no breakdown
  183 days after resolving — would only count a resolution half a year later; this one counts it when it
  happens and corrects it when the placement breaks down within the half year after the risk was raised.)
- foster_breakdowns_registered (month): risks resolved in the month as "placement ended" for a reason other
  than a planned move; group "all" and one group per reason code (ChangeReason).
- foster_risks_registered (month): risks registered in the month.
- foster_at_risk (month, peildatum L): distinct placements with a risk open on L (registered_on <= L and not
  resolved on or before L). One open risk per placement at a time (the service refuses a second).
- foster_at_risk_days (month): days in the month on which a risk was open (registered_on up to the day before
  resolved_on, at most the data date), summed over risks.
- foster_escalations (month): residential or closed episodes (stay, rung >= 5) starting in the month of a
  child who was in a foster episode up to then (that episode active on the start day or ending at most 30 days
  before it — the engine's gap rule) and in no residential or closed episode the day before. Counted at the
  municipality of the residential episode ("escalations from foster care to residential care").
- foster_children (month, peildatum L): distinct children with a pleegzorg episode (CBS 11) active on L, computed
  at each level itself (a child in two municipalities counts once in the region). The Nijmegen-style "foster
  care +11%" target uses it, so network foster care counts too.
- foster_families_active (month, L): families whose status on L (their last status change dated on or before L)
  is "approved" or "active" — available or caring; paused, in training and stopped families do not count.
  Group "all" and one group per family kind (netwerk, bestand, gezinshuis). Counted at the family's municipality.
- foster_families_leaving (month): families whose status changed to "stopped" in the month; group "all" and one
  group per stop reason.
- foster_free_places (month, L): over the families counted in foster_families_active on L: the sum of
  max(0, places − children placed on L). `places` is the family's current capacity (capacity has no history).
  Groups as for foster_families_active.
- foster_places (month, L): over the families counted in foster_families_active on L: the sum of their places
  (capacity, as above: current). Groups as for foster_families_active, plus "pleeggezin" (network and general
  foster families together: the foster-care places of seed 004's "+20 plaatsen pleegzorg").
- recruitment (month): prospective foster parents reaching a stage in the month (the date of that stage);
  group = the stage (informatieavond, intake, training, beoordeling, goedgekeurd, afgehaakt). Counted at the
  prospect's municipality. Not a count of children (no small-number suppression).
- recruitment_conversion (year): prospects approved in the year / prospects at an information evening in the
  year (a flow ratio, not a cohort: the pipeline takes most of a year).
- prospects_per_match (year): prospects at an information evening in the year / realised matches in the year: general
  foster families and family homes (not network families, who are not recruited) whose first child came in the year
  (the documents' "about 8 prospects per match" counts prospects per new foster family that actually took a child).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Min, Q

from core.periods import month_key, month_number, month_number_end, month_number_key
from monitoring.registry import ProviderScopes
from placements.models import Episode, Region

from .models import (
    ChangeReason,
    FamilyKind,
    FamilyStatus,
    FamilyStatusChange,
    FosterFamily,
    FosterPlacement,
    PlacementRisk,
    Prospect,
    RiskOutcome,
)

PREVENTED_DAYS = 183
GAP_DAYS = 30
BREAKDOWN_END_REASONS = frozenset({"32", "33"})
ACTIVE_FAMILY = (FamilyStatus.APPROVED, FamilyStatus.ACTIVE)
FOSTER_CBS = "11"
FOSTER_FAMILIES = "pleeggezin"  # the group of network and general foster families together (foster_places)

Series = tuple[str, str, str, str, str, dict]


_Scopes = ProviderScopes


def _emit(counts: dict, metric: str) -> list[Series]:
    """counts: {(level, scope, group): {period: value}}"""
    return [(level, scope, group, "all", metric, dict(sorted(values.items())))
            for (level, scope, group), values in counts.items() if values]


def _tally(scopes: _Scopes, rows, metric: str) -> list[Series]:
    """rows: (municipality id, period, groups, weight) → sums per scope, group and period."""
    counts: dict = defaultdict(lambda: defaultdict(int))
    for muni, period, groups, weight in rows:
        for level, scope in scopes.of(muni):
            for group in groups:
                counts[(level, scope, group)][period] += weight
    return _emit(counts, metric)


def _months(first: dt.date, data_date: dt.date) -> range:
    """Month indexes from `first` up to the last month whose last day is on or before the data date."""
    last = month_number(data_date)
    if month_number_end(last) > data_date:
        last -= 1
    return range(month_number(first), last + 1)


def fostercare_series(*, data_date: dt.date, region: Region | None = None) -> list[Series]:
    scopes = _Scopes(region)
    out: list[Series] = []
    out += _risk_series(scopes, data_date)
    out += _escalation_series(scopes, data_date)
    out += _foster_children_series(scopes, data_date)
    out += _family_series(scopes, data_date)
    out += _recruitment_series(scopes, data_date)
    return out


# ------------------------------------------------------------------------------------------- risks
def _risk_series(scopes: _Scopes, data_date: dt.date) -> list[Series]:
    risks = list(
        PlacementRisk.objects.filter(scopes.filter("placement__episode__municipality"), registered_on__lte=data_date)
        .values_list("id", "placement_id", "placement__episode__child_id", "placement__episode__municipality_id",
                     "placement__episode__care_form__rung", "placement__episode__end_date", "placement__episode__end_reason",
                     "registered_on", "resolved_on", "outcome", "reason")
    )
    if not risks:
        return []
    # stay episodes of these children (one query): for the escalation part of "breaks down"
    child_ids = {r[2] for r in risks}
    stays: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for child_id, start, rung in (Episode.objects.filter(child_id__in=child_ids, care_form__with_stay=True, start_date__lte=data_date)
                                  .values_list("child_id", "start_date", "care_form__rung")):
        stays[child_id].append((start, rung))
    ended_by_risk: dict[int, list[dt.date]] = defaultdict(list)  # placement → dates of risks resolved as a breakdown
    for _id, placement, _c, _m, _r, _e, _er, _reg, resolved, outcome, reason in risks:
        if resolved is not None and resolved <= data_date and outcome == RiskOutcome.ENDED and reason != ChangeReason.PLANNED:
            ended_by_risk[placement].append(resolved)

    def broke_down(placement, child, rung, end, end_reason, lo: dt.date, hi: dt.date) -> bool:
        if any(lo <= d <= hi for d in ended_by_risk.get(placement, ())):
            return True
        if end is None or not (lo <= end <= hi):
            return False
        if end_reason in BREAKDOWN_END_REASONS:
            return True
        return any(r > rung and abs((start - end).days) <= GAP_DAYS for start, r in stays.get(child, ()))

    prevented, registered, broken, at_risk_days = [], [], [], []
    open_spans = []
    for _id, placement, child, muni, rung, end, end_reason, reg, resolved, outcome, reason in risks:
        if resolved is not None and resolved > data_date:
            resolved, outcome, reason = None, "", ""
        registered.append((muni, month_key(reg), ("all",), 1))
        if resolved is not None and outcome == RiskOutcome.STABLE and resolved <= reg + dt.timedelta(days=PREVENTED_DAYS):
            hi = min(reg + dt.timedelta(days=PREVENTED_DAYS), data_date)
            if not broke_down(placement, child, rung, end, end_reason, reg, hi):
                prevented.append((muni, month_key(resolved), ("all",), 1))
        if resolved is not None and outcome == RiskOutcome.ENDED and reason != ChangeReason.PLANNED:
            broken.append((muni, month_key(resolved), ("all", reason), 1))
        # days at risk: [reg, stop) with stop = resolved or the day after the data date
        stop = resolved if resolved is not None else data_date + dt.timedelta(days=1)
        open_spans.append((muni, placement, reg, stop))
        day = reg
        while day < stop:
            m = month_number(day)
            nxt = min(month_number_end(m) + dt.timedelta(days=1), stop)
            at_risk_days.append((muni, month_number_key(m), ("all",), (nxt - day).days))
            day = nxt
    out = _tally(scopes, prevented, "breakdowns_prevented")
    out += _tally(scopes, registered, "foster_risks_registered")
    out += _tally(scopes, broken, "foster_breakdowns_registered")
    out += _tally(scopes, at_risk_days, "foster_at_risk_days")
    # at risk on the peildatum L: distinct placements with reg <= L < stop
    stock: dict = defaultdict(lambda: defaultdict(set))
    for muni, placement, reg, stop in open_spans:
        for m in range(month_number(reg), month_number(min(stop, data_date)) + 1):
            last = month_number_end(m)
            if reg <= last < stop and last <= data_date:
                for level, scope in scopes.of(muni):
                    stock[(level, scope, "all")][month_number_key(m)].add(placement)
    out += _emit({k: {p: len(s) for p, s in v.items()} for k, v in stock.items()}, "foster_at_risk")
    return out


# ------------------------------------------------------------------------------------------- escalations
def _escalation_series(scopes: _Scopes, data_date: dt.date) -> list[Series]:
    foster = Q(care_form__with_stay=True, care_form__family_based=True)
    fostered = Episode.objects.filter(foster, start_date__lte=data_date).values("child_id")
    residential = list(
        Episode.objects.filter(scopes.filter("municipality"), care_form__with_stay=True, care_form__rung__gte=5,
                               start_date__lte=data_date, child_id__in=fostered)
        .values_list("child_id", "municipality_id", "start_date")
    )
    if not residential:
        return []
    children = {r[0] for r in residential}
    fost: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    resi: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for child, start, end, is_foster in (
        Episode.objects.filter(child_id__in=children, care_form__with_stay=True, start_date__lte=data_date)
        .filter(Q(care_form__family_based=True) | Q(care_form__rung__gte=5))
        .values_list("child_id", "start_date", "end_date", "care_form__family_based")
    ):
        (fost if is_foster else resi)[child].append((start, end))
    rows = []
    for child, muni, start in residential:
        before = start - dt.timedelta(days=1)
        if any(s <= before and (e is None or e > before) for s, e in resi[child]):
            continue  # already in residential care the day before: a move, not an escalation from foster care
        if any(s < start and (e is None or start - dt.timedelta(days=GAP_DAYS) <= e) for s, e in fost[child]):
            rows.append((muni, month_key(start), ("all",), 1))
    return _tally(scopes, rows, "foster_escalations")


# ------------------------------------------------------------------------------------------- foster children
def _foster_children_series(scopes: _Scopes, data_date: dt.date) -> list[Series]:
    """Distinct children with a pleegzorg episode active on each peildatum, via month ranges of merged intervals."""
    rows = list(
        Episode.objects.filter(scopes.filter("municipality"), care_form__with_stay=True, care_form__family_based=True,
                               care_form__cbs_code=FOSTER_CBS, start_date__lte=data_date)
        .values_list("child_id", "municipality_id", "start_date", "end_date")
    )
    if not rows:
        return []
    months = _months(min(r[2] for r in rows), data_date)
    if not months:
        return []
    last_month = months[-1]
    per_key: dict = defaultdict(lambda: defaultdict(list))  # (level, scope) → child → intervals
    for child, muni, start, end in rows:
        for key in scopes.of(muni):
            per_key[key][child].append((start, end))
    out = {}
    for key, kids in per_key.items():
        diff = defaultdict(int)
        for intervals in kids.values():
            intervals.sort(key=lambda iv: iv[0])
            merged: list[list] = []
            for s, e in intervals:
                if merged and (merged[-1][1] is None or s <= merged[-1][1]):
                    if merged[-1][1] is not None and (e is None or e > merged[-1][1]):
                        merged[-1][1] = e
                else:
                    merged.append([s, e])
            for s, e in merged:
                first = month_number(s)
                last = last_month if e is None else min(month_number(e) - 1, last_month)
                if first <= last:
                    diff[first] += 1
                    diff[last + 1] -= 1
        values, running = {}, 0
        for m in months:
            running += diff.get(m, 0)
            if running:
                values[month_number_key(m)] = running
        out[(key[0], key[1], "all")] = values
    return _emit(out, "foster_children")


# ------------------------------------------------------------------------------------------- families
def _family_series(scopes: _Scopes, data_date: dt.date) -> list[Series]:
    families = {
        pk: (muni, kind, places)
        for pk, muni, kind, places in FosterFamily.objects.filter(scopes.filter("municipality")).values_list("id", "municipality_id", "kind", "places")
    }
    if not families:
        return []
    changes: dict[int, list[tuple[dt.date, str, str]]] = defaultdict(list)
    for family, day, status, reason in (FamilyStatusChange.objects.filter(family_id__in=families, date__lte=data_date)
                                        .order_by("date", "id").values_list("family_id", "date", "status", "reason")):
        changes[family].append((day, status, reason))
    placed: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for family, start, end in (FosterPlacement.objects.filter(family_id__in=families, episode__start_date__lte=data_date)
                               .values_list("family_id", "episode__start_date", "episode__end_date")):
        placed[family].append((start, end))
    first = min((c[0][0] for c in changes.values() if c), default=None)
    if first is None:
        return []
    months = list(_months(first, data_date))
    active_rows, free_rows, place_rows, leaving = [], [], [], []
    for family, history in changes.items():
        muni, kind, places = families[family]
        groups = ("all", kind)
        place_groups = groups if kind == FamilyKind.FAMILY_HOME else (*groups, FOSTER_FAMILIES)
        for day, status, reason in history:
            if status == FamilyStatus.STOPPED:
                leaving.append((muni, month_key(day), ("all", reason or "anders"), 1))
        # children placed on each peildatum: a placement [s, e) counts in the months month(s) .. month(e) - 1
        diff: dict[int, int] = defaultdict(int)
        for s, e in placed.get(family, ()):
            diff[month_number(s)] += 1
            if e is not None:
                diff[month_number(e)] -= 1
        h, status = 0, None
        n = sum(v for k, v in diff.items() if k < months[0]) if months else 0
        for m in months:
            n += diff.get(m, 0)
            last = month_number_end(m)
            while h < len(history) and history[h][0] <= last:
                status = history[h][1]
                h += 1
            if status not in ACTIVE_FAMILY:
                continue
            active_rows.append((muni, month_number_key(m), groups, 1))
            free_rows.append((muni, month_number_key(m), groups, max(0, places - n)))
            place_rows.append((muni, month_number_key(m), place_groups, places))
    out = _tally(scopes, active_rows, "foster_families_active")
    out += _tally(scopes, free_rows, "foster_free_places")
    out += _tally(scopes, place_rows, "foster_places")
    out += _tally(scopes, leaving, "foster_families_leaving")
    return out


# ------------------------------------------------------------------------------------------- recruitment
STAGE_FIELDS = (("informatieavond", "info_on"), ("intake", "intake_on"), ("training", "training_on"),
                ("beoordeling", "assessment_on"), ("goedgekeurd", "approved_on"), ("afgehaakt", "dropped_on"))


def _recruitment_series(scopes: _Scopes, data_date: dt.date) -> list[Series]:
    prospects = list(Prospect.objects.filter(scopes.filter("municipality")).values_list("municipality_id", *[f for _s, f in STAGE_FIELDS]))
    rows = []
    info_year: dict = defaultdict(lambda: defaultdict(int))
    approved_year: dict = defaultdict(lambda: defaultdict(int))
    for muni, *dates in prospects:
        for (stage, _f), day in zip(STAGE_FIELDS, dates, strict=True):
            if day is not None and day <= data_date:
                rows.append((muni, month_key(day), (stage,), 1))
                if stage in ("informatieavond", "goedgekeurd"):
                    for key in scopes.of(muni):
                        (info_year if stage == "informatieavond" else approved_year)[key][str(day.year)] += 1
    out = _tally(scopes, rows, "recruitment")
    matches: dict = defaultdict(lambda: defaultdict(int))
    for muni, start in _first_matches(scopes, data_date):
        for key in scopes.of(muni):
            matches[key][str(start.year)] += 1
    conversion = {(*k, "all"): {y: round(approved_year[k].get(y, 0) / n, 6) for y, n in v.items() if n} for k, v in info_year.items()}
    per_match = {(*k, "all"): {y: round(n / matches[k][y], 6) for y, n in v.items() if matches.get(k, {}).get(y)} for k, v in info_year.items()}
    out += _emit(conversion, "recruitment_conversion")
    out += _emit(per_match, "prospects_per_match")
    return out


def _first_matches(scopes: _Scopes, data_date: dt.date) -> list[tuple[int, dt.date]]:
    """Realised matches: (family municipality, start of the family's first placement) of every general foster family
    and family home (network families are not recruited) whose first child came on or before the data date."""
    first = (FosterPlacement.objects.filter(scopes.filter("family__municipality"), episode__start_date__lte=data_date)
             .exclude(family__kind=FamilyKind.NETWORK).values("family_id", "family__municipality_id")
             .annotate(first=Min("episode__start_date")).values_list("family__municipality_id", "first"))
    return list(first)
