"""The demo action plan of Food Valley: the actions of seed 000 (§2.2, "Actiegerichte aanpak" of Samen
Stroomopwaarts, April 2020) as measures with an owner, a planned date and a few progress updates, linked to the demo
targets they serve; and the bottlenecks of seed 003 (Gooi en Vechtstreek's progress report 2023, "Grootste
knelpunten") as an example of what a region reports. The progress texts are written for the demo, not quoted.

`build_demo_actionplan()` is idempotent: it adds the measures and bottlenecks that are missing (by title)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from actionplan.models import Bottleneck, Measure, MeasureStatus, MeasureUpdate
from monitoring.models import Target
from placements.models import Region
from placements.reference import FOODVALLEY

D = dt.date
S = MeasureStatus

# (title, owner, planned, [target names], [(date, status, text)])
MEASURES = (
    ("Terugblik op 10 residentiële plaatsingen van kinderen onder 12 (Week van de Casus)", "Projectleider Samen Stroomopwaarts",
     D(2020, 12, 31), ["Minstens 10 casussen onder 12 in de Week van de Casus (2020)"],
     [(D(2020, 6, 15), S.RUNNING, "Eerste vier casussen besproken in Ede en Veenendaal; de GI was bij drie van de vier aanwezig."),
      (D(2020, 12, 10), S.DONE, "Elf casussen besproken. Rapport met werkzame ingrediënten gedeeld in de nieuwsbrief.")]),
    ("Checklist en procesbeschrijving Plaatsing residentieel", "Kernteam wijkteams",
     D(2020, 9, 30), ["Checklist plaatsing residentieel in gebruik (2020)"],
     [(D(2020, 7, 1), S.RUNNING, "Concept getest in twee wijkteams; consultatie van het RET toegevoegd als vaste stap."),
      (D(2020, 11, 2), S.DONE, "Checklist in gebruik in alle zeven gemeenten; invullen vóór de start wordt gemonitord.")]),
    ("Module X uitbouwen en draagvlak creëren bij pleegouders", "Pleegzorgaanbieders en beleid",
     D(2021, 6, 30), ["15 breakdowns in de pleegzorg voorkomen (2020)"],
     [(D(2020, 9, 1), S.RUNNING, "Regeling vastgesteld; eerste vijf pleeggezinnen maken er gebruik van."),
      (D(2021, 3, 15), S.DELAYED, "Minder aanvragen dan verwacht: voorlichting aan pleegzorgwerkers ingepland.")]),
    ("JIM-aanpak bij minstens 10 gezinnen, gemonitord", "Wijkteams",
     D(2020, 12, 31), ["JIM bij minstens 10 gezinnen, gemonitord (2020)"],
     [(D(2020, 10, 1), S.RUNNING, "Acht gezinnen met een JIM; follow-up na 3 en 6 maanden in de app vastgelegd.")]),
    ("Dreigende uithuisplaatsingen bespreken in het RET, met de GI", "Voorzitter RET",
     D(2020, 12, 31), ["Minstens 20 dreigende uithuisplaatsingen besproken in het RET (2020)"],
     [(D(2020, 5, 1), S.RUNNING, "Vaste RET-tafel elke twee weken; uitnodiging van de GI standaard in het verzoek."),
      (D(2021, 1, 12), S.DONE, "In 2020 23 casussen besproken; de GI was bij bijna alle casussen met een GI uitgenodigd.")]),
    ("Stuur- en ontwikkelagenda met de aanbieders", "Inkoop en contractmanagement",
     D(2021, 12, 31), [],
     [(D(2021, 4, 1), S.RUNNING, "Gesprekken met de vijf grootste aanbieders over regie en ambulante intensivering gevoerd.")]),
    ("Vroegsignalering: samenwerking met huisartsen en onderwijs", "Beleid jeugd", D(2022, 6, 30),
     ["50 kinderen minder uit huis geplaatst (2020)"], []),
    ("Crisis als kans: na een crisis eerst ambulant", "Crisisdienst en wijkteams", D(2021, 12, 31),
     ["Crisis gevolgd door uithuisplaatsing gehalveerd"],
     [(D(2020, 11, 1), S.RUNNING, "Afspraak dat de crisisdienst binnen 24 uur het wijkteam betrekt; evaluatie per kwartaal.")]),
)

BOTTLENECKS = (
    ("Crises leiden vaak tot uithuisplaatsing", D(2023, 3, 1), None, ["Crisis als kans: na een crisis eerst ambulant"]),
    ("Blijven volgen hoe het gaat, tijdig evalueren en bijsturen", D(2023, 3, 1), None, ["JIM-aanpak bij minstens 10 gezinnen, gemonitord"]),
    ("Jeugdigen worden nog doorgeplaatst terwijl we weten dat het schaadt", D(2023, 6, 1), None, []),
    ("Beweging naar 0 gesloten plaatsingen nog niet ingezet", D(2023, 9, 1), None, []),
    ("Te weinig aanvragen voor Module X", D(2021, 3, 15), D(2021, 10, 1), ["Module X uitbouwen en draagvlak creëren bij pleegouders"]),
)


def demo_actionplan_exists(region_name: str = FOODVALLEY) -> bool:
    return Measure.objects.filter(region__name=region_name).exists()


@transaction.atomic
def build_demo_actionplan(*, region_name: str = FOODVALLEY) -> dict[str, int]:
    region = Region.objects.get(name=region_name)
    counts = {"maatregelen": 0, "voortgangsmeldingen": 0, "knelpunten": 0}
    by_title = {}
    for title, owner, planned, target_names, updates in MEASURES:
        measure = Measure.objects.filter(region=region, title=title).first()
        if measure is None:
            measure = Measure.objects.create(region=region, title=title, owner=owner, planned_on=planned)
            counts["maatregelen"] += 1
            measure.targets.set(Target.objects.filter(region=region, name__in=target_names))
            for day, status, text in updates:
                MeasureUpdate.objects.create(measure=measure, date=day, status=status, text=text)
                counts["voortgangsmeldingen"] += 1
            if updates:
                measure.status = updates[-1][1]
                measure.save(update_fields=["status"])
            # the demo's measures were agreed in 2020: their records date from then (the report filters on it)
            Measure.objects.filter(pk=measure.pk).update(created_at=dt.datetime(2020, 4, 1, 12, tzinfo=dt.UTC))
        by_title[title] = measure
    for title, raised, resolved, measure_titles in BOTTLENECKS:
        if Bottleneck.objects.filter(region=region, title=title).exists():
            continue
        item = Bottleneck.objects.create(region=region, title=title, raised_on=raised, resolved_on=resolved)
        item.measures.set([by_title[t] for t in measure_titles if t in by_title])
        counts["knelpunten"] += 1
    return counts
