"""The forecast page of the project team (its region and municipalities) and administrators (any region): the stored
forecast of the latest run as fan charts, the scenarios side by side, the backtest and the target solver; a button that
starts a forecast job; downloads; the scenario editor. Other roles are refused, logged."""
from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.access import refuse
from accounts.audit import log_access
from accounts.models import AccessAction
from core import publication
from core.jobs import job_payload, job_start
from core.models import JobStatus
from monitoring.exports import figures as exports
from monitoring.runs.selectors import run_latest
from monitoring.targets.progress import group_label

from . import display, model, selectors, services, tasks
from .forms import ScenarioForm

OBJECT_TYPE = "forecast"
WINDOWS = (12, 24, 36)  # the reference windows a user may pick (months up to the data date)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _choice(request) -> tuple[selectors.Choice | None, object]:
    """(the scope the user asked for, None) or (None, a refusal). The first choice when none is asked."""
    choices = selectors.forecast_scopes(user=request.user)
    if not choices:
        return None, refuse(request, object_type=OBJECT_TYPE, detail="forecast: role refused")
    asked = (request.POST.get("gebied") or request.GET.get("gebied") or "").strip()
    choice = next((c for c in choices if c.key == asked), None) if asked else choices[0]
    if choice is None:
        return None, refuse(request, object_type=OBJECT_TYPE, object_ref=asked[:80], detail="forecast: scope refused")
    return choice, None


def _page_url(choice: selectors.Choice, **extra) -> str:
    return reverse("forecast:page") + "?" + urlencode({"gebied": choice.key, **extra})


def _group_choices() -> list[tuple[str, str]]:
    forms = services.stay_forms()
    return [(g, group_label(g)) for g, idx in services.groups(forms).items() if idx]


@require_http_methods(["GET"])
def page(request):
    choice, refused = _choice(request)
    if refused:
        return refused
    run = run_latest()
    latest = selectors.forecast_latest(run=run, choice=choice) if run else None
    done = latest if latest is not None and latest.status == JobStatus.DONE else (
        selectors.forecast_latest(run=run, choice=choice, done_only=True) if run else None)
    k = publication.threshold()
    context = {
        "choice": choice, "choices": selectors.forecast_scopes(user=request.user), "run": run, "job": latest,
        "status": job_payload(latest) if latest else None, "forecast": done, "k": k,
        "scenarios": selectors.scenario_list(region=choice.region), "publication_note": publication.explanation(),
        "windows": WINDOWS, "window": latest.window if latest else model.WINDOW_MONTHS,
    }
    if done is not None:
        result = done.result
        scenarios = result.get("scenarios", [])
        asked = request.GET.get("scenario", "0")
        index = int(asked) if asked.isascii() and asked.isdigit() and int(asked) < len(scenarios) else 0
        shown = scenarios[index] if scenarios else None
        charts = []
        if shown:
            for group in display.CHART_GROUPS:
                charts.append({"group": group, "label": group_label(group), "id": f"fan-{group}",
                               "figure": display.fan_figure(done, scenario=shown, group=group, k=k),
                               "table": display.fan_table(done, scenario=shown, group=group, k=k)})
        context.update({
            "result": result, "shown": shown, "shown_index": index, "charts": charts,
            "comparison": display.comparison(done, k=k), "backtest": display.backtest_rows(done),
            "solved": display.solver_rows(result), "costs": [(code, result["forms"].get(code, code), c) for code, c in result.get("costs", {}).items()],
            "stale": bool(latest and latest.pk != done.pk),
        })
        log_access(request=request, action=AccessAction.READ, object_type=OBJECT_TYPE, object_ref=choice.key[:80],
                   detail=f"forecast {done.pk} run {done.run_id}")
    return render(request, "forecast/page.html", context)


