"""Writes of crisis contacts. Keyword-only; every change is logged under the child's reference."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_access
from accounts.models import AccessAction
from placements.models import Child

from .models import CrisisContact


@transaction.atomic
def crisis_contact_record(*, user, request=None, child: Child, date: dt.date, source: str, note: str = "") -> CrisisContact:
    if date > timezone.localdate():
        raise ValidationError({"date": [_("Een crisis in de toekomst kan niet; kies de dag waarop het gebeurde.")]})
    if date < child.birth_date:
        raise ValidationError({"date": [_("De datum ligt vóór de geboortedatum.")]})
    contact = CrisisContact.objects.create(child=child, municipality=child.municipality, date=date, source=source, note=note,
                                           created_by=user)
    log_access(actor=user, request=request, action=AccessAction.CREATE, object_type="crisis_contact", object_ref=child.reference,
               detail=f"crisis contact {contact.pk} {source}")
    return contact
