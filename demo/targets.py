"""The region's own targets from its documents, as demo targets (domain.md, "Targets in the documents").

- Seed 000 (project plan "Samen Stroomopwaarts", April 2020), §3 "Waar staan we eind 2020?": the
  Foodvalley targets for end 2020. Most of them count casework or foster-care events (RET, Week van de
  Casus, prevented placements, JIM/systemic monitoring, checklists, prevented breakdowns); the casework and
  foster-care figures of the snapshot run measure them (breakdowns_prevented: fostercare.figures).
  "Nieuwe voorzieningen ontwikkelen" names no number and is not a target here.
- Seed 001 (interview on the zero ambition, published 2021): residential care towards zero. The text
  names no end date ("moeilijk te faseren in tijd", "een cultuuromslag"); the only time frame is Ali
  Essousi's "nog wel een jaar" before the region is in "de nieuwe werkelijkheid" (new way of working and
  procurement with the zero idea). So: baseline December 2021 (the article's "op dit moment zo'n 150"),
  the period starting 1-1-2022 after that year, and a straight line to zero on 31-12-2030. The end date
  is our working assumption, not the region's (a horizon long enough for the children now in residential
  care to flow out); the administrator replaces it once the board fixes one.
  The same article's "50 kinderen minder uit huis" of 2020 is counted as prevented placements, and its "nul
  uithuisplaatsingen" also as all stay care (not only residential).
- Seed 003 (Gooi en Vechtstreek, progress report 2023): "Beweging naar 0 gesloten plaatsingen" (closed care).
- Seed 004 (Rijk van Nijmegen, transformation plan 2018), §6.1 and §6.2: percentage targets "in 2021
  t.o.v. 2017", applied to Food Valley as examples that the app expresses them (kind change_pct); the foster
  places (+20 foster, +2 family home) and the 160 prospects at 8 per match behind them.

`ensure_demo_targets()` is idempotent: it creates the targets that are missing (by name and scope).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from monitoring.models import Direction, Target, TargetKind
from placements.models import Region
from placements.reference import FOODVALLEY

Y2020 = (dt.date(2020, 1, 1), dt.date(2020, 12, 31))
NIJMEGEN_PERIOD = (dt.date(2018, 1, 1), dt.date(2021, 12, 31))


@dataclass(frozen=True)
class DemoTarget:
    name: str
    metric: str
    kind: str
    target_value: float
    direction: str
    period: tuple[dt.date, dt.date]
    source: str
    note: str = ""
    group: str = "all"
    band: str = "all"
    baseline_period: str = ""


S000 = "Seed 000 · Samen Stroomopwaarts (april 2020), §3 Waar staan we eind 2020?"
S001 = "Seed 001 · Interview nul uithuisplaatsingen (2021)"
S004_61 = "Seed 004 · Rijk van Nijmegen (2018), §6.1 Voorkomen uithuisplaatsingen — toegepast op Food Valley"
S004_62 = "Seed 004 · Rijk van Nijmegen (2018), §6.2 Meer gezinsvormen — toegepast op Food Valley"
S000_16 = "Seed 000 · Samen Stroomopwaarts (april 2020), §1.6 Project Crisis als kans"
S004_63 = "Seed 004 · Rijk van Nijmegen (2018), §6.3 Kortere verblijfsduur — toegepast op Food Valley"
S004_65 = "Seed 004 · Rijk van Nijmegen (2018), §6.5 Minder maatregelen — toegepast op Food Valley"
S003 = "Seed 003 · Voortgangsrapportage jeugdhulp met verblijf 2023 (Gooi en Vechtstreek), grootste knelpunten — toegepast op Food Valley"
ZERO_PERIOD = (dt.date(2022, 1, 1), dt.date(2030, 12, 31))
FOSTER_PERIOD = (dt.date(2018, 1, 1), dt.date(2020, 12, 31))

DEMO_TARGETS: tuple[DemoTarget, ...] = (
    DemoTarget("Voor 20 jongeren residentiële hulp voorkomen (2020)", "placements_prevented", TargetKind.ACCUMULATE, 20,
               Direction.AT_LEAST, Y2020, S000,
               "Voor 20 jongeren voorkomen dat ze residentiële hulpverlening nodig hebben door te zorgen dat ze thuis kunnen blijven wonen."),
    DemoTarget("5 kinderen onder 12 minder in residentiële hulp dan in 2019", "stock", TargetKind.CHANGE_ABS, -5,
               Direction.AT_MOST, Y2020, S000,
               "5 kinderen (tot 12 jaar) minder in de residentiële hulpverlening dan in 2019. Gemeten op de peildatum: "
               "december 2020 tegen december 2019.", group="residential", band="0-11", baseline_period="2019"),
    DemoTarget("JIM bij minstens 10 gezinnen, gemonitord (2020)", "jim_families_monitored", TargetKind.VALUE, 10,
               Direction.AT_LEAST, Y2020, S000,
               "Bij minimaal 10 gezinnen wordt een JIM ingezet om verblijf in de residentiële hulpverlening te voorkomen. "
               "Deze gezinnen worden gemonitord."),
    DemoTarget("Systeemgericht ambulant traject bij minstens 10 gezinnen, gemonitord (2020)", "systemic_families_monitored",
               TargetKind.VALUE, 10, Direction.AT_LEAST, Y2020, S000,
               "Bij minimaal 10 gezinnen wordt een systeemgericht, ambulant traject ingezet om verblijf te voorkomen of "
               "kinderen terug te plaatsen. Deze gezinnen worden gemonitord."),
    DemoTarget("Minstens 10 casussen onder 12 in de Week van de Casus (2020)", "case_week_cases", TargetKind.ACCUMULATE, 10,
               Direction.AT_LEAST, Y2020, S000,
               "Minimaal 10 casussen van kinderen beneden de 12 jaar worden in de Week van de Casus besproken; de GI "
               "wordt uitgenodigd als die betrokken is."),
    DemoTarget("Minstens 20 dreigende uithuisplaatsingen besproken in het RET (2020)", "ret_cases", TargetKind.ACCUMULATE, 20,
               Direction.AT_LEAST, Y2020, S000,
               "Minimaal 20 casussen van dreigende uithuisplaatsing worden in het RET besproken; de GI wordt uitgenodigd "
               "als die betrokken is (figuur ret_cases_gi_invited)."),
    DemoTarget("Checklist plaatsing residentieel in gebruik (2020)", "residential_checklists", TargetKind.ACCUMULATE, 1,
               Direction.AT_LEAST, Y2020, S000,
               "Ontwikkeling en implementatie van een procesbeschrijving en een checklist Plaatsing residentieel. "
               "'In gebruik' = minstens één residentiële plaatsing met een vooraf ingevulde checklist."),
    DemoTarget("15 breakdowns in de pleegzorg voorkomen (2020)", "breakdowns_prevented", TargetKind.ACCUMULATE, 15,
               Direction.AT_LEAST, Y2020, S000, "15 breakdowns voorkomen binnen de pleegzorg."),
    DemoTarget("Nul kinderen in residentiële hulp (beweging van nul)", "stock", TargetKind.VALUE, 0, Direction.AT_MOST,
               (dt.date(2022, 1, 1), dt.date(2030, 12, 31)), S001,
               "'Het liefst naar nul uithuisplaatsingen voor heel de regio.' De tekst noemt geen einddatum ('moeilijk te "
               "faseren in tijd'); na 'nog wel een jaar' tot de nieuwe werkwijze (2022) een rechte lijn naar nul op "
               "31-12-2030. Die datum is een aanname: pas hem aan zodra het bestuur er een vastlegt. Basis: december 2021.",
               group="residential", baseline_period="2021"),
    DemoTarget("50 kinderen minder uit huis geplaatst (2020)", "placements_prevented", TargetKind.ACCUMULATE, 50,
               Direction.AT_LEAST, Y2020, S001,
               "'De doelstelling om 50 kinderen minder uit huis te laten plaatsen werd in 2020 al behaald' (60 minder, 'kinderen "
               "die op dat moment mogelijk uit huis geplaatst zouden worden'). Gemeten als voorkomen uithuisplaatsingen: "
               "signalen dreigende uithuisplaatsing gesloten met 'kind blijft thuis' en 183 dagen later nog zonder verblijf."),
    DemoTarget("Nul uithuisplaatsingen (alle verblijf)", "stock", TargetKind.VALUE, 0, Direction.AT_MOST, ZERO_PERIOD, S001,
               "'Het liefst naar nul uithuisplaatsingen voor heel de regio': alle zorg met verblijf (pleegzorg, gezinshuis, "
               "residentieel, gesloten), niet alleen residentieel. Zelfde aanname over de einddatum als bij nul residentieel. "
               "Basis: december 2021.", group="stay", baseline_period="2021"),
    DemoTarget("Nul gesloten plaatsingen", "stock", TargetKind.VALUE, 0, Direction.AT_MOST,
               (dt.date(2024, 1, 1), dt.date(2030, 12, 31)), S003,
               "'Beweging naar 0 gesloten plaatsingen nog niet ingezet' (knelpunt 4 van Gooi en Vechtstreek). Gemeten als "
               "kinderen in gesloten jeugdhulp (JeugdzorgPlus) op de peildatum; basis december 2023, einddatum 2030 als "
               "aanname.", group="JZP", baseline_period="2023"),
    DemoTarget("160 aspirant-pleegouders werven (2018–2020)", "recruitment", TargetKind.ACCUMULATE, 160, Direction.AT_LEAST,
               FOSTER_PERIOD, S004_62,
               "'Om deze groei te bereiken dienen we 160 pleegouders te werven (voor iedere match zijn er gemiddeld 8 "
               "pleegzorgouders nodig)': 20 plaatsen × 8. Gemeten als aspiranten op een informatieavond, opgeteld over de "
               "drie jaar.", group="informatieavond"),
    DemoTarget("Hooguit 8 aspiranten per match (2018–2020)", "prospects_per_match", TargetKind.VALUE, 8, Direction.AT_MOST,
               FOSTER_PERIOD, S004_62,
               "De rekenregel achter de 160: 'voor iedere match zijn er gemiddeld 8 pleegzorgouders nodig'. Meer aspiranten per "
               "match betekent dat de werving niet genoeg plaatsen oplevert; gemeten per jaar."),
    DemoTarget("20 plaatsen pleegzorg erbij t.o.v. 2017 (eind 2020)", "foster_places", TargetKind.CHANGE_ABS, 20, Direction.AT_LEAST,
               FOSTER_PERIOD, S004_62,
               "'Stand begin 2018: 225 plaatsen (175 pleegzorg, 50 gezinshuizen). Op pleegzorg: totale stijging 20 plaatsen "
               "over drie jaar.' Gemeten als plaatsen van actieve netwerk- en bestandspleeggezinnen op de peildatum, december "
               "2020 tegen december 2017.", group="pleeggezin", baseline_period="2017"),
    DemoTarget("2 plaatsen gezinshuis erbij t.o.v. 2017 (eind 2020)", "foster_places", TargetKind.CHANGE_ABS, 2, Direction.AT_LEAST,
               FOSTER_PERIOD, S004_62,
               "'Op gezinshuizen: in totaal een stijging van 2 plekken.' Gemeten als plaatsen van actieve gezinshuizen op de "
               "peildatum, december 2020 tegen december 2017.", group="gezinshuis", baseline_period="2017"),
    DemoTarget("Residentiële zorg −6% t.o.v. 2017 (eind 2021)", "stock", TargetKind.CHANGE_PCT, -6, Direction.AT_MOST,
               NIJMEGEN_PERIOD, S004_61,
               "Nijmegen: 'krimp van 5-7% op het volume van residentiële zorg'; hier het midden (−6%), gemeten als "
               "kinderen in residentiële zorg op de peildatum, december 2021 tegen december 2017.",
               group="residential", baseline_period="2017"),
    DemoTarget("Pleegzorg +11% t.o.v. 2017 (eind 2021)", "foster_children", TargetKind.CHANGE_PCT, 11, Direction.AT_LEAST,
               NIJMEGEN_PERIOD, S004_62,
               "Nijmegen: 'groei van 11% op het volume van pleegzorg in 2021 t.o.v. 2017', gemeten als kinderen in "
               "pleegzorg (pleegzorg en netwerkpleegzorg, elk kind één keer) op de peildatum, december 2021 tegen "
               "december 2017.", baseline_period="2017"),
    DemoTarget("Gezinshuizen +3% t.o.v. 2017 (eind 2021)", "stock", TargetKind.CHANGE_PCT, 3, Direction.AT_LEAST,
               NIJMEGEN_PERIOD, S004_62,
               "Nijmegen: 'groei van 3% op gezinshuizen in 2021 t.o.v. 2017', gemeten als kinderen in een gezinshuis "
               "op de peildatum.", group="GZH", baseline_period="2017"),
    DemoTarget("Dwangmaatregelen −10% t.o.v. 2017 (eind 2020)", "measure_children", TargetKind.CHANGE_PCT, -10, Direction.AT_MOST,
               (dt.date(2018, 1, 1), dt.date(2020, 12, 31)), S004_65,
               "Nijmegen: '10% minder inzet dwangmaatregelen in 2020 in verhouding tot 2017', gemeten als kinderen met een "
               "jeugdbeschermingsmaatregel (OTS of voogdij, ook voorlopig) op de peildatum, december 2020 tegen december 2017.",
               baseline_period="2017"),
    DemoTarget("Verblijfsduur J&O van een jaar naar 10 maanden (eind 2020)", "los_median", TargetKind.VALUE, 304, Direction.AT_MOST,
               (dt.date(2018, 1, 1), dt.date(2020, 12, 31)), S004_63,
               "'De gemiddelde duur J&O-verblijf is één jaar. Deze willen we … verkorten naar 10 maanden per 31-12-2020.' "
               "Gemeten als de mediane duur (Kaplan–Meier) van de verblijfsperiodes van kinderen met doelgroep J&O per jaar "
               "van instroom: 10 maanden = 304 dagen.", group="tg_JO", baseline_period="2017"),
    DemoTarget("Verblijfsduur J-LVB van drie jaar naar 2,5 jaar (eind 2020)", "los_median", TargetKind.VALUE, 913, Direction.AT_MOST,
               (dt.date(2018, 1, 1), dt.date(2020, 12, 31)), S004_63,
               "'De gemiddelde duur J-LVB is drie jaar en deze willen we verkorten naar 2 jaar en 6 maanden per 31-12-2020.' "
               "Gemeten als de mediane duur (Kaplan–Meier) van de verblijfsperiodes van kinderen met doelgroep J-LVB per jaar "
               "van instroom: 2,5 jaar = 913 dagen.", group="tg_JLVB", baseline_period="2017"),
    DemoTarget("Crisis gevolgd door uithuisplaatsing gehalveerd", "crisis_placement_90d", TargetKind.CHANGE_PCT, -50, Direction.AT_MOST,
               (dt.date(2020, 1, 1), dt.date(2021, 12, 31)), S000_16,
               "'Over de periode 2015-2018 volgde na een crisis in circa 50% van de gevallen een uithuisplaatsing. De regio heeft "
               "de ambitie om dit aantal met de helft te verminderen.' Gemeten als het aandeel crises gevolgd door een verblijf "
               "(geen crisiszorg) binnen 90 dagen, per jaar; basis 2018. De tekst noemt geen einddatum: eind 2021 is een aanname.",
               baseline_period="2018"),
)


@transaction.atomic
def ensure_demo_targets(*, region_name: str = FOODVALLEY, update: bool = False) -> tuple[int, int]:
    """Create the demo targets for the region that do not exist yet (by name and scope); with `update`
    also reset existing ones to the shipped definition. Returns (created, updated). Idempotent: by default
    a second call changes nothing, and an administrator's edits survive `scripts/start`."""
    region = Region.objects.get(name=region_name)
    created = updated = 0
    for d in DEMO_TARGETS:
        values = {
            "metric": d.metric, "group": d.group, "band": d.band, "period_start": d.period[0], "period_end": d.period[1],
            "baseline_period": d.baseline_period, "baseline_value": None, "kind": d.kind, "target_value": d.target_value,
            "direction": d.direction, "note": d.note, "source": d.source, "active": True,
        }
        target, was_created = Target.objects.get_or_create(name=d.name, region=region, municipality=None, defaults=values)
        if was_created:
            created += 1
            continue
        changed = [k for k, v in values.items() if getattr(target, k) != v]
        if update and changed:
            for k in changed:
                setattr(target, k, values[k])
            target.save(update_fields=changed)
            updated += 1
    return created, updated
