"""Synthetic demo data: Jeugdregio Food Valley (default) or a national-scale population for benchmarks.

Every child gets a *career*: first contact with youth care (mostly ambulant help, often preceded by
the wijkteam), renewals, sometimes a placement (foster care, family home, crisis, residential or
closed care) that moves along the ladder (escalations, step-downs, moves between providers,
breakdowns), a return home with aftercare, re-entries, and for young adults supported living 18+.
The parameters are calibrated to ``shared/domain.md`` (Food Valley 2019-2020: 200-250 children in
residential care a month, about 40 of them under 12, ~385 in foster care, ~€1.6M a month for
residential care; falling towards ~150 residential children by 2026).

The data window starts on 1 January of ``from_year`` (default 2017) and ends on the last day of last
month (the *data date*). Episodes that ended before the window are left out; episodes still running
when it starts keep their start date, except that starts before the Jeugdwet (2015) are set to
1 January 2015, as in municipal registrations. Episodes running at the data date are open.

Children, episodes and declarations are written in chunks with bulk inserts (executemany on SQLite,
COPY on PostgreSQL) so that a million children build in bounded memory. Generation is
deterministic for a seed: chunk ``k`` draws from its own random stream seeded with (seed, k).
"""
from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import hashlib
import hmac
import random
import sys
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from core.db import copy_in, copy_text
from core.periods import month_end
from placements.bsn import synthetic_bsn
from placements.models import (
    CareForm,
    Child,
    Declaration,
    Episode,
    Municipality,
    Provider,
    Region,
    YouthPopulation,
    new_child_reference,
)
from placements.reference import FOODVALLEY

#: Synthetic BSNs of demo children are synthetic_bsn(DEMO_BSN_OFFSET + i), far from the small numbers tests use.
DEMO_BSN_OFFSET = 3_000_000
#: Demo children carry a label "FV-000123" (Food Valley build) or "NL-0000123" (larger builds) and no registering user.
DEMO_LABEL_PREFIXES = ("FV-", "NL-")
#: Number of children of the default Food Valley build (calibrated: ~7-9k youths in care a year).
FOODVALLEY_CHILDREN = 30_000
DEFAULT_SEED = 2026
JEUGDWET = dt.date(2015, 1, 1)
CHUNK_SIZE = 20_000

# Daily rates in 2017 euros per care form with stay; indexed by INDEXATION a year.
DAILY_RATE = {"PLZ": 42.0, "NPZ": 36.0, "GZH": 140.0, "LOG": 170.0, "CRS": 290.0, "RES": 208.0, "DRM": 225.0,
              "JZP": 520.0, "BW18": 105.0}
# Ambulant care: cost per day in care (2017 euros); declared in one or two lines per episode. WIJK is not declared.
AMBULANT_DAY_COST = {"AMB": 14.0, "SYS": 28.0, "IHT": 75.0, "DAG": 55.0, "JIM": 6.0}
INDEXATION = 0.025
CORRECTION_SHARE = 0.01

# Fictional providers: name, AGB code, care forms offered (with a weight).
PROVIDERS: list[tuple[str, str, dict[str, float]]] = [
    ("Stichting Veluwse Jeugdzorg", "73010001", {"RES": 3, "DRM": 1, "CRS": 2, "AMB": 2, "IHT": 1}),
    ("Pleegzorg Gelderland-Utrecht", "73010002", {"PLZ": 3, "NPZ": 3}),
    ("Pleegzorg Netwerk Midden", "73010003", {"PLZ": 2, "NPZ": 2}),
    ("Gezinshuizen Foodvalley", "73010004", {"GZH": 3}),
    ("Gezinshuis De Linde", "73010005", {"GZH": 1}),
    ("Jeugdhulp Het Gelders Erf", "73010006", {"RES": 2, "LOG": 2, "AMB": 1, "DAG": 2}),
    ("Kinder- en Jeugdpsychiatrie De Heuvelrug", "73010007", {"AMB": 2, "DAG": 1, "RES": 1, "DRM": 1}),
    ("JeugdzorgPlus De Bosrand", "73010008", {"JZP": 1}),
    ("Ambulant Team Binnenveld", "73010009", {"AMB": 3, "SYS": 2, "IHT": 1}),
    ("MST-team Midden-Nederland", "73010010", {"IHT": 2, "SYS": 1}),
    ("Logeerhuis De Grebbe", "73010011", {"LOG": 2}),
    ("Orthopedagogisch Centrum Eemland", "73010012", {"RES": 2, "DRM": 1, "AMB": 1, "CRS": 1}),
    ("Praktijk Kind & Gezin Vallei", "73010013", {"AMB": 3, "DAG": 1}),
    ("Begeleid Wonen De Schakel", "73010014", {"BW18": 2}),
    ("JIM-netwerk Foodvalley", "73010015", {"JIM": 1}),
    ("Sociaal wijkteam (gemeente)", "73010016", {"WIJK": 1}),
]

# Rough number of inhabitants (thousands) of the larger municipalities; the rest get a deterministic
# 8k-50k. Used to spread a national-scale population when no youth population is loaded.
ROUGH_SIZE_K = {
    "Amsterdam": 930, "Rotterdam": 670, "'s-Gravenhage": 560, "Utrecht": 375, "Eindhoven": 245, "Groningen": 240,
    "Tilburg": 230, "Almere": 225, "Breda": 190, "Nijmegen": 185, "Apeldoorn": 167, "Arnhem": 167, "Haarlem": 165,
    "Haarlemmermeer": 160, "Enschede": 160, "Amersfoort": 160, "Zaanstad": 160, "'s-Hertogenbosch": 160,
    "Zwolle": 132, "Leiden": 127, "Zoetermeer": 127, "Leeuwarden": 126, "Maastricht": 122, "Dordrecht": 121,
    "Ede": 122, "Westland": 115, "Alphen aan den Rijn": 114, "Alkmaar": 111, "Emmen": 108, "Delft": 105,
    "Venlo": 103, "Deventer": 102, "Oss": 95, "Helmond": 94, "Purmerend": 93, "Amstelveen": 92, "Hilversum": 92,
    "Súdwest-Fryslân": 92, "Sittard-Geleen": 91, "Heerlen": 87, "Nissewaard": 85, "Meierijstad": 83, "Hengelo": 82,
    "Schiedam": 80, "Lelystad": 80, "Roosendaal": 78, "Leidschendam-Voorburg": 78, "Gouda": 75, "Vlaardingen": 75,
    "Almelo": 74, "Hoorn": 74, "Assen": 69, "Veenendaal": 68, "Barneveld": 61, "Nijkerk": 44, "Rhenen": 20,
    "Scherpenzeel": 10, "Renswoude": 6,
}

