"""Demo foster care for the Food Valley demo region, built on the demo registry of `manage.py demo_region`.
Deterministic (seeded), bulk inserts, a few seconds on SQLite.

- Families: every foster / family-home episode of the region (PLZ, NPZ, GZH; about 385 foster children and 60
  family-home children at the data date) is placed in a family of its provider. A network foster episode gets
  its own network family (one per child). General foster families (1–3 places) and family homes (4 places)
  take the next episode when they have a free place (85%), otherwise a new family is recruited; a family
  that has been without a child for 18 months stops. Status history: in training → approved → active while a
  child is placed, approved again between children, stopped (with a reason) after the last child left.
- Recruitment (from 2017): every new general family or family home came through the pipeline (information
  evening → intake → training → assessment → approved, about seven months), and for every recruited family about
  seven others dropped out on the way (about 8 prospects per match, as the region's documents say). Prospects
  still in the pipeline at the data date, and a few approved families still waiting for a first child.
- Risk register (from 2019, when the region's plan started it): about three in four foster breakdowns
  (episodes ending one-sided or followed within 30 days by a higher rung) were registered as a risk 2–16 weeks
  before, with follow-ups, support and an "ended" resolution whose reason matches the episode; and every month
  a few placements get a risk that is resolved as stable after 1–5 months with support (Module X, respite
  family, hub family, …), some of them still open at the data date.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction

from demo.region import data_date_default, demo_children_q
from fostercare.models import (
    ChangeReason,
    Destination,
    DropReason,
    FamilyKind,
    FamilyStatus,
    FamilyStatusChange,
    FamilySupport,
    FosterFamily,
    FosterPlacement,
    PlacementRisk,
    Prospect,
    RiskFollowUp,
    RiskOutcome,
    RiskSignal,
    RiskStatus,
    Severity,
    Stage,
    StopReason,
    SupportKind,
)
from placements.models import Child, Episode, Region
from placements.reference import FOODVALLEY

REGISTER_START = dt.date(2019, 1, 1)
RECRUIT_START = dt.date(2017, 1, 1)
IDLE_STOP_DAYS = 400
REUSE_SHARE = 0.93
DAY = dt.timedelta(days=1)

KIND_OF_FORM = {"NPZ": FamilyKind.NETWORK, "PLZ": FamilyKind.GENERAL, "GZH": FamilyKind.FAMILY_HOME}
PREFIX = {FamilyKind.NETWORK: "NW", FamilyKind.GENERAL: "PG", FamilyKind.FAMILY_HOME: "GH"}
DEST_OF_FORM = {"RES": Destination.RESIDENTIAL, "DRM": Destination.RESIDENTIAL, "JZP": Destination.CLOSED, "GZH": Destination.FAMILY_HOME,
                "PLZ": Destination.FOSTER, "NPZ": Destination.FOSTER, "CRS": Destination.CRISIS, "LOG": Destination.CRISIS,
                "BW18": Destination.INDEPENDENT}


def _pick(rng: random.Random, weighted: dict):
    keys = list(weighted)
    return rng.choices(keys, weights=[weighted[k] for k in keys])[0]


def demo_fostercare_exists() -> bool:
    return FosterPlacement.objects.filter(episode__child__in=Child.objects.filter(demo_children_q())).exists()


def clear_demo_fostercare(region: Region) -> None:
    families = FosterFamily.objects.filter(municipality__region=region, created_by__isnull=True)
    PlacementRisk.objects.filter(placement__family__in=families).delete()
    FosterPlacement.objects.filter(family__in=families).delete()
    Prospect.objects.filter(municipality__region=region, created_by__isnull=True).delete()
    families.delete()


class _Family:
    __slots__ = ("pk", "kind", "provider", "muni", "places", "spans", "stopped", "ages", "siblings", "approved", "recruited",
                 "_open", "_max_end")

    def __init__(self, pk, kind, provider, muni, places):
        self.pk, self.kind, self.provider, self.muni, self.places = pk, kind, provider, muni, places
        self.spans: list[tuple[dt.date, dt.date | None, bool]] = []  # (start, end, broke down)
        self.stopped = False
        self.ages: list[int] = []
        self.siblings = False
        self.approved: dt.date | None = None
        self.recruited = False
        self._open = 0
        self._max_end: dt.date | None = None

    def add(self, start: dt.date, end: dt.date | None, broke: bool) -> None:
        self.spans.append((start, end, broke))
        if end is None:
            self._open += 1
        elif self._max_end is None or end > self._max_end:
            self._max_end = end

    def occupied(self, day: dt.date) -> int:
        return sum(1 for s, e, _b in self.spans if s <= day and (e is None or e > day))

    def last_end(self) -> dt.date | None:
        """The end of the last placement (None while one runs or before the first)."""
        return None if self._open else self._max_end


def _age(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@transaction.atomic
def build_demo_fostercare(*, seed: int = 2021, data_date: dt.date | None = None) -> dict[str, int]:
    end = data_date or data_date_default()
    rng = random.Random(seed)
    region = Region.objects.get(name=FOODVALLEY)
    clear_demo_fostercare(region)
    munis = list(region.municipalities.order_by("cbs_code").values_list("id", flat=True))
    counts: dict[str, int] = defaultdict(int)

    rows = list(
        Episode.objects.filter(child__in=Child.objects.filter(demo_children_q()), municipality__region=region,
                               care_form__with_stay=True, care_form__family_based=True, start_date__lte=end,
                               foster_placement__isnull=True)  # episodes a user already placed in a family stay as they are
        .order_by("start_date", "id")
        .values_list("id", "child_id", "care_form__code", "provider_id", "municipality_id", "start_date", "end_date", "end_reason",
                     "child__birth_date", "care_form__rung")
    )
    child_ids = {r[1] for r in rows}
    later: dict[int, list[tuple[dt.date, str, int]]] = defaultdict(list)
    for child, start, code, rung in (Episode.objects.filter(child_id__in=child_ids, care_form__with_stay=True)
                                     .values_list("child_id", "start_date", "care_form__code", "care_form__rung")):
        later[child].append((start, code, rung))

    def breakdown_next(row) -> tuple[bool, str | None]:
        """(broke down, code of the next stay form) for a foster episode, as the engine sees a breakdown."""
        _id, child, _code, _p, _m, _start, stop, reason, _b, rung = row
        if stop is None or stop > end:
            return False, None
        nxt = [(abs((s - stop).days), c, r) for s, c, r in later[child] if -30 <= (s - stop).days <= 30 and s != _start]
        nxt.sort()
        code = nxt[0][1] if nxt else None
        escalated = any(r > rung for _d, _c, r in nxt)
        return reason in ("32", "33") or escalated, code

    # --- families ---------------------------------------------------------------------------------------
    fams: list[_Family] = []
    pools: dict[tuple[int, str], list[_Family]] = defaultdict(list)
    network_of: dict[tuple[int, int], _Family] = {}
    assignment: dict[int, _Family] = {}
    broke: dict[int, tuple[bool, str | None]] = {}
    for row in rows:
        eid, child, code, provider, muni, start, stop, _reason, birth, _rung = row
        kind = KIND_OF_FORM.get(code, FamilyKind.GENERAL)
        broke[eid] = breakdown_next(row)
        fam = None
        if kind == FamilyKind.NETWORK:
            fam = network_of.get((child, provider))
            if fam is not None and fam.occupied(start) >= fam.places:
                fam = None
        else:
            pool = pools[(provider, kind)]
            free = []
            for f in pool:
                if f.stopped:
                    continue
                last = f.last_end()
                if last is not None and (start - last).days > IDLE_STOP_DAYS:
                    f.stopped = True
                    continue
                if f.occupied(start) < f.places:
                    free.append(f)
            pool[:] = [f for f in pool if not f.stopped]
            if free and rng.random() < REUSE_SHARE:
                if kind == FamilyKind.FAMILY_HOME:  # family homes fill up
                    fam = max(free, key=lambda f: (f.occupied(start), -f.pk))
                else:  # a foster family mostly takes the next child when the previous one has left
                    empty = [f for f in free if f.occupied(start) == 0]
                    fam = min(empty, key=lambda f: (f.last_end() or start, f.pk)) if empty and rng.random() < 0.8 else rng.choice(free)
        if fam is None:
            places = 1 if kind == FamilyKind.NETWORK else (4 if kind == FamilyKind.FAMILY_HOME else _pick(rng, {1: 65, 2: 28, 3: 7}))
            home = muni if rng.random() < 0.75 else rng.choice(munis)
            fam = _Family(len(fams), kind, provider, home, places)
            fam.siblings = places > 1 and rng.random() < 0.6
            lead = rng.randint(0, 30) if kind == FamilyKind.NETWORK else rng.randint(14, 150)
            fam.approved = start - dt.timedelta(days=lead)
            fams.append(fam)
            if kind == FamilyKind.NETWORK:
                network_of[(child, provider)] = fam
            else:
                pools[(provider, kind)].append(fam)
        fam.add(start, stop if stop is None or stop <= end else None, broke[eid][0])
        fam.ages.append(_age(birth, start))
        assignment[eid] = fam

    # families in training now (registered by the provider before approval)
    in_training = []
    for _i in range(6):
        kind = FamilyKind.GENERAL if _i < 5 else FamilyKind.FAMILY_HOME
        fam = _Family(-1, kind, rng.choice(sorted({f.provider for f in fams if f.kind == kind})), rng.choice(munis), 4 if _i == 5 else 1)
        fam.approved = end - dt.timedelta(days=rng.randint(10, 90))  # the date training started
        in_training.append(fam)
    # families recruited recently and still waiting for a first child
    providers_by_kind = defaultdict(set)
    for f in fams:
        providers_by_kind[f.kind].add(f.provider)
    for _i in range(9):
        kind = FamilyKind.GENERAL if _i < 7 else FamilyKind.FAMILY_HOME
        fam = _Family(len(fams), kind, rng.choice(sorted(providers_by_kind[kind])), rng.choice(munis), 4 if kind == FamilyKind.FAMILY_HOME else rng.choice((1, 2)))
        fam.approved = end - dt.timedelta(days=rng.randint(5, 120))
        fam.ages = [0, 17] if rng.random() < 0.5 else [4, 12]
        fams.append(fam)

    family_objs = []
    changes = []
    for f in in_training:
        f.pk = len(fams)
        fams.append(f)
    seq: dict[str, int] = defaultdict(int)
    for f in fams:
        seq[PREFIX[f.kind]] += 1
        year = f.approved.year
        ref = f"{PREFIX[f.kind]}-{year}-{seq[PREFIX[f.kind]]:04d}"
        lo = max(0, min(f.ages) - rng.choice((0, 1, 2, 3))) if f.ages else 0
        hi = min(17, max(f.ages) + rng.choice((0, 2, 4, 17))) if f.ages else 17
        # status history: approved, then active / approved as children come and go, stopped after the last one
        if f in in_training:
            events = [(f.approved, FamilyStatus.IN_TRAINING, "")]
            family_objs.append(FosterFamily(reference=f"{PREFIX[f.kind]}-{f.approved.year}-{seq[PREFIX[f.kind]]:04d}", provider_id=f.provider,
                                            municipality_id=f.muni, kind=f.kind, places=f.places, age_min=0, age_max=17,
                                            status=FamilyStatus.IN_TRAINING, status_since=f.approved))
            changes.append(events)
            continue
        events = [(f.approved, FamilyStatus.APPROVED, "")]
        if f.kind != FamilyKind.NETWORK and f.approved - dt.timedelta(days=60) >= RECRUIT_START:
            events.insert(0, (f.approved - dt.timedelta(days=rng.randint(60, 150)), FamilyStatus.IN_TRAINING, ""))
        points = sorted({d for s, e, _b in f.spans for d in (s, e) if d is not None and d <= end})
        state = FamilyStatus.APPROVED
        for day in points:
            busy = f.occupied(day) > 0
            new = FamilyStatus.ACTIVE if busy else FamilyStatus.APPROVED
            if new != state and day >= f.approved:
                events.append((day, new, ""))
                state = new
        last = f.last_end()
        if f.spans and last is not None:
            idle = (end - last).days
            stop_after = rng.randint(14, 200)
            # a family idle for longer than the pool waits has stopped; a recently idle one may still take a child
            if idle > IDLE_STOP_DAYS or (idle > stop_after and rng.random() < 0.35) or f.kind == FamilyKind.NETWORK and idle > 30:
                stop_day = min(end, last + dt.timedelta(days=min(stop_after, idle)))
                last_broke = any(e == last and b for _s, e, b in f.spans)
                if f.kind == FamilyKind.NETWORK:
                    reason = StopReason.AFTER_BREAKDOWN if last_broke and rng.random() < 0.6 else StopReason.PLACEMENT_ENDED
                elif last_broke and rng.random() < 0.6:
                    reason = StopReason.AFTER_BREAKDOWN
                else:
                    reason = _pick(rng, {StopReason.LACK_SUPPORT: 22, StopReason.OWN_CIRCUMSTANCES: 30, StopReason.AGE: 14,
                                         StopReason.MOVED: 6, StopReason.PLACEMENT_ENDED: 18, StopReason.OTHER: 10})
                events.append((stop_day, FamilyStatus.STOPPED, reason))
        events.sort(key=lambda ev: ev[0])
        since, status, why = events[-1]
        family_objs.append(FosterFamily(
            reference=ref, provider_id=f.provider, municipality_id=f.muni, kind=f.kind, places=f.places, age_min=min(lo, hi),
            age_max=hi, siblings_together=f.siblings, status=status, status_since=since, stop_reason=why,
        ))
        changes.append(events)
        f.recruited = f.kind != FamilyKind.NETWORK and f.approved >= RECRUIT_START + dt.timedelta(days=220)
    FosterFamily.objects.bulk_create(family_objs, batch_size=1000)
    pks = list(FosterFamily.objects.filter(municipality__region=region, created_by__isnull=True).order_by("id").values_list("id", flat=True))
    for f, pk in zip(fams, pks, strict=True):
        f.pk = pk
    FamilyStatusChange.objects.bulk_create(
        [FamilyStatusChange(family_id=f.pk, status=s, date=d, reason=r) for f, events in zip(fams, changes, strict=True) for d, s, r in events],
        batch_size=2000,
    )
    counts["families"] = len(fams)
    counts["status_changes"] = sum(len(ev) for ev in changes)

    placements = [FosterPlacement(family_id=assignment[r[0]].pk, episode_id=r[0], matched_on=r[5]) for r in rows]
    FosterPlacement.objects.bulk_create(placements, batch_size=2000)
    placement_of = dict(FosterPlacement.objects.filter(episode_id__in=[r[0] for r in rows]).values_list("episode_id", "id"))
    counts["placements"] = len(placements)

    # --- recruitment --------------------------------------------------------------------------------------
    prospects = []
    pseq: dict[int, int] = defaultdict(int)

    def prospect(provider, muni, kind, info, *, stages: int, drop_reason: str = "", family: _Family | None = None):
        pseq[provider] += 1
        dates = [info]
        for gap in (rng.randint(14, 45), rng.randint(20, 60), rng.randint(30, 70), rng.randint(30, 80))[: stages - 1]:
            dates.append(dates[-1] + dt.timedelta(days=gap))
        if family is not None:
            shift = family.approved - dates[-1]
            dates = [d + shift for d in dates]
        if dates[-1] > end:
            return
        p = Prospect(reference=f"AS-{dates[0].year}-{provider:02d}{pseq[provider]:04d}", provider_id=provider, municipality_id=muni,
                     kind=kind, info_on=dates[0])
        for (stage, field), day in zip(((Stage.INFO, "info_on"), (Stage.INTAKE, "intake_on"), (Stage.TRAINING, "training_on"),
                                        (Stage.ASSESSMENT, "assessment_on"), (Stage.APPROVED, "approved_on")), dates, strict=False):
            setattr(p, field, day)
            p.stage = stage
        if drop_reason:
            dropped = dates[-1] + dt.timedelta(days=rng.randint(3, 40))
            if dropped <= end:
                p.dropped_stage, p.stage, p.dropped_on, p.drop_reason = p.stage, Stage.DROPPED, dropped, drop_reason
        if family is not None:
            p.family_id = family.pk
            p.stage = Stage.APPROVED
        prospects.append(p)

    for f in fams:
        if not f.recruited:
            continue
        prospect(f.provider, f.muni, f.kind, f.approved - dt.timedelta(days=200), stages=5, family=f)
        for _k in range(rng.choice((5, 6, 7, 7, 8, 9))):
            info = f.approved - dt.timedelta(days=rng.randint(150, 330))
            reached = _pick(rng, {1: 45, 2: 25, 3: 18, 4: 12})
            reason = _pick(rng, {DropReason.OWN_CHOICE: 45, DropReason.CIRCUMSTANCES: 25, DropReason.NOT_SUITABLE: 15 if reached >= 3 else 3,
                                 DropReason.NO_CONTACT: 12, DropReason.OTHER: 5})
            prospect(f.provider, rng.choice(munis), f.kind, info, stages=reached, drop_reason=reason)
    # prospects still in the pipeline at the data date
    foster_providers = sorted(providers_by_kind[FamilyKind.GENERAL])
    for _k in range(40):
        info = end - dt.timedelta(days=rng.randint(5, 260))
        reached = min(4, 1 + (end - info).days // 60)
        prospect(rng.choice(foster_providers), rng.choice(munis), FamilyKind.GENERAL, info, stages=rng.randint(1, reached))
    Prospect.objects.bulk_create(prospects, batch_size=2000)
    counts["prospects"] = len(prospects)

    # --- risk register ------------------------------------------------------------------------------------
    risks: list[PlacementRisk] = []
    plans: list[tuple[PlacementRisk, _Family, list]] = []  # risk, family, follow-up dates
    at_risk_until: dict[int, dt.date] = {}

    def add_risk(row, registered: dt.date, resolved: dt.date | None, outcome: str, reason: str = "", destination: str = ""):
        eid = row[0]
        severity = _pick(rng, {Severity.LOW: 25, Severity.MEDIUM: 45, Severity.HIGH: 30} if outcome != RiskOutcome.ENDED
                         else {Severity.MEDIUM: 40, Severity.HIGH: 60})
        signals = rng.sample(list(RiskSignal.values[:-1]), rng.choice((1, 2, 2, 3)))
        risk = PlacementRisk(
            placement_id=placement_of[eid], registered_on=registered, signals=signals, severity=severity,
            support_deployed=rng.choice(("Extra bezoeken van de pleegzorgwerker.", "Gesprek met school en ouders gepland.",
                                         "Respijtweekend aangevraagd.", "Inzet gedragsdeskundige.", "")),
            status=RiskStatus.OPEN if resolved is None else RiskStatus.RESOLVED, resolved_on=resolved,
            outcome="" if resolved is None else outcome, reason=reason, destination=destination,
        )
        last = resolved or end
        n_follow = max(0, min(3, (last - registered).days // 35))
        follow = sorted(registered + dt.timedelta(days=rng.randint(7, max(8, (last - registered).days))) for _ in range(n_follow))
        risks.append(risk)
        plans.append((risk, assignment[eid], [d for d in follow if d <= last]))
        at_risk_until[eid] = last

    for row in rows:
        eid, _child, _code, _p, _m, start, stop, reason, _b, _rung = row
        went_wrong, next_code = broke[eid]
        if not went_wrong or stop < REGISTER_START + dt.timedelta(days=30) or rng.random() > 0.75:
            continue
        registered = stop - dt.timedelta(days=rng.randint(14, 112))
        if registered < start + dt.timedelta(days=7) or registered < REGISTER_START:
            continue
        change = ChangeReason.CHILD_REQUEST if reason == "32" else _pick(rng, {
            ChangeReason.CARER_BEHAVIOUR: 42, ChangeReason.CARER_CIRCUMSTANCES: 22, ChangeReason.ALLEGATION: 8,
            ChangeReason.STANDARDS: 8, ChangeReason.OTHER: 10})
        if reason not in ("32", "33"):
            change = ChangeReason.CARER_BEHAVIOUR if rng.random() < 0.7 else ChangeReason.CARER_CIRCUMSTANCES
        add_risk(row, registered, stop, RiskOutcome.ENDED, change, DEST_OF_FORM.get(next_code, Destination.HOME))
    counts["risks_breakdown"] = len(risks)

    # stable resolutions: a few placements a month, on episodes that run at least half a year past the risk
    month = REGISTER_START
    candidates = [r for r in rows if r[0] not in at_risk_until and (r[6] is None or (r[6] - r[5]).days > 230)
                  and (r[6] is None or r[6] > REGISTER_START)]
    while month <= end:
        per_month = rng.choice((1, 2, 2, 3)) if month.year < 2020 else rng.choice((2, 2, 3, 3, 4))
        day_pool = [r for r in candidates if r[5] <= month - dt.timedelta(days=30) and (r[6] is None or r[6] > month + dt.timedelta(days=200))
                    and r[0] not in at_risk_until]
        for row in rng.sample(day_pool, min(per_month, len(day_pool))):
            registered = month + dt.timedelta(days=rng.randint(0, 27))
            if registered > end:
                continue
            duration = rng.randint(25, 150)
            resolved = registered + dt.timedelta(days=duration)
            if resolved > end:
                add_risk(row, registered, None, "")
            else:
                add_risk(row, registered, resolved, RiskOutcome.STABLE)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    # placements at risk right now: registered in the last four months, still open
    running = [r for r in rows if r[6] is None and r[0] not in at_risk_until and r[5] + dt.timedelta(days=60) <= end]
    for row in rng.sample(running, min(14, len(running))):
        add_risk(row, end - dt.timedelta(days=rng.randint(3, 120)), None, "")
    PlacementRisk.objects.bulk_create(risks, batch_size=1000)
    counts["risks"] = len(risks)
    saved = list(PlacementRisk.objects.filter(placement_id__in=[r.placement_id for r in risks]).order_by("id"))
    key = {(r.placement_id, r.registered_on): r.pk for r in saved}
    follow_rows, support_rows = [], []
    for risk, fam, dates in plans:
        pk = key[(risk.placement_id, risk.registered_on)]
        for d in dates:
            follow_rows.append(RiskFollowUp(risk_id=pk, date=d, severity=risk.severity, note=rng.choice((
                "Gesprek met pleegouders; het gaat iets beter.", "Spanning blijft; extra ondersteuning ingezet.",
                "School meldt verbetering.", "Omgangsregeling met ouders aangepast.", "Pleegouders geven aan dat het zwaar is."))))
        for _s in range(rng.choice((0, 1, 1, 2))):
            start = risk.registered_on + dt.timedelta(days=rng.randint(0, 21))
            if start > end:
                continue
            kind = _pick(rng, {SupportKind.RESPITE: 30, SupportKind.COACHING: 25, SupportKind.MODULE_X: 10, SupportKind.HUB: 10,
                               SupportKind.HOUSEHOLD: 10, SupportKind.TRAINING: 10, SupportKind.EMERGENCY_FUND: 5})
            stop = start + dt.timedelta(days=rng.randint(30, 240))
            support_rows.append(FamilySupport(family_id=fam.pk, kind=kind, start_date=start, end_date=stop if stop <= end else None, risk_id=pk))
    # standing support for families: Module X for some general families, hub constellations, training
    for f in fams:
        if f.kind == FamilyKind.NETWORK or not f.spans or rng.random() > 0.25:
            continue
        start = max(f.approved, dt.date(2019, 1, 1))
        if start > end:
            continue
        support_rows.append(FamilySupport(family_id=f.pk, kind=_pick(rng, {SupportKind.MODULE_X: 40, SupportKind.HUB: 25, SupportKind.TRAINING: 35}),
                                          start_date=start, note=""))
    RiskFollowUp.objects.bulk_create(follow_rows, batch_size=2000)
    FamilySupport.objects.bulk_create(support_rows, batch_size=2000)
    counts["follow_ups"] = len(follow_rows)
    counts["supports"] = len(support_rows)
    return dict(counts)
