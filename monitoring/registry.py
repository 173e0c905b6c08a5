"""The metric registry: every figure the dashboard, targets and reports show, defined once.

Definitions follow ../shared/design/metrics.md. Later issues (casework, foster care) register their
figures here too, with `register(Metric(...))`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.periods import month_end, parse_period
from placements.models import Municipality


class Kind:
    STOCK = "stock"
    FLOW = "flow"
    COHORT = "cohort"
    MONEY = "money"
    SHARE = "share"


class Aggregation:
    DISTINCT = "distinct"  # distinct children, computed at each level itself
    SUM = "sum"  # days, money and event counts add up from municipality to region
    RATIO = "ratio"  # recomputed at each level from its own parts
    NONE = "none"  # not aggregated (per scope)


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    definition: str
    kind: str
    aggregation: str
    periods: tuple[str, ...] = ("month",)  # month, quarter, year, half
    unit: str = "count"  # count, days, euro, share, per_1000
    counts_children: bool = False  # a count of people (children, or families stopping): core.publication protects it
    source: str = "registry"  # registry (computed by the snapshot run) / casework / fostercare
    available: bool = True  # False until the issue that measures it lands
    # a fixed-window figure: measurable for a period only once `window_days` have passed after its last day
    # (`window_next_half`: once the half-year after it has ended); see measurable_from
    window_days: int | None = None
    window_next_half: bool = False

    @property
    def is_share(self) -> bool:
        return self.unit == "share"

    @property
    def has_window(self) -> bool:
        return self.window_days is not None or self.window_next_half


REGISTRY: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    REGISTRY[metric.key] = metric
    return metric


def get(key: str) -> Metric | None:
    return REGISTRY.get(key)


# ------------------------------------------------------------------------------ figures not measurable yet
# A fixed-window figure (re-entry, return home or a breakdown within 12 months, a placement prevented for 183 days,
# no new start before the end of the next half-year, …) of a period is only known once its window has closed for
# every case of the period: the last day of the period plus the window. Before that the value would be too low (the
# cases whose window is still open count as "not yet"), so a run stores no value for such a period (runs.writer),
# and pages, exports and the PDF say "nog niet meetbaar" with the date from which it will be. A window that closes on
# the data date itself is closed. The internal series of such a figure (its denominator n) follow it. This sharpens
# metrics.md, which defines the windows but not what to show while they are open.
def window_metric(key: str) -> Metric | None:
    """The fixed-window figure a series belongs to (itself, or the share whose denominator it is); None without one."""
    metric = REGISTRY.get(key)
    if metric is not None and metric.has_window:
        return metric
    base = next((share for share, n in SHARE_DENOMINATORS.items() if n == key), None) if key.endswith("_n") else None
    metric = REGISTRY.get(base) if base else None
    return metric if metric is not None and metric.has_window else None


def measurable_from(key: str, period: str) -> dt.date | None:
    """The first data date from which the figure `key` of `period` (YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY) is measurable;
    None when the figure has no fixed window (always measurable)."""
    metric = window_metric(key)
    parsed = parse_period(period)
    if metric is None or parsed is None:
        return None
    if metric.window_next_half:
        last = parsed.end
        return month_end(last.year + (last.month + 6 > 12), (last.month + 6 - 1) % 12 + 1)
    return parsed.end + dt.timedelta(days=metric.window_days)


def measured_until(key: str, data_date: dt.date) -> dt.date:
    """The last day a period of `key` may end on and be measurable by `data_date` (the data date itself for a figure
    without a window). For whole months: the last month end on or before it."""
    metric = window_metric(key)
    if metric is None:
        return data_date
    if metric.window_next_half:  # the half-year before the last half-year that has ended by the data date
        d = data_date
        last = month_end(d.year, 12) if d >= month_end(d.year, 12) else month_end(d.year, 6) if d >= month_end(d.year, 6) else month_end(d.year - 1, 12)
        return month_end(last.year, 6) if last.month == 12 else month_end(last.year - 1, 12)
    return data_date - dt.timedelta(days=metric.window_days)


def is_measurable(key: str, period: str, data_date: dt.date | None) -> bool:
    opens = measurable_from(key, period)
    return opens is None or (data_date is not None and opens <= data_date)


# Apps that measure figures outside the episode/declaration engine (casework, foster care) register a
# provider under their name in their AppConfig.ready(), so that monitoring imports none of them:
# provider(data_date=date, region=Region | None | ALL_SCOPES) -> list of series tuples
# (level, scope, group, band, metric, {period: value}); region=None means the country ("NL"), ALL_SCOPES every
# municipality, every region and the country in one pass (what a run asks). Each provider is a part of a run.
SERIES_PROVIDERS: dict = {}
ALL_SCOPES = "all"


class ProviderScopes:
    """For a provider: which rows to read (`filter`) and the scopes a municipality's row counts in (`of`):
    a region → its municipalities and the region; None → the country; ALL_SCOPES → all three levels."""

    def __init__(self, region):
        self.region = region
        self.everything = region == ALL_SCOPES
        if self.everything:
            self.scopes = {mid: [("municipality", code), ("region", name), ("country", "NL")]
                           for mid, code, name in Municipality.objects.values_list("id", "cbs_code", "region__name")}
        elif region is not None:
            self.scopes = {mid: [("municipality", code), ("region", region.name)]
                           for mid, code in Municipality.objects.filter(region=region).values_list("id", "cbs_code")}

    def filter(self, field: str):
        from django.db.models import Q

        if self.region is None or self.everything:
            return Q()
        return Q(**{f"{field}__region_id": self.region.pk})

    def of(self, muni_id: int) -> list[tuple[str, str]]:
        if self.region is None:
            return [("country", "NL")]
        if self.everything:
            return self.scopes.get(muni_id, [("country", "NL")])
        return self.scopes.get(muni_id, [("region", self.region.name)])


def register_series_provider(name: str, provider) -> None:
    SERIES_PROVIDERS[name] = provider


# The same apps add a section to the dashboard: section(dash) -> {"rows": [{"key", "label", "help", "period", "text",
# "suppressed"}, ...]}, the rows their template shows under the charts and the dashboard export writes.
DASHBOARD_SECTIONS: dict = {}


#: the tiles of every section (monitoring.dashboard.sections.Tile or a figure key), read in one query per page
SECTION_TILES: list = []


def register_dashboard_section(name: str, section, tiles=()) -> None:
    DASHBOARD_SECTIONS[name] = section
    SECTION_TILES.extend(tiles)


# Apps whose figures have groups of their own (a family kind, a recruitment stage, who signals, ...) name them here,
# so that a target can be set on them and their groups read as words: name -> (title, [(group, label), ...]).
APP_GROUPS: dict[str, tuple[str, list[tuple[str, str]]]] = {}
SIGNALLER_GROUPS = "signallers"  # the groups of `signals` (casework registers them)


def register_groups(name: str, title: str, groups: list[tuple[str, str]]) -> None:
    APP_GROUPS[name] = (title, list(groups))


def app_group_label(group: str) -> str | None:
    return next((str(label) for _title, groups in APP_GROUPS.values() for code, label in groups if code == group), None)


M, D = Kind, Aggregation

for _m in (
    Metric("stock", _("Kinderen in zorg (peildatum)"), _("Aantal verschillende kinderen met een actief traject van de groep op de laatste dag van de maand."), M.STOCK, D.DISTINCT, counts_children=True),
    Metric("served", _("Kinderen bediend in de maand"), _("Aantal verschillende kinderen met een traject van de groep dat ergens in de maand actief was."), M.STOCK, D.DISTINCT, counts_children=True),
    Metric("entries", _("Instroom"), _("Kinderen die in de maand een traject van de groep beginnen en de dag ervoor in geen traject van die groep zaten; geteld bij de gemeente van het nieuwe traject."), M.FLOW, D.DISTINCT, counts_children=True),
    Metric("exits", _("Uitstroom"), _("Kinderen van wie in de maand een traject van de groep eindigt en die op die einddatum in geen traject van de groep zitten; geteld bij de gemeente van het eindigende traject."), M.FLOW, D.DISTINCT, counts_children=True),
    Metric("escalations", _("Opschalingen"), _("Dagen in de maand waarop het zorgniveau van een kind stijgt vanaf minstens niveau 1 (bijv. pleegzorg → residentieel); geteld bij het traject met het nieuwe niveau. Een korte terugkeer naar huis van hooguit 30 dagen telt niet als nieuw begin."), M.FLOW, D.SUM, counts_children=True),
    Metric("step_downs", _("Afschalingen"), _("Dagen in de maand waarop het zorgniveau van een kind daalt naar een niveau van minstens 1 (bijv. residentieel → gezinshuis)."), M.FLOW, D.SUM, counts_children=True),
    Metric("moves", _("Doorplaatsingen"), _("Verblijfstrajecten die in de maand beginnen terwijl het kind tot de dag ervoor in een ander verblijf zat. De eerste plaatsing telt niet."), M.FLOW, D.SUM, counts_children=True),
    Metric("breakdowns", _("Breakdowns"), _("Pleegzorg- of gezinshuistrajecten die in de maand voortijdig en ongepland eindigen (eenzijdig door cliënt of aanbieder), of binnen 30 dagen van een opschaling naar een hoger niveau."), M.FLOW, D.SUM, counts_children=True),
    Metric("care_days", _("Zorgdagen"), _("Dagen in zorg binnen de maand, opgeteld over kinderen (een kind telt één keer per dag per groep), naar leeftijd op elke dag."), M.FLOW, D.SUM, unit="days"),
    Metric("cost", _("Kosten"), _("Som van de gedeclareerde bedragen met begin van de periode in de maand (correcties negatief)."), M.MONEY, D.SUM, unit="euro"),
    Metric("clients_declared", _("Gedeclareerde cliënten"), _("Verschillende kinderen met minstens één declaratie met begin van de periode in de maand."), M.STOCK, D.DISTINCT, counts_children=True),
    Metric("stock_per_1000", _("Kinderen in zorg per 1.000 jeugdigen"), _("Kinderen in zorg op de peildatum per 1.000 inwoners van 0–17 jaar van dat jaar."), M.SHARE, D.RATIO, unit="per_1000"),
    Metric("clients_declared_year", _("Cliënten per jaar"), _("Per zorgvorm en jaar: verschillende kinderen met minstens één declaratie met begin van de periode in het jaar. De totaalregel is de som van de aantallen per zorgvorm."), M.STOCK, D.DISTINCT, periods=("year",), counts_children=True),
    Metric("cost_year", _("Kosten per jaar"), _("Per zorgvorm en jaar: som van de gedeclareerde bedragen met begin van de periode in het jaar."), M.MONEY, D.SUM, periods=("year",), unit="euro"),
    Metric("cost_per_client", _("Kosten per cliënt"), _("Kosten per jaar gedeeld door cliënten per jaar, afgerond op centen."), M.MONEY, D.RATIO, periods=("year",), unit="euro"),
    Metric("los_median", _("Verblijfsduur (mediaan, dagen)"), _("Kaplan–Meier-schatting van de mediane duur van een verblijfsperiode per instroomcohort; lopende periodes gecensureerd op de datadatum. Periodes korter dan 8 dagen en instroom vanaf 18 jaar tellen niet mee. Onbepaald zolang de curve de mediaan niet passeert. Voor alle verblijf (een periode loopt door bij een overplaatsing) en apart per verblijfsvorm, gezinsgericht en residentieel (een periode in die groep eindigt bij een overplaatsing naar een vorm buiten de groep)."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="days"),
    Metric("los_q1", _("Verblijfsduur (eerste kwartiel)"), _("Als de mediaan, voor het 25%-punt."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="days"),
    Metric("los_q3", _("Verblijfsduur (derde kwartiel)"), _("Als de mediaan, voor het 75%-punt."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="days"),
    Metric("home_within_12m", _("Binnen 12 maanden thuis"), _("Aandeel van het instroomcohort waarvan de verblijfsperiode binnen 365 dagen eindigde met terugkeer naar huis."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="share", window_days=365),
    Metric("reentry_within_12m", _("Terugval binnen 12 maanden"), _("Per uitstroomcohort (periodes die in de periode eindigden): aandeel dat binnen 365 dagen een nieuwe verblijfsperiode begint."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="share", window_days=365),
    Metric("moves_per_1000_days", _("Doorplaatsingen per 1.000 zorgdagen"), _("Doorplaatsingen binnen de verblijfsperiodes van het cohort per 1.000 dagen in zorg, in de eerste 12 maanden."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="per_1000"),
    Metric("foster_breakdown_12m", _("Breakdown pleegzorg binnen 12 maanden"), _("Aandeel van de nieuwe pleegzorg- en gezinshuistrajecten in de periode dat binnen 365 dagen in een breakdown eindigt."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="share", window_days=365),
    Metric("no_new_start", _("Geen nieuwe start"), _("Van de kinderen van wie in een halfjaar een traject eindigde: het aandeel zonder nieuw traject (welke vorm ook) vóór het einde van het volgende halfjaar (NJi-uitkomstindicator 3.2)."), M.COHORT, D.RATIO, periods=("half",), unit="share", window_next_half=True),
    Metric("dropout", _("Uitval"), _("Aandeel van de beëindigde trajecten met een reden ‘eenzijdig door cliënt’ of ‘eenzijdig door aanbieder’ (CBS 03/04)."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="share"),
    Metric("cohort_size", _("Omvang instroomcohort"), _("Aantal verblijfsperiodes in het instroomcohort (na weglaten van periodes korter dan 8 dagen en instroom vanaf 18 jaar)."), M.COHORT, D.DISTINCT, periods=("quarter", "year"), counts_children=True),
):
    register(_m)

# Casework figures (measured by casework.figures in the snapshot run) and figures that later issues measure
# (foster care): the latter are shown as "nog niet gemeten" until their issue lands and flips `available`.
for _m in (
    Metric("ret_cases", _("Casussen besproken in het RET"), _("Verschillende casussen besproken door het Regionaal Expertteam."), M.FLOW, D.SUM, periods=("month", "quarter", "year"), counts_children=True, source="casework"),
    Metric("ret_cases_gi_invited", _("RET-casussen met GI uitgenodigd"), _("Van de RET-casussen met een betrokken GI: het aantal waarbij de GI was uitgenodigd."), M.FLOW, D.SUM, periods=("month", "quarter", "year"), counts_children=True, source="casework"),
    Metric("case_week_cases", _("Casussen in de Week van de Casus"), _("Verschillende casussen van kinderen onder de 12 besproken in een Week van de Casus."), M.FLOW, D.SUM, periods=("month", "quarter", "year"), counts_children=True, source="casework"),
    Metric("placements_prevented", _("Voorkomen uithuisplaatsingen"), _("Signalen dreigende uithuisplaatsing gesloten met ‘kind blijft thuis’ en 183 dagen na sluiting nog zonder verblijf."), M.FLOW, D.SUM, periods=("month", "quarter", "year"), counts_children=True, source="casework", window_days=183),
    Metric("prevented_6m", _("Voorkomen na 6 maanden"), _("Van de kinderen met een signaal in de periode: aandeel zonder verblijf binnen 183 dagen."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="share", source="casework", window_days=183),
    Metric("prevented_12m", _("Voorkomen na 12 maanden"), _("Van de kinderen met een signaal in de periode: aandeel zonder verblijf binnen 365 dagen."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="share", source="casework", window_days=365),
    Metric("jim_families", _("Gezinnen met JIM"), _("Verschillende kinderen met een actief JIM-traject."), M.STOCK, D.DISTINCT, periods=("month",), counts_children=True, source="casework"),
    Metric("jim_families_monitored", _("Gezinnen met JIM, gemonitord"), _("Van de gezinnen met JIM: met een follow-up in de laatste 92 dagen."), M.STOCK, D.DISTINCT, periods=("month",), counts_children=True, source="casework"),
    Metric("systemic_families", _("Gezinnen met systemisch traject"), _("Verschillende kinderen met een actief systemisch ambulant traject."), M.STOCK, D.DISTINCT, periods=("month",), counts_children=True, source="casework"),
    Metric("systemic_families_monitored", _("Gezinnen met systemisch traject, gemonitord"), _("Van die gezinnen: met een follow-up in de laatste 92 dagen."), M.STOCK, D.DISTINCT, periods=("month",), counts_children=True, source="casework"),
    Metric("residential_checklists", _("Residentiële plaatsingen met checklist"), _("Residentiële plaatsingen waarvan de checklist vóór de start was ingevuld."), M.FLOW, D.SUM, periods=("month", "quarter", "year"), counts_children=True, source="casework"),
    Metric("residential_checklists_share", _("Aandeel residentiële plaatsingen met checklist"), _("Van alle residentiële plaatsingen die in het jaar begonnen: het aandeel waarvan de checklist vóór de start was ingevuld."), M.SHARE, D.RATIO, periods=("year",), unit="share", source="casework"),
):
    register(_m)

# Foster-care figures (measured by fostercare.figures in the snapshot run; definitions in its docstring).
for _m in (
    Metric("breakdowns_prevented", _("Voorkomen breakdowns"), _("Risicomeldingen pleegzorg die binnen 183 dagen zijn afgesloten met ‘plaatsing stabiel’, zonder dat de plaatsing binnen 183 dagen na de melding alsnog afbrak; geteld in de maand van afsluiten."), M.FLOW, D.SUM, periods=("month", "quarter", "year"), counts_children=True, source="fostercare", window_days=183),
    Metric("foster_breakdowns_registered", _("Breakdowns in het risicoregister"), _("Risicomeldingen afgesloten met ‘plaatsing beëindigd’ om een andere reden dan een geplande overgang; per reden als groep."), M.FLOW, D.SUM, periods=("month", "quarter", "year"), counts_children=True, source="fostercare"),
    Metric("foster_risks_registered", _("Nieuwe risicomeldingen pleegzorg"), _("Risicomeldingen van plaatsingen in een pleeggezin of gezinshuis, geregistreerd in de maand."), M.FLOW, D.SUM, periods=("month", "quarter", "year"), counts_children=True, source="fostercare"),
    Metric("foster_at_risk", _("Plaatsingen met een risico"), _("Plaatsingen in een pleeggezin of gezinshuis met een open risicomelding op de laatste dag van de maand."), M.STOCK, D.DISTINCT, counts_children=True, source="fostercare"),
    Metric("foster_at_risk_days", _("Dagen met risico"), _("Dagen in de maand waarop een risicomelding open stond, opgeteld over de meldingen."), M.FLOW, D.SUM, unit="days", source="fostercare"),
    Metric("foster_escalations", _("Opschaling pleegzorg → residentieel"), _("Residentiële of gesloten plaatsingen die in de maand beginnen bij een kind dat tot dan in een pleeggezin of gezinshuis woonde (dat traject liep nog of eindigde hooguit 30 dagen eerder) en de dag ervoor niet al residentieel verbleef."), M.FLOW, D.SUM, counts_children=True, source="fostercare"),
    Metric("foster_children", _("Kinderen in pleegzorg"), _("Verschillende kinderen met een actief pleegzorgtraject (pleegzorg en netwerkpleegzorg, CBS-hulpvorm 11) op de laatste dag van de maand."), M.STOCK, D.DISTINCT, counts_children=True, source="fostercare"),
    Metric("foster_families_active", _("Actieve pleeggezinnen"), _("Pleeggezinnen en gezinshuizen met status ‘goedgekeurd’ of ‘actief’ op de laatste dag van de maand; per soort gezin als groep."), M.STOCK, D.SUM, source="fostercare"),
    Metric("foster_families_leaving", _("Gestopte pleeggezinnen"), _("Pleeggezinnen en gezinshuizen die in de maand stoppen; per reden als groep."), M.FLOW, D.SUM, periods=("month", "quarter", "year"), counts_children=True, source="fostercare"),
    Metric("foster_free_places", _("Vrije plaatsen"), _("Over de actieve gezinnen op de laatste dag van de maand: plaatsen min geplaatste kinderen (niet onder nul)."), M.STOCK, D.SUM, source="fostercare"),
    Metric("foster_places", _("Plaatsen in gezinnen"), _("Over de actieve gezinnen op de laatste dag van de maand: het aantal plaatsen (capaciteit); per soort gezin als groep, en pleeggezinnen (netwerk en bestand) samen als groep ‘pleeggezin’."), M.STOCK, D.SUM, source="fostercare"),
    Metric("recruitment", _("Werving pleegouders"), _("Aspirant-pleegouders die in de maand een fase bereiken (informatieavond, intake, training, beoordeling, goedgekeurd, afgehaakt); de fase is de groep."), M.FLOW, D.SUM, periods=("month", "quarter", "year"), source="fostercare"),
    Metric("recruitment_conversion", _("Conversie werving"), _("Goedgekeurde aspiranten in het jaar gedeeld door aspiranten op een informatieavond in het jaar."), M.SHARE, D.RATIO, periods=("year",), unit="share", source="fostercare"),
    Metric("prospects_per_match", _("Aspiranten per match"), _("Aspiranten op een informatieavond in het jaar per gerealiseerde match: bestandspleeggezinnen en gezinshuizen die in dat jaar hun eerste kind kregen."), M.SHARE, D.RATIO, periods=("year",), unit="ratio", source="fostercare"),
):
    register(_m)

# Court-order figures (issue 16; measured by protection.figures in the snapshot run; definitions in its docstring).
for _m in (
    Metric("measure_children", _("Kinderen met een jeugdbeschermingsmaatregel"), _("Verschillende kinderen met een lopende jeugdbeschermingsmaatregel (OTS, voorlopige OTS, voogdij, voorlopige voogdij) op de laatste dag van de maand; geteld bij de gemeente van de maatregel."), M.STOCK, D.DISTINCT, counts_children=True, source="protection"),
    Metric("measure_starts", _("Nieuwe jeugdbeschermingsmaatregelen"), _("Maatregelen met een ingangsdatum in de periode (een voorlopige OTS gevolgd door een OTS zijn twee maatregelen)."), M.FLOW, D.SUM, periods=("month", "quarter", "year"), counts_children=True, source="protection"),
    Metric("stay_entries_court", _("Instroom in verblijf uit gedwongen kader"), _("Verblijfstrajecten die beginnen terwijl het kind de dag ervoor in geen verblijf zat (instroom), met een juridisch kader van een maatregel (OTS, voogdij, jeugdreclassering, ook voorlopig) of bij een kind dat op die dag onder een maatregel staat."), M.FLOW, D.SUM, periods=("month", "quarter", "year"), counts_children=True, source="protection"),
    Metric("stay_entries_court_share", _("Aandeel instroom in verblijf uit gedwongen kader"), _("Van alle instroom in verblijf in de periode: het aandeel uit een gedwongen kader (landelijk bijna 45 procent)."), M.SHARE, D.RATIO, periods=("quarter", "year"), unit="share", source="protection"),
):
    register(_m)

# Crisis figures (issue 16, "crisis als kans"; measured by crisis.figures; definitions in its docstring).
for _m in (
    Metric("crises", _("Crises"), _("Crises in de periode: het begin van een crisistraject (zorgvorm gemarkeerd als crisiszorg) of een crisiscontact van het wijkteam; wat binnen 30 dagen na het begin van een crisis volgt, hoort bij die crisis."), M.FLOW, D.SUM, periods=("month", "quarter", "year"), counts_children=True, source="crisis"),
    Metric("crisis_placement_30d", _("Crisis gevolgd door plaatsing (30 dagen)"), _("Van de crises in de periode: het aandeel waarna binnen 30 dagen een verblijf begint dat geen crisiszorg is (uithuisplaatsing)."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="share", source="crisis", window_days=30),
    Metric("crisis_placement_90d", _("Crisis gevolgd door plaatsing (90 dagen)"), _("Van de crises in de periode: het aandeel waarna binnen 90 dagen een verblijf begint dat geen crisiszorg is. In 2015–2018 ongeveer de helft; de regio wil dat halveren."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="share", source="crisis", window_days=90),
    Metric("crisis_home_90d", _("Na crisis thuis (90 dagen)"), _("Van de crises in de periode: het aandeel waarbij het kind 90 dagen na het begin in geen enkel verblijf zit."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="share", source="crisis", window_days=90),
):
    register(_m)

# Outcomes (issue 17; measured by casework.outcomes and protection.figures; definitions in their docstrings). With the
# engine's outcome figures (moves, re-entry, return home, drop-out, no new start, breakdowns) they make the dashboard's
# and the report's "Uitkomsten".
for _m in (
    Metric("signals", _("Signalen dreigende uithuisplaatsing"), _("Casussen dreigende uithuisplaatsing die in de periode zijn geopend, per wie signaleert als groep (school, huisarts, GI, Veilig Thuis, gezin, wijkteam, anders)."), M.FLOW, D.SUM, periods=("month", "quarter", "year"), counts_children=True, source="casework"),
    Metric("stay_entries_referrer", _("Instroom in verblijf per verwijzer"), _("Instroom in verblijf (een verblijf begint terwijl het kind de dag ervoor in geen verblijf zat), per verwijzer van het traject als groep (CBS-verwijzerscode; ‘onbekend’ zonder verwijzer)."), M.FLOW, D.SUM, periods=("month", "quarter", "year"), counts_children=True, source="protection"),
    Metric("ret_advice_followed_6m", _("RET-advies na 6 maanden nog gevolgd"), _("Van de RET-besprekingen in de periode met een follow-up van minstens 183 dagen later: het aandeel waarvan de eerste zulke follow-up zegt dat het advies nog wordt gevolgd (‘ja’; ‘deels’ telt niet)."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="share", source="casework", window_days=183),
    Metric("jim_home_6m", _("JIM: na 6 maanden nog thuis"), _("Van de kinderen van wie in de periode een JIM-traject begon: het aandeel zonder verblijf dat binnen 183 dagen na de start begint."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="share", source="casework", window_days=183),
    Metric("jim_home_12m", _("JIM: na 12 maanden nog thuis"), _("Als hierboven, binnen 365 dagen."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="share", source="casework", window_days=365),
    Metric("systemic_home_6m", _("Systemisch traject: na 6 maanden nog thuis"), _("Van de kinderen van wie in de periode een systemisch ambulant traject begon: het aandeel zonder verblijf dat binnen 183 dagen na de start begint."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="share", source="casework", window_days=183),
    Metric("systemic_home_12m", _("Systemisch traject: na 12 maanden nog thuis"), _("Als hierboven, binnen 365 dagen."), M.COHORT, D.RATIO, periods=("quarter", "year"), unit="share", source="casework", window_days=365),
):
    register(_m)

# Figures per provider (issue 16; measured by engine.providers in the episodes and declarations parts; definitions in
# its docstring). Their series have the group "prov_<provider id>"; they feed the providers page and report table.
for _m in (
    Metric("provider_stock", _("Kinderen in zorg bij de aanbieder"), _("Verschillende kinderen met een actief traject bij de aanbieder op de laatste dag van de maand; geteld bij de gemeente van het traject."), M.STOCK, D.DISTINCT, counts_children=True, source="providers"),
    Metric("provider_stay_stock", _("Kinderen in verblijf bij de aanbieder"), _("Als kinderen in zorg bij de aanbieder, alleen verblijfstrajecten, op de peildatum van de laatste maand van het jaar. Gedeeld door de kinderen in zorg: het aandeel verblijf (de rest is ambulante zorg)."), M.STOCK, D.DISTINCT, periods=("year",), counts_children=True, source="providers"),
    Metric("provider_entries", _("Instroom bij de aanbieder"), _("Kinderen die een traject bij de aanbieder beginnen en de dag ervoor in geen traject van die aanbieder zaten; per maand verschillende kinderen, opgeteld over het jaar."), M.FLOW, D.DISTINCT, periods=("year",), counts_children=True, source="providers"),
    Metric("provider_exits", _("Uitstroom bij de aanbieder"), _("Kinderen van wie een traject bij de aanbieder eindigt en die op die dag in geen traject van die aanbieder meer zitten; per maand verschillende kinderen, opgeteld over het jaar."), M.FLOW, D.DISTINCT, periods=("year",), counts_children=True, source="providers"),
    Metric("provider_moves_out", _("Doorplaatsingen weg bij de aanbieder"), _("Doorplaatsingen (een verblijf begint terwijl het kind tot de dag ervoor in een ander verblijf zat) van een verblijf bij de aanbieder naar een verblijf bij een andere aanbieder; geteld bij de aanbieder die het kind verlaat."), M.FLOW, D.SUM, periods=("year",), counts_children=True, source="providers"),
    Metric("provider_breakdowns", _("Breakdowns bij de aanbieder"), _("Pleegzorg- en gezinshuistrajecten van de aanbieder die voortijdig en ongepland eindigen (zoals bij Breakdowns)."), M.FLOW, D.SUM, periods=("year",), counts_children=True, source="providers"),
    Metric("provider_dropout", _("Uitval bij de aanbieder"), _("Van de trajecten van de aanbieder die in de periode eindigen: het aandeel met reden ‘eenzijdig door cliënt’ of ‘eenzijdig door aanbieder’ (CBS 03/04)."), M.COHORT, D.RATIO, periods=("year",), unit="share", source="providers"),
    Metric("provider_los_median", _("Verblijfsduur bij de aanbieder (mediaan, dagen)"), _("Kaplan–Meier-mediaan van de verblijfsperiodes bij de aanbieder per instroomcohort: verblijfstrajecten bij de aanbieder die op elkaar aansluiten; een doorplaatsing naar een andere aanbieder beëindigt de periode. Verder als de verblijfsduur."), M.COHORT, D.RATIO, periods=("year",), unit="days", source="providers"),
    Metric("provider_cohort_size", _("Omvang instroomcohort bij de aanbieder"), _("Aantal verblijfsperiodes bij de aanbieder in het instroomcohort."), M.COHORT, D.DISTINCT, periods=("year",), counts_children=True, source="providers"),
    Metric("provider_clients_year", _("Cliënten van de aanbieder per jaar"), _("Verschillende kinderen met minstens één declaratie van de aanbieder met begin van de periode in het jaar."), M.STOCK, D.DISTINCT, periods=("year",), counts_children=True, source="providers"),
    Metric("provider_cost_year", _("Kosten bij de aanbieder per jaar"), _("Som van de bedragen die de aanbieder declareerde met begin van de periode in het jaar."), M.MONEY, D.SUM, periods=("year",), unit="euro", source="providers"),
    Metric("provider_cost_per_client", _("Kosten per cliënt bij de aanbieder"), _("Kosten bij de aanbieder per jaar gedeeld door zijn cliënten per jaar, afgerond op centen."), M.MONEY, D.RATIO, periods=("year",), unit="euro", source="providers"),
):
    register(_m)

# Intervals (issue 14, part 2): series stored next to a share or a Kaplan–Meier quantile so that the dashboard, the
# definitions and the report can show its 95% interval (core.intervals; engine.cohorts.kaplan_meier_quantiles).
# They are internal: source "internal" keeps them off the definitions page, the report's figure tables and the target
# choices; they are only shown inside the figure they belong to, and hidden with it.
INTERNAL = "internal"

from django.utils.text import format_lazy  # noqa: E402  (kept in this block: see above)

#: share figure → the series with its denominator n (a share of a cohort: a of n). home_within_12m's cohort is the
#: entry cohort whose size is stored already (cohort_size). recruitment_conversion is no share of a cohort (the
#: approved prospects of a year need not have attended an information evening that year), so it has no interval.
SHARE_DENOMINATORS = {
    "home_within_12m": "cohort_size",
    "reentry_within_12m": "reentry_within_12m_n",
    "foster_breakdown_12m": "foster_breakdown_12m_n",
    "no_new_start": "no_new_start_n",
    "dropout": "dropout_n",
    "prevented_6m": "prevented_6m_n",
    "prevented_12m": "prevented_12m_n",
    "residential_checklists_share": "residential_checklists_share_n",
    "stay_entries_court_share": "stay_entries_court_share_n",
    "provider_dropout": "provider_dropout_n",
    "crisis_placement_30d": "crisis_placement_30d_n",
    "crisis_placement_90d": "crisis_placement_90d_n",
    "crisis_home_90d": "crisis_home_90d_n",
    "ret_advice_followed_6m": "ret_advice_followed_6m_n",
    "jim_home_6m": "jim_home_6m_n",
    "jim_home_12m": "jim_home_12m_n",
    "systemic_home_6m": "systemic_home_6m_n",
    "systemic_home_12m": "systemic_home_12m_n",
}
#: figure computed from a count of children → the series of that count: where the count is published as "≤k", the
#: figure is hidden with it (core.publication.dependent), on every page that shows it (the targets page too)
DEPENDS_ON = {"los_q1": "cohort_size", "los_median": "cohort_size", "los_q3": "cohort_size",
              "provider_los_median": "provider_cohort_size", "provider_cost_per_client": "provider_clients_year"}
#: Kaplan–Meier quantile → its (lower, upper) 95% bound series (Brookmeyer–Crowley, log-log Greenwood)
QUANTILE_BOUNDS = {key: (f"{key}_low", f"{key}_high") for key in ("los_q1", "los_median", "los_q3", "provider_los_median")}

for _share, _n in SHARE_DENOMINATORS.items():
    if _n not in REGISTRY:
        _of = REGISTRY[_share]
        register(Metric(_n, format_lazy(_("Noemer van: {}"), _of.label), _("Aantal in de noemer van het aandeel (n), voor het betrouwbaarheidsinterval."),
                        M.COHORT, D.DISTINCT, periods=_of.periods, counts_children=True, source=INTERNAL))
for _q, _bounds in QUANTILE_BOUNDS.items():
    for _b in _bounds:
        register(Metric(_b, format_lazy(_("Betrouwbaarheidsgrens van: {}"), REGISTRY[_q].label), _("Onder- of bovengrens van het betrouwbaarheidsinterval van 95 procent (Brookmeyer–Crowley)."),
                        M.COHORT, D.RATIO, periods=REGISTRY[_q].periods, unit="days", source=INTERNAL))
