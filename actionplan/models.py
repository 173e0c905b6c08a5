"""The project team's action plan: the measures it agreed on and how their execution goes (seed 003's
"Afgesproken maatregel | Uitvoering", seed 000's action plan with intermediate results), and the bottlenecks it
reports to its board (seed 003's "Grootste knelpunten").

A measure's execution is a dated log (MeasureUpdate): its status on any day is the status of its latest update on
or before that day, so a quarterly report prints the measures as they stood at the quarter's end."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Created
from monitoring.models import Target
from placements.models import Region


class MeasureStatus(models.TextChoices):
    PLANNED = "gepland", _("Gepland")
    RUNNING = "loopt", _("In uitvoering")
    DELAYED = "vertraagd", _("Vertraagd")
    DONE = "uitgevoerd", _("Uitgevoerd")
    STOPPED = "gestopt", _("Gestopt")


#: statuses of a measure that is still under way (shown first, counted as open)
OPEN_STATUSES = (MeasureStatus.PLANNED, MeasureStatus.RUNNING, MeasureStatus.DELAYED)


class Measure(Created):
    region = models.ForeignKey(Region, verbose_name=_("jeugdregio"), on_delete=models.PROTECT, related_name="measures_of_plan")
    title = models.CharField(_("afgesproken maatregel"), max_length=200)
    description = models.TextField(_("toelichting"), blank=True)
    owner = models.CharField(_("eigenaar"), max_length=100, help_text=_("Wie is verantwoordelijk (functie of organisatie)."))
    planned_on = models.DateField(_("gepland gereed"))
    status = models.CharField(_("status"), max_length=12, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED,
                              help_text=_("De status van de laatste voortgangsmelding."))
    targets = models.ManyToManyField(Target, verbose_name=_("doelen"), blank=True, related_name="measures")
    updated_at = models.DateTimeField(_("bijgewerkt"), auto_now=True)

    class Meta:
        verbose_name = _("maatregel")
        verbose_name_plural = _("maatregelen")
        ordering = ["planned_on", "pk"]

    def __str__(self) -> str:
        return self.title


class MeasureUpdate(Created):
    """One step of a measure's execution: what was done by `date`, and the measure's status from then on."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("datum"))
    status = models.CharField(_("status"), max_length=12, choices=MeasureStatus.choices)
    text = models.TextField(_("uitvoering"), help_text=_("Wat is gedaan, wat is het tussenresultaat, wat is de volgende stap."))

    class Meta:
        verbose_name = _("voortgangsmelding")
        verbose_name_plural = _("voortgangsmeldingen")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.measure} ({self.date:%d-%m-%Y})"


class Bottleneck(Created):
    region = models.ForeignKey(Region, verbose_name=_("jeugdregio"), on_delete=models.PROTECT, related_name="bottlenecks_of_plan")
    title = models.CharField(_("knelpunt"), max_length=200)
    description = models.TextField(_("toelichting"), blank=True)
    raised_on = models.DateField(_("gesignaleerd op"))
    resolved_on = models.DateField(_("opgelost op"), null=True, blank=True)
    measures = models.ManyToManyField(Measure, verbose_name=_("maatregelen"), blank=True, related_name="bottlenecks")

    class Meta:
        verbose_name = _("knelpunt")
        verbose_name_plural = _("knelpunten")
        ordering = ["raised_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(resolved_on__isnull=True) | models.Q(resolved_on__gte=models.F("raised_on")),
                                   name="bottleneck_resolved_after_raised"),
        ]

    def __str__(self) -> str:
        return self.title
