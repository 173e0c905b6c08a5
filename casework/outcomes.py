"""Outcome figures of the casework (issue 17; computed in the casework part of the snapshot run, shown in the
dashboard's and the report's "Uitkomsten"): who signals threatened placements, whether RET advice is still followed
after six months, and whether the children of JIM and systemic families are still at home after 6 and 12 months.

- signals (month; quarters and years add up; group = the signaller, and "all"): threatened-placement cases opened in
  the month, each case once, counted at the case's municipality. Shares per quarter are read as signals of a group /
  signals of "all" (both published counts).
- ret_advice_followed_6m (quarter, year of the review date): of the RET reviews in the period that have a follow-up
  dated 183 days or more after the review (on or before the data date), the share whose first such follow-up says the
  advice is still followed ("ja"; "deels" and "nee" are not). Stored with its denominator `_n`. Measurable once 183
  days have passed after the period (a follow-up recorded later still enters a later run).
- jim_home_6m / jim_home_12m, systemic_home_6m / systemic_home_12m (quarter, year of the trajectory's start): of the
  children whose JIM (systemic) trajectory started in the period (their first in the period), the share with no stay
  episode starting within [start, start + 183 / 365 days]. Counted at the trajectory's municipality; measurable once
  183 / 365 days have passed after the period. Stored with `_n`.
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict

from core.periods import quarter_end, quarter_key
from monitoring.registry import ProviderScopes
from placements.models import Episode

from .models import AdviceFollowed, RetFollowUp, RetReview

Series = tuple[str, str, str, str, str, dict]
FOLLOW_UP_DAYS = 183
HOME_WINDOWS = (("6m", 183), ("12m", 365))


def _period_end(period: str) -> dt.date:
    return quarter_end(period) if "Q" in period else dt.date(int(period), 12, 31)


def _periods(day: dt.date) -> tuple[str, str]:
    return quarter_key(day), str(day.year)


def _shares(tallies: dict, metric: str) -> list[Series]:
    """tallies {(level, scope): {period: [n, yes]}} → the share series and its `_n` series (group and band "all")."""
    out = []
    for (level, scope), periods in tallies.items():
        share = {p: round(yes / n, 6) for p, (n, yes) in sorted(periods.items()) if n}
        if share:
            out.append((level, scope, "all", "all", metric, share))
            out.append((level, scope, "all", "all", f"{metric}_n", {p: n for p, (n, _y) in sorted(periods.items()) if n}))
    return out


def signal_series(scopes: ProviderScopes, cases: list[dict]) -> list[Series]:
    counts: dict = defaultdict(lambda: defaultdict(int))
    for c in cases:
        month = c["opened_on"].strftime("%Y-%m")
        for level, scope in scopes.of(c["municipality_id"]):
            counts[(level, scope, c["signaller"])][month] += 1
            counts[(level, scope, "all")][month] += 1
    return [(level, scope, group, "all", "signals", dict(sorted(values.items()))) for (level, scope, group), values in counts.items()]


def ret_follow_up_series(scopes: ProviderScopes, data_date: dt.date) -> list[Series]:
    reviews = {pk: (day, muni) for pk, day, muni in RetReview.objects.filter(scopes.filter("case__municipality"), review_date__lte=data_date)
               .values_list("pk", "review_date", "case__municipality_id")}
    first: dict[int, str] = {}
    for review_id, day, followed in (RetFollowUp.objects.filter(review_id__in=list(reviews), date__lte=data_date)
                                     .order_by("date", "pk").values_list("review_id", "date", "advice_followed")):
        if review_id not in first and day >= reviews[review_id][0] + dt.timedelta(days=FOLLOW_UP_DAYS):
            first[review_id] = followed
    tallies: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for review_id, followed in first.items():
        day, muni = reviews[review_id]
        for period in _periods(day):
            if _period_end(period) + dt.timedelta(days=FOLLOW_UP_DAYS) > data_date:
                continue
            for key in scopes.of(muni):
                tallies[key][period][0] += 1
                tallies[key][period][1] += followed == AdviceFollowed.YES
    return _shares(tallies, "ret_advice_followed_6m")


def home_after_trajectory_series(scopes: ProviderScopes, data_date: dt.date, codes: dict[str, str]) -> list[Series]:
    """codes: care-form code → metric prefix ("JIM" → "jim_home"). One pass over the trajectories: each child's next
    stay start after the trajectory's start is found by bisection, and both windows are judged from it."""
    trajectories = Episode.objects.filter(scopes.filter("municipality"), care_form__code__in=list(codes), start_date__lte=data_date)
    stay_starts: dict[int, list[dt.date]] = defaultdict(list)
    for child_id, start in (Episode.objects.filter(child_id__in=trajectories.values("child_id"), care_form__with_stay=True,
                                                   start_date__lte=data_date).values_list("child_id", "start_date")):
        stay_starts[child_id].append(start)
    for starts in stay_starts.values():
        starts.sort()
    measurable = {days: {} for _suffix, days in HOME_WINDOWS}  # window → period → measurable by the data date
    seen: set[tuple[str, str, int]] = set()
    tallies: dict[str, dict] = {f"{prefix}_{suffix}": defaultdict(lambda: defaultdict(lambda: [0, 0]))
                                for prefix in codes.values() for suffix, _days in HOME_WINDOWS}
    for child_id, muni, form, start in trajectories.order_by("start_date", "pk").values_list("child_id", "municipality_id",
                                                                                            "care_form__code", "start_date"):
        starts = stay_starts.get(child_id, ())
        i = bisect.bisect_left(starts, start)
        next_stay = starts[i] if i < len(starts) else None
        keys = scopes.of(muni)
        for period in _periods(start):
            if (form, period, child_id) in seen:
                continue  # a child's first trajectory of the form in the period
            seen.add((form, period, child_id))
            for suffix, days in HOME_WINDOWS:
                ok = measurable[days].get(period)
                if ok is None:
                    ok = measurable[days][period] = _period_end(period) + dt.timedelta(days=days) <= data_date
                if not ok:
                    continue
                home = next_stay is None or next_stay > start + dt.timedelta(days=days)
                tally = tallies[f"{codes[form]}_{suffix}"]
                for key in keys:
                    cell = tally[key][period]
                    cell[0] += 1
                    cell[1] += home
    out = []
    for metric, tally in tallies.items():
        out += _shares(tally, metric)
    return out
