"""Child-protection pages for the wijkteam: record a measure for a child, end it. The child's page lists them."""
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

from . import selectors, services
from .forms import MeasureEndForm, MeasureForm


def _post(request):
    return request.POST if request.method == "POST" else None


@case_access_required(AccessAction.CREATE)
@require_http_methods(["GET", "POST"])
def measure_record(request, child_pk: int):
    child = registry.child_get(user=request.user, pk=child_pk)
    if child is None:
        return _deny_object(request, pk=child_pk, action=AccessAction.CREATE)
    form = MeasureForm(_post(request), child=child)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.measure_record(user=request.user, request=request, child=child, kind=data["kind"], gi=data["gi"],
                                    start_date=data["start_date"], end_date=data["end_date"], municipality=data["municipality"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De maatregel is vastgelegd."))
            return redirect("children:detail", pk=child.pk)
    return render(request, "protection/measure_form.html", {
        "form": form, "child": child, "title": _("Jeugdbeschermingsmaatregel vastleggen"), "submit": _("Vastleggen")})


@case_access_required(AccessAction.CHANGE)
@require_http_methods(["GET", "POST"])
def measure_end(request, pk: int):
    measure = selectors.measure_get(user=request.user, pk=pk)
    if measure is None:
        return _deny_object(request, pk=pk, action=AccessAction.CHANGE, object_type="measure", ref=selectors.measure_ref_for_audit(pk=pk))
    child = measure.child
    if measure.end_date is not None:
        messages.info(request, _("Deze maatregel is al beëindigd."))
        return redirect("children:detail", pk=child.pk)
    form = MeasureEndForm(_post(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_end(user=request.user, request=request, measure=measure, end_date=form.cleaned_data["end_date"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De maatregel is beëindigd."))
            return redirect("children:detail", pk=child.pk)
    return render(request, "protection/measure_form.html", {
        "form": form, "child": child, "measure": measure, "title": _("Maatregel beëindigen"), "submit": _("Beëindigen")})
