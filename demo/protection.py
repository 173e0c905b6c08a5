"""Demo child-protection measures for Food Valley, made from the demo episodes (issue 16).

Every demo child whose stay episodes run under an order (legal framework OTS or voogdij, set by demo.region: about
45% of stays) gets the matching measure around them: it starts 0–60 days before the first such episode (a fifth
begins with a provisional measure of 2–5 weeks) and ends 0–120 days after the last one, or runs on. Some children
with ambulant care only are under supervision too (an OTS with the child at home). Three certified institutions
carry them out. Deterministic for a seed; `build_demo_measures` replaces the demo measures it made before.
"""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from demo.region import demo_children_q
from placements.models import COURT_ORDERED, Child, Episode, Provider, Region
from placements.reference import FOODVALLEY
from protection.models import Measure

GIS = (("Jeugdbescherming Gelderland", "75750001"), ("William Schrikker Stichting Jeugdbescherming & Jeugdreclassering", "75750002"),
       ("Leger des Heils Jeugdbescherming & Reclassering", "75750003"))
SOURCE_PREFIX = "DEMO-M-"


def demo_measures_exist() -> bool:
    return Measure.objects.filter(source_id__startswith=SOURCE_PREFIX).exists()


@transaction.atomic
def build_demo_measures(*, seed: int = 2016, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    rng = random.Random(seed)
    region = Region.objects.get(name=FOODVALLEY)
    Measure.objects.filter(source_id__startswith=SOURCE_PREFIX).delete()
    gis = [Provider.objects.update_or_create(name=name, defaults={"agb_code": agb})[0] for name, agb in GIS]
    births = dict(Child.objects.filter(demo_children_q(), municipality__region=region).values_list("pk", "birth_date"))
    court: dict[int, list[tuple]] = defaultdict(list)
    ambulant: dict[int, tuple] = {}
    for child_id, muni, start, end, legal, stay in (
            Episode.objects.filter(child_id__in=list(births), start_date__lte=today).order_by("start_date", "id")
            .values_list("child_id", "municipality_id", "start_date", "end_date", "legal_framework", "care_form__with_stay")):
        if stay and legal in COURT_ORDERED:
            court[child_id].append((muni, start, end, legal))
        elif not stay:
            ambulant.setdefault(child_id, (muni, start, end))
    measures: list[Measure] = []
    n = 0

    def add(child_id, kind, muni, start, end, gi):
        nonlocal n
        start = max(start, births[child_id] + dt.timedelta(days=1))
        if end is not None and end > today:
            end = None  # still running on the data date
        if end is not None and end <= start:
            return
        n += 1
        measures.append(Measure(source_id=f"{SOURCE_PREFIX}{n:06d}", child_id=child_id, kind=kind, gi=gi, municipality_id=muni,
                                start_date=start, end_date=end))

    for child_id, eps in court.items():
        muni, first, _end, legal = eps[0]
        last_end = None if any(e[2] is None for e in eps) else max(e[2] for e in eps)
        start = first - dt.timedelta(days=rng.randint(0, 60))
        end = None if last_end is None or rng.random() < 0.15 else last_end + dt.timedelta(days=rng.randint(0, 120))
        kind = "21" if legal == "voogdij" else "11"
        gi = rng.choice(gis)
        provisional_end = start + dt.timedelta(days=rng.randint(14, 35))
        if rng.random() < 0.2 and provisional_end <= today and (end is None or provisional_end < end):
            add(child_id, "22" if kind == "21" else "12", muni, start, provisional_end, gi)
            start = provisional_end
        add(child_id, kind, muni, start, end, gi)
    for child_id, (muni, start, end) in ambulant.items():
        if child_id in court or rng.random() > 0.04:
            continue
        stop = (end or today) + dt.timedelta(days=rng.randint(90, 400))
        add(child_id, "11", muni, start + dt.timedelta(days=rng.randint(0, 30)), stop if stop <= today else None, rng.choice(gis))
    Measure.objects.bulk_create(measures, batch_size=2000)
    kinds: dict[str, int] = defaultdict(int)
    for m in measures:
        kinds[m.kind] += 1
    return {"measures": len(measures), **{f"kind {k}": v for k, v in sorted(kinds.items())}}
