"""Recording a crisis contact for a child (wijkteam); the child's page lists them."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import AccessAction
from placements import selectors as registry
from placements.forms import add_service_errors
from placements.views import _deny_object, case_access_required

from . import services
from .forms import CrisisContactForm


@case_access_required(AccessAction.CREATE)
@require_http_methods(["GET", "POST"])
def contact_record(request, child_pk: int):
    child = registry.child_get(user=request.user, pk=child_pk)
    if child is None:
        return _deny_object(request, pk=child_pk, action=AccessAction.CREATE)
    form = CrisisContactForm(request.POST if request.method == "POST" else None, child=child)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.crisis_contact_record(user=request.user, request=request, child=child, date=data["date"], source=data["source"],
                                           note=data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De crisis is vastgelegd."))
            return redirect("children:detail", pk=child.pk)
    return render(request, "crisis/contact_form.html", {"form": form, "child": child, "title": _("Crisis vastleggen"), "submit": _("Vastleggen")})
