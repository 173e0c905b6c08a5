"""Admin for monitoring: administrators set the region's targets; snapshot runs and their figure series are
read-only here (runs are made by `compute_figures` / Celery and locked from the monitoring pages)."""
from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.periods import parse_period
from placements.models import PROVIDER_PREFIX, TARGET_GROUP_PREFIX, CareForm, Provider, TargetGroup

from . import registry
from .models import FigureSeries, SnapshotRun, Target, TargetKind
from .registry import Kind
from .runs.selectors import run_latest
from .targets import progress as progress_service

KIND_SHORT = {"value": _("waarde"), "change_abs": _("verschil"), "change_pct": _("verschil %"), "accumulate": _("optellen")}
STATUS_COLOURS = {"achieved": "#198754", "on_track": "#0d6efd", "at_risk": "#b35c00", "off_track": "#dc3545", "not_achieved": "#212529"}


def metric_choices() -> list:
    """Registry metrics as "label (key)", the ones not yet measured in a group of their own."""
    measured = [(m.key, f"{m.label} ({m.key})") for m in registry.REGISTRY.values() if m.available and m.source != registry.INTERNAL]
    later = [(m.key, f"{m.label} ({m.key})") for m in registry.REGISTRY.values() if not m.available]
    return [("", "---------"), (_("Berekend uit de trajecten"), measured), (_("Nog niet gemeten (casussen, pleegzorg)"), later)]


def group_choices() -> list:
    groups = [(k, str(v)) for k, v in progress_service.GROUP_LABELS.items()]
    forms_ = [(cf.code, f"{cf.name} ({cf.code})") for cf in CareForm.objects.order_by("rung", "code")]
    # a target group has its own figures for stay durations only (los_*)
    target_groups = [(f"{TARGET_GROUP_PREFIX}{tg.code}", f"{tg.name} ({tg.code})") for tg in TargetGroup.objects.order_by("code")]
    # a provider has its own figures (provider_*) only
    providers = [(f"{PROVIDER_PREFIX}{pk}", f"{name} ({agb})" if agb else name) for pk, name, agb in Provider.objects.values_list("pk", "name", "agb_code")]
    apps = [(str(title), [(code, str(label)) for code, label in choices]) for title, choices in registry.APP_GROUPS.values()]
    return [(_("Groepen"), groups), (_("Zorgvormen"), forms_), (_("Doelgroepen (alleen verblijfsduur)"), target_groups),
            (_("Aanbieders (alleen de figuren per aanbieder)"), providers), *apps]


def band_choices() -> list:
    return [(k, str(v)) for k, v in progress_service.BAND_LABELS.items()]


