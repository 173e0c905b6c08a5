"""Snapshot runs with their figure series, and the region's targets."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.db import TextJSONField
from core.formatting import number
from core.models import Job, JobStatus

RunStatus = JobStatus


class SnapshotRun(Job):
    """One computation of all figures over the data as it was when the run was created (a job: core.jobs)."""

    data_date = models.DateField(_("datadatum"), help_text=_("Laatste dag van de laatste volledige maand."))
    first_month = models.CharField(_("eerste maand"), max_length=7, blank=True)
    last_month = models.CharField(_("laatste maand"), max_length=7, blank=True)
    episodes_seen = models.PositiveBigIntegerField(_("trajecten gezien"), default=0)
    declarations_seen = models.PositiveBigIntegerField(_("declaraties gezien"), default=0)
    data_fingerprint = models.CharField(_("vingerafdruk data"), max_length=64, blank=True)
    # the parts of the run (monitoring.runs.parts) and those that have recorded themselves as done
    parts = models.JSONField(_("delen"), default=list, blank=True)
    parts_done = models.JSONField(_("delen klaar"), default=list, blank=True)
    series_count = models.PositiveIntegerField(_("reeksen"), default=0)
    trigger = models.CharField(_("aanleiding"), max_length=20, default="manual")
    seconds = models.FloatField(_("duur (s)"), null=True, blank=True)
    locked = models.BooleanField(_("vastgezet"), default=False)
    locked_at = models.DateTimeField(_("vastgezet op"), null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lock_note = models.CharField(_("reden vastzetten"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("rekenrun")
        verbose_name_plural = _("rekenruns")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Run {self.pk} ({self.data_date:%d-%m-%Y})"

    TRIGGER_LABELS = {"manual": _("met de hand"), "command": _("opdrachtregel"), "schedule": _("maandelijks gepland")}

    @property
    def trigger_label(self) -> str:
        """How the run was started, in words ("met de hand", "opdrachtregel", "maandelijks gepland")."""
        return str(self.TRIGGER_LABELS.get(self.trigger, self.trigger))

    def status_fields(self) -> dict:
        return {"series_count": number(self.series_count), "parts_done": f"{len(self.parts_done)} / {len(self.parts)}"}


class FigureSeries(models.Model):
    """All values of one figure for one scope, care-form group and age band in a run, as a series
    {period: value}. Stored per series rather than per value: the dashboard reads whole series."""

    # no index of its own on run: the unique constraint and the index below start with it (every index is paid
    # for on each of the ~250,000 rows a national run writes)
    run = models.ForeignKey(SnapshotRun, on_delete=models.CASCADE, related_name="series", db_index=False)
    level = models.CharField(max_length=12)  # municipality, region, country
    scope = models.CharField(max_length=100)  # CBS code, region name, or NL
    group = models.CharField(max_length=30)  # care-form code, stay, family_based, residential, all
    band = models.CharField(max_length=5)  # 0-11, 12-17, 18+, all
    metric = models.CharField(max_length=40)
    values = TextJSONField(default=dict)  # json, not jsonb: written in bulk, read whole (core.db.TextJSONField)
    part = models.CharField(max_length=20)  # the part of the run that wrote it (a repeated part replaces its own)

    class Meta:
        verbose_name = _("reeks")
        verbose_name_plural = _("reeksen")
        constraints = [
            models.UniqueConstraint(fields=["run", "scope", "group", "band", "metric"], name="series_unique_per_run"),
        ]
        # reads by (run, scope, ...) use the unique constraint's index
        indexes = [models.Index(fields=["run", "level", "metric", "group", "band"])]

    def __str__(self) -> str:
        return f"{self.metric} {self.scope} {self.group} {self.band}"


class TargetKind(models.TextChoices):
    VALUE = "value", _("Waarde bereiken")
    CHANGE_ABS = "change_abs", _("Verandering t.o.v. basis (absoluut)")
    CHANGE_PCT = "change_pct", _("Verandering t.o.v. basis (%)")
    ACCUMULATE = "accumulate", _("Aantal optellen in de periode")


class Direction(models.TextChoices):
    AT_LEAST = "at_least", _("Minstens")
    AT_MOST = "at_most", _("Hooguit")


class Target(models.Model):
    """A target of the region (metrics.md, "Targets")."""

    name = models.CharField(_("naam"), max_length=200)
    metric = models.CharField(_("figuur"), max_length=40)
    region = models.ForeignKey("placements.Region", verbose_name=_("jeugdregio"), null=True, blank=True, on_delete=models.CASCADE)
    municipality = models.ForeignKey("placements.Municipality", verbose_name=_("gemeente"), null=True, blank=True, on_delete=models.CASCADE)
    group = models.CharField(_("zorgvormgroep"), max_length=30, default="all")
    band = models.CharField(_("leeftijdsgroep"), max_length=5, default="all")
    period_start = models.DateField(_("begin periode"))
    period_end = models.DateField(_("einde periode"))
    baseline_period = models.CharField(_("basisperiode"), max_length=7, blank=True, help_text=_("YYYY-MM, YYYY-Qn of YYYY"))
    baseline_value = models.FloatField(_("basiswaarde"), null=True, blank=True, help_text=_("Leeg laten om uit de data te berekenen."))
    kind = models.CharField(_("soort"), max_length=12, choices=TargetKind.choices)
    target_value = models.FloatField(_("doelwaarde"), help_text=_("Waarde, verandering (absoluut of in %) of aantal, afhankelijk van de soort."))
    direction = models.CharField(_("richting"), max_length=10, choices=Direction.choices)
    note = models.TextField(_("toelichting"), blank=True)
    source = models.CharField(_("bron"), max_length=200, blank=True)
    active = models.BooleanField(_("actief"), default=True)

    class Meta:
        verbose_name = _("doel")
        verbose_name_plural = _("doelen")
        ordering = ["period_end", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(region__isnull=False, municipality__isnull=True) | models.Q(region__isnull=True, municipality__isnull=False)),
                name="target_one_scope",
            ),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")), name="target_period_order"),
        ]

    def __str__(self) -> str:
        return self.name