STAY_FORMS = frozenset({"PLZ", "NPZ", "GZH", "LOG", "CRS", "RES", "DRM", "JZP", "BW18"})
YEAR = 365.25


# --- small helpers ---------------------------------------------------------------------------------------

def data_date_default() -> dt.date:
    """The last day of last month."""
    return timezone.localdate().replace(day=1) - dt.timedelta(days=1)


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


class Pseudonymiser:
    """pseudonymise(synthetic_bsn(n)) without re-validating: the HMAC of the BSN with BSN_HASH_KEY."""

    def __init__(self, key: str | None = None):
        self._base = hmac.new((key if key is not None else settings.BSN_HASH_KEY).encode(), digestmod=hashlib.sha256)

    def __call__(self, n: int) -> str:
        h = self._base.copy()
        h.update(synthetic_bsn(n).encode("ascii"))
        return h.hexdigest()


def demo_children_q() -> Q:
    """The demo children: a demo label and no registering user."""
    label_q = Q()
    for prefix in DEMO_LABEL_PREFIXES:
        label_q |= Q(label__startswith=prefix)
    return Q(registered_by__isnull=True) & label_q


def demo_data_exists() -> bool:
    return Child.objects.filter(demo_children_q()).exists()


# --- options and scope -----------------------------------------------------------------------------------

@dataclass
class DemoOptions:
    seed: int = DEFAULT_SEED
    children: int | None = None  # None: the Food Valley default
    regions: str = "foodvalley"  # "foodvalley", "all", a number of regions, or comma-separated region names
    from_year: int = 2017
    until: dt.date | None = None  # data date (last day of a month); default: last day of last month
    declarations: bool = True
    chunk_size: int = CHUNK_SIZE
    bulk_load: bool | None = None  # PostgreSQL: drop and rebuild secondary indexes (default: for large builds)
    progress: Callable[[str], None] | None = None


@dataclass
class DemoResult:
    children: int = 0
    episodes: int = 0
    declarations: int = 0
    seconds: float = 0.0
    data_date: dt.date | None = None
    municipalities: int = 0
    write_seconds: float = 0.0


def scope_municipalities(regions: str) -> list[Municipality]:
    regions = (regions or "foodvalley").strip()
    qs = Municipality.objects.select_related("region").order_by("cbs_code")
    if regions.lower() in ("foodvalley", "food valley", "fv"):
        munis = list(qs.filter(region__name=FOODVALLEY))
    elif regions.lower() == "all":
        munis = list(qs)
    elif regions.isdigit():
        count = int(regions)
        names = [FOODVALLEY] + [n for n in Region.objects.exclude(name=FOODVALLEY).order_by("name").values_list("name", flat=True)]
        munis = list(qs.filter(region__name__in=names[: max(1, count)]))
    else:
        names = [n.strip() for n in regions.split(",") if n.strip()]
        known = set(Region.objects.filter(name__in=names).values_list("name", flat=True))
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(f"Onbekende jeugdregio: {', '.join(unknown)}")
        munis = list(qs.filter(region__name__in=names))
    if not munis:
        raise ValueError("Geen gemeenten gevonden voor deze regio's (zijn de referentiegegevens geladen?)")
    return munis


def municipality_weights(munis: list[Municipality]) -> list[float]:
    """Weight of each municipality: its youths aged 0-17 in the latest loaded year, else its rough size."""
    latest: dict[int, tuple[int, int]] = {}
    for muni_id, year, count in YouthPopulation.objects.filter(
        municipality__in=munis, age_band__in=("0-11", "12-17")
    ).values_list("municipality_id", "year", "count"):
        y, c = latest.get(muni_id, (0, 0))
        if year > y:
            latest[muni_id] = (year, count)
        elif year == y:
            latest[muni_id] = (year, c + count)
    weights = []
    for m in munis:
        if m.id in latest and len(latest) == len(munis):
            weights.append(float(latest[m.id][1]))
        else:
            size = ROUGH_SIZE_K.get(m.name)
            if size is None:  # deterministic 8k-50k inhabitants from the CBS code
                size = 8 + (zlib.crc32(m.cbs_code.encode()) % 1000) / 1000 * 42
            weights.append(size * 1000 * 0.215)
    return weights


def ensure_providers() -> list[Provider]:
    providers = []
    for name, agb, _forms in PROVIDERS:
        provider, _ = Provider.objects.get_or_create(name=name, defaults={"agb_code": agb})
        providers.append(provider)
    return providers


# --- the career model ------------------------------------------------------------------------------------

