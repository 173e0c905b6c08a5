"""Writes of foster care. Keyword-only; every change is logged (a child: its reference; a family or prospect:
"family <id>" / "prospect <id>", never a name — families and prospects carry no personal data)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import log_access
from accounts.models import AccessAction
from core.periods import age_on
from placements.models import CareForm, Child, Episode, Municipality, Provider
from placements.services import episode_end, episode_start

from .models import (
    CHANGE_END_REASON,
    KIND_CARE_FORM,
    OPEN_STATUSES,
    PIPELINE,
    ChangeReason,
    Destination,
    FamilyKind,
    FamilyStatus,
    FamilyStatusChange,
    FamilySupport,
    FosterFamily,
    FosterPlacement,
    PlacementRisk,
    Prospect,
    RiskFollowUp,
    RiskOutcome,
    RiskStatus,
    Stage,
)


def today() -> dt.date:
    return timezone.localdate()


def family_ref(family: FosterFamily) -> str:
    return f"family {family.pk}"


def _log(user, request, action: str, object_type: str, ref: str, detail: str) -> None:
    log_access(actor=user, request=request, action=action, object_type=object_type, object_ref=ref, detail=detail)


#: Support (respite care, a mentor) may be recorded as planned up to this many days ahead.
SUPPORT_PLANNED_DAYS = 366


def _not_future(errors: dict, field: str, day: dt.date | None) -> None:
    if day is not None and day > today():
        errors.setdefault(field, []).append(_("Deze datum ligt in de toekomst."))


def is_foster_form(care_form: CareForm) -> bool:
    """Foster care and family homes: the family-based forms with stay (PLZ, NPZ, GZH in the default taxonomy)."""
    return bool(care_form.with_stay and care_form.family_based)


def placed_on(family: FosterFamily, day: dt.date, exclude_episode: int | None = None) -> int:
    """Children placed in the family on `day` (their episode active: start <= day < end)."""
    from django.db.models import Q

    qs = Episode.objects.filter(foster_placement__family=family, start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
    if exclude_episode:
        qs = qs.exclude(pk=exclude_episode)
    return qs.count()


# ------------------------------------------------------------------------------------------- families
FAMILY_FIELDS = ("reference", "municipality", "kind", "places", "age_min", "age_max", "siblings_together", "note")


def _family_errors(*, provider: Provider, reference: str, places: int, age_min: int, age_max: int, exclude_pk=None) -> dict:
    errors: dict[str, list[str]] = {}
    if age_min > age_max:
        errors.setdefault("age_max", []).append(_("De leeftijd ‘tot en met’ ligt onder de leeftijd ‘vanaf’."))
    if not (reference or "").strip():
        errors.setdefault("reference", []).append(_("Geef het gezin een referentie."))
    elif FosterFamily.objects.filter(provider=provider, reference=reference.strip()).exclude(pk=exclude_pk).exists():
        errors.setdefault("reference", []).append(_("Deze referentie bestaat al bij deze aanbieder."))
    if places < 1:
        errors.setdefault("places", []).append(_("Een gezin heeft minstens één plaats."))
    return errors


@transaction.atomic
def family_register(
    *, user, request=None, provider: Provider, reference: str, municipality: Municipality, kind: str, places: int,
    age_min: int = 0, age_max: int = 17, siblings_together: bool = False, status: str = FamilyStatus.IN_TRAINING,
    status_since: dt.date | None = None, note: str = "",
) -> FosterFamily:
    status_since = status_since or today()
    errors = _family_errors(provider=provider, reference=reference, places=places, age_min=age_min, age_max=age_max)
    _not_future(errors, "status_since", status_since)
    if status in (FamilyStatus.ACTIVE, FamilyStatus.STOPPED):
        errors.setdefault("status", []).append(_("Een nieuw gezin is in voorbereiding of goedgekeurd; ‘actief’ wordt het bij de eerste plaatsing."))
    if errors:
        raise ValidationError(errors)
    family = FosterFamily.objects.create(
        provider=provider, reference=reference.strip(), municipality=municipality, kind=kind, places=places, age_min=age_min,
        age_max=age_max, siblings_together=siblings_together, status=status, status_since=status_since, note=note, created_by=user,
    )
    FamilyStatusChange.objects.create(family=family, status=status, date=status_since, created_by=user)
    _log(user, request, AccessAction.CREATE, "foster_family", family_ref(family), f"pleeggezin {family.pk} ingeschreven ({kind})")
    return family


@transaction.atomic
def family_update(*, user, request=None, family: FosterFamily, **fields) -> FosterFamily:
    unknown = set(fields) - set(FAMILY_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields {sorted(unknown)}")
    merged = {f: fields.get(f, getattr(family, f)) for f in FAMILY_FIELDS}
    errors = _family_errors(provider=family.provider, reference=merged["reference"], places=merged["places"],
                            age_min=merged["age_min"], age_max=merged["age_max"], exclude_pk=family.pk)
    if merged["kind"] != family.kind and family.placements.exists():
        errors.setdefault("kind", []).append(_("Het soort gezin kan niet meer wijzigen als er kinderen geplaatst zijn."))
    if errors:
        raise ValidationError(errors)
    for key, value in fields.items():
        setattr(family, key, value.strip() if key == "reference" else value)
    family.save()
    _log(user, request, AccessAction.CHANGE, "foster_family", family_ref(family), f"pleeggezin {family.pk} gewijzigd")
    return family


@transaction.atomic
def family_set_status(*, user, request=None, family: FosterFamily, status: str, on: dt.date | None = None, reason: str = "") -> FosterFamily:
    on = on or today()
    errors: dict[str, list[str]] = {}
    _not_future(errors, "on", on)
    if on < family.status_since:
        errors.setdefault("on", []).append(_("De datum ligt vóór de huidige status (%(d)s).") % {"d": family.status_since.strftime("%d-%m-%Y")})
    if status == family.status:
        errors.setdefault("status", []).append(_("Het gezin heeft deze status al."))
    if status == FamilyStatus.STOPPED and not reason:
        errors.setdefault("reason", []).append(_("Kies de reden waarom het gezin stopt."))
    if status == FamilyStatus.ACTIVE and placed_on(family, on) == 0:
        errors.setdefault("status", []).append(_("‘Actief’ betekent dat er een kind geplaatst is; koppel eerst een kind."))
    if status == FamilyStatus.STOPPED and placed_on(family, on) > 0:
        errors.setdefault("status", []).append(_("Er wonen nog kinderen in dit gezin; beëindig eerst hun plaatsing."))
    if errors:
        raise ValidationError(errors)
    family.status, family.status_since = status, on
    family.stop_reason = reason if status == FamilyStatus.STOPPED else ""
    family.save(update_fields=["status", "status_since", "stop_reason", "updated_at"])
    FamilyStatusChange.objects.create(family=family, status=status, date=on, reason=family.stop_reason, created_by=user)
    _log(user, request, AccessAction.CHANGE, "foster_family", family_ref(family), f"pleeggezin {family.pk} status {status}")
    return family


@transaction.atomic
def support_add(
    *, user, request=None, family: FosterFamily, kind: str, start_date: dt.date, end_date: dt.date | None = None,
    note: str = "", risk: PlacementRisk | None = None,
) -> FamilySupport:
    errors: dict[str, list[str]] = {}
    if start_date > today() + dt.timedelta(days=SUPPORT_PLANNED_DAYS):  # planned support (respite next weekend) is fine
        errors.setdefault("start_date", []).append(_("Ondersteuning kan tot een jaar vooruit worden gepland."))
    if end_date is not None and end_date < start_date:
        errors.setdefault("end_date", []).append(_("De einddatum ligt vóór de begindatum."))
    if risk is not None and risk.placement.family_id != family.pk:
        errors.setdefault("risk", []).append(_("Deze risicomelding hoort bij een ander gezin."))
    if errors:
        raise ValidationError(errors)
    support = FamilySupport.objects.create(family=family, kind=kind, start_date=start_date, end_date=end_date, note=note,
                                           risk=risk, created_by=user)
    _log(user, request, AccessAction.CHANGE, "foster_family", family_ref(family), f"pleeggezin {family.pk} ondersteuning {kind}")
    return support


# ------------------------------------------------------------------------------------------- matching
def fit_errors(*, family: FosterFamily, child: Child, on: dt.date, siblings: int = 1, placed: int | None = None) -> list[str]:
    """Why a family does not fit a child (empty when it does): status, free places, age range, siblings.
    `placed`: the children placed on `on` when the caller already counted them."""
    problems = []
    if family.status not in OPEN_STATUSES:
        problems.append(_("Het gezin is niet beschikbaar (status: %(s)s).") % {"s": family.get_status_display()})
    free = family.places - (placed_on(family, on) if placed is None else placed)
    if free < siblings:
        problems.append(_("Het gezin heeft %(free)s vrije plaats(en), nodig: %(n)s.") % {"free": max(free, 0), "n": siblings})
    age = age_on(child.birth_date, on)
    if not family.age_min <= age <= family.age_max:
        problems.append(_("Het kind (%(age)s jaar) valt buiten de leeftijden van het gezin (%(a)s–%(b)s).") % {
            "age": age, "a": family.age_min, "b": family.age_max})
    if siblings > 1 and not family.siblings_together:
        problems.append(_("Het gezin neemt geen broers en zussen samen op."))
    return problems


@transaction.atomic
def match_record(*, user, request=None, child: Child, family: FosterFamily, start_date: dt.date, siblings: int = 1,
                 referrer: str = "", legal_framework: str = "vrijwillig") -> FosterPlacement:
    """Record a match: start the child's foster / family-home episode at the family's provider and link it to
    the family. An approved family becomes active. The family's row is locked first, so that parallel matches are
    judged one after the other against the places that are really still free."""
    family = FosterFamily.objects.select_for_update().get(pk=family.pk)
    problems = fit_errors(family=family, child=child, on=start_date, siblings=siblings)
    if family.kind == FamilyKind.NETWORK and family.placements.exists():  # kin of one particular child (selectors.match_candidates)
        problems.append(_("Een netwerkgezin is er voor één kind en heeft dat kind al."))
    if problems:
        raise ValidationError({"family": problems})
    care_form = CareForm.objects.get(code=KIND_CARE_FORM[family.kind])
    episode = episode_start(user=user, request=request, child=child, care_form=care_form, provider=family.provider,
                            start_date=start_date, referrer=referrer, legal_framework=legal_framework)
    placement = FosterPlacement.objects.create(family=family, episode=episode, matched_on=start_date, created_by=user)
    if family.status == FamilyStatus.APPROVED:
        family.status, family.status_since = FamilyStatus.ACTIVE, max(start_date, family.status_since)
        family.save(update_fields=["status", "status_since", "updated_at"])
        FamilyStatusChange.objects.create(family=family, status=FamilyStatus.ACTIVE, date=family.status_since, created_by=user)
    _log(user, request, AccessAction.CREATE, "foster_placement", child.reference, f"gekoppeld aan pleeggezin {family.pk}, traject {episode.pk}")
    return placement


@transaction.atomic
def placement_link(*, user, request=None, family: FosterFamily, episode: Episode) -> FosterPlacement:
    """Link an existing foster / family-home episode (e.g. from an import) to the family it runs in."""
    episode = Episode.objects.select_for_update().select_related("care_form", "child").get(pk=episode.pk)  # one link at a time
    errors = []
    if not is_foster_form(episode.care_form):
        errors.append(_("Alleen een pleegzorg- of gezinshuistraject kan aan een gezin worden gekoppeld."))
    if episode.provider_id != family.provider_id:
        errors.append(_("Het traject loopt bij een andere aanbieder dan die van het gezin."))
    if FosterPlacement.objects.filter(episode=episode).exists():
        errors.append(_("Dit traject is al aan een gezin gekoppeld."))
    if errors:
        raise ValidationError({"episode": errors})
    placement = FosterPlacement.objects.create(family=family, episode=episode, matched_on=episode.start_date, created_by=user)
    _log(user, request, AccessAction.CHANGE, "foster_placement", episode.child.reference, f"traject {episode.pk} gekoppeld aan pleeggezin {family.pk}")
    return placement


# ------------------------------------------------------------------------------------------- risk register
@transaction.atomic
def risk_register(
    *, user, request=None, placement: FosterPlacement, registered_on: dt.date, severity: str, signals: list[str],
    signals_text: str = "", support_deployed: str = "",
) -> PlacementRisk:
    errors: dict[str, list[str]] = {}
    _not_future(errors, "registered_on", registered_on)
    episode = placement.episode
    if registered_on < episode.start_date:
        errors.setdefault("registered_on", []).append(_("De melding ligt vóór het begin van de plaatsing."))
    if episode.end_date is not None and registered_on >= episode.end_date:
        errors.setdefault("registered_on", []).append(_("De plaatsing was op die datum al beëindigd."))
    if not signals and not signals_text.strip():
        errors.setdefault("signals", []).append(_("Kies minstens één signaal of beschrijf wat er speelt."))
    if placement.risks.filter(status=RiskStatus.OPEN).exists():
        errors.setdefault("registered_on", []).append(_("Voor deze plaatsing loopt al een risicomelding; leg een follow-up vast."))
    if errors:
        raise ValidationError(errors)
    risk = PlacementRisk.objects.create(placement=placement, registered_on=registered_on, severity=severity, signals=list(signals),
                                        signals_text=signals_text, support_deployed=support_deployed, created_by=user)
    _log(user, request, AccessAction.CREATE, "placement_risk", episode.child.reference, f"risicomelding {risk.pk} bij plaatsing {placement.pk}")
    return risk


def _last_risk_date(risk: PlacementRisk) -> dt.date:
    last = risk.follow_ups.order_by("-date").values_list("date", flat=True).first()
    return max(risk.registered_on, last) if last else risk.registered_on


@transaction.atomic
def risk_follow_up_add(*, user, request=None, risk: PlacementRisk, date: dt.date, severity: str, note: str) -> RiskFollowUp:
    errors: dict[str, list[str]] = {}
    if not risk.is_open:
        raise ValidationError(_("Deze risicomelding is afgesloten."))
    _not_future(errors, "date", date)
    if date < risk.registered_on:
        errors.setdefault("date", []).append(_("De follow-up ligt vóór de melding."))
    if errors:
        raise ValidationError(errors)
    follow = RiskFollowUp.objects.create(risk=risk, date=date, severity=severity, note=note, created_by=user)
    risk.severity = severity
    risk.save(update_fields=["severity", "updated_at"])
    _log(user, request, AccessAction.CHANGE, "placement_risk", risk.placement.episode.child.reference, f"risicomelding {risk.pk} follow-up")
    return follow


@transaction.atomic
def risk_resolve(
    *, user, request=None, risk: PlacementRisk, resolved_on: dt.date, outcome: str, reason: str = "", destination: str = "",
    note: str = "",
) -> PlacementRisk:
    """Close a risk: the placement is stable, or it ended (with a reason and where the child goes). An ending
    ends the foster episode on `resolved_on` with the iJw end reason of the change reason (one-sided for
    everything but a planned move), so the monitoring engine sees the breakdown; the next placement (e.g.
    residential care, which needs the checklist) is started on the child's page."""
    errors: dict[str, list[str]] = {}
    if not risk.is_open:
        raise ValidationError(_("Deze risicomelding is al afgesloten."))
    _not_future(errors, "resolved_on", resolved_on)
    last = _last_risk_date(risk)
    if resolved_on < last:
        errors.setdefault("resolved_on", []).append(_("De datum ligt vóór de melding of de laatste follow-up (%(d)s).") % {
            "d": last.strftime("%d-%m-%Y")})
    episode = risk.placement.episode
    if outcome not in RiskOutcome.values:
        errors.setdefault("outcome", []).append(_("Kies de uitkomst."))
    elif outcome == RiskOutcome.STABLE:
        if episode.end_date is not None and episode.end_date <= resolved_on:
            errors.setdefault("outcome", []).append(_("De plaatsing is al beëindigd; ‘stabiel’ klopt dan niet."))
        reason, destination = "", ""
    else:
        if reason not in ChangeReason.values:
            errors.setdefault("reason", []).append(_("Kies de reden van beëindiging."))
        if destination not in Destination.values:
            errors.setdefault("destination", []).append(_("Kies waar het kind naartoe gaat."))
        if episode.end_date is not None and episode.end_date != resolved_on:
            errors.setdefault("resolved_on", []).append(_("De plaatsing is beëindigd op %(d)s; gebruik die datum.") % {
                "d": episode.end_date.strftime("%d-%m-%Y")})
    if errors:
        raise ValidationError(errors)
    if outcome == RiskOutcome.ENDED and episode.end_date is None:
        episode_end(user=user, request=request, episode=episode, end_date=resolved_on, end_reason=CHANGE_END_REASON[reason])
    risk.status, risk.resolved_on, risk.outcome = RiskStatus.RESOLVED, resolved_on, outcome
    risk.reason, risk.destination, risk.outcome_note = reason, destination, note
    risk.save()
    with translation.override("nl"):  # the access log is read in Dutch, whatever the user's language
        why = f" ({dict(ChangeReason.choices).get(reason, reason)})" if reason else ""
        _log(user, request, AccessAction.CHANGE, "placement_risk", episode.child.reference,
             f"risicomelding {risk.pk} afgesloten: {RiskOutcome(outcome).label}{why}")
    return risk


