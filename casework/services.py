"""Writes of casework. Keyword-only, typed; every change of a case is logged (object_ref = child.reference)."""
from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_access
from accounts.models import AccessAction
from core.periods import age_on
from placements.models import CareForm, Child, Episode

from .models import (
    Alternative,
    CaseStatus,
    CaseWeekReview,
    Lesson,
    LessonTag,
    Outcome,
    ResidentialChecklist,
    RetAction,
    RetFollowUp,
    RetReview,
    ThreatCase,
    TrajectoryFollowUp,
)

JIM_CODE = "JIM"
SYSTEMIC_CODE = "SYS"
FOLLOW_UP_CODES = (JIM_CODE, SYSTEMIC_CODE)
#: Default distance from an RET review to its follow-up.
FOLLOW_UP_MONTHS = 6

CHECKLIST_ITEMS = ("alt_ambulant", "alt_jim", "alt_systemic", "alt_foster", "alt_family_home",
                   "ret_consulted", "child_heard", "parents_heard", "safety_assessed")
CHECKLIST_TEXTS = ("alternatives_note", "consulted_note", "return_plan", "under12_justification")


def today() -> dt.date:
    return timezone.localdate()


def default_follow_up(review_date: dt.date) -> dt.date:
    return review_date + relativedelta(months=FOLLOW_UP_MONTHS)


def _log(user, request, action: str, object_type: str, child: Child, detail: str) -> None:
    log_access(actor=user, request=request, action=action, object_type=object_type, object_ref=child.reference, detail=detail)


def _not_future(errors: dict, field: str, day: dt.date | None, *, child: Child | None = None) -> None:
    if day is None:
        return
    if day > today():
        errors.setdefault(field, []).append(_("Deze datum ligt in de toekomst."))
    if child is not None and day < child.birth_date:
        errors.setdefault(field, []).append(_("Deze datum ligt vóór de geboortedatum van het kind."))


# ------------------------------------------------------------------------------------------- cases
@transaction.atomic
def case_open(
    *, user, request=None, child: Child, opened_on: dt.date, signaller: str, concerns: list[str], concerns_text: str = "",
    child_view: str = "", parents_view: str = "", gi_involved: bool = False, plan: str = "",
) -> ThreatCase:
    errors: dict[str, list[str]] = {}
    _not_future(errors, "opened_on", opened_on, child=child)
    if not concerns and not concerns_text.strip():
        errors.setdefault("concerns", []).append(_("Kies minstens één zorg of beschrijf de zorgen."))
    if errors:
        raise ValidationError(errors)
    case = ThreatCase.objects.create(
        child=child, municipality=child.municipality, opened_on=opened_on, signaller=signaller, concerns=list(concerns),
        concerns_text=concerns_text, child_view=child_view, parents_view=parents_view, gi_involved=gi_involved, plan=plan,
        created_by=user,
    )
    _log(user, request, AccessAction.CREATE, "threat_case", child, f"case {case.pk} opened")
    return case


CASE_FIELDS = ("signaller", "concerns", "concerns_text", "child_view", "parents_view", "gi_involved", "plan")


@transaction.atomic
def case_update(*, user, request=None, case: ThreatCase, **fields) -> ThreatCase:
    if case.is_closed:
        raise ValidationError(_("Een gesloten casus kan niet meer worden gewijzigd."))
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    if "concerns" in fields and not fields["concerns"] and not fields.get("concerns_text", case.concerns_text).strip():
        raise ValidationError({"concerns": [_("Kies minstens één zorg of beschrijf de zorgen.")]})
    for key, value in fields.items():
        setattr(case, key, value)
    case.save()
    _log(user, request, AccessAction.CHANGE, "threat_case", case.child, f"case {case.pk} changed")
    return case


@transaction.atomic
def alternative_add(*, user, request=None, case: ThreatCase, kind: str, decision: str, reason: str = "") -> Alternative:
    if case.is_closed:
        raise ValidationError(_("Een gesloten casus kan niet meer worden gewijzigd."))
    alt = Alternative.objects.create(case=case, kind=kind, decision=decision, reason=reason)
    _log(user, request, AccessAction.CHANGE, "threat_case", case.child, f"case {case.pk} alternative {kind}")
    return alt


STATUS_DATE_FIELD = {
    CaseStatus.IN_REVIEW: "in_review_on",
    CaseStatus.PLAN_RUNNING: "plan_running_on",
    CaseStatus.CLOSED: "closed_on",
}


def _last_status_date(case: ThreatCase) -> dt.date:
    return max(d for d in (case.opened_on, case.in_review_on, case.plan_running_on) if d is not None)


