"""Demo crisis contacts for Food Valley ("crisis als kans", issue 16), made from the demo episodes.

The demo's crisis placements (care form CRS, from demo.region) lead to a placement about half the time, as in the
project plan's 2015-2018. Crises handled at home are recorded as crisis contacts of the wijkteam: a few a year until
2019, and from 2020, when the region starts "crisis als kans", several times as many, for children in ambulant care
who stay at home; so the share of crises followed by a placement falls. Deterministic for a seed;
`build_demo_crisis` replaces the demo contacts it made before.
"""
from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from crisis.models import CrisisContact, CrisisSource
from placements.models import Episode, Region
from placements.reference import FOODVALLEY

DEMO_NOTE = "Demo: crisis thuis opgevangen."
#: chance per ambulant episode-year that a crisis is handled at home and recorded, before and from 2020
RATE_BEFORE, RATE_FROM_2020 = 0.001, 0.012
SOURCES = [CrisisSource.CRISIS_SERVICE] * 5 + [CrisisSource.VEILIG_THUIS] * 2 + [CrisisSource.WIJKTEAM] * 2 + [CrisisSource.POLICE]


def demo_crisis_exists() -> bool:
    return CrisisContact.objects.filter(note=DEMO_NOTE).exists()


@transaction.atomic
def build_demo_crisis(*, seed: int = 2020, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    rng = random.Random(seed)
    region = Region.objects.get(name=FOODVALLEY)
    CrisisContact.objects.filter(note=DEMO_NOTE).delete()
    stays: dict[int, list[tuple[dt.date, dt.date]]] = {}
    ambulant = []
    for child_id, muni, start, end, stay, birth in (
            Episode.objects.filter(demo_children_q_episode(), municipality__region=region, start_date__lte=today).order_by("id")
            .values_list("child_id", "municipality_id", "start_date", "end_date", "care_form__with_stay", "child__birth_date")):
        if stay:
            stays.setdefault(child_id, []).append((start, end or dt.date.max))
        else:
            ambulant.append((child_id, muni, start, min(end or today, today), birth))
    contacts = []
    for child_id, muni, start, end, birth in ambulant:
        days = (end - start).days
        if days <= 0:
            continue
        day = start + dt.timedelta(days=rng.randrange(days))
        rate = RATE_FROM_2020 if day.year >= 2020 else RATE_BEFORE
        if rng.random() > rate * days / 365 or day < birth:
            continue
        if any(s <= day + dt.timedelta(days=90) and e > day for s, e in stays.get(child_id, ())):
            continue  # a child placed around then: its crisis is on record as an episode
        contacts.append(CrisisContact(child_id=child_id, municipality_id=muni, date=day, source=rng.choice(SOURCES), note=DEMO_NOTE))
    CrisisContact.objects.bulk_create(contacts, batch_size=2000)
    return {"contacts": len(contacts), "from 2020": sum(c.date.year >= 2020 for c in contacts)}


def demo_children_q_episode():
    from demo.casework import demo_q_child

    return demo_q_child()
