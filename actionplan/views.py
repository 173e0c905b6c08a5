"""The action plan pages of the project team (its own region) and administrators (any region, chosen with
?regio=<id>): the measures with their execution, and the bottlenecks. Other roles are refused, logged."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import refuse
from accounts.roles import is_admin, is_project_with_region
from placements.models import Region
from placements.selectors import region_delivering

from . import selectors, services
from .forms import BottleneckForm, MeasureForm, MeasureUpdateForm
from .models import MeasureStatus

OBJECT_TYPE = "measure"


def _region(request) -> tuple[Region | None, object]:
    """(the region the user works on, None) or (None, a refusal): the project team's own region; an administrator's
    choice (?regio=<id>, else the first region)."""
    user = request.user
    if is_project_with_region(user):
        return Region.objects.get(pk=user.scope_region_id), None
    if is_admin(user):
        asked = request.GET.get("regio", "")
        region = Region.objects.filter(pk=int(asked)).first() if asked.isdigit() else None
        return region or region_delivering() or Region.objects.order_by("name").first(), None
    return None, refuse(request, object_type=OBJECT_TYPE, detail="action plan: role refused")


def _plan_url(region: Region, request) -> str:
    url = reverse("actionplan:plan")
    return f"{url}?regio={region.pk}" if is_admin(request.user) else url


def _apply(form, call) -> bool:
    """Run a service with the form's data; its validation errors go onto the form's fields."""
    try:
        call()
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return False
    return True


@require_http_methods(["GET"])
def plan(request):
    region, refused = _region(request)
    if refused:
        return refused
    status = request.GET.get("status", "")
    status = status if status in MeasureStatus.values else ""
    today = timezone.localdate()
    measures = selectors.measure_list(region=region, status=status)
    return render(request, "actionplan/plan.html", {
        "region": region, "measures": measures, "status": status, "statuses": MeasureStatus.choices,
        "overdue": {m.pk for m in measures if selectors.is_overdue(m, today=today)},
        "bottlenecks": selectors.bottleneck_list(region=region),
        "regions": Region.objects.order_by("name") if is_admin(request.user) else None})


@require_http_methods(["GET", "POST"])
def measure_new(request):
    region, refused = _region(request)
    if refused:
        return refused
    form = MeasureForm(request.POST or None, region=region)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        measure = None

        def create():
            nonlocal measure
            measure = services.measure_create(user=request.user, request=request, region=region, title=d["title"], owner=d["owner"],
                                              planned_on=d["planned_on"], description=d["description"], targets=d["targets"])
        if _apply(form, create):
            messages.success(request, _("Maatregel vastgelegd."))
            return redirect(reverse("actionplan:measure", args=[measure.pk]) + (f"?regio={region.pk}" if is_admin(request.user) else ""))
    return render(request, "actionplan/form.html", {"form": form, "region": region, "title": _("Nieuwe maatregel"),
                                                    "back": _plan_url(region, request)})


def _measure_or_refuse(request, pk: int):
    """(region, measure, None) or (None, None, a refusal): a measure of the project team's region; an administrator's
    measure of any region (the page then works on the measure's region)."""
    region, refused = _region(request)
    if refused:
        return None, None, refused
    if is_admin(request.user):
        region = Region.objects.filter(measures_of_plan__pk=pk).first() or region
    measure = selectors.measure_get(region=region, pk=pk)
    if measure is None:
        return None, None, refuse(request, status=404, message=_("Deze maatregel bestaat niet of hoort bij een andere regio."),
                                  object_type=OBJECT_TYPE, object_ref=str(pk), detail="measure outside the region")
    return region, measure, None


@require_http_methods(["GET", "POST"])
def measure(request, pk: int):
    """A measure with its execution log; POST adds a progress update."""
    region, item, refused = _measure_or_refuse(request, pk)
    if refused:
        return refused
    form = MeasureUpdateForm(request.POST or None, measure=item)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _apply(form, lambda: services.measure_update_add(user=request.user, request=request, measure=item, date=d["date"],
                                                            status=d["status"], text=d["text"])):
            messages.success(request, _("Voortgang vastgelegd."))
            return redirect(request.get_full_path())
    return render(request, "actionplan/measure.html", {
        "region": region, "measure": item, "updates": list(item.updates.order_by("-date", "-pk")), "form": form,
        "overdue": selectors.is_overdue(item, today=timezone.localdate()), "back": _plan_url(region, request)})


@require_http_methods(["GET", "POST"])
def measure_edit(request, pk: int):
    region, item, refused = _measure_or_refuse(request, pk)
    if refused:
        return refused
    form = MeasureForm(request.POST, region=region) if request.method == "POST" else MeasureForm.for_measure(item)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if _apply(form, lambda: services.measure_change(user=request.user, request=request, measure=item, title=d["title"],
                                                        owner=d["owner"], planned_on=d["planned_on"], description=d["description"],
                                                        targets=d["targets"])):
            messages.success(request, _("Maatregel bijgewerkt."))
            return redirect(reverse("actionplan:measure", args=[item.pk]) + (f"?regio={region.pk}" if is_admin(request.user) else ""))
    return render(request, "actionplan/form.html", {"form": form, "region": region, "title": _("Maatregel wijzigen"),
                                                    "back": reverse("actionplan:measure", args=[item.pk])})


@require_http_methods(["GET", "POST"])
def bottleneck_new(request):
    return _bottleneck_form(request, None)


@require_http_methods(["GET", "POST"])
def bottleneck_edit(request, pk: int):
    return _bottleneck_form(request, pk)


def _bottleneck_form(request, pk: int | None):
    region, refused = _region(request)
    if refused:
        return refused
    item = None
    if pk is not None:
        if is_admin(request.user):
            region = Region.objects.filter(bottlenecks_of_plan__pk=pk).first() or region
        item = selectors.bottleneck_get(region=region, pk=pk)
        if item is None:
            return refuse(request, status=404, message=_("Dit knelpunt bestaat niet of hoort bij een andere regio."),
                          object_type="bottleneck", object_ref=str(pk), detail="bottleneck outside the region")
    if request.method == "POST":
        form = BottleneckForm(request.POST, region=region)
    else:
        initial = {} if item is None else {"title": item.title, "raised_on": item.raised_on, "resolved_on": item.resolved_on,
                                           "description": item.description, "measures": list(item.measures.all())}
        form = BottleneckForm(initial=initial, region=region)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        fields = {"title": d["title"], "raised_on": d["raised_on"], "resolved_on": d["resolved_on"], "description": d["description"],
                  "measures": d["measures"]}
        if item is None:
            ok = _apply(form, lambda: services.bottleneck_create(user=request.user, request=request, region=region, **fields))
        else:
            ok = _apply(form, lambda: services.bottleneck_change(user=request.user, request=request, bottleneck=item, **fields))
        if ok:
            messages.success(request, _("Knelpunt vastgelegd."))
            return redirect(_plan_url(region, request) + "#knelpunten")
    return render(request, "actionplan/form.html", {"form": form, "region": region, "back": _plan_url(region, request) + "#knelpunten",
                                                    "title": _("Nieuw knelpunt") if item is None else _("Knelpunt wijzigen")})
