"""Demo target groups (doelgroepen) for the children of the demo region (issue 16).

Seed 004 states stay durations per target group: about a year for J&O, three years for J-LVB. The demo's careers
are made without a target group, so each demo child gets one afterwards, weighted by how long it stayed away from
home: a child with more than 900 days in stay is J-LVB a third of the time, one with less rarely; about one in five
is GGZ; the rest J&O. Deterministic for a seed.
"""
from __future__ import annotations

import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from demo.region import demo_children_q
from placements.models import Child, Episode, TargetGroup

LONG_STAY_DAYS = 900


@transaction.atomic
def assign_demo_target_groups(*, seed: int = 2018) -> dict[str, int]:
    rng = random.Random(seed)
    groups = {tg.code: tg.pk for tg in TargetGroup.objects.filter(code__in=("JO", "JLVB", "GGZ"))}
    if len(groups) < 3:
        return {}
    today = timezone.localdate()
    children = list(Child.objects.filter(demo_children_q()).order_by("pk").values_list("pk", flat=True))
    stay_days: dict[int, int] = defaultdict(int)
    for child_id, start, end in (Episode.objects.filter(child_id__in=children, care_form__with_stay=True)
                                 .values_list("child_id", "start_date", "end_date")):
        stay_days[child_id] += ((end or today) - start).days
    chosen: dict[str, list[int]] = defaultdict(list)
    for pk in children:
        r = rng.random()
        lvb = 0.35 if stay_days.get(pk, 0) > LONG_STAY_DAYS else 0.07
        chosen["JLVB" if r < lvb else "GGZ" if r < lvb + 0.2 else "JO"].append(pk)
    for code, pks in chosen.items():
        for i in range(0, len(pks), 5000):
            Child.objects.filter(pk__in=pks[i:i + 5000]).update(target_group_id=groups[code])
    return {code: len(pks) for code, pks in sorted(chosen.items())}
