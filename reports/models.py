"""Report settings per region (or one global row) and the quarterly reports generated from snapshot runs."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.formatting import number
from core.models import Job, JobStatus
from core.periods import quarter_label
from core.storage import private_storage


class ReportSettings(models.Model):
    """How the quarterly report of a region looks. One row per region, plus at most one global row (region
    empty) used by regions without their own."""

    region = models.OneToOneField("placements.Region", verbose_name=_("jeugdregio"), null=True, blank=True, on_delete=models.CASCADE,
                                  help_text=_("Leeg: geldt voor elke regio zonder eigen instellingen."))
    region_name = models.CharField(_("naam op de rapportage"), max_length=120, blank=True,
                                   help_text=_("Bijv. ‘Jeugdregio Foodvalley’. Leeg: de naam van de regio."))
    title = models.CharField(_("titel"), max_length=200, default="Kwartaalrapportage jeugdhulp met verblijf")
    logo = models.FileField(_("logo"), storage=private_storage, upload_to="report-logos/", blank=True,
                            validators=[FileExtensionValidator(["png", "jpg", "jpeg", "svg"])],
                            help_text=_("PNG, JPG of SVG, hooguit 1 MB."))
    suppression_k = models.PositiveSmallIntegerField(
        _("drempel kleine aantallen"), null=True, blank=True, validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text=_("Aantallen kinderen van 1 tot deze drempel worden afgeschermd. Leeg: de landelijke instelling. "
                    "Nooit lager dan de landelijke instelling."))
    targets = models.ManyToManyField("monitoring.Target", verbose_name=_("doelen in de rapportage"), blank=True,
                                     help_text=_("Leeg: alle actieve doelen van de regio en haar gemeenten."))
    introduction = models.TextField(_("inleiding"), blank=True, help_text=_("Korte tekst op de titelpagina (optioneel)."))

    class Meta:
        verbose_name = _("rapportage-instellingen")
        verbose_name_plural = _("rapportage-instellingen")
        constraints = [
            models.UniqueConstraint(fields=["region"], condition=Q(region__isnull=True), name="reportsettings_one_global"),
        ]

    def __str__(self) -> str:
        return str(self.region) if self.region_id else str(_("Algemeen (alle regio's)"))

    def clean(self):
        minimum = int(getattr(settings, "SUPPRESSION_K", 5))
        if self.suppression_k is not None and self.suppression_k < minimum:
            raise ValidationError({"suppression_k": _("De drempel mag niet lager zijn dan de landelijke instelling (%(k)s).") % {"k": minimum}})
        if self.logo and getattr(self.logo, "size", 0) > 1024 * 1024:
            raise ValidationError({"logo": _("Het logo is groter dan 1 MB.")})

    @property
    def k(self) -> int:
        minimum = int(getattr(settings, "SUPPRESSION_K", 5))
        return max(minimum, self.suppression_k or minimum)

    @classmethod
    def for_region(cls, region) -> ReportSettings:
        """The region's own settings, else the global row, else unsaved defaults."""
        if region is not None:
            own = cls.objects.filter(region=region).first()
            if own is not None:
                return own
        return cls.objects.filter(region__isnull=True).first() or cls(region=None)


ReportStatus = JobStatus


class GeneratedReport(Job):
    """One quarterly report of a region or municipality, built from (and locking) one snapshot run (a job)."""

    run = models.ForeignKey("monitoring.SnapshotRun", verbose_name=_("rekenrun"), on_delete=models.PROTECT, related_name="reports")
    region = models.ForeignKey("placements.Region", verbose_name=_("jeugdregio"), on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey("placements.Municipality", verbose_name=_("gemeente"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", help_text=_("Leeg: de hele regio."))
    quarter = models.CharField(_("kwartaal"), max_length=7, help_text="YYYY-Qn")
    file = models.FileField(_("PDF"), storage=private_storage, upload_to="reports/", blank=True)
    html_file = models.FileField(_("HTML"), storage=private_storage, upload_to="reports/", blank=True)
    pages = models.PositiveSmallIntegerField(_("pagina's"), default=0)
    size = models.PositiveIntegerField(_("grootte (bytes)"), default=0)
    seconds = models.FloatField(_("bouwtijd (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("gegenereerde rapportage")
        verbose_name_plural = _("gegenereerde rapportages")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "quarter"])]

    def __str__(self) -> str:
        return f"{self.scope_label} {self.quarter_label} (run {self.run_id})"

    @property
    def scope_label(self) -> str:
        return str(self.municipality or self.region)

    def status_fields(self) -> dict:
        return {"download_url": reverse("reports:download", args=[self.pk]) if self.status == JobStatus.DONE else ""}

    @property
    def scope_key(self) -> str:
        """FigureSeries.scope of the report: the municipality's CBS code or the region's name."""
        return self.municipality.cbs_code if self.municipality_id else self.region.name

    @property
    def quarter_label(self) -> str:
        return quarter_label(self.quarter) if len(self.quarter) == 7 else self.quarter

    @property
    def filename(self) -> str:
        scope = "".join(ch if ch.isalnum() else "-" for ch in self.scope_key).strip("-").lower()
        return f"kwartaalrapportage-{scope}-{self.quarter.lower()}-run{self.run_id}.pdf"


class ExportKind(models.TextChoices):
    EPISODES = "episodes", _("Gepseudonimiseerde trajecten")


class ExportJob(Job):
    """A download made in the background (a job: core.jobs): the file is written by a task, row by row, and kept
    in private storage until the user downloads it."""

    kind = models.CharField(_("soort"), max_length=20, choices=ExportKind.choices)
    format = models.CharField(_("formaat"), max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    region = models.ForeignKey("placements.Region", verbose_name=_("jeugdregio"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    municipality = models.ForeignKey("placements.Municipality", verbose_name=_("gemeente"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    rows = models.PositiveIntegerField(_("regels"), default=0)
    rows_expected = models.PositiveIntegerField(_("verwachte regels"), default=0)
    file = models.FileField(_("bestand"), storage=private_storage, upload_to="exports/", blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.scope_label} ({self.format})"

    @property
    def scope_label(self) -> str:
        """The CBS code, the region's name, or "alle" for every municipality (as in the access log)."""
        if self.municipality_id:
            return self.municipality.cbs_code
        return self.region.name if self.region_id else "alle"

    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(99, round(100 * self.rows / self.rows_expected)) if self.rows_expected else int(self.progress or 0)

    def status_fields(self) -> dict:
        return {"rows": number(self.rows), "rows_expected": number(self.rows_expected)}
