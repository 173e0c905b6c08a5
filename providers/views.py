"""The providers page for the project team and administrators: figures per provider for a scope and year, and per
provider its contracts, monthly children in care and data-quality card. Counts are published through core.publication
(these roles never see exact small numbers)."""
from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import refuse
from accounts.models import AccessAction
from accounts.roles import is_admin, is_project_with_region
from core import publication
from monitoring.dashboard.selectors import dashboard_scopes
from monitoring.runs.selectors import run_latest
from placements.models import Municipality, Provider, Region

from . import quality, selectors

OBJECT_TYPE = "providers"


def _prepare(request):
    """(run, scope choices, scope, region, year) or a response: for the project team and administrators only."""
    user = request.user
    if not (is_admin(user) or is_project_with_region(user)):
        return None, refuse(request, object_type=OBJECT_TYPE, action=AccessAction.READ, detail="providers page: role refused")
    choices = dashboard_scopes(user)
    asked = request.GET.get("scope", "").strip()
    scope = choices.get(asked) if asked else choices.default
    if scope is None:
        return None, refuse(request, message=_("Deze cijfers vallen buiten uw gemeente of regio. De poging is vastgelegd in het toegangslog."),
                            object_type=OBJECT_TYPE, action=AccessAction.READ, detail="providers page: scope refused")
    run = run_latest()
    if run is None:
        return None, render(request, "providers/empty.html", {})
    years = selectors.provider_years(run)
    year = request.GET.get("year", "")
    year = int(year) if year.isascii() and year.isdigit() and int(year) in years else selectors.default_year(run)
    region = Region.objects.filter(name=scope.region).first() if scope.level != "country" else None
    return (run, choices, scope, region, year, years), None


@require_GET
def provider_list(request):
    prepared, response = _prepare(request)
    if response:
        return response
    run, choices, scope, region, year, years = prepared
    rows = selectors.provider_rows(run=run, scope=scope.key, region=region, year=year, exact=False)
    return render(request, "providers/list.html", {
        "run": run, "choices": choices, "scope": scope, "year": year, "years": years, "rows": rows, "region": region,
        "last_month": selectors.year_months(year, run.last_month)[-1], "protection": publication.explanation()})


@require_GET
def provider_detail(request, pk: int):
    prepared, response = _prepare(request)
    if response:
        return response
    run, choices, scope, region, year, years = prepared
    provider = get_object_or_404(Provider, pk=pk)
    rows = selectors.provider_rows(run=run, scope=scope.key, region=region, year=year, exact=False, provider_pk=pk)
    if scope.level == "municipality":
        municipality_ids = list(Municipality.objects.filter(cbs_code=scope.key).values_list("pk", flat=True))
    elif region is not None:
        municipality_ids = list(region.municipalities.values_list("pk", flat=True))
    else:
        municipality_ids = None
    return render(request, "providers/detail.html", {
        "run": run, "choices": choices, "scope": scope, "year": year, "years": years, "provider": provider,
        "row": rows[0] if rows else None, "region": region,
        "contracts": selectors.provider_contracts(provider=provider, region=region),
        "quality": quality.provider_quality(provider_id=pk, municipality_ids=municipality_ids, data_date=run.data_date)})
