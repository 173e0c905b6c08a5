"""Quarterly reports (generate, follow progress, download), the yearly cost table page, and the exports.

Thin views: role gate, scope through reports.selectors (a report or scope outside the user's reach answers 404
and writes a "denied" access-log entry), work in services / tasks, and an access-log entry for every download
and export. Files are served from private storage only through these views."""
from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import roles
from accounts.access import access_required, refuse
from accounts.audit import log_access
from accounts.models import AccessAction
from core import publication
from core.jobs import job_payload, job_start
from core.models import JobStatus
from core.periods import parse_month
from monitoring.dashboard import selectors as msel
from monitoring.exports import figures as exports
from monitoring.models import RunStatus

from . import content, cost_table, selectors, services, tasks
from .models import ExportKind, GeneratedReport, ReportStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STALE_REPORT = dt.timedelta(minutes=15)


NO_REPORTS = gettext_lazy("Met uw rol heeft u geen toegang tot rapportages. De poging is vastgelegd in het toegangslog.")


def _gate(check, object_type: str):
    return access_required(lambda *, user: check(user), object_type=object_type, action=AccessAction.READ, message=NO_REPORTS)


def _has_scope(user) -> bool:
    return bool(selectors.scope_choices(user).scopes)


readers = _gate(selectors.can_read_reports, "report")
generators = _gate(selectors.can_generate, "report")
scoped = _gate(_has_scope, "figures")
admins = _gate(roles.is_admin, "episode_export")


def _deny(request, *, ref: str, object_type: str):
    return refuse(request, status=404, action=AccessAction.READ, object_type=object_type, object_ref=ref[:80], detail="outside scope")


def _report_or_deny(request, pk: int):
    report = selectors.report_get(user=request.user, pk=pk)
    if report is None:
        return None, _deny(request, ref=f"report {pk}", object_type="report")
    return report, None


def _fmt(fmt: str) -> str:
    return fmt if fmt in ("csv", "xlsx") else ""


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text).strip("-").lower()


# --------------------------------------------------------------------------------------------- reports
@readers
@require_GET
def report_list(request):
    reports = list(selectors.report_list(user=request.user)[:100])
    context = {"reports": reports, "can_generate": selectors.can_generate(request.user)}
    if context["can_generate"]:
        runs = selectors.runs_for_reports()
        choices = selectors.scope_choices(request.user)
        context.update({
            "runs": runs,
            "choices": choices,
            "quarters": content.quarter_choices(runs[0]) if runs else [],
            "quarter_label": content.quarter_label,
        })
    return render(request, "reports/list.html", context)


@generators
@require_POST
def report_start(request):
    choices = selectors.scope_choices(request.user)
    scope = choices.get(request.POST.get("scope", ""))
    if scope is None:
        return _deny(request, ref=f"scope {request.POST.get('scope', '')}", object_type="report")
    run = selectors.run_for_export(request.POST.get("run"))
    if run is None or run not in selectors.runs_for_reports():
        messages.error(request, _("Kies een afgeronde rekenrun."))
        return redirect("reports:list")
    quarter = request.POST.get("quarter", "") or content.last_complete_quarter(run)
    region, municipality = selectors.scope_objects(scope)
    busy_since = timezone.now() - STALE_REPORT  # a report stuck longer than this (a killed worker) no longer blocks a new one
    existing = (GeneratedReport.objects.filter(run=run, region=region, municipality=municipality, quarter=quarter)
                .filter(Q(status=ReportStatus.DONE) | Q(status__in=[ReportStatus.PENDING, ReportStatus.RUNNING], created_at__gte=busy_since))
                .first())
    if existing is not None and request.POST.get("again") != "1":
        messages.info(request, _("Deze rapportage bestaat al voor deze run; u ziet de bestaande."))
        return redirect("reports:detail", pk=existing.pk)
    try:
        report = services.report_create(user=request.user, run=run, region=region, municipality=municipality, quarter=quarter)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("reports:list")
    log_access(request=request, action=AccessAction.CREATE, object_type="report", object_ref=f"report {report.pk}",
               detail=f"{scope.key} {quarter} run {run.pk}")
    started = job_start(report, tasks.generate_report, report.pk,
                        failure=_("Het maken van de rapportage is mislukt. Bekijk de melding en probeer het opnieuw."))
    if not started.ok:
        messages.error(request, started.message)
        return redirect("reports:detail", pk=report.pk)
    report.refresh_from_db()
    if report.status == ReportStatus.DONE:
        messages.success(request, _("De rapportage is klaar."))
    else:
        messages.info(request, _("De rapportage wordt gemaakt. Deze pagina toont de voortgang."))
    return redirect("reports:detail", pk=report.pk)