# ------------------------------------------------------------------------------------------- recruitment
@transaction.atomic
def prospect_register(*, user, request=None, provider: Provider, reference: str, municipality: Municipality, info_on: dt.date,
                      kind: str = FamilyKind.GENERAL) -> Prospect:
    errors: dict[str, list[str]] = {}
    _not_future(errors, "info_on", info_on)
    if not (reference or "").strip():
        errors.setdefault("reference", []).append(_("Geef een referentie."))
    elif Prospect.objects.filter(provider=provider, reference=reference.strip()).exists():
        errors.setdefault("reference", []).append(_("Deze referentie bestaat al bij deze aanbieder."))
    if errors:
        raise ValidationError(errors)
    prospect = Prospect.objects.create(provider=provider, reference=reference.strip(), municipality=municipality, info_on=info_on,
                                       kind=kind, created_by=user)
    _log(user, request, AccessAction.CREATE, "prospect", f"aspirant {prospect.pk}", "registered at information evening")
    return prospect


STAGE_ORDER = [s for s, _f in PIPELINE]


def next_stage(prospect: Prospect) -> str | None:
    if prospect.stage not in STAGE_ORDER or prospect.stage == Stage.APPROVED:
        return None
    return STAGE_ORDER[STAGE_ORDER.index(prospect.stage) + 1]


