"""Casework figures for the snapshot run (metrics.md, "Casework figures" and prevented_6m/12m).

`casework_series(data_date=, region=)` returns the same tuples as monitoring.series.frame_series:
(level, scope, group, band, metric, {period: value}); group "all" (signals also per signaller), band "all". For a region: one series per
municipality (CBS code) and one for the region (its name); for region=None: the country ("NL"). Set-wise:
one query per table, whatever the number of months. Only records dated on or before the data date count.

Definitions and the choices made where metrics.md leaves room:
- ret_cases (month): distinct cases, counted in the month of their first RET review (so months add up to
  distinct cases over any period). ret_cases_gi_invited: of those with a GI involved, the ones whose GI was
  invited to that first review.
- case_week_cases (month): distinct children (under 12 at the reviewed placement), counted in the month of
  their first Week van de Casus review.
- placements_prevented (month): cases closed with "kind blijft thuis" and no stay episode active on any day
  of [closed_on, closed_on + 183 days]; counted in the month of closing, and only once closed_on + 183 days
  is on or before the data date (so a later run adds cases closed half a year before its data date).
- prevented_6m / prevented_12m (quarter "YYYY-Qn", year "YYYY"): children with a case opened in the period
  (their first in the period); the share with no stay episode starting within [opened_on, opened_on + 183 /
  365 days]. Reported only once the period's last day + 183 / 365 days is on or before the data date.
- jim_families / systemic_families (month, peildatum L = last day): distinct children with an active JIM /
  SYS episode on L (start <= L < end); ..._monitored: of those, with a follow-up of such an episode dated in
  [L - 92 days, L]. Counted at the episode's municipality; distinct at each level.
- residential_checklists (month): residential placements (stay, rung >= 5) starting in the month whose
  checklist was completed on or before the start date. residential_checklists_share (year): that number /
  all residential placements starting in the year.
- signals, ret_advice_followed_6m, jim_home_6m/12m, systemic_home_6m/12m: see casework.outcomes.
- Each share is stored with its denominator as `<metric>_n` (prevented_6m_n, prevented_12m_n,
  residential_checklists_share_n): the number of children or placements it is a share of, for its 95% interval.
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict

from core.periods import month_end, month_key, month_range, quarter_end, quarter_key
from monitoring.registry import ProviderScopes
from placements.models import Episode, Region

from . import outcomes
from .models import CaseWeekReview, Outcome, Party, RetReview, ThreatCase, TrajectoryFollowUp
from .services import JIM_CODE, SYSTEMIC_CODE

PREVENTED_DAYS = 183
PREVENTED_12M_DAYS = 365
MONITOR_DAYS = 92

Series = tuple[str, str, str, str, str, dict]


def months_between(first: dt.date, last: dt.date) -> list[tuple[str, dt.date]]:
    """(month key, last day) of every month from `first`'s to `last`'s."""
    return [(m, month_end(int(m[:4]), int(m[5:]))) for m in month_range(month_key(first), month_key(last))]


_Scopes = ProviderScopes


def _emit(counts: dict, metric: str) -> list[Series]:
    return [(level, scope, "all", "all", metric, dict(sorted(values.items()))) for (level, scope), values in counts.items() if values]


def _count(scopes: _Scopes, rows, metric: str) -> list[Series]:
    """rows: (municipality id, period) per counted item → counts per scope and period."""
    counts: dict = defaultdict(lambda: defaultdict(int))
    for muni, period in rows:
        for key in scopes.of(muni):
            counts[key][period] += 1
    return _emit(counts, metric)


def casework_series(*, data_date: dt.date, region: Region | None = None) -> list[Series]:
    scopes = _Scopes(region)
    out: list[Series] = []

    # --- cases (one query) and the stay episodes of their children (one query)
    cases = list(
        ThreatCase.objects.filter(scopes.filter("municipality"), opened_on__lte=data_date)
        .values("id", "child_id", "municipality_id", "opened_on", "closed_on", "outcome", "gi_involved", "signaller")
    )
    stays: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    if cases:
        child_ids = ThreatCase.objects.filter(scopes.filter("municipality"), opened_on__lte=data_date).values("child_id")
        for child_id, start, end in Episode.objects.filter(child_id__in=child_ids, care_form__with_stay=True,
                                                          start_date__lte=data_date).values_list("child_id", "start_date", "end_date"):
            stays[child_id].append((start, end))

    # --- RET reviews (one query)
    first_review: dict[int, tuple[dt.date, list]] = {}
    for case_id, day, invited in (RetReview.objects.filter(scopes.filter("case__municipality"), review_date__lte=data_date)
                                  .order_by("review_date", "id").values_list("case_id", "review_date", "invited")):
        first_review.setdefault(case_id, (day, invited))
    by_id = {c["id"]: c for c in cases}
    ret_rows, gi_rows = [], []
    for case_id, (day, invited) in first_review.items():
        case = by_id.get(case_id)
        if case is None:
            continue
        ret_rows.append((case["municipality_id"], month_key(day)))
        if case["gi_involved"] and Party.GI in (invited or []):
            gi_rows.append((case["municipality_id"], month_key(day)))
    out += _count(scopes, ret_rows, "ret_cases")
    out += _count(scopes, gi_rows, "ret_cases_gi_invited")

    # --- placements prevented
    prevented = []
    for c in cases:
        closed = c["closed_on"]
        if c["outcome"] != Outcome.STAYS_HOME or closed is None or closed > data_date:
            continue
        horizon = closed + dt.timedelta(days=PREVENTED_DAYS)
        if horizon > data_date:
            continue
        if any(start <= horizon and (end is None or end > closed) for start, end in stays[c["child_id"]]):
            continue
        prevented.append((c["municipality_id"], month_key(closed)))
    out += _count(scopes, prevented, "placements_prevented")

    # --- prevented_6m / prevented_12m per quarter and year of opening
    first_open: dict[tuple[str, int], dict] = {}
    for c in sorted(cases, key=lambda c: (c["opened_on"], c["id"])):
        for period in (quarter_key(c["opened_on"]), str(c["opened_on"].year)):
            first_open.setdefault((period, c["child_id"]), c)
    for metric, days in (("prevented_6m", PREVENTED_DAYS), ("prevented_12m", PREVENTED_12M_DAYS)):
        tallies: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
        for (period, child_id), c in first_open.items():
            end = quarter_end(period) if "Q" in period else dt.date(int(period), 12, 31)
            if end + dt.timedelta(days=days) > data_date:
                continue
            opened = c["opened_on"]
            limit = opened + dt.timedelta(days=days)
            ok = not any(opened <= start <= limit for start, _end in stays[child_id])
            for key in scopes.of(c["municipality_id"]):
                tallies[key][period][0] += 1
                tallies[key][period][1] += ok
        shares = {key: {p: round(kept / n, 6) for p, (n, kept) in periods.items() if n} for key, periods in tallies.items()}
        out += _emit(shares, metric)
        # the denominator, for the share's 95% interval and its publication check (registry.SHARE_DENOMINATORS)
        out += _emit({key: {p: n for p, (n, _kept) in periods.items() if n} for key, periods in tallies.items()}, f"{metric}_n")

    # --- Week van de Casus (one query)
    first_week: dict[int, tuple[int, dt.date]] = {}
    for child_id, muni, day in (CaseWeekReview.objects.filter(scopes.filter("municipality"), review_date__lte=data_date)
                                .order_by("review_date", "id").values_list("child_id", "municipality_id", "review_date")):
        first_week.setdefault(child_id, (muni, day))
    out += _count(scopes, [(muni, month_key(day)) for muni, day in first_week.values()], "case_week_cases")

    # --- JIM / systemic families (one query for the episodes, one for their follow-ups)
    episodes = list(
        Episode.objects.filter(scopes.filter("municipality"), care_form__code__in=(JIM_CODE, SYSTEMIC_CODE), start_date__lte=data_date)
        .values_list("id", "child_id", "municipality_id", "care_form__code", "start_date", "end_date")
    )
    follow_ups: dict[int, list[dt.date]] = defaultdict(list)
    if episodes:
        for episode_id, day in (TrajectoryFollowUp.objects.filter(scopes.filter("episode__municipality"),
                                                                   episode__care_form__code__in=(JIM_CODE, SYSTEMIC_CODE),
                                                                   date__lte=data_date)
                                .values_list("episode_id", "date")):
            follow_ups[episode_id].append(day)
        first = min(e[4] for e in episodes)
        months = months_between(first, data_date)
        month_lasts = [last for _label, last in months]
        for code, metric in ((JIM_CODE, "jim_families"), (SYSTEMIC_CODE, "systemic_families")):
            active: dict = defaultdict(lambda: defaultdict(set))
            monitored: dict = defaultdict(lambda: defaultdict(set))
            for eid, child_id, muni, form, start, end in episodes:
                if form != code:
                    continue
                dates = sorted(follow_ups.get(eid, ()))
                keys = scopes.of(muni)
                # only the months whose last day lies in [start, end): found by bisection, not by a scan
                lo = bisect.bisect_left(month_lasts, start)
                hi = len(month_lasts) if end is None else bisect.bisect_left(month_lasts, end)
                for label, last in months[lo:hi]:
                    if last > data_date:
                        continue
                    seen = any(last - dt.timedelta(days=MONITOR_DAYS) <= d <= last for d in dates)
                    for key in keys:
                        active[key][label].add(child_id)
                        if seen:
                            monitored[key][label].add(child_id)
            out += _emit({k: {p: len(s) for p, s in v.items()} for k, v in active.items()}, metric)
            out += _emit({k: {p: len(s) for p, s in v.items()} for k, v in monitored.items()}, f"{metric}_monitored")

    # --- residential checklists (one query, checklist joined)
    with_list, per_year = [], defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for muni, start, done in (Episode.objects.filter(scopes.filter("municipality"), care_form__with_stay=True, care_form__rung__gte=5,
                                                     start_date__lte=data_date)
                              .values_list("municipality_id", "start_date", "residential_checklist__completed_on")):
        ok = done is not None and done <= start
        if ok:
            with_list.append((muni, month_key(start)))
        for key in scopes.of(muni):
            per_year[key][str(start.year)][0] += 1
            per_year[key][str(start.year)][1] += ok
    out += _count(scopes, with_list, "residential_checklists")
    out += _emit({k: {y: round(w / n, 6) for y, (n, w) in v.items() if n} for k, v in per_year.items()}, "residential_checklists_share")
    out += _emit({k: {y: n for y, (n, _w) in v.items() if n} for k, v in per_year.items()}, "residential_checklists_share_n")

    # --- outcomes (casework.outcomes): who signals, RET advice followed, JIM and systemic families still at home
    out += outcomes.signal_series(scopes, cases)
    out += outcomes.ret_follow_up_series(scopes, data_date)
    out += outcomes.home_after_trajectory_series(scopes, data_date, {JIM_CODE: "jim_home", SYSTEMIC_CODE: "systemic_home"})
    return out