@transaction.atomic
def case_transition(
    *, user, request=None, case: ThreatCase, to: str, on: dt.date | None = None, outcome: str = "", outcome_note: str = "",
) -> ThreatCase:
    """Move a case along open → in review → plan running → closed (closing is allowed from every open state)."""
    on = on or today()
    labels = dict(CaseStatus.choices)
    if to not in case.allowed_transitions():
        raise ValidationError({"to": [_("Van ‘%(from)s’ kan de casus niet naar ‘%(to)s’.") % {
            "from": labels.get(case.status, case.status), "to": labels.get(to, to)}]})
    errors: dict[str, list[str]] = {}
    _not_future(errors, "on", on)
    previous = _last_status_date(case)
    if on < previous:
        errors.setdefault("on", []).append(_("De datum ligt vóór de vorige stap van de casus (%(d)s).") % {"d": previous.strftime("%d-%m-%Y")})
    if to == CaseStatus.CLOSED:
        if outcome not in Outcome.values:
            errors.setdefault("outcome", []).append(_("Kies de uitkomst om de casus te sluiten."))
        elif outcome == Outcome.STAYS_HOME and Episode.objects.filter(
            child=case.child, care_form__with_stay=True, start_date__lte=on,
        ).filter(end_date__isnull=True).exists():
            errors.setdefault("outcome", []).append(_("Het kind heeft een lopend verblijfstraject; ‘kind blijft thuis’ klopt dan niet."))
    if errors:
        raise ValidationError(errors)
    case.status = to
    setattr(case, STATUS_DATE_FIELD[to], on)
    if to == CaseStatus.CLOSED:
        case.outcome, case.outcome_note = outcome, outcome_note
    case.save()
    _log(user, request, AccessAction.CHANGE, "threat_case", case.child, f"case {case.pk} status {to}")
    return case


# ------------------------------------------------------------------------------------------- RET
def _validate_parties(errors: dict, invited: list[str], attended: list[str]) -> None:
    extra = set(attended) - set(invited)
    if extra:
        errors.setdefault("attended", []).append(_("Wie aanwezig was, moet ook zijn uitgenodigd."))


@transaction.atomic
def ret_review_create(
    *, user, request=None, case: ThreatCase, review_date: dt.date, question: str, invited: list[str],
    attended: list[str] | None = None, advice: str = "", follow_up_on: dt.date | None = None,
) -> RetReview:
    """Bring a case to the RET of its region. An open case moves to "in review" on the review date."""
    if case.is_closed:
        raise ValidationError(_("Een gesloten casus kan niet meer naar het RET."))
    attended = list(attended or [])
    errors: dict[str, list[str]] = {}
    if review_date < case.opened_on:
        errors.setdefault("review_date", []).append(_("De bespreking ligt vóór de datum van het signaal."))
    _validate_parties(errors, invited, attended)
    follow_up_on = follow_up_on or default_follow_up(review_date)
    if follow_up_on <= review_date:
        errors.setdefault("follow_up_on", []).append(_("De follow-up moet na de bespreking liggen."))
    if errors:
        raise ValidationError(errors)
    review = RetReview.objects.create(
        case=case, region_id=case.municipality.region_id, review_date=review_date, question=question, invited=list(invited),
        attended=attended, advice=advice, follow_up_on=follow_up_on, created_by=user,
    )
    if case.status == CaseStatus.OPEN:
        case.status, case.in_review_on = CaseStatus.IN_REVIEW, max(review_date, case.opened_on)
        case.save(update_fields=["status", "in_review_on", "updated_at"])
    _log(user, request, AccessAction.CREATE, "ret_review", case.child, f"case {case.pk} review {review.pk}")
    return review


@transaction.atomic
def ret_review_update(*, user, request=None, review: RetReview, invited: list[str], attended: list[str], advice: str,
                      follow_up_on: dt.date, question: str | None = None) -> RetReview:
    errors: dict[str, list[str]] = {}
    _validate_parties(errors, invited, attended)
    if follow_up_on <= review.review_date:
        errors.setdefault("follow_up_on", []).append(_("De follow-up moet na de bespreking liggen."))
    if errors:
        raise ValidationError(errors)
    review.invited, review.attended, review.advice, review.follow_up_on = list(invited), list(attended), advice, follow_up_on
    if question is not None:
        review.question = question
    review.save()
    _log(user, request, AccessAction.CHANGE, "ret_review", review.case.child, f"review {review.pk} changed")
    return review