@transaction.atomic
def prospect_advance(*, user, request=None, prospect: Prospect, on: dt.date, places: int = 1, age_min: int = 0, age_max: int = 17,
                     siblings_together: bool = False) -> Prospect:
    """Move a prospect one stage on. On approval a foster family (status approved) is registered for them."""
    stage = next_stage(prospect)
    errors: dict[str, list[str]] = {}
    if stage is None:
        raise ValidationError(_("Deze aspirant is al goedgekeurd of afgehaakt."))
    _not_future(errors, "on", on)
    previous = prospect.stage_date(prospect.stage)
    if previous and on < previous:
        errors.setdefault("on", []).append(_("De datum ligt vóór de vorige fase (%(d)s).") % {"d": previous.strftime("%d-%m-%Y")})
    if errors:
        raise ValidationError(errors)
    setattr(prospect, dict(PIPELINE)[stage], on)
    prospect.stage = stage
    if stage == Stage.APPROVED:
        prospect.family = family_register(user=user, request=request, provider=prospect.provider, reference=prospect.reference,
                                          municipality=prospect.municipality, kind=prospect.kind, places=places, age_min=age_min,
                                          age_max=age_max, siblings_together=siblings_together, status=FamilyStatus.APPROVED,
                                          status_since=on)
    prospect.save()
    _log(user, request, AccessAction.CHANGE, "prospect", f"aspirant {prospect.pk}", f"fase {stage}")
    return prospect


@transaction.atomic
def prospect_drop(*, user, request=None, prospect: Prospect, on: dt.date, reason: str) -> Prospect:
    errors: dict[str, list[str]] = {}
    if prospect.stage in (Stage.APPROVED, Stage.DROPPED):
        raise ValidationError(_("Deze aspirant is al goedgekeurd of afgehaakt."))
    _not_future(errors, "on", on)
    previous = prospect.stage_date(prospect.stage)
    if previous and on < previous:
        errors.setdefault("on", []).append(_("De datum ligt vóór de vorige fase (%(d)s).") % {"d": previous.strftime("%d-%m-%Y")})
    if not reason:
        errors.setdefault("reason", []).append(_("Kies de reden van afhaken."))
    if errors:
        raise ValidationError(errors)
    prospect.dropped_stage, prospect.stage, prospect.dropped_on, prospect.drop_reason = prospect.stage, Stage.DROPPED, on, reason
    prospect.save()
    _log(user, request, AccessAction.CHANGE, "prospect", f"aspirant {prospect.pk}", f"afgehaakt in fase {prospect.dropped_stage}")
    return prospect