class _Picker:
    """Weighted choice with a precomputed cumulative table (faster than random.choices for repeated use)."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, weighted: dict | list):
        pairs = list(weighted.items()) if isinstance(weighted, dict) else list(weighted)
        self.items = [p[0] for p in pairs]
        self.cum, total = [], 0.0
        for _, w in pairs:
            total += w
            self.cum.append(total)
        self.total = total

    def __call__(self, rnd: Callable[[], float]):
        return self.items[bisect.bisect_right(self.cum, rnd() * self.total)]


def _ord(y: int, m: int = 1, d: int = 1) -> int:
    return dt.date(y, m, d).toordinal()


# Programme "zo thuis mogelijk": from mid-2019 fewer residential placements and more intensive help at home.
PROGRAMME_START = _ord(2019, 7)
PROGRAMME_FULL = _ord(2023, 1)


def programme(t: int) -> float:
    if t <= PROGRAMME_START:
        return 0.0
    if t >= PROGRAMME_FULL:
        return 1.0
    return (t - PROGRAMME_START) / (PROGRAMME_FULL - PROGRAMME_START)


END_AMBULANT = _Picker({"31": 70, "34": 12, "32": 7, "33": 3, "35": 3, "38": 5})
END_HOME = _Picker({"31": 66, "34": 22, "32": 8, "35": 4})
END_BREAKDOWN = _Picker({"33": 60, "32": 40})
AMB_REFERRER = _Picker({"01": 40, "02": 34, "03": 7, "05": 12, "07": 3, "08": 4})
STAY_REFERRER = _Picker({"01": 72, "05": 14, "02": 6, "03": 4, "08": 4})
SEX = _Picker({"M": 53, "V": 46.5, "O": 0.5})
EXTRA_FORM_BASE = {"SYS": 0.22, "IHT": 0.28, "DAG": 0.32, "JIM": 0.06}

# First placement by age band: (kind, weight); RES/DRM/JZP are partly diverted by the programme.
FIRST_STAY = {
    "infant": _Picker({"PLZ_L": 24, "PLZ_S": 10, "NPZ": 12, "GZH": 3, "CRS": 10}),
    "child": _Picker({"PLZ_L": 10, "PLZ_S": 6, "NPZ": 8, "GZH": 5, "RES": 8, "DRM": 5, "CRS": 9, "LOGS": 1}),
    "teen": _Picker({"PLZ_S": 2.5, "PLZ_L": 2, "NPZ": 4, "GZH": 3, "RES": 66, "DRM": 1, "CRS": 12, "JZP": 4, "LOGS": 1}),
}
AFTER_BREAKDOWN = _Picker({"PLZ_L": 24, "GZH": 8, "RES": 58, "CRS": 6, None: 4})
AFTER_PLZ_S = _Picker({None: 50, "PLZ_L": 22, "NPZ": 5, "BREAK": 23})
AFTER_PLZ_S_BREAK = _Picker({"RES": 40, "GZH": 25, "PLZ_S": 25, "CRS": 10})
AFTER_GZH = _Picker({None: 62, "BREAK": 20, "PLZ_L": 10, "GZH": 8})
AFTER_GZH_BREAK = _Picker({"RES": 60, "PLZ_S": 20, "CRS": 20})
AFTER_RES = _Picker({None: 56, "MOVE": 15, "GZH": 6, "PLZ_S": 4, "PLZ_L": 4, "JZP": 5, "DRM": 1})
AFTER_DRM = _Picker({None: 55, "RES": 20, "GZH": 15, "PLZ_L": 10})
AFTER_JZP = _Picker({"RES": 55, None: 35, "GZH": 10})
AFTER_CRS = _Picker({None: 55, "PLZ_S": 15, "RES": 20, "GZH": 5, "JZP": 5})
KIND_FORM = {"PLZ_L": "PLZ", "PLZ_S": "PLZ", "NPZ": "NPZ", "GZH": "GZH", "RES": "RES", "DRM": "DRM", "JZP": "JZP",
             "CRS": "CRS", "BW18": "BW18", "LOG": "LOG"}
COURT_ORDER_SHARE = {"PLZ_L": 0.72, "NPZ": 0.5, "PLZ_S": 0.5, "GZH": 0.5, "RES": 0.36, "DRM": 0.28, "JZP": 0.95,
                     "CRS": 0.45, "BW18": 0.0}
RESIDENTIAL_KINDS = frozenset({"RES", "DRM", "JZP"})
YOUNG_INSTEAD = _Picker({"PLZ_L": 62, "PLZ_S": 30, "GZH": 8})


class CareerModel:
    """Draws one child's career as a list of episodes (form, provider, municipality, start, end, reason,
    referrer, legal framework); dates are day ordinals, end None while running at the data date."""

    def __init__(self, *, window_start: dt.date, data_date: dt.date, muni_ids: list[int], muni_weights: list[float],
                 muni_region: list[int], provider_forms: dict[str, list[tuple[int, float]]]):
        self.w0 = window_start.toordinal()
        self.data = data_date.toordinal()
        self.clip = min(JEUGDWET, dt.date(window_start.year - 2, 1, 1)).toordinal()
        self.t0 = window_start.toordinal() - int(20 * YEAR)  # arrivals back to here (long foster careers)
        self.muni_ids = muni_ids
        self.muni_pick = _Picker(list(zip(range(len(muni_ids)), muni_weights, strict=True)))
        by_region: dict[int, list[tuple[int, float]]] = {}
        for idx, (region, weight) in enumerate(zip(muni_region, muni_weights, strict=True)):
            by_region.setdefault(region, []).append((idx, weight))
        self.region_pick = {region: _Picker(items) for region, items in by_region.items()}
        self.muni_region = muni_region
        self.providers = {form: _Picker(items) for form, items in provider_forms.items()}
        self.provider_lists = {form: [p for p, _ in items] for form, items in provider_forms.items()}

    # The public entry: a kept child (with at least one episode in the window) or None.
    def child(self, rng: random.Random):
        return _Career(self, rng).run()


class _Career:
    __slots__ = ("m", "rng", "r", "birth", "b18", "b21", "b23", "muni", "move_at", "muni2", "eps", "sex")

    def __init__(self, model: CareerModel, rng: random.Random):
        self.m = model
        self.rng = rng
        self.r = rng.random
        self.eps: list[list] = []

    # -- helpers
    def logn(self, median: float, sigma: float) -> int:
        return max(1, int(self.rng.lognormvariate(0.0, sigma) * median))

    def age(self, t: int) -> float:
        return (t - self.birth) / YEAR

    def provider(self, form: str, exclude: int | None = None) -> int:
        pick = self.m.providers[form]
        p = pick(self.r)
        if exclude is not None and p == exclude:
            others = [q for q in self.m.provider_lists[form] if q != exclude]
            if others:
                p = others[int(self.r() * len(others))]
        return p

    def muni_at(self, t: int) -> int:
        return self.muni2 if self.move_at is not None and t >= self.move_at else self.muni

    def add(self, form: str, start: int, end: int, reason: str, referrer: str, legal: str, provider: int | None = None) -> int:
        if end <= start:
            end = start + 1
        if provider is None:
            provider = self.provider(form)
        mv = self.move_at
        if mv is not None and form in STAY_FORMS and start < mv < end:
            # The family moves: the new municipality takes over the placement (woonplaatsbeginsel).
            self.eps.append([form, provider, self.muni, start, mv, "35", referrer, legal])
            self.eps.append([form, provider, self.muni2, mv, end, reason, referrer, legal])
        else:
            self.eps.append([form, provider, self.muni_at(start), start, end, reason, referrer, legal])
        return provider

    # -- ambulant help
    def ambulant_round(self, t: int, *, intense: float = 0.0, court: str | None = None) -> int:
        """A round of help at home starting at t; returns the day the last episode ends."""
        r = self.r
        referrer = "04" if court else AMB_REFERRER(r)
        legal = court or "vrijwillig"
        limit = self.b18
        end = t
        cur = t
        if r() < 0.65:
            d = self.logn(110, 0.6)
            e = min(cur + d, limit)
            if e > cur:
                self.add("WIJK", cur, e, END_AMBULANT(r) if e < limit else "31", "01", legal)
                end = max(end, e)
                cur = cur + int(d * (0.3 + 0.7 * r()))
        if r() < 0.86 and cur < limit:
            prov = None
            renewals = 0
            while cur < limit:
                d = self.logn(115, 0.6)
                e = min(cur + d, limit)
                reason = END_AMBULANT(r) if e < limit else "31"
                prov = self.add("AMB", cur, e, reason, referrer, legal,
                                provider=self.provider("AMB", exclude=prov) if reason == "38" else (prov if prov is not None and r() < 0.6 else None))
                end = max(end, e)
                renewals += 1
                if renewals > 6 or (reason != "38" and r() >= 0.63):
                    break
                cur = e if reason == "38" else e + int(r() * 45)
        # Intensive or specialised help: more often (and more systemic / JIM) under the programme.
        prog = programme(t)
        p_extra = 0.16 + 0.08 * prog + intense
        if r() < p_extra:
            a = self.age(t)
            weights = dict(EXTRA_FORM_BASE)
            weights["SYS"] += 0.2 * prog
            weights["JIM"] += 0.25 * prog if a >= 10 else 0.0
            if a >= 13:
                weights["DAG"] = 0.05
            form = _Picker(weights)(r)
            s = t + int(r() * 60)
            if s < limit:
                med = {"SYS": 200, "IHT": 130, "DAG": 240, "JIM": 330}[form]
                e = min(s + self.logn(med, 0.4), limit)
                self.add(form, s, e, END_AMBULANT(r) if e < limit else "31", referrer, legal)
                end = max(end, e)
        if r() < 0.22 and t < limit:  # a second ambulant provider at the same time (e.g. speech, dyslexia, GGZ)
            s = t + int(r() * 120)
            e = min(s + self.logn(150, 0.6), limit)
            if s < e:
                self.add("AMB", s, e, END_AMBULANT(r), referrer, legal)
                end = max(end, e)
        if r() < 0.003:  # respite stays for the family (logeren)
            s = t + int(r() * 90)
            for _ in range(1 + int(r() * 3)):
                e = s + self.logn(9, 0.6)
                if e >= limit:
                    break
                self.add("LOG", s, e, "31", referrer, legal)
                s = e + 20 + int(r() * 60)
        return end

    # -- stays
    def divert(self, kind: str, t: int) -> str | None:
        """Under the programme part of the residential placements does not happen."""
        if kind in RESIDENTIAL_KINDS and self.r() < 0.38 * programme(t):
            x = self.r()
            return None if x < 0.6 else ("GZH" if x < 0.66 else "PLZ_L")
        return kind

    def first_stay_kind(self, t: int) -> str | None:
        a = self.age(t)
        band = "infant" if a < 4 else ("child" if a < 12 else "teen")
        kind = FIRST_STAY[band](self.r)
        if kind == "DRM" and a >= 14:
            kind = "RES"
        return self.divert(kind, t)

    def legal_for(self, kind: str) -> str | None:
        if self.r() < COURT_ORDER_SHARE.get(kind, 0.4):
            return "voogdij" if self.r() < (0.3 if kind in ("PLZ_L", "NPZ") else 0.12) else "ots"
        return None

    def stay_spell(self, t: int, kind: str) -> tuple[int, bool]:
        """A spell of stays starting at t with `kind`; returns (end day, whether the child went home)."""
        r = self.r
        court = self.legal_for(kind)
        referrer = "04" if court else STAY_REFERRER(r)
        legal = court or "vrijwillig"
        prev_provider = None
        for _step in range(14):
            if kind == "BW18":
                if t >= self.b23:
                    return t, False
                e = min(t + self.logn(520, 0.5), self.b23)
                self.add("BW18", t, e, "31" if r() < 0.85 else "39", "01", "vrijwillig")
                return e, False
            if t >= self.b18 and kind not in ("PLZ_L", "NPZ"):
                return t, False
            dur, reason, nxt = self.transition(kind, t)
            e = t + dur
            cap = self.b18
            if kind in ("PLZ_L", "NPZ") and self.b18 > self.m.clip + int(3.5 * YEAR) and r() < 0.25:
                cap = self.b21  # extended foster care to 21 (since 2018)
            if e >= cap:
                e = cap
                reason = "31"
                nxt = "BW18" if r() < (0.42 if kind in RESIDENTIAL_KINDS or kind == "GZH" else 0.08) else None
            form = KIND_FORM[kind]
            same = prev_provider if (prev_provider is not None and nxt != "MOVE" and r() < 0.3) else None
            prov = self.add(form, t, e, reason, referrer, legal, provider=same)
            if nxt == "MOVE":  # doorplaatsing: the same form at another provider
                nxt = kind
                prov_next = self.provider(form, exclude=prov)
            else:
                prov_next = None
            if nxt is None:
                return e, True
            if nxt in RESIDENTIAL_KINDS and kind not in RESIDENTIAL_KINDS:
                if self.age(e) < 12 and r() < 0.6:  # "no under-12s in residential care, unless"
                    nxt = YOUNG_INSTEAD(r)
                else:
                    nxt = self.divert(nxt, e)
            if nxt is None:
                return e, True
            kind = nxt
            prev_provider = prov_next if prov_next is not None else (prov if KIND_FORM[kind] == form else None)
            t = e + (1 if r() < 0.3 else 0)
        return t, True

    def transition(self, kind: str, t: int) -> tuple[int, str, str | None]:
        """Duration, end reason and next kind (None: home; "MOVE": same form at another provider)."""
        r = self.r
        if kind in ("PLZ_L", "NPZ"):
            # Breakdowns are rarer for young children and peak in adolescence.
            b12 = self.birth + int(12 * YEAR)
            t_break = self.rng.expovariate(1 / ((13 if kind == "PLZ_L" else 16) * YEAR))
            if t + t_break > b12:
                t_break = max(0, b12 - t) + self.rng.expovariate(1 / ((3.2 if kind == "PLZ_L" else 5) * YEAR))
            t_home = self.rng.expovariate(1 / (7 * YEAR))
            if t_break < t_home:
                nxt = AFTER_BREAKDOWN(r)
                return max(20, int(t_break)), END_BREAKDOWN(r), nxt
            return max(20, int(t_home)), END_HOME(r), None
        if kind == "PLZ_S":
            d = self.logn(150, 0.6)
            nxt = AFTER_PLZ_S(r)
            if nxt == "BREAK":
                return d, END_BREAKDOWN(r), AFTER_PLZ_S_BREAK(r)
            return d, ("31" if nxt else END_HOME(r)), nxt
        if kind == "GZH":
            d = self.logn(520, 0.7)
            nxt = AFTER_GZH(r)
            if nxt == "BREAK":
                return self.logn(300, 0.7), END_BREAKDOWN(r), AFTER_GZH_BREAK(r)
            if nxt == "GZH":
                return d, "38", "MOVE"
            return d, ("31" if nxt else END_HOME(r)), nxt
        if kind == "RES":
            short = 1 - 0.12 * programme(t)
            d = self.logn(280 * short, 0.7) if r() < 0.75 else self.logn(820, 0.5)
            nxt = AFTER_RES(r)
            if nxt == "MOVE":
                return d, "38", "MOVE"
            if nxt == "JZP":
                return d, ("33" if r() < 0.6 else "35"), "JZP"
            return d, ("31" if nxt else END_HOME(r)), nxt
        if kind == "DRM":
            return self.logn(450, 0.5), "31", AFTER_DRM(self.r)
        if kind == "JZP":
            nxt = AFTER_JZP(r)
            return self.logn(140, 0.5), "31" if nxt else END_HOME(r), nxt
        if kind == "CRS":
            nxt = AFTER_CRS(r)
            return min(90, self.logn(21, 0.6)), "31", nxt
        if kind == "LOGS":
            return self.logn(14, 0.6), "31", None
        raise ValueError(kind)

    # -- the whole career
    def run(self):
        m, r = self.m, self.r
        a0 = r()
        age = a0 * 4 / 0.2 if a0 < 0.2 else (4 + (a0 - 0.2) * 8 / 0.45 if a0 < 0.65 else 12 + (a0 - 0.65) * 5.8 / 0.35)
        t = m.t0 + int(r() * (m.data - m.t0))
        stay_p = 0.075 if age < 4 else (0.05 if age < 12 else 0.15)
        stay = r() < stay_p
        self.birth = t - int(age * YEAR)
        if not stay and self.birth + 23 * YEAR < m.w0:
            return None  # an adult before the window starts: nothing of this career can reach it
        bd = dt.date.fromordinal(self.birth)
        self.b18 = add_years(bd, 18).toordinal()
        self.b21 = add_years(bd, 21).toordinal()
        self.b23 = add_years(bd, 23).toordinal()
        self.sex = SEX(r)
        self.muni = m.muni_pick(r)
        self.move_at = None
        self.muni2 = self.muni
        if r() < 0.05:  # the family moves to another municipality, mostly within the region
            self.move_at = t + int(r() * 6 * YEAR)
            region = m.muni_region[self.muni]
            self.muni2 = m.region_pick[region](r) if r() < 0.8 else m.muni_pick(r)
            if self.muni2 == self.muni:
                self.move_at = None

        rounds = 0
        while t < self.b18 and t <= m.data and rounds < 6:
            rounds += 1
            if stay:
                if rounds == 1 or r() < 0.6 or self.age(t) < 12:
                    kind = self.first_stay_kind(t)
                else:
                    kind = self.divert("CRS" if r() < 0.5 else "RES", t)
                if kind is None:  # help at home instead of a placement
                    end = self.ambulant_round(t, intense=0.9)
                    home = True
                else:
                    start = t
                    if kind not in ("CRS",) and r() < 0.75:  # ambulant help before the placement
                        self.ambulant_round(t)
                        start = t + 30 + int(r() * 270)
                    if start >= self.b18:
                        break
                    if kind == "LOGS":
                        end, home = self.stay_spell_log(start)
                    else:
                        end, home = self.stay_spell(start, kind)
                    if home and end < self.b18 and r() < 0.55:  # aftercare at home
                        self.ambulant_round(end, intense=0.15)
                if not home:
                    break
                # re-entry into care: sometimes a new placement within a year
                if r() < 0.13:
                    t = end + 20 + int(r() * 340)
                    stay = True
                    continue
                stay = False
                if r() >= 0.3:
                    break
                t = end + self.logn(420, 0.6)
            else:
                end = self.ambulant_round(t)
                if r() >= 0.34:
                    break
                t = end + self.logn(420, 0.7)
                # a later round sometimes escalates to a placement
                stay = r() < 0.05
        return self.finish()

    def stay_spell_log(self, t: int) -> tuple[int, bool]:
        """Short stays (logeren): one to four stays of days to weeks with the child at home in between."""
        s = t
        e = t
        for _ in range(1 + int(self.r() * 4)):
            e = s + self.logn(12, 0.6)
            if e >= self.b18:
                break
            self.add("LOG", s, e, "31", STAY_REFERRER(self.r), "vrijwillig")
            s = e + 14 + int(self.r() * 80)
        return e, True

    def finish(self):
        """Cut the career to the data window; None when nothing of it falls inside."""
        m = self.m
        w0, data, clip = m.w0, m.data, m.clip
        kept = []
        for ep in self.eps:
            start, end = ep[3], ep[4]
            if start > data or end <= w0:
                continue
            if end > data:
                ep[4] = None
                ep[5] = ""
            if start < clip:
                ep[3] = clip
            kept.append(ep)
        if not kept:
            return None
        # No overlapping episodes of the same form at the same provider: shift or drop the later one.
        kept.sort(key=lambda e: (e[0], e[1], e[3]))
        clean = []
        last_key, last_end = None, None
        for ep in kept:
            key = (ep[0], ep[1])
            if key == last_key and (last_end is None or ep[3] < last_end):
                if last_end is None or ep[4] is not None and ep[4] <= last_end:
                    continue
                ep[3] = last_end
            clean.append(ep)
            last_key, last_end = key, ep[4]
        clean.sort(key=lambda e: (e[3], e[0]))
        return self.birth, self.sex, clean


# --- writing ---------------------------------------------------------------------------------------------

def flush_deferred_checks() -> None:
    """Run the deferred foreign-key checks now when we are inside an outer transaction (tests, a caller's atomic).

    On PostgreSQL the checks of rows written in a transaction wait for its commit; inside an outer transaction they
    pile up (and block TRUNCATE). Outside one, each chunk has committed already and there is nothing to do.
    """
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        connection.check_constraints()


class _Writer:
    """Bulk inserts with explicit ids: executemany on SQLite, COPY on PostgreSQL."""

    tables = {
        "child": (Child._meta.db_table, ("id", "pseudonym", "reference", "birth_date", "sex", "municipality_id", "label", "registered_by_id",
                                         "created_at")),
        "episode": (Episode._meta.db_table, ("id", "source_id", "child_id", "care_form_id", "provider_id", "municipality_id", "start_date",
                                             "end_date", "end_reason", "referrer", "legal_framework", "created_by_id", "created_at", "updated_at")),
        "declaration": (Declaration._meta.db_table, ("id", "source_id", "child_id", "care_form_id", "provider_id", "municipality_id",
                                                     "period_start", "period_end", "amount")),
    }

    def __init__(self):
        self.vendor = connection.vendor
        self.attnames = {kind: columns for kind, (_table, columns) in self.tables.items()}
        if self.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")  # 256 MB page cache for this connection: index inserts

    def timestamp(self, now: dt.datetime) -> str:
        """A timestamp as this database stores it."""
        if self.vendor == "sqlite":
            return str(connection.ops.adapt_datetimefield_value(now))
        return now.isoformat()

    def prepare(self, kind: str, rows: list[tuple]):
        """Turn rows into what `send` writes: COPY text on PostgreSQL, the rows themselves elsewhere."""
        if self.vendor != "postgresql":
            return rows
        return copy_text(rows)

    def send(self, kind: str, payload) -> None:
        """Write one prepared batch on this thread's connection (call inside a transaction)."""
        table, columns = self.tables[kind]
        if self.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")  # demo data: no need to wait for each WAL flush
            copy_in(table, columns, payload)
        elif self.vendor == "sqlite":
            if not payload:
                return
            # The DB-API connection directly: Django's wrapper rewrites every parameter list (5x slower).
            connection.ensure_connection()
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['?'] * len(columns))})"
            for i in range(0, len(payload), 5000):
                connection.connection.executemany(sql, payload[i: i + 5000])
        elif payload:
            model = {"child": Child, "episode": Episode, "declaration": Declaration}[kind]
            objs = [model(**dict(zip(self.attnames[kind], row, strict=True))) for row in payload]
            model.objects.bulk_create(objs, batch_size=2000)

    def write_chunk(self, payloads: list[tuple[str, object]]) -> float:
        """Write the prepared batches of one chunk in one transaction; returns the seconds it took."""
        started = time.monotonic()
        with transaction.atomic():
            for kind, payload in payloads:
                self.send(kind, payload)
        flush_deferred_checks()
        return time.monotonic() - started

    def write(self, kind: str, rows: list[tuple]) -> None:
        self.send(kind, self.prepare(kind, rows))

    def finish(self) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), [Child, Episode, Declaration])
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


