"""Demo contracts and registration dates of Food Valley's providers (issue 16), so that the providers page shows
something true on first start: most providers contracted since 2018, one contract ended at the end of 2022 and one
provider never contracted (it serves the region anyway: care bought by another region or by a parent's budget); and
the moment each episode of the last 14 months was registered, a few days to a few weeks after its start (one provider
registers late), so the data-quality card has something to say."""
from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from placements.models import Episode, Provider, ProviderContract, Region
from placements.reference import FOODVALLEY

from .region import PROVIDERS

CONTRACT_START = dt.date(2018, 1, 1)
ENDED = {"Kinder- en Jeugdpsychiatrie De Heuvelrug": dt.date(2022, 12, 31)}
NOT_CONTRACTED = {"Orthopedagogisch Centrum Eemland"}
LATE = "Jeugdhulp Het Gelders Erf"  # registers its episodes weeks late
NOTE = "Demo: raamovereenkomst jeugdhulp Food Valley"


def demo_providers_exist() -> bool:
    return ProviderContract.objects.filter(note=NOTE).exists()


@transaction.atomic
def build_demo_providers(*, seed: int = 2016, today: dt.date | None = None) -> dict[str, int]:
    rng = random.Random(seed)
    region = Region.objects.get(name=FOODVALLEY)
    names = [name for name, _agb, _forms in PROVIDERS if name not in NOT_CONTRACTED]
    providers = {p.name: p for p in Provider.objects.filter(name__in=names)}
    ProviderContract.objects.filter(note=NOTE).delete()
    contracts = [ProviderContract(provider=providers[name], region=region, start_date=CONTRACT_START, end_date=ENDED.get(name), note=NOTE)
                 for name in names if name in providers]
    ProviderContract.objects.bulk_create(contracts)
    # registration moments of the recent episodes: 1-20 days after the start, 35-90 days for the late provider
    today = today or timezone.localdate()
    recent = list(Episode.objects.filter(municipality__region=region, start_date__gt=today - dt.timedelta(days=430))
                  .select_related("provider").only("pk", "start_date", "created_at", "provider__name"))
    tz = timezone.get_current_timezone()
    for ep in recent:
        lag = rng.randint(35, 90) if ep.provider.name == LATE and rng.random() < 0.6 else rng.randint(1, 20)
        day = min(ep.start_date + dt.timedelta(days=lag), today)
        ep.created_at = dt.datetime.combine(day, dt.time(10, rng.randint(0, 59)), tzinfo=tz)
    Episode.objects.bulk_update(recent, ["created_at"], batch_size=2000)
    return {"contracten": len(contracts), "registratiemomenten": len(recent)}