class TargetAdminForm(forms.ModelForm):
    """Validation only: the scope is exactly one of region and municipality, periods and kinds fit the metric."""

    metric = forms.ChoiceField(label=_("Figuur"), choices=metric_choices,
                               help_text=_("Uit het register van figuren; de definitie staat op de doelenpagina bij de figuur."))
    group = forms.ChoiceField(label=_("Zorgvormgroep"), choices=group_choices, initial="all")
    band = forms.ChoiceField(label=_("Leeftijdsgroep"), choices=band_choices, initial="all")

    class Meta:
        model = Target
        fields = ["name", "metric", "region", "municipality", "group", "band", "period_start", "period_end", "kind",
                  "target_value", "direction", "baseline_period", "baseline_value", "note", "source", "active"]
        help_texts = {
            "baseline_period": _("JJJJ, JJJJ-MM, JJJJ-Qn of JJJJ-Hn. Nodig bij een verandering; leeg bij ‘waarde bereiken’ "
                                 "= de maand vóór het begin van de periode; niet gebruikt bij optellen."),
            "target_value": _("Waarde bereiken: de waarde. Verandering: het verschil met de basis, absoluut (−5) of in "
                              "procenten (−6 voor −6%). Optellen: het aantal in de periode."),
        }

    def clean(self):
        data = super().clean()
        region, municipality = data.get("region"), data.get("municipality")
        # On the field, so that the model's check constraint (which names these fields) is not reported twice.
        if region and municipality:
            self.add_error("municipality", forms.ValidationError(_("Kies een jeugdregio óf een gemeente, niet allebei."), code="scope_both"))
        elif not region and not municipality:
            self.add_error("region", forms.ValidationError(_("Kies een jeugdregio of een gemeente."), code="scope_none"))

        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("Het einde van de periode ligt vóór het begin."))

        metric = registry.get(data.get("metric") or "")
        kind = data.get("kind")
        label = (data.get("baseline_period") or "").strip()
        period = parse_period(label) if label else None
        if label and period is None:
            self.add_error("baseline_period", _("Gebruik JJJJ, JJJJ-MM, JJJJ-Qn of JJJJ-Hn, bijvoorbeeld 2019 of 2019-12."))
        if period and end and period.start > end:
            self.add_error("baseline_period", _("De basisperiode ligt na het einde van de doelperiode."))
        if period and metric and not progress_service.is_monthly(metric) and period.kind not in metric.periods:
            self.add_error("baseline_period", _("Deze figuur bestaat niet per %(kind)s.") % {"kind": _period_name(period.kind)})
        if kind in (TargetKind.CHANGE_ABS, TargetKind.CHANGE_PCT) and not label:
            self.add_error("baseline_period", _("Een verandering heeft een basisperiode nodig."))
        if kind == TargetKind.CHANGE_PCT and data.get("baseline_value") == 0:
            self.add_error("baseline_value", _("Een procentuele verandering kan niet vanaf een basiswaarde 0."))
        per_provider = (data.get("group") or "").startswith(PROVIDER_PREFIX)
        if metric and per_provider != (metric.source == "providers"):
            self.add_error("group", _("Een figuur per aanbieder hoort bij een aanbieder, en een aanbieder heeft alleen de figuren per "
                                      "aanbieder (‘… bij de aanbieder’)."))
        if kind == TargetKind.ACCUMULATE:
            if metric and "month" not in metric.periods:
                self.add_error("kind", _("Optellen kan alleen bij een figuur die per maand is berekend."))
            elif metric and metric.kind not in (Kind.FLOW, Kind.MONEY):
                self.add_error("kind", _("Optellen kan alleen bij een figuur die per maand optelt (instroom, opschalingen, "
                                         "kosten, besproken casussen …), niet bij een stand of aandeel."))
            if data.get("target_value") is not None and data["target_value"] < 0:
                self.add_error("target_value", _("Een aantal om op te tellen is niet negatief."))
        data["baseline_period"] = label
        return data