#: From this many children on, a PostgreSQL build drops the secondary indexes and foreign keys of the three
#: tables during the load and recreates them afterwards (one index build is far cheaper than millions of inserts).
BULK_LOAD_CHILDREN = 50_000
_TABLES = (Child._meta.db_table, Episode._meta.db_table, Declaration._meta.db_table)


@contextlib.contextmanager
def postgres_bulk_load(progress: Callable[[str], None]):
    """Drop secondary indexes and foreign keys of child/episode/declaration; recreate them on exit (also on error).

    Primary keys and unique constraints stay, so ids and source ids remain guarded during the load. The
    definitions are read from the catalog and replayed verbatim.
    """
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(
            """SELECT ci.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
               JOIN pg_class ci ON ci.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
               WHERE t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace AND NOT EXISTS (
                   SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x'))""",
            [list(_TABLES)],
        )
        indexes = cur.fetchall()
        cur.execute(
            """SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
               WHERE c.contype = 'f' AND t.relname = ANY(%s) AND t.relnamespace = 'public'::regnamespace""",
            [list(_TABLES)],
        )
        foreign_keys = cur.fetchall()
    with transaction.atomic(), connection.cursor() as cur:
        for table, name, _definition in foreign_keys:
            cur.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
        for name, _definition in indexes:
            cur.execute(f"DROP INDEX {qn(name)}")
    progress(f"bulkmodus: {len(indexes)} indexen en {len(foreign_keys)} verwijzende sleutels tijdelijk verwijderd")
    try:
        yield
    finally:
        started = time.monotonic()
        with connection.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                cur.execute(definition)
            for table, name, definition in foreign_keys:
                cur.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
            cur.execute("RESET maintenance_work_mem")
            for table in _TABLES:
                cur.execute(f"ANALYZE {qn(table)}")
        progress(f"indexen en sleutels hersteld in {time.monotonic() - started:.1f} s")


