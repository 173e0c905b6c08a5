"""Crisis figures for the snapshot run ("crisis als kans", issue 16): how many crises, and how many are followed by a
placement or end at home.

`crisis_series(data_date=, region=)` returns the tuples of monitoring.registry's series providers (group and band
"all"); one query for the crisis episodes and contacts, one for the stay episodes of those children.

Definitions (the contract; also on the definitions page):
- A crisis event is the start of an episode in a crisis care form (CareForm.crisis) or a crisis contact. Events of
  one child within 30 days after the first event of a crisis belong to that crisis (a contact followed by a crisis
  placement is one crisis); the crisis's day d is its first event, its municipality that event's.
- crises (month; quarters and years add up): crises whose day falls in the month.
- crisis_placement_30d / crisis_placement_90d (quarter, year): of the crises of the period, the share followed by a
  placement: a stay episode in a care form that is not crisis care starting in [d, d + 30 / 90 days]. Known once
  30 / 90 days have passed after the period's last day (registry window_days).
- crisis_home_90d (quarter, year): of the crises of the period, the share with the child in no stay episode at all
  (crisis or other) on day d + 90.
- Each share is stored with its denominator `<metric>_n` (the crises of the period) for its 95% interval.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from core.periods import month_key, quarter_end, quarter_key
from monitoring.registry import ProviderScopes
from placements.models import Episode, Region

from .models import CrisisContact

Series = tuple[str, str, str, str, str, dict]
SAME_CRISIS_DAYS = 30
NEVER = dt.date.max
SHARES = (("crisis_placement_30d", 30), ("crisis_placement_90d", 90), ("crisis_home_90d", 90))


def _emit(counts: dict, metric: str) -> list[Series]:
    return [(level, scope, "all", "all", metric, dict(sorted(values.items()))) for (level, scope), values in counts.items() if values]


def _period_end(period: str) -> dt.date:
    return quarter_end(period) if "Q" in period else dt.date(int(period), 12, 31)


def crises_of(events: list[tuple[dt.date, int]]) -> list[tuple[dt.date, int]]:
    """(day, municipality) of each crisis of one child from its events: an event within 30 days after the first
    event of a crisis belongs to that crisis."""
    crises: list[tuple[dt.date, int]] = []
    for day, muni in sorted(events):
        if crises and day <= crises[-1][0] + dt.timedelta(days=SAME_CRISIS_DAYS):
            continue
        crises.append((day, muni))
    return crises


def crisis_series(*, data_date: dt.date, region: Region | str | None = None) -> list[Series]:
    scopes = ProviderScopes(region)
    events: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for child_id, muni, start in (Episode.objects.filter(scopes.filter("municipality"), care_form__crisis=True, start_date__lte=data_date)
                                  .values_list("child_id", "municipality_id", "start_date")):
        events[child_id].append((start, muni))
    for child_id, muni, day in (CrisisContact.objects.filter(scopes.filter("municipality"), date__lte=data_date)
                                .values_list("child_id", "municipality_id", "date")):
        events[child_id].append((day, muni))
    stays: dict[int, list[tuple[dt.date, dt.date, bool]]] = defaultdict(list)
    if events:
        for child_id, start, end, crisis in (Episode.objects.filter(child_id__in=list(events), care_form__with_stay=True,
                                                                    start_date__lte=data_date)
                                             .values_list("child_id", "start_date", "end_date", "care_form__crisis")):
            stays[child_id].append((start, end or NEVER, crisis))

    monthly: dict = defaultdict(lambda: defaultdict(int))
    tallies = {metric: defaultdict(lambda: defaultdict(lambda: [0, 0])) for metric, _days in SHARES}
    for child_id, child_events in events.items():
        for day, muni in crises_of(child_events):
            keys = scopes.of(muni)
            for key in keys:
                monthly[key][month_key(day)] += 1
            child_stays = stays.get(child_id, [])
            outcome = {
                "crisis_placement_30d": any(not c and day <= s <= day + dt.timedelta(days=30) for s, _e, c in child_stays),
                "crisis_placement_90d": any(not c and day <= s <= day + dt.timedelta(days=90) for s, _e, c in child_stays),
                "crisis_home_90d": not any(s <= day + dt.timedelta(days=90) < e for s, e, _c in child_stays),
            }
            for metric, days in SHARES:
                for period in (quarter_key(day), str(day.year)):
                    if _period_end(period) + dt.timedelta(days=days) > data_date:
                        continue  # the window of some crisis of the period is still open: not known yet
                    for key in keys:
                        tallies[metric][key][period][0] += 1
                        tallies[metric][key][period][1] += outcome[metric]
    out = _emit({k: {m: n for m, n in v.items() if m <= month_key(data_date)} for k, v in monthly.items()}, "crises")
    for metric, _days in SHARES:
        out += _emit({k: {p: round(a / n, 6) for p, (n, a) in v.items() if n} for k, v in tallies[metric].items()}, metric)
        out += _emit({k: {p: n for p, (n, _a) in v.items() if n} for k, v in tallies[metric].items()}, f"{metric}_n")
    return out
