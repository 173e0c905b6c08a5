"""The dashboard: figures for the user's scope, and the CSV behind each figure.

Views are thin: they read the filters, check the scope through the selectors, and hand the suppressed
data to the templates (chart JSON through json_script; the charts are drawn by static/js/dashboard.js).
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import refuse
from accounts.audit import log_access
from accounts.models import AccessAction
from core import intervals, publication
from core.periods import month_label, parse_month
from monitoring import registry
from monitoring.models import SnapshotRun
from monitoring.runs.selectors import run_in_progress, run_latest

from . import charts, selectors
from .recent import Recent

OBJECT_TYPE = "figures"
STALE_RUN = dt.timedelta(hours=2)  # a pending/running run older than this no longer blocks a new start


def _refused(request, message: str, *, detail: str):
    return refuse(request, message=message, object_type=OBJECT_TYPE, action=AccessAction.READ, detail=detail)


def _filters(request, run: SnapshotRun, choices: selectors.ScopeChoices, forms: list[selectors.Form]):
    """(scope, month, group, band) from GET, or None for the scope when the user asked for one outside their scope."""
    asked = request.GET.get("scope", "").strip()
    scope = choices.get(asked) if asked else choices.default
    month = parse_month(request.GET.get("month", ""), first=run.first_month, last=run.last_month)
    codes = {f.code for f in forms}
    group = request.GET.get("group", selectors.DEFAULT_GROUP)
    if group not in selectors.SPECIAL_GROUPS and group not in codes:
        group = selectors.DEFAULT_GROUP
    band = request.GET.get("band", selectors.DEFAULT_BAND)
    if band not in selectors.BANDS:
        band = selectors.DEFAULT_BAND
    return scope, month, group, band


def _prepare(request):
    """Shared by the page and the CSV: the run, the user's scopes and the validated filters, or a response."""
    choices = selectors.dashboard_scopes(request.user)
    if not choices.scopes:
        return None, _refused(request, _("Aan uw account is geen gemeente of jeugdregio gekoppeld. Vraag de beheerder om uw account in te stellen."),
                              detail="dashboard: no scope")
    run = run_latest()
    if run is None:
        return None, render(request, "monitoring/dashboard_empty.html", {"in_progress": run_in_progress()})
    forms = selectors.care_forms()
    scope, month, group, band = _filters(request, run, choices, forms)
    if scope is None:
        return None, _refused(request, _("Deze cijfers vallen buiten uw gemeente of regio. De poging is vastgelegd in het toegangslog."),
                              detail=f"dashboard scope {request.GET.get('scope', '')[:60]} refused")
    return (run, choices, forms, scope, month, group, band), None


#: The dashboard's figure sets of finished runs (see _dashboard_data); emptied by tests between cases.
DASHBOARD_CACHE = Recent(settings.DASHBOARD_CACHE_ENTRIES)


def _dashboard_data(user, run, choices, forms, scope, month, group, band, exact):
    """The dashboard's figures and chart JSON, kept per process: a finished run never changes, so everything that
    decides the result is in the key (run and its lock state, filters, exactness, the comparison scopes the user may
    see, the care forms, the language and the suppression threshold). Another user with the same key would see the
    same figures. Nothing is shared between processes, so nothing depends on Redis being up."""
    key = "|".join([
        str(run.pk), str(run.locked), str(run.locked_at), scope.key, month, group, band, str(exact), get_language() or "",
        str(publication.threshold()), ",".join(s.key for s in choices.scopes), ",".join(f"{f.code}:{f.rung}" for f in forms),
    ])
    cached = DASHBOARD_CACHE.get(key)
    if cached is not None:
        return cached
    dash = selectors.dashboard(user=user, run=run, scope=scope, choices=choices, month=month, group=group, band=band,
                               exact=exact, forms=forms)
    data = (dash, charts.figures_json(dash))
    DASHBOARD_CACHE.set(key, data)
    return data