def _next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def _next_source_number(model, prefix: str) -> int:
    """The next free number for source ids like "D-0000001" (max over existing ids with that prefix)."""
    values = model.objects.filter(source_id__startswith=prefix).values_list("source_id", flat=True)
    best = 0
    for v in values.iterator(chunk_size=10_000):
        tail = v[len(prefix):]
        if tail.isdigit():
            best = max(best, int(tail))
    return best + 1


@dataclass
class _Counters:
    child_id: int
    episode_id: int
    declaration_id: int
    episode_source: int
    declaration_source: int
    children: int = 0
    episodes: int = 0
    declarations: int = 0
    iso: dict = field(default_factory=dict)


def _iso(counters: _Counters, ordinal: int | None) -> str | None:
    if ordinal is None:
        return None
    s = counters.iso.get(ordinal)
    if s is None:
        s = counters.iso[ordinal] = dt.date.fromordinal(ordinal).isoformat()
    return s


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


class DeclarationModel:
    """Cost lines of an episode: monthly lines for stays, one or two lines for ambulant care."""

    def __init__(self, *, window_start: dt.date, data_date: dt.date, providers: int):
        self.w0 = window_start.toordinal()
        self.data = data_date.toordinal()
        # Month table: first and last ordinal per month from the window start to the data date.
        self.months: list[tuple[int, int, int]] = []
        y, mth = window_start.year, window_start.month
        while dt.date(y, mth, 1) <= data_date:
            self.months.append((dt.date(y, mth, 1).toordinal(), month_end(y, mth).toordinal(), y))
            y, mth = (y + 1, 1) if mth == 12 else (y, mth + 1)
        self.month_starts = [m[0] for m in self.months]
        # Rates per (form, provider, year) in cents a day, with a ±5% price difference between providers.
        self.provider_factor = [0.95 + (zlib.crc32(str(p).encode()) % 1000) / 1000 * 0.1 for p in range(providers)]

    def rate(self, form: str, provider: int, year: int, table: dict) -> float:
        return table[form] * (1 + INDEXATION) ** (year - 2017) * self.provider_factor[provider]

    def lines(self, form: str, provider: int, start: int, end: int | None, rnd: Callable[[], float]):
        """(period_start, period_end, cents) tuples, each period within one month."""
        first = max(start, self.w0)
        last = (end - 1) if end is not None else self.data
        last = min(last, self.data)
        if last < first:
            return []
        if form in DAILY_RATE:
            out = []
            i = bisect.bisect_right(self.month_starts, first) - 1
            while i < len(self.months):
                m0, m1, year = self.months[i]
                if m0 > last:
                    break
                a, b = max(first, m0), min(last, m1)
                days = b - a + 1
                out.append((a, b, int(round(days * self.rate(form, provider, year, DAILY_RATE) * 100))))
                i += 1
            return out
        if form in AMBULANT_DAY_COST:
            year = dt.date.fromordinal(first).year
            days = last - first + 1
            total = int(round(days * self.rate(form, provider, year, AMBULANT_DAY_COST) * (0.7 + 0.6 * rnd()) * 100))
            if days < 62:
                return [(first, last, total)]
            # Two lines, each for half of the period in care (declared per half, not per month).
            mid = first + days // 2
            part = total * (mid - first) // days
            return [(first, mid - 1, part), (mid, last, total - part)]
        return []  # WIJK: the municipality's own team, no declaration


