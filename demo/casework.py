"""Demo casework for the Food Valley demo region (from 2019 on), built on the demo registry of
`manage.py demo_region`. Deterministic (seeded). Volumes follow the region's plan (seed 000): some 35–45
threatened-placement signals a year, about 60% brought to the RET (≥ 20 a year), ~10 Week van de Casus
reviews a year, JIM and systemic follow-ups, and checklists for residential placements started after the
checklist's introduction (1 April 2020). Cases closed "kind blijft thuis" are chosen so that the child
gets no stay episode within 183 days after closing (checked against the registry)."""
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from casework.models import (
    Alternative,
    AlternativeKind,
    CaseStatus,
    CaseWeekReview,
    Concern,
    Decision,
    Lesson,
    LessonTag,
    Outcome,
    Party,
    ResidentialChecklist,
    RetAction,
    RetFollowUp,
    RetReview,
    Signaller,
    ThreatCase,
    TrajectoryFollowUp,
)
from casework.services import default_follow_up
from core.periods import age_on
from demo.region import demo_children_q
from placements.models import Child, Episode, Region
from placements.reference import FOODVALLEY

START = dt.date(2019, 1, 1)
CHECKLIST_INTRODUCED = dt.date(2020, 4, 1)
HOME_FORMS = ("JIM", "SYS", "IHT")

ADVICE = [
    "Zet een JIM in; de jongere heeft een tante genoemd. Wijkteam begeleidt de keuze.",
    "Start een systemisch ambulant traject met het hele gezin, twee keer per week.",
    "Intensieve hulp thuis (MST) voor zes maanden; daarna evalueren in het RET.",
    "Onderzoek netwerkpleegzorg bij de grootouders als het thuis niet lukt.",
    "Versterk het netwerk rond de moeder; respijtzorg één weekend per maand.",
    "Dagbehandeling naast school; plaatsing nu niet nodig.",
]
LESSONS = [
    ("Eerder het netwerk in kaart brengen had een netwerkplaatsing mogelijk gemaakt.", ["netwerk", "vroegsignalering"]),
    ("De wachtlijst voor systeemtherapie maakte dat er geen alternatief was op het moment dat het nodig was.", ["wachtlijst", "systemisch"]),
    ("Het kind werd pas laat zelf gehoord; zijn wens om bij oma te wonen kwam te laat op tafel.", ["stem van het kind", "netwerk"]),
    ("Een gezinshuisplek in de regio ontbrak; een gezinshuis was passender geweest dan een leefgroep.", ["aanbod", "gezinshuis"]),
    ("De GI en het wijkteam werkten met twee plannen; één gezamenlijk plan had de crisis kunnen voorkomen.", ["samenwerking", "GI"]),
    ("Crisisopvang werd een langdurige plaatsing omdat er geen terugkeerplan was.", ["terugkeer", "crisis"]),
    ("Intensieve hulp thuis was niet geprobeerd omdat de ouders die eerder afwezen; opnieuw vragen loont.", ["intensieve hulp thuis", "ouders"]),
]
HELPED = ["Snelle inzet van het RET en korte lijnen met de GI.", "Een vaste contactpersoon voor het gezin.",
          "School dacht actief mee over een aangepast rooster.", "De pleegzorgaanbieder was vroeg aangesloten."]
MISSING = ["Een passend alternatief in de buurt (gezinshuis).", "Tijdige ondersteuning van de ouders bij hun eigen problemen.",
           "Iemand uit het eigen netwerk als mentor.", "Eén gezamenlijk plan van wijkteam en GI."]


def _episodes_by_child(region: Region) -> dict[int, list[tuple]]:
    rows = (
        Episode.objects.filter(demo_q_child(), municipality__region=region)
        .values_list("id", "child_id", "care_form__code", "care_form__with_stay", "care_form__rung", "start_date", "end_date")
    )
    out: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        out[row[1]].append(row)
    return out


def demo_q_child():
    """demo_children_q() for a query on episodes (every lookup prefixed with child__)."""
    return _prefix(demo_children_q(), "child__")


def _prefix(q, prefix: str):
    from django.db.models import Q

    out = Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        out.children.append(_prefix(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1]))
    return out