@transaction.atomic
def ret_action_add(*, user, request=None, review: RetReview, description: str, owner: str, due_on: dt.date) -> RetAction:
    if due_on < review.review_date:
        raise ValidationError({"due_on": [_("De uiterste datum ligt vóór de bespreking.")]})
    action = RetAction.objects.create(review=review, description=description, owner=owner, due_on=due_on)
    _log(user, request, AccessAction.CHANGE, "ret_review", review.case.child, f"review {review.pk} action {action.pk}")
    return action


@transaction.atomic
def ret_action_done(*, user, request=None, action: RetAction, done_on: dt.date | None = None) -> RetAction:
    action.done_on = done_on or today()
    action.save(update_fields=["done_on"])
    _log(user, request, AccessAction.CHANGE, "ret_review", action.review.case.child, f"action {action.pk} done")
    return action


@transaction.atomic
def ret_follow_up_add(*, user, request=None, review: RetReview, date: dt.date, advice_followed: str, child_at_home: bool,
                      what_happened: str) -> RetFollowUp:
    errors: dict[str, list[str]] = {}
    _not_future(errors, "date", date)
    if date < review.review_date:
        errors.setdefault("date", []).append(_("De follow-up ligt vóór de bespreking."))
    if errors:
        raise ValidationError(errors)
    follow = RetFollowUp.objects.create(review=review, date=date, advice_followed=advice_followed, child_at_home=child_at_home,
                                        what_happened=what_happened, created_by=user)
    _log(user, request, AccessAction.CHANGE, "ret_review", review.case.child, f"review {review.pk} follow-up")
    return follow


# ------------------------------------------------------------------------------------------- checklist
def checklist_errors(child: Child, care_form: CareForm | None, completed_on: dt.date | None, data: dict) -> dict[str, list[str]]:
    """The rule errors of a checklist, per field (also used by the form to show every error at once)."""
    errors: dict[str, list[str]] = {}
    if care_form is not None and not care_form.is_residential:
        errors.setdefault("care_form", []).append(_("De checklist is voor residentiële of gesloten zorg (trede 5–6)."))
    _not_future(errors, "completed_on", completed_on, child=child)
    for item in CHECKLIST_ITEMS:
        if not data.get(item):
            errors.setdefault(item, []).append(_("Dit onderdeel moet zijn afgewogen voordat de plaatsing start."))
    if not (data.get("alternatives_note") or "").strip():
        errors.setdefault("alternatives_note", []).append(_("Beschrijf waarom de alternatieven niet volstaan."))
    if not (data.get("return_plan") or "").strip():
        errors.setdefault("return_plan", []).append(_("Beschrijf het plan voor terugkeer naar huis."))
    if completed_on is not None and age_on(child.birth_date, completed_on) < 12 and not (data.get("under12_justification") or "").strip():
        errors.setdefault("under12_justification", []).append(
            _("Het kind is jonger dan 12: onderbouw expliciet waarom residentiële plaatsing toch nodig is ('nee, tenzij')."))
    return errors


def _validate_checklist(child: Child, care_form: CareForm, completed_on: dt.date, data: dict) -> bool:
    """Validate a complete checklist; returns whether it flags the placement for the Week van de Casus."""
    errors = checklist_errors(child, care_form, completed_on, data)
    if errors:
        raise ValidationError(errors)
    return age_on(child.birth_date, completed_on) < 12


