"""Writes of child protection. Keyword-only; every change is logged under the child's reference."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import log_access
from accounts.models import AccessAction
from placements.models import Child, Municipality, Provider

from .models import Measure


def _validate(*, child: Child, start: dt.date, end: dt.date | None, exclude_pk: int | None = None) -> None:
    errors = {}
    if start < child.birth_date:
        errors["start_date"] = [_("De ingangsdatum ligt vóór de geboortedatum.")]
    if end is not None and end <= start:
        errors["end_date"] = [_("De einddatum ligt niet na de ingangsdatum.")]
    overlapping = Measure.objects.filter(child=child, start_date__lt=end or dt.date.max).exclude(end_date__lte=start)
    if exclude_pk:
        overlapping = overlapping.exclude(pk=exclude_pk)
    if "start_date" not in errors and overlapping.exists():
        errors["start_date"] = [_("Dit kind heeft in die periode al een maatregel. Beëindig die eerst; een voorlopige "
                                  "maatregel eindigt op de dag dat de definitieve ingaat.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def measure_record(*, user, request=None, child: Child, kind: str, gi: Provider, start_date: dt.date,
                   end_date: dt.date | None = None, municipality: Municipality | None = None) -> Measure:
    """Record a measure. The child's row is locked first, so that two submissions are handled one after the other
    and the second is refused as overlapping."""
    Child.objects.select_for_update().filter(pk=child.pk).first()
    _validate(child=child, start=start_date, end=end_date)
    measure = Measure.objects.create(child=child, kind=kind, gi=gi, municipality=municipality or child.municipality,
                                     start_date=start_date, end_date=end_date, created_by=user)
    log_access(actor=user, request=request, action=AccessAction.CREATE, object_type="measure", object_ref=child.reference,
               detail=f"measure {measure.pk} {kind}")
    return measure


@transaction.atomic
def measure_end(*, user, request=None, measure: Measure, end_date: dt.date) -> Measure:
    measure = Measure.objects.select_for_update().select_related("child").get(pk=measure.pk)
    if measure.end_date is not None:
        raise ValidationError({"end_date": [_("Deze maatregel is al beëindigd.")]})
    _validate(child=measure.child, start=measure.start_date, end=end_date, exclude_pk=measure.pk)
    measure.end_date = end_date
    measure.save(update_fields=["end_date"])
    log_access(actor=user, request=request, action=AccessAction.CHANGE, object_type="measure", object_ref=measure.child.reference,
               detail=f"measure {measure.pk} ended")
    return measure