def _stay_overlaps(episodes: list[tuple], first: dt.date, last: dt.date) -> bool:
    return any(e[3] and e[5] <= last and (e[6] is None or e[6] > first) for e in episodes)


def clear_demo_casework() -> None:
    children = Child.objects.filter(demo_children_q())
    ThreatCase.objects.filter(child__in=children).delete()
    ResidentialChecklist.objects.filter(child__in=children).delete()
    CaseWeekReview.objects.filter(child__in=children).delete()
    TrajectoryFollowUp.objects.filter(episode__child__in=children).delete()


def demo_casework_exists() -> bool:
    return ThreatCase.objects.filter(child__in=Child.objects.filter(demo_children_q())).exists()


@transaction.atomic
def build_demo_casework(*, seed: int = 2020, today: dt.date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    rng = random.Random(seed)
    region = Region.objects.get(name=FOODVALLEY)
    clear_demo_casework()
    children = {c.pk: c for c in Child.objects.filter(demo_children_q(), municipality__region=region)}
    episodes = _episodes_by_child(region)
    counts: dict[str, int] = defaultdict(int)

    # --- threatened-placement signals -------------------------------------------------------------
    plans: list[dict] = []
    used: set[int] = set()
    # (a) children who stayed home: a JIM / systemic / intensive-home episode without a stay around it
    home = []
    for child_id, eps in episodes.items():
        child = children.get(child_id)
        if child is None:
            continue
        for e in eps:
            if e[2] in HOME_FORMS and START + dt.timedelta(days=40) <= e[5] <= today - dt.timedelta(days=30):
                if age_on(child.birth_date, e[5]) >= 17:
                    continue
                if not _stay_overlaps(eps, e[5] - dt.timedelta(days=60), e[5] + dt.timedelta(days=420)):
                    home.append((e[5], child_id, e[2]))
                    break
    home.sort()
    by_year: dict[int, list] = defaultdict(list)
    for item in home:
        by_year[item[0].year].append(item)
    for _year, items in sorted(by_year.items()):
        rng.shuffle(items)
        for start, child_id, form in items[:30]:
            opened = start - dt.timedelta(days=rng.randint(10, 40))
            closed = start + dt.timedelta(days=rng.randint(90, 200))
            plans.append({"child_id": child_id, "opened": opened, "closed": closed if closed <= today else None,
                          "outcome": Outcome.STAYS_HOME, "form": form})
            used.add(child_id)
    # (b) children placed anyway: a first stay from 2019 on, signalled some weeks before
    placed = []
    for child_id, eps in episodes.items():
        if child_id in used or child_id not in children:
            continue
        stays = sorted(e for e in eps if e[3])
        if not stays:
            continue
        first = min(stays, key=lambda e: e[5])
        if first[5] >= START + dt.timedelta(days=120) and age_on(children[child_id].birth_date, first[5]) < 17:
            placed.append((first[5], child_id, first[4]))
    placed.sort()
    by_year = defaultdict(list)
    for item in placed:
        by_year[item[0].year].append(item)
    for _year, items in sorted(by_year.items()):
        rng.shuffle(items)
        for start, child_id, rung in items[:12]:
            opened = start - dt.timedelta(days=rng.randint(30, 110))
            plans.append({"child_id": child_id, "opened": opened, "closed": start,
                          "outcome": Outcome.RESIDENTIAL if rung >= 5 else Outcome.FAMILY_BASED, "form": None})

    cases = []
    for p in plans:
        child = children[p["child_id"]]
        closed = p["closed"]
        in_review = p["opened"] + dt.timedelta(days=rng.randint(5, 25))
        plan_running = in_review + dt.timedelta(days=rng.randint(7, 30))
        status = CaseStatus.OPEN
        if in_review <= today:
            status = CaseStatus.IN_REVIEW
        if plan_running <= today and (closed is None or plan_running < closed):
            status = CaseStatus.PLAN_RUNNING
        else:
            plan_running = None
        if closed is not None:
            status = CaseStatus.CLOSED
        gi = rng.random() < 0.4
        concerns = rng.sample([c for c, _ in Concern.choices if c != "anders"], rng.randint(1, 3))
        cases.append(ThreatCase(
            child=child, municipality=child.municipality, opened_on=p["opened"],
            signaller=rng.choice([s for s, _ in Signaller.choices]) if not gi else rng.choice([Signaller.GI, Signaller.VEILIG_THUIS, Signaller.SCHOOL]),
            concerns=concerns, concerns_text="Zorgen over de thuissituatie; ouders zijn overbelast.",
            child_view="Wil thuis blijven wonen, of anders bij een bekende.", parents_view="Willen hulp thuis, geen plaatsing.",
            gi_involved=gi, plan="Inzet van hulp thuis met het netwerk; evaluatie na drie maanden.", status=status,
            in_review_on=in_review if status != CaseStatus.OPEN else None, plan_running_on=plan_running,
            closed_on=closed, outcome=p["outcome"] if closed else "",
            outcome_note="Kind woont thuis; hulp loopt af." if p["outcome"] == Outcome.STAYS_HOME and closed else "",
        ))
    ThreatCase.objects.bulk_create(cases, batch_size=500)
    counts["cases"] = len(cases)

    alternatives, reviews = [], []
    for case, p in zip(cases, plans, strict=True):
        chosen = {"JIM": AlternativeKind.JIM, "SYS": AlternativeKind.SYSTEMIC, "IHT": AlternativeKind.IHT}.get(p["form"])
        for kind in rng.sample([AlternativeKind.AMBULANT, AlternativeKind.NETWORK, AlternativeKind.FOSTER, AlternativeKind.DAY], 2):
            alternatives.append(Alternative(case=case, kind=kind, decision=rng.choice([Decision.TRIED, Decision.REJECTED, Decision.UNAVAILABLE]),
                                            reason="Afgewogen met gezin en wijkteam."))
        if chosen:
            alternatives.append(Alternative(case=case, kind=chosen, decision=Decision.CHOSEN, reason="Past bij de wens van kind en ouders."))
        if rng.random() < 0.62 and case.in_review_on:
            day = case.in_review_on
            invited = [Party.WIJKTEAM, Party.PARENTS] + ([Party.YOUTH] if age_on(case.child.birth_date, day) >= 12 else [])
            if case.gi_involved and rng.random() < 0.85:
                invited.append(Party.GI)
            if rng.random() < 0.5:
                invited.append(Party.PROVIDERS)
            attended = [x for x in invited if rng.random() < 0.85] or [Party.WIJKTEAM]
            reviews.append(RetReview(case=case, region=region, review_date=day, question="Is plaatsing te voorkomen, en met welke hulp?",
                                     invited=invited, attended=attended, advice=rng.choice(ADVICE), follow_up_on=default_follow_up(day)))
    Alternative.objects.bulk_create(alternatives, batch_size=1000)
    RetReview.objects.bulk_create(reviews, batch_size=500)
    counts["ret_reviews"] = len(reviews)
    actions, follow_ups = [], []
    for review in reviews:
        for i in range(rng.randint(1, 3)):
            due = review.review_date + dt.timedelta(days=rng.randint(14, 90))
            done = due - dt.timedelta(days=rng.randint(0, 10)) if due < today - dt.timedelta(days=20) or rng.random() < 0.3 else None
            actions.append(RetAction(review=review, description=["Netwerkberaad organiseren", "Aanmelden bij aanbieder",
                                                                 "Afspraak met school", "Terugkoppeling aan het RET"][i],
                                     owner=rng.choice(["wijkteam", "GI", "aanbieder", "RET-lid"]), due_on=due,
                                     done_on=done if done and done <= today else None))
        if review.follow_up_on <= today and rng.random() < 0.9:
            home_now = review.case.outcome in ("", Outcome.STAYS_HOME)
            follow_ups.append(RetFollowUp(review=review, date=review.follow_up_on + dt.timedelta(days=rng.randint(0, 20)),
                                          advice_followed=rng.choice(["yes", "yes", "partly", "no"]) if home_now else "partly",
                                          child_at_home=home_now,
                                          what_happened="Hulp loopt; kind woont thuis." if home_now else "Kind is toch geplaatst."))
    for f in follow_ups:
        f.date = min(f.date, today)
    RetAction.objects.bulk_create(actions, batch_size=1000)
    RetFollowUp.objects.bulk_create(follow_ups, batch_size=1000)

    # --- residential checklists after their introduction -----------------------------------------
    checklists = []
    for child_id, eps in episodes.items():
        child = children.get(child_id)
        if child is None:
            continue
        for e in eps:
            if e[3] and e[4] >= 5 and e[5] >= CHECKLIST_INTRODUCED and rng.random() < 0.9:
                done = e[5] - dt.timedelta(days=rng.randint(1, 14))
                under12 = age_on(child.birth_date, done) < 12
                checklists.append(ResidentialChecklist(
                    child=child, care_form_id=None,
                    episode_id=e[0], completed_on=done, alt_ambulant=True, alt_jim=True, alt_systemic=True, alt_foster=True,
                    alt_family_home=True, alternatives_note="Ambulante hulp en pleegzorg geprobeerd; onvoldoende veilig.",
                    ret_consulted=True, consulted_note="RET Food Valley", child_heard=True, parents_heard=True, safety_assessed=True,
                    return_plan="Terugkeer naar huis of netwerk binnen negen maanden; evaluatie elke drie maanden.",
                    under12_justification="Ernstige onveiligheid; geen gezinshuisplek beschikbaar." if under12 else "",
                    flag_case_week=under12,
                ))
    form_of = dict(Episode.objects.filter(pk__in=[c.episode_id for c in checklists]).values_list("id", "care_form_id"))
    for c in checklists:
        c.care_form_id = form_of[c.episode_id]
    ResidentialChecklist.objects.bulk_create(checklists, batch_size=1000)
    counts["checklists"] = len(checklists)

    # --- Week van de Casus: under-12 residential placements, ~10 a year --------------------------
    candidates = defaultdict(list)
    for child_id, eps in episodes.items():
        child = children.get(child_id)
        if child is None:
            continue
        for e in eps:
            if e[3] and e[4] >= 5 and e[5] >= START and age_on(child.birth_date, e[5]) < 12:
                candidates[e[5].year].append((child, e))
    week_reviews, lesson_rows = [], []
    for year, items in sorted(candidates.items()):
        rng.shuffle(items)
        seen = set()
        for child, e in items:
            if child.pk in seen or len(seen) >= 11:
                continue
            day = e[5] + dt.timedelta(days=rng.randint(30, 120))
            day = dt.date(day.year, 10, rng.randint(5, 9)) if day.year == year and day.month <= 10 and rng.random() < 0.6 else day
            if day > today or day < e[5]:
                continue
            seen.add(child.pk)
            gi = rng.random() < 0.5
            review = CaseWeekReview(child=child, episode_id=e[0], municipality=child.municipality, review_date=day,
                                    helped=rng.choice(HELPED), missing=rng.choice(MISSING),
                                    alternative_routes="Netwerkpleegzorg of een gezinshuis in de regio.", gi_involved=gi,
                                    gi_invited=gi and rng.random() < 0.9)
            week_reviews.append(review)
            lesson_rows.append((review, rng.sample(LESSONS, rng.randint(1, 2))))
    CaseWeekReview.objects.bulk_create(week_reviews, batch_size=500)
    tags = {}
    for review, lessons in lesson_rows:
        for text, tag_names in lessons:
            lesson = Lesson.objects.create(review=review, text=text)
            for name in tag_names:
                if name not in tags:
                    tags[name] = LessonTag.objects.get_or_create(name=name)[0]
            lesson.tags.set([tags[n] for n in tag_names])
    counts["case_week_reviews"] = len(week_reviews)

    # --- JIM and systemic follow-ups ---------------------------------------------------------------
    follows = []
    for eps in episodes.values():
        for e in eps:
            if e[2] not in ("JIM", "SYS") or rng.random() > 0.85:
                continue
            end = min(e[6] or today, today)
            day = e[5] + dt.timedelta(days=rng.randint(30, 80))
            while day < end:
                follows.append(TrajectoryFollowUp(episode_id=e[0], date=day, how_it_goes=rng.choice(["good", "good", "mixed", "worrying"]),
                                                  still_home=True, note=""))
                day += dt.timedelta(days=rng.randint(55, 95))
    TrajectoryFollowUp.objects.bulk_create(follows, batch_size=2000)
    counts["trajectory_follow_ups"] = len(follows)
    return dict(counts)