@transaction.atomic
def checklist_create(*, user, request=None, child: Child, care_form: CareForm, completed_on: dt.date, **data) -> ResidentialChecklist:
    unknown = set(data) - set(CHECKLIST_ITEMS) - set(CHECKLIST_TEXTS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    flag = _validate_checklist(child, care_form, completed_on, data)
    checklist = ResidentialChecklist.objects.create(child=child, care_form=care_form, completed_on=completed_on,
                                                    flag_case_week=flag, completed_by=user, **data)
    _log(user, request, AccessAction.CREATE, "checklist", child, f"checklist {checklist.pk}{' under 12' if flag else ''}")
    return checklist


@transaction.atomic
def checklist_update(*, user, request=None, checklist: ResidentialChecklist, care_form: CareForm, completed_on: dt.date, **data) -> ResidentialChecklist:
    if ResidentialChecklist.objects.filter(pk=checklist.pk, episode__isnull=False).exists():
        raise ValidationError(_("De plaatsing is gestart: deze checklist kan niet meer worden gewijzigd."))
    flag = _validate_checklist(checklist.child, care_form, completed_on, data)
    for key, value in data.items():
        setattr(checklist, key, value)
    checklist.care_form, checklist.completed_on, checklist.flag_case_week = care_form, completed_on, flag
    checklist.save()
    _log(user, request, AccessAction.CHANGE, "checklist", checklist.child, f"checklist {checklist.pk} changed")
    return checklist


def checklist_rule(*, child: Child, care_form: CareForm, start_date: dt.date, checklist: ResidentialChecklist | None,
                   allow_without_checklist: bool) -> None:
    """The rule placements.services.episode_start applies: a residential or closed placement needs a completed,
    unused checklist of this child, filled in on or before the start date (administrators/imports may bypass)."""
    if not care_form.is_residential:
        if checklist is not None:
            raise ValidationError({"care_form": [_("Een checklist hoort alleen bij een residentiële of gesloten plaatsing.")]})
        return
    if checklist is None:
        if allow_without_checklist:
            return
        raise ValidationError({"care_form": [_(
            "Een residentiële of gesloten plaatsing kan pas starten als de checklist plaatsing residentieel is "
            "ingevuld. Vul eerst de checklist in."
        )]})
    if checklist.child_id != child.pk:
        raise ValidationError({"care_form": [_("Deze checklist hoort bij een ander kind.")]})
    if ResidentialChecklist.objects.filter(pk=checklist.pk, episode__isnull=False).exists():
        raise ValidationError({"care_form": [_("Deze checklist is al gebruikt voor een andere plaatsing.")]})
    if checklist.completed_on > start_date:
        raise ValidationError({"start_date": [_(
            "De checklist is ingevuld op %(date)s, na deze begindatum: de checklist gaat aan de plaatsing vooraf. Is de "
            "checklist eerder ingevuld, zet dan op de checklist de datum waarop dat gebeurde; anders begint de plaatsing "
            "op of na %(date)s."
        ) % {"date": checklist.completed_on.strftime("%d-%m-%Y")}]})


def checklist_attach(*, checklist: ResidentialChecklist | None, episode: Episode) -> None:
    if checklist is None:
        return
    checklist.episode = episode
    checklist.save(update_fields=["episode"])


# ------------------------------------------------------------------------------------------- Week van de Casus
def parse_tags(raw: str) -> list[str]:
    seen: list[str] = []
    for part in (raw or "").replace(";", ",").split(","):
        tag = " ".join(part.strip().lower().split())[:40]
        if tag and tag not in seen:
            seen.append(tag)
    return seen


@transaction.atomic
def case_week_review_create(
    *, user, request=None, child: Child, episode: Episode | None, review_date: dt.date, helped: str, missing: str,
    alternative_routes: str = "", gi_involved: bool = False, gi_invited: bool = False,
    lessons: list[tuple[str, list[str]]] = (),
) -> CaseWeekReview:
    errors: dict[str, list[str]] = {}
    _not_future(errors, "review_date", review_date)
    if episode is not None:
        if episode.child_id != child.pk:
            errors.setdefault("episode", []).append(_("Deze plaatsing hoort bij een ander kind."))
        elif age_on(child.birth_date, episode.start_date) >= 12:
            errors.setdefault("episode", []).append(_("De Week van de Casus gaat over plaatsingen van kinderen onder de 12."))
        elif review_date < episode.start_date:
            errors.setdefault("review_date", []).append(_("De bespreking ligt vóór de plaatsing."))
    if errors:
        raise ValidationError(errors)
    review = CaseWeekReview.objects.create(
        child=child, episode=episode, municipality=child.municipality, review_date=review_date, helped=helped, missing=missing,
        alternative_routes=alternative_routes, gi_involved=gi_involved, gi_invited=gi_invited and gi_involved, created_by=user,
    )
    for text, tags in lessons:
        if not text.strip():
            continue
        lesson = Lesson.objects.create(review=review, text=text.strip())
        lesson.tags.set([LessonTag.objects.get_or_create(name=t)[0] for t in tags])
    _log(user, request, AccessAction.CREATE, "case_week_review", child, f"review {review.pk}")
    return review


# ------------------------------------------------------------------------------------------- JIM / systemic follow-ups
@transaction.atomic
def trajectory_follow_up_add(*, user, request=None, episode: Episode, date: dt.date, how_it_goes: str, still_home: bool,
                             note: str = "") -> TrajectoryFollowUp:
    errors: dict[str, list[str]] = {}
    if episode.care_form.code not in FOLLOW_UP_CODES:
        raise ValidationError(_("Follow-ups worden vastgelegd bij JIM- en systemische trajecten."))
    _not_future(errors, "date", date)
    if date < episode.start_date:
        errors.setdefault("date", []).append(_("De datum ligt vóór het begin van het traject."))
    if errors:
        raise ValidationError(errors)
    follow = TrajectoryFollowUp.objects.create(episode=episode, date=date, how_it_goes=how_it_goes, still_home=still_home,
                                               note=note, created_by=user)
    _log(user, request, AccessAction.CHANGE, "episode", episode.child, f"episode {episode.pk} follow-up")
    return follow