def build_demo(options: DemoOptions) -> DemoResult:
    """Build the demo population. Refuses when demo children exist (call reset_demo first)."""
    started = time.monotonic()
    progress = options.progress or (lambda msg: None)
    data_date = options.until or data_date_default()
    window_start = dt.date(options.from_year, 1, 1)
    if data_date < window_start:
        raise ValueError("De einddatum ligt vóór het beginjaar.")
    if data_date > data_date_default():
        raise ValueError("De einddatum ligt in de toekomst: de demo loopt hooguit tot en met vorige maand.")
    if demo_data_exists():
        raise RuntimeError("Er staan al demodata in de database. Gebruik --reset om ze eerst te verwijderen.")

    munis = scope_municipalities(options.regions)
    weights = municipality_weights(munis)
    foodvalley_only = all(m.region.name == FOODVALLEY for m in munis)
    n_children = options.children if options.children is not None else FOODVALLEY_CHILDREN
    label_prefix, label_width = ("FV-", 6) if foodvalley_only and n_children < 1_000_000 else ("NL-", 7)

    providers = ensure_providers()
    forms = {cf.code: cf.id for cf in CareForm.objects.all()}
    missing = [code for code in ("AMB", "WIJK", "JIM", "SYS", "IHT", "DAG", "PLZ", "NPZ", "GZH", "LOG", "CRS", "RES", "DRM", "JZP", "BW18")
               if code not in forms]
    if missing:
        raise RuntimeError(f"Zorgvormen ontbreken in de taxonomie: {', '.join(missing)}")
    provider_forms: dict[str, list[tuple[int, float]]] = {}
    for idx, (_name, _agb, offered) in enumerate(PROVIDERS):
        for form, weight in offered.items():
            provider_forms.setdefault(form, []).append((idx, weight))
    region_ids = [m.region_id for m in munis]
    model = CareerModel(window_start=window_start, data_date=data_date, muni_ids=[m.id for m in munis],
                        muni_weights=weights, muni_region=region_ids, provider_forms=provider_forms)
    decl_model = DeclarationModel(window_start=window_start, data_date=data_date, providers=len(PROVIDERS))
    provider_ids = [p.id for p in providers]
    muni_ids = [m.id for m in munis]
    pseudonym = Pseudonymiser()
    writer = _Writer()
    now = writer.timestamp(timezone.now())
    c = _Counters(child_id=_next_id(Child), episode_id=_next_id(Episode), declaration_id=_next_id(Declaration),
                  episode_source=_next_source_number(Episode, "E-"), declaration_source=_next_source_number(Declaration, "D-"))

    bulk = options.bulk_load if options.bulk_load is not None else n_children >= BULK_LOAD_CHILDREN
    bulk = bulk and not connection.in_atomic_block  # DDL and a second connection need committed chunks
    load_context = postgres_bulk_load(progress) if bulk and connection.vendor == "postgresql" else contextlib.nullcontext()
    # Large PostgreSQL builds write each chunk on a second thread (own connection) while the next is generated.
    pipeline = ThreadPoolExecutor(max_workers=1) if bulk and connection.vendor == "postgresql" else None
    pending = None
    with load_context:
        done = 0
        chunk_no = 0
        write_seconds = 0.0
        try:
            while done < n_children:
                size = min(options.chunk_size, n_children - done)
                rng = random.Random(f"{options.seed}:{chunk_no}")
                r = rng.random
                children_rows, episode_rows, declaration_rows = [], [], []
                built = 0
                while built < size:
                    career = model.child(rng)
                    if career is None:
                        continue
                    birth, sex, eps = career
                    index = done + built
                    child_id = c.child_id
                    c.child_id += 1
                    latest_muni = muni_ids[max(eps, key=lambda e: (e[3], e[4] is None, e[4] or 0))[2]]
                    children_rows.append((child_id, pseudonym(DEMO_BSN_OFFSET + index), new_child_reference(), _iso(c, birth), sex, latest_muni,
                                          f"{label_prefix}{index + 1:0{label_width}d}", None, now))
                    for form, prov, muni, start, end, reason, referrer, legal in eps:
                        episode_rows.append((c.episode_id, f"E-{c.episode_source:07d}", child_id, forms[form], provider_ids[prov], muni_ids[muni],
                                             _iso(c, start), _iso(c, end), reason, referrer, legal, None, now, now))
                        c.episode_id += 1
                        c.episode_source += 1
                        if not options.declarations:
                            continue
                        for a, b, cents in decl_model.lines(form, prov, start, end, r):
                            amounts = [cents]
                            if r() < CORRECTION_SHARE:  # a correction: reverse the line and declare a corrected amount
                                amounts += [-cents, int(cents * (0.9 + 0.15 * r()))]
                            for amount in amounts:
                                declaration_rows.append((c.declaration_id, f"D-{c.declaration_source:07d}", child_id, forms[form],
                                                         provider_ids[prov], muni_ids[muni], _iso(c, a), _iso(c, b), _money(amount)))
                                c.declaration_id += 1
                                c.declaration_source += 1
                    built += 1
                payloads = [("child", writer.prepare("child", children_rows)), ("episode", writer.prepare("episode", episode_rows)),
                            ("declaration", writer.prepare("declaration", declaration_rows))]
                if pipeline is None:
                    write_seconds += writer.write_chunk(payloads)
                else:  # write this chunk on the writer thread while the next one is generated
                    if pending is not None:
                        write_seconds += pending.result()
                    pending = pipeline.submit(writer.write_chunk, payloads)
                done += size
                chunk_no += 1
                c.children += len(children_rows)
                c.episodes += len(episode_rows)
                c.declarations += len(declaration_rows)
                progress(f"kinderen {c.children:,}/{n_children:,}  trajecten {c.episodes:,}  declaraties {c.declarations:,}  "
                         f"{time.monotonic() - started:.1f} s (schrijven {write_seconds:.1f} s)".replace(",", "."))
        finally:
            if pipeline is not None:
                try:
                    if pending is not None:
                        write_seconds += pending.result()
                finally:
                    pipeline.submit(connections.close_all).result()  # closes the writer thread's own connection
                    pipeline.shutdown()
    writer.finish()
    return DemoResult(children=c.children, episodes=c.episodes, declarations=c.declarations,
                      seconds=time.monotonic() - started, data_date=data_date, municipalities=len(munis),
                      write_seconds=write_seconds)