@require_http_methods(["POST"])
def start(request):
    choice, refused = _choice(request)
    if refused:
        return refused
    run = run_latest()
    if run is None:
        messages.error(request, _("Er is nog geen afgeronde rekenrun: bereken eerst de cijfers."))
        return redirect(_page_url(choice))
    running = selectors.forecast_latest(run=run, choice=choice)
    if running is not None and not running.finished:
        messages.info(request, _("Er loopt al een prognose voor dit gebied."))
        return redirect(_page_url(choice))
    asked = request.POST.get("venster", "")
    window = int(asked) if asked in {str(w) for w in WINDOWS} else model.WINDOW_MONTHS
    job = services.forecast_create(user=request.user, run=run, region=choice.region, municipality=choice.municipality, window=window)
    log_access(request=request, action=AccessAction.CHANGE, object_type=OBJECT_TYPE, object_ref=choice.key[:80],
               detail=f"forecast {job.pk} started on run {run.pk}")
    started = job_start(job, tasks.build_forecast, job.pk, failure=_("De prognose is mislukt. Bekijk de melding en probeer het opnieuw."))
    if not started.ok:
        messages.error(request, started.message)
    return redirect(_page_url(choice))


@require_http_methods(["GET"])
def download(request, pk: int):
    forecast = selectors.forecast_get(user=request.user, pk=pk)
    if forecast is None:
        refused = refuse(request, status=404, object_type=OBJECT_TYPE, object_ref=str(pk), detail="forecast download refused")
        return refused
    if forecast.status != JobStatus.DONE:
        raise Http404(_("Deze prognose is nog niet klaar."))
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Onbekend formaat."))
    k = publication.threshold()
    sheet = exports.Sheet("prognose", "Prognose", display.HEADER, display.download_rows(forecast, k=k))
    name = f"prognose-{''.join(ch if ch.isalnum() else '-' for ch in forecast.scope_key).lower()}-run{forecast.run_id}"
    log_access(request=request, action=AccessAction.EXPORT, object_type=OBJECT_TYPE, object_ref=forecast.scope_key[:80],
               detail=f"{fmt} forecast {forecast.pk} suppressed: {len(sheet.rows)} rows")
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")
        exports.write_sheets_csv([sheet], response)
    else:
        about = [(_("Gebied"), forecast.scope_label), (_("Rekenrun"), f"{forecast.run_id} ({_('gegevens tot en met')} {forecast.run.data_date:%d-%m-%Y})"),
                 (_("Simulaties"), str(forecast.simulations)), (_("Bescherming kleine aantallen"), publication.explanation())]
        response = HttpResponse(exports.write_sheets_xlsx([sheet], about=about), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _scenario_form(request, choice, instance=None):
    form = ScenarioForm(request.POST or None, instance=instance, groups=_group_choices(), region=choice.region)
    if request.method == "POST" and form.is_valid():
        scenario = form.save(commit=False)
        scenario.region = choice.region
        scenario.save()
        log_access(request=request, action=AccessAction.CHANGE, object_type="forecast_scenario", object_ref=str(scenario.pk),
                   detail="scenario saved")
        messages.success(request, _("Scenario opgeslagen. Bereken de prognose opnieuw om het mee te nemen."))
        return redirect(_page_url(choice))
    return render(request, "forecast/scenario_form.html", {"form": form, "choice": choice, "scenario": instance})


@require_http_methods(["GET", "POST"])
def scenario_new(request):
    choice, refused = _choice(request)
    if refused:
        return refused
    return _scenario_form(request, choice)


def _scenario_or_refuse(request, pk: int):
    scenario = selectors.scenario_get(user=request.user, pk=pk)
    if scenario is None:
        return None, None, refuse(request, status=404, object_type="forecast_scenario", object_ref=str(pk), detail="scenario refused")
    choice = next(c for c in selectors.forecast_scopes(user=request.user) if c.region.pk == scenario.region_id and c.municipality is None)
    return scenario, choice, None


@require_http_methods(["GET", "POST"])
def scenario_edit(request, pk: int):
    scenario, choice, refused = _scenario_or_refuse(request, pk)
    if refused:
        return refused
    return _scenario_form(request, choice, scenario)


@require_http_methods(["POST"])
def scenario_delete(request, pk: int):
    scenario, choice, refused = _scenario_or_refuse(request, pk)
    if refused:
        return refused
    if request.POST.get("confirm") != "1":  # only the form's button deletes
        return redirect("forecast:scenario_edit", pk=pk)
    log_access(request=request, action=AccessAction.CHANGE, object_type="forecast_scenario", object_ref=str(pk), detail="scenario deleted")
    scenario.delete()
    messages.success(request, _("Scenario verwijderd."))
    return redirect(_page_url(choice))
