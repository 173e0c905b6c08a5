"""Forecasts (issue 18): saved scenarios of a region (a change to the entries into a care-form group, to how long
stays in it last, to the growth of the youths and the indexation of costs, from a month on), a region's own cost per
care day where it overrides the declarations' estimate, and the forecast jobs — each fitted on one snapshot run's
data date and stored with that run."""
from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import Job, JobStatus
from placements.models import CareForm, Municipality, Region


class ForecastScenario(models.Model):
    region = models.ForeignKey(Region, verbose_name=_("regio"), on_delete=models.CASCADE, related_name="forecast_scenarios")
    name = models.CharField(_("naam"), max_length=100)
    description = models.TextField(_("toelichting"), blank=True)
    start = models.DateField(_("vanaf maand"), help_text=_("De eerste maand waarin de verandering geldt (de dag telt niet)."))
    group = models.CharField(_("zorgvormgroep"), max_length=30, default="stay",
                             help_text=_("stay, family_based, residential of een zorgvormcode (bijv. RES)."))
    entries_pct = models.FloatField(_("instroom (%)"), default=0, validators=[MinValueValidator(-100), MaxValueValidator(500)],
                                    help_text=_("Verandering van de instroom in de groep, bijv. −20 voor 20% minder."))
    stay_months_shorter = models.FloatField(_("verblijf korter (maanden)"), default=0, validators=[MinValueValidator(-24), MaxValueValidator(60)],
                                            help_text=_("Zoveel maanden korter gemiddeld verblijf in de groep (negatief: langer)."))
    population_growth_pct = models.FloatField(
        _("groei jeugdigen (% per jaar)"), null=True, blank=True, validators=[MinValueValidator(-10), MaxValueValidator(10)],
        help_text=_("Leeg: de trend van de bevolkingscijfers (gemiddelde groei van de laatste vijf bekende jaren)."))
    cost_index_pct = models.FloatField(
        _("indexatie kosten (% per jaar)"), null=True, blank=True, validators=[MinValueValidator(-10), MaxValueValidator(20)],
        help_text=_("Leeg: de standaardindexatie van de basisprognose."))
    in_report = models.BooleanField(_("in kwartaalrapportage"), default=True,
                                    help_text=_("Toon dit scenario naast de basisprognose in de kwartaalrapportage."))

    class Meta:
        verbose_name = _("prognosescenario")
        verbose_name_plural = _("prognosescenario's")
        ordering = ["region", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="forecast_scenario_name")]

    def __str__(self) -> str:
        return self.name


class CareDayCost(models.Model):
    """The region's own cost per care day of a care form, instead of the one estimated from the declarations."""

    region = models.ForeignKey(Region, verbose_name=_("regio"), on_delete=models.CASCADE, related_name="care_day_costs")
    care_form = models.ForeignKey(CareForm, verbose_name=_("zorgvorm"), on_delete=models.CASCADE, related_name="+")
    euro_per_day = models.DecimalField(_("euro per zorgdag"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)])
    note = models.CharField(_("bron of toelichting"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("kosten per zorgdag")
        verbose_name_plural = _("kosten per zorgdag")
        ordering = ["region", "care_form__rung", "care_form__code"]
        constraints = [models.UniqueConstraint(fields=["region", "care_form"], name="care_day_cost_form")]

    def __str__(self) -> str:
        return f"{self.region} {self.care_form.code}"


class Forecast(Job):
    """A forecast of one scope (a region, or one of its municipalities) fitted on the data of one snapshot run's data
    date: the base forecast and every saved scenario of the region, with the backtest (a job: core.jobs)."""

    run = models.ForeignKey("monitoring.SnapshotRun", verbose_name=_("rekenrun"), on_delete=models.CASCADE, related_name="forecasts")
    region = models.ForeignKey(Region, verbose_name=_("jeugdregio"), on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey(Municipality, verbose_name=_("gemeente"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", help_text=_("Leeg: de hele regio."))
    months = models.PositiveSmallIntegerField(_("maanden vooruit"), default=36, validators=[MinValueValidator(1), MaxValueValidator(120)])
    simulations = models.PositiveIntegerField(_("simulaties"), default=1000, validators=[MinValueValidator(100), MaxValueValidator(10000)])
    window = models.PositiveSmallIntegerField(_("referentieperiode (maanden)"), default=24, validators=[MinValueValidator(6), MaxValueValidator(60)],
                                              help_text=_("De volledige maanden tot de datadatum waarover kansen en instroom worden geschat."))
    result = models.JSONField(_("uitkomst"), default=dict, blank=True)
    seconds = models.FloatField(_("rekentijd (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("prognose")
        verbose_name_plural = _("prognoses")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["run", "region", "municipality"])]

    def __str__(self) -> str:
        return f"{self.scope_label} (run {self.run_id})"

    @property
    def scope_label(self) -> str:
        return str(self.municipality or self.region)

    @property
    def scope_key(self) -> str:
        """As FigureSeries.scope: the municipality's CBS code or the region's name."""
        return self.municipality.cbs_code if self.municipality_id else self.region.name

    def status_fields(self) -> dict:
        return {"page_url": reverse("forecast:page") + f"?gebied={self.scope_key}" if self.status == JobStatus.DONE else ""}