def reset_demo(progress: Callable[[str], None] | None = None) -> int:
    """Delete the demo children with their episodes, declarations and anything else that refers to them.

    Rows of other apps that point at demo children, episodes or declarations are deleted through the
    ORM (so their own cascades apply); the three big tables are emptied with plain DELETE statements.
    Returns the number of children removed.
    """
    demo = Child.objects.filter(demo_children_q())
    if not demo.exists():
        return 0
    if connection.vendor == "postgresql":
        count = demo.count()
        if _truncate_if_all_demo(progress):
            return count
    ids_sql, ids_params = demo.values("id").query.sql_with_params()
    with transaction.atomic():
        for model, lookup in ((Child, ""), (Episode, "child__"), (Declaration, "child__")):
            for rel in model._meta.related_objects:
                related = rel.related_model
                if related in (Child, Episode, Declaration) or not rel.field.concrete:
                    continue
                related._default_manager.filter(**{f"{rel.field.name}__{lookup}in": demo}).delete()
        with connection.cursor() as cursor:
            for model in (Declaration, Episode):
                cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE child_id IN ({ids_sql})", ids_params)
                if progress:
                    progress(f"{model._meta.verbose_name_plural} verwijderd: {cursor.rowcount:,}".replace(",", "."))
            cursor.execute(f"DELETE FROM {Child._meta.db_table} WHERE id IN ({ids_sql})", ids_params)
            removed = cursor.rowcount
    if progress:
        progress(f"demokinderen verwijderd: {removed:,}".replace(",", "."))
    return removed