@require_GET
def dashboard(request):
    prepared, response = _prepare(request)
    if response is not None:
        return response
    run, choices, forms, scope, month, group, band = prepared
    exact = selectors.sees_exact(request.user, scope)
    dash, figures = _dashboard_data(request.user, run, choices, forms, scope, month, group, band, exact)
    query = {"scope": scope.key, "month": month, "group": group, "band": band}
    return render(request, "monitoring/dashboard.html", {
        "dash": dash,
        "tables": {table.key: table for table in dash.figures},
        "figures": figures,
        "los_subtitle": (_("Alle verblijfsvormen en leeftijden · per kwartaal van instroom")
                         if selectors.los_group(group, forms) == "stay" else
                         _("%(group)s · alle leeftijden · per kwartaal van instroom") % {"group": selectors.group_label(group, forms)}),
        "choices": choices,
        "group_choices": selectors.group_choices(forms),
        "band_choices": selectors.band_choices(),
        "group_label": selectors.group_label(group, forms),
        "band_label": selectors.band_label(band),
        "month_label": month_label(month),
        "csv_url": f"{reverse('monitoring:dashboard_csv')}?{urlencode(query)}",
        "suppression_k": publication.threshold(),
        "publication_note": publication.explanation(),
        "stock_help": [(registry.get(k).label, registry.get(k).definition) for k in ("stock", "stock_per_1000")],
    })


@require_GET
def dashboard_csv(request):
    """The data behind one figure (or the tiles) for the chosen filters; always suppressed, like every export."""
    figure = request.GET.get("figure", "")
    if figure not in charts.FIGURE_KEYS:
        raise Http404(_("Onbekende figuur."))
    prepared, response = _prepare(request)
    if response is not None:
        return response
    run, choices, forms, scope, month, group, band = prepared
    dash = selectors.dashboard(user=request.user, run=run, scope=scope, choices=choices, month=month, group=group, band=band,
                               exact=False, forms=forms)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    safe_scope = "".join(ch if ch.isalnum() else "-" for ch in scope.key).strip("-").lower()
    response["Content-Disposition"] = f'attachment; filename="foodvalley-{figure}-{safe_scope}-{month}.csv"'
    response.write("\ufeff")  # BOM: Excel then reads UTF-8
    rows = charts.write_csv(dash, figure, response)
    log_access(request=request, action=AccessAction.EXPORT, object_type=OBJECT_TYPE, object_ref=f"run {run.pk}",
               detail=f"{figure} {scope.key} {month} {group} {band}: {rows} rows")
    return response


def definition_methods() -> list[tuple[str, str]]:
    """How figures are made publishable: (title, Dutch text) per method, for the definitions page and the PDF."""
    return [(_("Hoe kleine aantallen beschermd zijn"), publication.explanation()),
            (_("Hoe zeker een aandeel of verblijfsduur is (95%%-interval)") % {}, intervals.explanation()),
            (_("Nog niet meetbaar"), _(
                "Sommige cijfers volgen kinderen een vaste tijd: terugval of thuis binnen 12 maanden, voorkomen na 6 of 12 "
                "maanden, een voorkomen uithuisplaatsing of breakdown (183 dagen), breakdown binnen 12 maanden, geen nieuwe "
                "start vóór het einde van het volgende halfjaar. Zo'n cijfer is voor een periode pas bekend als die tijd voor "
                "elk kind van de periode voorbij is: de laatste dag van de periode plus de termijn. Eerder zou het te laag "
                "uitvallen. Tot die datum staat er ‘nog niet meetbaar’ met de datum vanaf wanneer het wel kan; exports laten "
                "het leeg en doelen rekenen er niet mee."))]


@require_GET
def definitions(request):
    """Every figure's definition and how figures are published: public knowledge for every signed-in role."""
    sources = {"registry": _("Zorg en kosten"), "casework": _("Casuswerk"), "fostercare": _("Pleegzorg"),
               "protection": _("Jeugdbescherming"), "crisis": _("Crisis als kans"), "providers": _("Aanbieders")}
    groups = []
    for source, title in sources.items():
        metrics = [m for m in registry.REGISTRY.values() if m.source == source and m.available]
        if metrics:
            groups.append((title, metrics))
    with_interval = {*registry.SHARE_DENOMINATORS, *registry.QUANTILE_BOUNDS}
    return render(request, "monitoring/definitions.html", {"groups": groups, "methods": definition_methods(), "with_interval": with_interval,
                                                            "suppression_k": publication.threshold()})
