"""Saved forecast scenarios of a region (issue 18): a change to the entries into a care-form group, and to how long
stays in it last, from a month on."""
from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from placements.models import Region


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

    class Meta:
        verbose_name = _("prognosescenario")
        verbose_name_plural = _("prognosescenario's")
        ordering = ["region", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="forecast_scenario_name")]

    def __str__(self) -> str:
        return self.name