def _period_name(kind: str) -> str:
    return {"year": gettext("jaar"), "quarter": gettext("kwartaal"), "half": gettext("halfjaar"), "month": gettext("maand")}[kind]


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    form = TargetAdminForm
    list_display = ("name", "status", "metric_label", "scope", "period", "kind_direction")
    list_display_links = ("name",)
    list_filter = ("active", "kind", "direction", ("region", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "metric", "note", "source")
    list_select_related = ("region", "municipality")
    readonly_fields = ("computed_baseline", "progress")
    fieldsets = (
        (None, {"fields": ("name", "metric", "active")}),
        (_("Bereik"), {"fields": ("region", "municipality", "group", "band"),
                       "description": _("Precies één van jeugdregio en gemeente.")}),
        (_("Periode en doel"), {"fields": ("period_start", "period_end", "kind", "target_value", "direction")}),
        (_("Basis"), {"fields": ("baseline_period", "baseline_value", "computed_baseline"),
                      "description": _("Laat de basiswaarde leeg om haar uit de cijfers te berekenen: de waarde van de figuur "
                                       "in de basisperiode, in het bereik, de groep en de leeftijdsgroep van het doel, uit de "
                                       "laatste run. Voor een jaar van een maandelijkse stand telt december (peildatum); een "
                                       "maandelijkse stroom (instroom, kosten …) wordt over de maanden van de periode opgeteld.")}),
        (_("Toelichting"), {"fields": ("note", "source")}),
        (_("Voortgang"), {"fields": ("progress",)}),
    )

    @admin.display(description=_("figuur"), ordering="metric")
    def metric_label(self, obj: Target) -> str:
        metric = registry.get(obj.metric)
        return format_html('<span title="{}">{}</span>', obj.metric, metric.label) if metric else obj.metric

    @admin.display(description=_("bereik"))
    def scope(self, obj: Target) -> str:
        parts = [progress_service.scope_label(obj)]
        if obj.group != "all":
            parts.append(progress_service.group_label(obj.group))
        if obj.band != "all":
            parts.append(progress_service.band_label(obj.band))
        return " · ".join(parts)

    @admin.display(description=_("periode"), ordering="period_end")
    def period(self, obj: Target) -> str:
        return format_html("{}&nbsp;–<br>{}", f"{obj.period_start:%d-%m-%Y}", f"{obj.period_end:%d-%m-%Y}")

    @admin.display(description=_("soort"), ordering="kind")
    def kind_direction(self, obj: Target) -> str:
        """Kind and direction in one narrow column: "verschil % ≤" (the admin's table is narrow)."""
        sign = "≥" if obj.direction == "at_least" else "≤"
        return format_html('<span title="{} · {}">{}&nbsp;{}</span>', obj.get_kind_display(), obj.get_direction_display(),
                           KIND_SHORT.get(obj.kind, obj.kind), sign)

    @admin.display(description=_("status"))
    def status(self, obj: Target) -> str:
        if not obj.active:
            return format_html('<span style="color: #6c757d">{}</span>', gettext("uitgezet"))
        progress = progress_service.target_progress(obj, run_latest())
        colour = STATUS_COLOURS.get(progress.status, "#6c757d")
        return format_html('<strong style="color: {}">{}</strong>', colour, progress.status_label)

    @admin.display(description=_("berekende basiswaarde"))
    def computed_baseline(self, obj: Target) -> str:
        if obj.pk is None:
            return gettext("Wordt berekend na opslaan.")
        metric = registry.get(obj.metric)
        if metric is None or not metric.available:
            return gettext("Deze figuur wordt nog niet gemeten.")
        if obj.kind == TargetKind.ACCUMULATE:
            return gettext("Niet nodig: een aantal om op te tellen begint bij 0.")
        run = run_latest()
        if run is None:
            return gettext("Nog geen run: er zijn nog geen cijfers berekend.")
        value, day = progress_service.computed_baseline(obj, run)
        if value is None:
            return gettext("Geen waarde in run %(run)s voor deze basisperiode.") % {"run": run.pk}
        cell = progress_service.display_cell(value, metric, suppress=True)
        text = gettext("%(value)s op %(day)s (run %(run)s, cijfers t/m %(last)s)") % {
            "value": cell.text, "day": f"{day:%d-%m-%Y}", "run": run.pk, "last": run.last_month}
        if obj.baseline_value is not None:
            text += " · " + gettext("het doel gebruikt de ingevoerde waarde")
        return text

    @admin.display(description=_("voortgang"))
    def progress(self, obj: Target) -> str:
        if obj.pk is None:
            return "–"
        p = progress_service.target_progress(obj, run_latest())
        if not p.has_numbers:
            return format_html("<strong>{}</strong> — {}", p.status_label, p.reason)
        c = progress_service.card(p, suppress=True)["cells"]
        return format_html(
            "<strong>{}</strong> — {}: {} · {}: {} · {}: {} · {}: {}",
            p.status_label, gettext("doel"), c["goal"].text, gettext("nu"), c["actual"].text,
            gettext("verwacht nu"), c["expected"].text, gettext("prognose einde"), c["forecast"].text,
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SnapshotRun)
class SnapshotRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "status", "data_date", "months", "n_series", "locked", "seconds")
    list_filter = ("status", "locked")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_series=Count("series"))

    @admin.display(description=_("maanden"))
    def months(self, obj: SnapshotRun) -> str:
        return format_html("{}&nbsp;–&nbsp;{}", obj.first_month, obj.last_month) if obj.last_month else "–"

    @admin.display(description=_("reeksen"), ordering="n_series")
    def n_series(self, obj: SnapshotRun) -> int:
        return obj.n_series


@admin.register(FigureSeries)
class FigureSeriesAdmin(ReadOnlyAdmin):
    list_display = ("run", "level", "scope", "group", "band", "metric")
    list_filter = ("level", "metric", "band")
    search_fields = ("scope", "group", "metric")
    list_select_related = ("run",)
    show_full_result_count = False