def _truncate_if_all_demo(progress) -> bool:
    """PostgreSQL: when every child is a demo child and nothing else refers to the three tables, TRUNCATE them.

    Deleting millions of rows one by one takes minutes; TRUNCATE is instant. Every table that (transitively)
    references child/episode/declaration must be empty, so nothing outside the demo is lost.
    """
    if Child.objects.exclude(demo_children_q()).exists():
        return False
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(
            """WITH RECURSIVE refs(tbl) AS (
                   SELECT c.conrelid FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid = ANY(%s::regclass[])
                   UNION SELECT c.conrelid FROM pg_constraint c JOIN refs r ON c.confrelid = r.tbl WHERE c.contype = 'f')
               SELECT DISTINCT cl.relname FROM refs JOIN pg_class cl ON cl.oid = refs.tbl""",
            [list(_TABLES)],
        )
        others = [name for (name,) in cur.fetchall() if name not in _TABLES]
        for name in others:
            cur.execute(f"SELECT EXISTS (SELECT 1 FROM {qn(name)})")
            if cur.fetchone()[0]:
                return False
        flush_deferred_checks()
        with transaction.atomic():
            cur.execute(f"TRUNCATE {', '.join(qn(t) for t in (*_TABLES, *others))}")
    if progress:
        progress("alle demodata verwijderd (TRUNCATE)")
    return True


def stderr_progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)
