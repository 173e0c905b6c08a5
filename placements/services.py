"""Writes to the registry. Validation that needs the database lives here, not in forms or save()."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_access
from accounts.models import AccessAction

from . import episode_rules
from .bsn import pseudonymise
from .models import CareForm, Child, Episode, Municipality, Provider, TargetGroup


def today() -> dt.date:
    return timezone.localdate()


def episodes_overlapping(*, child: Child, care_form: CareForm, provider: Provider, start: dt.date, end: dt.date | None, exclude_pk=None):
    """Episodes of the same form at the same provider that overlap [start, end) (half-open, open end = ∞)."""
    qs = Episode.objects.filter(child=child, care_form=care_form, provider=provider)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if end is not None:
        qs = qs.filter(start_date__lt=end)
    from django.db.models import Q

    return qs.filter(Q(end_date__isnull=True) | Q(end_date__gt=start))


def episode_validate(*, child: Child, care_form: CareForm, provider: Provider, start: dt.date, end: dt.date | None, exclude_pk=None) -> None:
    errors: dict[str, list[str]] = {}
    if start > today():
        errors.setdefault("start_date", []).append(_("De begindatum ligt in de toekomst."))
    if end is not None and end < start:
        errors.setdefault("end_date", []).append(_("De einddatum ligt vóór de begindatum."))
    if end is not None and end > today():
        errors.setdefault("end_date", []).append(_("De einddatum ligt in de toekomst."))
    if start < child.birth_date:
        errors.setdefault("start_date", []).append(_("De begindatum ligt vóór de geboortedatum van het kind."))
    if not errors and episodes_overlapping(child=child, care_form=care_form, provider=provider, start=start, end=end, exclude_pk=exclude_pk).exists():
        errors.setdefault("start_date", []).append(
            _("Dit kind heeft in die periode al een traject met deze zorgvorm bij deze aanbieder.")
        )
    if errors:
        raise ValidationError(errors)


KNOWN_ELSEWHERE = "known_elsewhere"  # the code of the refusal; the view logs it (selectors.ELSEWHERE_DETAIL)


@transaction.atomic
def child_register(*, user, request=None, bsn: str, birth_date: dt.date, sex: str, label: str = "", municipality: Municipality | None = None,
                   target_group: TargetGroup | None = None) -> tuple[Child, bool]:
    """Register a child (or find the one already known under this BSN). Returns (child, created).

    The BSN is hashed here and dropped; it is never stored or logged.
    """
    municipality = municipality or user.municipality
    pseudonym = pseudonymise(bsn)
    child, created = Child.objects.get_or_create(
        pseudonym=pseudonym,
        defaults={"birth_date": birth_date, "sex": sex, "municipality": municipality, "label": label, "registered_by": user,
                  "target_group": target_group},
    )
    if not created and child.municipality_id != municipality.id:
        # Told, because the municipality must arrange a transfer with the other one (Jeugdwet, woonplaatsbeginsel);
        # the view logs every such answer and limits how often a user gets it (REGISTRATION_ELSEWHERE_LIMIT).
        raise ValidationError({"bsn": [ValidationError(
            _("Dit kind is al geregistreerd bij een andere gemeente. Neem contact op met de beheerder."), code=KNOWN_ELSEWHERE)]})
    log_access(actor=user, request=request, action=AccessAction.CREATE if created else AccessAction.SEARCH,
               object_type="child", object_ref=child.reference, detail="registered" if created else "already registered")
    return child, created


def child_set_target_group(*, user, request=None, child: Child, target_group: TargetGroup | None) -> Child:
    """Record (or clear) the child's target group; logged."""
    child.target_group = target_group
    child.save(update_fields=["target_group"])
    log_access(actor=user, request=request, action=AccessAction.CHANGE, object_type="child", object_ref=child.reference,
               detail=f"target group {target_group.code if target_group else '-'}")
    return child


@transaction.atomic
def episode_start(
    *, user, request=None, child: Child, care_form: CareForm, provider: Provider, start_date: dt.date,
    referrer: str = "", legal_framework: str = "vrijwillig", municipality: Municipality | None = None,
    checklist=None, allow_without_checklist: bool = False,
) -> Episode:
    """Start an episode. A residential or closed form (with stay, rung >= 5) needs a completed, unused
    `checklist` (casework.ResidentialChecklist) of this child; only administrators and imports pass
    `allow_without_checklist=True`, and such a placement is shown as "zonder checklist". The rule itself is
    casework's, registered with placements.episode_rules.

    The child's row is locked first: two submissions of the same form (a double click, parallel requests) are
    handled one after the other, and the second finds the first's episode and is refused in Dutch."""
    Child.objects.select_for_update().filter(pk=child.pk).first()
    episode_validate(child=child, care_form=care_form, provider=provider, start=start_date, end=None)
    for rule in episode_rules.RULES:
        rule.check(child=child, care_form=care_form, start_date=start_date, checklist=checklist,
                   allow_without_checklist=allow_without_checklist)
    episode = Episode.objects.create(
        child=child, care_form=care_form, provider=provider, municipality=municipality or child.municipality,
        start_date=start_date, referrer=referrer, legal_framework=legal_framework, created_by=user,
    )
    for rule in episode_rules.RULES:
        rule.attach(checklist=checklist, episode=episode)
    without = " without checklist (admin/import)" if care_form.is_residential and checklist is None else ""
    log_access(actor=user, request=request, action=AccessAction.CREATE, object_type="episode", object_ref=child.reference,
               detail=f"episode {episode.pk} {care_form.code}{without}")
    return episode


@transaction.atomic
def episode_end(*, user, request=None, episode: Episode, end_date: dt.date, end_reason: str) -> Episode:
    episode = Episode.objects.select_for_update().select_related("child", "care_form", "provider").get(pk=episode.pk)
    if episode.end_date is not None:
        raise ValidationError({"end_date": [_("Dit traject is al beëindigd.")]})
    episode_validate(child=episode.child, care_form=episode.care_form, provider=episode.provider,
                     start=episode.start_date, end=end_date, exclude_pk=episode.pk)
    episode.end_date = end_date
    episode.end_reason = end_reason
    episode.save(update_fields=["end_date", "end_reason", "updated_at"])
    log_access(actor=user, request=request, action=AccessAction.CHANGE, object_type="episode", object_ref=episode.child.reference,
               detail=f"episode {episode.pk} ended")
    return episode