@readers
@require_GET
def report_detail(request, pk: int):
    report, denied = _report_or_deny(request, pk)
    if denied:
        return denied
    return render(request, "reports/detail.html", {"report": report, "status": job_payload(report),
                                                   "can_generate": selectors.can_generate(request.user)})


@readers
@require_GET
def report_download(request, pk: int):
    report, denied = _report_or_deny(request, pk)
    if denied:
        return denied
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404(_("Deze rapportage is nog niet klaar."))
    log_access(request=request, action=AccessAction.EXPORT, object_type="report", object_ref=f"report {report.pk}",
               detail=f"PDF {report.scope_key} {report.quarter} run {report.run_id}")
    response = FileResponse(report.file.open("rb"), content_type="application/pdf", as_attachment=True, filename=report.filename)
    response["Cache-Control"] = "private, no-store"
    return response


@readers
@require_GET
def report_html(request, pk: int):
    report, denied = _report_or_deny(request, pk)
    if denied:
        return denied
    if report.status != ReportStatus.DONE or not report.html_file:
        raise Http404(_("Deze rapportage is nog niet klaar."))
    log_access(request=request, action=AccessAction.READ, object_type="report", object_ref=f"report {report.pk}",
               detail=f"HTML {report.scope_key} {report.quarter} run {report.run_id}")
    with report.html_file.open("rb") as fh:
        response = HttpResponse(fh.read(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------------------------- cost table
def cost_sheet(table: cost_table.CostTable) -> exports.Sheet:
    sheet = exports.Sheet("cost_table", "Kostentabel", ["jaar", "zorgvorm", "naam", "clienten", "kosten", "kosten_per_client",
                                                        "clienten_tov_vorig_jaar_pct", "kosten_tov_vorig_jaar_pct"])
    def value(cell):
        return cell.text if cell.suppressed else cell.value

    for y in table.years:
        for row in y.all_rows:
            c = row.shown
            ch_c, ch_k = (None, None) if y.partial_until else (c.clients_change, c.cost_change)
            sheet.rows.append([y.year, "totaal" if row.code == "TOTAL" else row.code, row.name, value(c.clients), value(c.cost), value(c.per_client),
                               None if ch_c is None else round(ch_c, 1), None if ch_k is None else round(ch_k, 1)])
    return sheet


@scoped
@require_GET
def cost_table_page(request):
    choices = selectors.scope_choices(request.user)
    asked = request.GET.get("scope", "").strip()
    scope = choices.get(asked) if asked else choices.default
    if scope is None:
        return _deny(request, ref=f"scope {asked}", object_type="cost_table")
    run = selectors.run_for_export(request.GET.get("run"))
    if request.GET.get("run") and run is None:
        raise Http404(_("Deze rekenrun bestaat niet of is niet afgerond."))
    stay_only = request.GET.get("forms", "stay") != "all"
    region, municipality = selectors.scope_objects(scope)
    fmt = _fmt(request.GET.get("format", ""))
    exact = not fmt and msel.sees_exact(request.user, scope)  # downloads are always suppressed
    until = run.data_date if run else None
    table = cost_table.cost_table(region=None if municipality else region, municipality=municipality, until=until,
                                  with_stay_only=stay_only, suppress=not exact, scope_label=scope.label)
    if fmt:
        name = f"kostentabel-{_safe(scope.key)}{'-verblijf' if stay_only else ''}{f'-run{run.pk}' if run else ''}"
        log_access(request=request, action=AccessAction.EXPORT, object_type="cost_table", object_ref=scope.key[:80],
                   detail=f"{fmt} {'stay' if stay_only else 'all'} run {run.pk if run else '-'} suppressed")
        if fmt == "csv":  # for people: `;`, decimal commas, Dutch headers, a BOM (the machine CSV: manage.py cost_table)
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            response.write("\ufeff")
            exports.write_sheets_csv([cost_sheet(table)], response)
            return response
        about = _about(request, run=run, scope=scope, extra=[(_("Zorgvormen"), _("alleen met verblijf") if stay_only else _("alle"))])
        response = HttpResponse(exports.write_sheets_xlsx([cost_sheet(table)], about=about), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    log_access(request=request, action=AccessAction.READ, object_type="cost_table", object_ref=scope.key[:80],
               detail=f"page {'stay' if stay_only else 'all'}{' exact' if exact else ''}")
    query = {"scope": scope.key, "forms": "stay" if stay_only else "all"}
    if run:
        query["run"] = run.pk
    return render(request, "reports/cost_table.html", {
        "table": table, "scope": scope, "choices": choices, "stay_only": stay_only, "run": run, "exact": exact,
        "years": list(reversed(table.years)), "query": urlencode(query),
    })


def _about(request, *, run, scope, extra=()) -> list[tuple[str, str]]:
    return [
        (_("Rekenrun"), f"{run.pk} ({_('gegevens tot en met')} {run.data_date:%d-%m-%Y}){' · ' + _('vastgezet') if run.locked else ''}" if run else "–"),
        (_("Gebied"), f"{scope.label} ({scope.key})"),
        (_("Bescherming kleine aantallen"), publication.explanation()),
        (_("Gemaakt op"), f"{dt.datetime.now():%d-%m-%Y %H:%M}"),
        (_("Door"), request.user.username),
        *extra,
    ]


# --------------------------------------------------------------------------------------------- dashboard exports
@scoped
@require_GET
def export_dashboard(request):
    """Every figure set and table of the dashboard (or one, ?figure=key) for a named run, suppressed, CSV or XLSX."""
    fmt = _fmt(request.GET.get("format", "csv"))
    if not fmt:
        raise Http404(_("Onbekend formaat."))
    run = selectors.run_for_export(request.GET.get("run"))
    if run is None:
        raise Http404(_("Deze rekenrun bestaat niet of is niet afgerond."))
    choices = msel.dashboard_scopes(request.user)
    asked = request.GET.get("scope", "").strip()
    scope = choices.get(asked) if asked else choices.default
    if scope is None:
        return _deny(request, ref=f"scope {asked}", object_type="figures")
    forms = msel.care_forms()
    month = parse_month(request.GET.get("month", ""), first=run.first_month, last=run.last_month)
    codes = {f.code for f in forms}
    group = request.GET.get("group", msel.DEFAULT_GROUP)
    group = group if group in msel.SPECIAL_GROUPS or group in codes else msel.DEFAULT_GROUP
    band = request.GET.get("band", msel.DEFAULT_BAND)
    band = band if band in msel.BANDS else msel.DEFAULT_BAND
    dash = msel.dashboard(user=request.user, run=run, scope=scope, choices=choices, month=month, group=group, band=band,
                          exact=False, forms=forms)
    sheets = exports.dashboard_sheets(dash)
    figure = request.GET.get("figure", "")
    if fmt == "xlsx" or figure == "targets":  # a CSV holds one table shape: the targets only on request
        sheets.append(exports.targets_sheet(user=request.user, run=run, scope_key=scope.key))
    if figure:
        sheets = [s for s in sheets if s.key == figure]
        if not sheets:
            raise Http404(_("Onbekende figuur."))
    rows = sum(len(s.rows) for s in sheets)
    name = f"foodvalley-{figure or 'dashboard'}-{_safe(scope.key)}-{month}-run{run.pk}"
    log_access(request=request, action=AccessAction.EXPORT, object_type="figures", object_ref=f"run {run.pk}",
               detail=f"{fmt} {figure or 'all'} {scope.key} {month} {group} {band}: {rows} rows")
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")
        exports.write_sheets_csv(sheets, response)
    else:
        about = _about(request, run=run, scope=scope, extra=[(_("Maand"), month), (_("Zorgvormgroep"), group), (_("Leeftijd"), band)])
        response = HttpResponse(exports.write_sheets_xlsx(sheets, about=about), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --------------------------------------------------------------------------------------------- episodes (admin)
@admins
@require_http_methods(["GET", "POST"])
def export_episodes(request):
    """Pseudonymised episodes for administrators (export pseudonym, birth month, no labels), made in the background:
    a POST starts an export job; the page lists the administrator's own exports."""
    if request.method == "POST":
        fmt = _fmt(request.POST.get("format", "csv"))
        if not fmt:
            raise Http404(_("Onbekend formaat."))
        region = municipality = None
        asked = request.POST.get("scope", "").strip()
        if asked:
            scope = selectors.scope_choices(request.user).get(asked)
            if scope is None:
                raise Http404(_("Onbekend gebied."))
            region, municipality = selectors.scope_objects(scope)
        try:
            job = services.export_create(user=request.user, kind=ExportKind.EPISODES, fmt=fmt, region=region, municipality=municipality)
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("reports:export_episodes")
        started = job_start(job, tasks.build_export, job.pk, failure=_("De export is mislukt. Bekijk de melding en probeer het opnieuw."))
        if not started.ok:
            messages.error(request, started.message)
        return redirect("reports:export_detail", pk=job.pk)
    return render(request, "reports/export_list.html", {
        "jobs": selectors.export_list(user=request.user), "scope_choices": selectors.scope_choices(request.user),
    })


@admins
@require_GET
def export_detail(request, pk: int):
    job = selectors.export_get(user=request.user, pk=pk)
    if job is None:
        return _deny(request, ref=f"export {pk}", object_type="episode_export")
    return render(request, "reports/export_detail.html", {"job": job, "status": job_payload(job)})


@admins
@require_GET
def export_download(request, pk: int):
    """The file of a finished export, once the access log has it."""
    job = selectors.export_get(user=request.user, pk=pk)
    if job is None:
        return _deny(request, ref=f"export {pk}", object_type="episode_export")
    if job.status != JobStatus.DONE or not job.file:
        raise Http404(_("Deze export is nog niet klaar."))
    log_access(request=request, action=AccessAction.EXPORT, object_type="episode_export", object_ref=job.scope_label[:80],
               detail=f"pseudonymised episodes {job.format} {job.scope_label}: {job.rows} rows")
    content_type = XLSX if job.format == "xlsx" else "text/csv; charset=utf-8"
    response = FileResponse(job.file.open("rb"), content_type=content_type, as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    return response


@scoped
@require_GET
def exports_page(request):
    """The downloads the user may make, with the run to take them from."""
    runs = [r for r in selectors.runs_for_reports()]
    choices = msel.dashboard_scopes(request.user)
    return render(request, "reports/exports.html", {
        "runs": runs, "choices": choices, "is_admin": roles.is_admin(request.user), "figures": _figure_keys(),
        "run_status_done": RunStatus.DONE, "scope_choices": selectors.scope_choices(request.user),
    })


def _figure_keys() -> list[tuple[str, str]]:
    return [("tiles", _("Kerncijfers")), ("stock_forms", _("Kinderen in zorg per zorgvorm")), ("flows", _("Instroom en uitstroom")),
            ("levels", _("Opschalingen en afschalingen")), ("ladder", _("Ladder")), ("los", _("Verblijfsduur")), ("cost", _("Kosten")),
            ("municipalities", _("Gemeenten naast elkaar")), ("casework", _("Casuswerk en pleegzorg")), ("targets", _("Doelen"))]

