"""Court-order figures for the snapshot run: children under a child-protection measure, new measures, and how many
entries into stay care are court-ordered (issue 16; seed 000: "bijna 45 procent van de uithuisplaatsingen komt voort
uit een gedwongen kader", seed 004: "10% minder inzet dwangmaatregelen in 2020 in verhouding tot 2017").

`protection_series(data_date=, region=)` returns the tuples of monitoring.registry's series providers:
(level, scope, group, band, metric, {period: value}); band "all". For a region: one series per municipality (CBS
code) and one for the region; for region=None the country ("NL"); for ALL_SCOPES all three levels. Set-wise: one
query for the measures and one for the stay episodes, whatever the number of months. Only what started on or before
the data date counts, and a month counts only once its last day is on or before the data date.

Definitions (metrics.md has none yet; these are the contract, also on the definitions page):
- measure_children (month, group "all"): distinct children with a measure active on the month's last day L
  (start <= L < end; an open end is +inf), counted at the measure's municipality; distinct at each level.
- measure_starts (month; quarters and years add up; group "all"): measures whose start date falls in the month
  (each record: a provisional OTS followed by an OTS is two measures), at the measure's municipality.
- stay_entries_court (month; quarters and years add up; group "all"): entries into stay care that are court-ordered. An entry
  is a stay episode starting on day s while the child is in no stay episode on s - 1 (the engine's `entries` of the
  group "stay", counted as events: a child entering twice in a period counts twice); it is court-ordered when the
  episode's legal framework is an order (placements.models.COURT_ORDERED) or the child is under a measure on s.
  Counted at the episode's municipality.
- stay_entries_referrer (month; quarters and years add up; group = the episode's referrer code, "onbekend" without
  one): the same entries into stay care by who referred (vroegsignalering, seed 000 §2.2.10). It lives here because
  the entries are counted here; the share of a referrer in a quarter is read as these entries / all entries of the
  quarter (stay_entries_court_share_n). No group "all": that total is the share's denominator.
- stay_entries_court_share (quarter, year; group "all"): stay_entries_court / all entries into stay care of the
  period, stored with its denominator stay_entries_court_share_n for the 95% interval and the publication check.
"""
from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict

from core.periods import month_end, month_key, month_range, quarter_end, quarter_key
from monitoring.registry import ProviderScopes
from placements.models import COURT_ORDERED, Episode, Region

from .models import Measure

Series = tuple[str, str, str, str, str, dict]
NEVER = dt.date.max
UNKNOWN_REFERRER = "onbekend"  # the group of entries whose episode has no referrer


def _emit(counts: dict, metric: str, group: str) -> list[Series]:
    return [(level, scope, group, "all", metric, dict(sorted(values.items())))
            for (level, scope), values in counts.items() if values]


def _periods(day: dt.date) -> tuple[str, str, str]:
    return month_key(day), quarter_key(day), str(day.year)


def _complete(period: str, data_date: dt.date) -> bool:
    """A month, quarter or year counts once its last day is on or before the data date."""
    if "Q" in period:
        return quarter_end(period) <= data_date
    if "-" in period:
        return month_end(int(period[:4]), int(period[5:])) <= data_date
    return dt.date(int(period), 12, 31) <= data_date


def _active_on(spans: list[tuple[dt.date, dt.date]], day: dt.date) -> bool:
    return any(start <= day < end for start, end in spans)


def protection_series(*, data_date: dt.date, region: Region | str | None = None) -> list[Series]:
    scopes = ProviderScopes(region)
    out: list[Series] = []

    # --- measures (one query)
    measures = list(Measure.objects.filter(scopes.filter("municipality"), start_date__lte=data_date)
                    .values_list("child_id", "municipality_id", "start_date", "end_date"))
    under: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    starts: dict = defaultdict(lambda: defaultdict(int))
    children: dict = defaultdict(lambda: defaultdict(set))
    if measures:
        months = month_range(month_key(min(m[2] for m in measures)), month_key(data_date))
        lasts = [month_end(int(m[:4]), int(m[5:])) for m in months]
        for child_id, muni, start, end in measures:
            end = end or NEVER
            under[child_id].append((start, end))
            keys = scopes.of(muni)
            if _complete(month_key(start), data_date):
                for key in keys:
                    starts[key][month_key(start)] += 1
            # only the months whose last day lies in [start, end) and on or before the data date: by bisection
            lo, hi = bisect.bisect_left(lasts, start), bisect.bisect_left(lasts, min(end, data_date + dt.timedelta(days=1)))
            for label in months[lo:hi]:
                for key in keys:
                    children[key][label].add(child_id)
    out += _emit({k: {p: len(s) for p, s in v.items()} for k, v in children.items()}, "measure_children", "all")
    out += _emit(starts, "measure_starts", "all")

    # --- entries into stay care and their legal framework (one query; measures of other regions' scope matter
    # too: a child under a measure counted elsewhere is still under it, so read them for these children)
    stays: dict[int, list[tuple[int, dt.date, dt.date, str, str]]] = defaultdict(list)
    for child_id, muni, start, end, legal, referrer in (
            Episode.objects.filter(scopes.filter("municipality"), care_form__with_stay=True, start_date__lte=data_date)
            .values_list("child_id", "municipality_id", "start_date", "end_date", "legal_framework", "referrer")):
        stays[child_id].append((muni, start, end or NEVER, legal, referrer))
    if isinstance(region, Region):
        under = defaultdict(list)
        for child_id, start, end in Measure.objects.filter(child_id__in=list(stays), start_date__lte=data_date).values_list(
                "child_id", "start_date", "end_date"):
            under[child_id].append((start, end or NEVER))
    tallies: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    referred: dict = defaultdict(lambda: defaultdict(int))
    for child_id, episodes in stays.items():
        spans = [(start, end) for _m, start, end, _l, _r in episodes]
        for muni, start, _end, legal, referrer in episodes:
            if _active_on(spans, start - dt.timedelta(days=1)):
                continue  # a move or an extension, not an entry
            if _complete(month_key(start), data_date):
                for level, scope in scopes.of(muni):
                    referred[(level, scope, referrer or UNKNOWN_REFERRER)][month_key(start)] += 1
            court = legal in COURT_ORDERED or _active_on(under.get(child_id, ()), start)
            for period in _periods(start):
                if not _complete(period, data_date):
                    continue
                for key in scopes.of(muni):
                    tallies[key][period][0] += 1
                    tallies[key][period][1] += court
    def months(period: str) -> bool:
        return "-" in period and "Q" not in period

    # counts are stored per month (quarters and years add up when read); the share per quarter and year
    out += _emit({k: {p: c for p, (_n, c) in v.items() if months(p)} for k, v in tallies.items()}, "stay_entries_court", "all")
    share = {k: {p: round(c / n, 6) for p, (n, c) in v.items() if n and not months(p)} for k, v in tallies.items()}
    out += _emit(share, "stay_entries_court_share", "all")
    out += _emit({k: {p: n for p, (n, _c) in v.items() if not months(p)} for k, v in tallies.items()},
                 "stay_entries_court_share_n", "all")
    out += [(level, scope, group, "all", "stay_entries_referrer", dict(sorted(values.items())))
            for (level, scope, group), values in referred.items()]
    return out
