"""Writes of the action plan. Keyword-only; every write is logged (object type "measure" or "bottleneck")."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_access
from accounts.models import AccessAction
from placements.models import Region

from .models import Bottleneck, Measure, MeasureUpdate
from .selectors import region_targets


def _check_targets(region: Region, targets) -> list:
    targets = list(targets or [])
    allowed = set(region_targets(region=region).values_list("pk", flat=True))
    if any(t.pk not in allowed for t in targets):
        raise ValidationError({"targets": [_("Een maatregel kan alleen dienen voor doelen van de eigen regio of haar gemeenten.")]})
    return targets


@transaction.atomic
def measure_create(*, user, request=None, region: Region, title: str, owner: str, planned_on: dt.date, description: str = "",
                   targets=()) -> Measure:
    targets = _check_targets(region, targets)
    measure = Measure.objects.create(region=region, title=title, owner=owner, planned_on=planned_on, description=description,
                                     created_by=user)
    measure.targets.set(targets)
    log_access(actor=user, request=request, action=AccessAction.CREATE, object_type="measure", object_ref=str(measure.pk),
               detail=f"measure {measure.pk} created")
    return measure


@transaction.atomic
def measure_change(*, user, request=None, measure: Measure, title: str, owner: str, planned_on: dt.date, description: str = "",
                   targets=()) -> Measure:
    targets = _check_targets(measure.region, targets)
    measure.title, measure.owner, measure.planned_on, measure.description = title, owner, planned_on, description
    measure.save(update_fields=["title", "owner", "planned_on", "description", "updated_at"])
    measure.targets.set(targets)
    log_access(actor=user, request=request, action=AccessAction.CHANGE, object_type="measure", object_ref=str(measure.pk),
               detail=f"measure {measure.pk} changed")
    return measure


@transaction.atomic
def measure_update_add(*, user, request=None, measure: Measure, date: dt.date, status: str, text: str) -> MeasureUpdate:
    """Record a step of the execution; the measure's status becomes that of its latest update by date (an update
    dated before the latest one fills in the history without changing the current status)."""
    if date > timezone.localdate():
        raise ValidationError({"date": [_("Een voortgangsmelding gaat over wat al gebeurd is: kies vandaag of een eerdere dag.")]})
    if date < timezone.localdate(measure.created_at) - dt.timedelta(days=366):
        raise ValidationError({"date": [_("Die datum ligt meer dan een jaar vóór het vastleggen van de maatregel.")]})
    update = MeasureUpdate.objects.create(measure=measure, date=date, status=status, text=text, created_by=user)
    latest = measure.updates.order_by("-date", "-pk").first()
    measure.status = latest.status
    measure.save(update_fields=["status", "updated_at"])
    log_access(actor=user, request=request, action=AccessAction.CHANGE, object_type="measure", object_ref=str(measure.pk),
               detail=f"measure {measure.pk} update {update.pk} status {status}")
    return update


def _check_dates(raised_on: dt.date, resolved_on: dt.date | None) -> None:
    if resolved_on and resolved_on < raised_on:
        raise ValidationError({"resolved_on": [_("Een knelpunt kan niet opgelost zijn vóór het werd gesignaleerd.")]})
    if resolved_on and resolved_on > timezone.localdate():
        raise ValidationError({"resolved_on": [_("Een datum in de toekomst kan niet: vul die in als het knelpunt is opgelost.")]})


def _check_measures(region: Region, measures) -> list:
    measures = list(measures or [])
    if any(m.region_id != region.pk for m in measures):
        raise ValidationError({"measures": [_("Kies maatregelen van de eigen regio.")]})
    return measures


@transaction.atomic
def bottleneck_create(*, user, request=None, region: Region, title: str, raised_on: dt.date, description: str = "",
                      resolved_on: dt.date | None = None, measures=()) -> Bottleneck:
    _check_dates(raised_on, resolved_on)
    measures = _check_measures(region, measures)
    item = Bottleneck.objects.create(region=region, title=title, raised_on=raised_on, description=description,
                                     resolved_on=resolved_on, created_by=user)
    item.measures.set(measures)
    log_access(actor=user, request=request, action=AccessAction.CREATE, object_type="bottleneck", object_ref=str(item.pk),
               detail=f"bottleneck {item.pk} created")
    return item


@transaction.atomic
def bottleneck_change(*, user, request=None, bottleneck: Bottleneck, title: str, raised_on: dt.date, description: str = "",
                      resolved_on: dt.date | None = None, measures=()) -> Bottleneck:
    _check_dates(raised_on, resolved_on)
    measures = _check_measures(bottleneck.region, measures)
    bottleneck.title, bottleneck.raised_on, bottleneck.description, bottleneck.resolved_on = title, raised_on, description, resolved_on
    bottleneck.save(update_fields=["title", "raised_on", "description", "resolved_on"])
    bottleneck.measures.set(measures)
    log_access(actor=user, request=request, action=AccessAction.CHANGE, object_type="bottleneck", object_ref=str(bottleneck.pk),
               detail=f"bottleneck {bottleneck.pk} changed")
    return bottleneck
