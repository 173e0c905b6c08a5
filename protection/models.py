"""Child protection (jeugdbescherming): the measures a juvenile court imposes and a certified institution (GI)
carries out, as dated records of their own.

A measure is not a care episode: a child under supervision (OTS) may live at home with ambulant care, or in foster
care. The legal framework of each care episode (voluntary or under which order) sits on the episode itself
(placements.Episode.legal_framework); this app keeps the measures, measures them (protection.figures) and lets a
wijkteam worker record them. Writes go through protection.services, reads through protection.selectors."""
from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.models import Created
from placements.models import Child, Municipality, Provider


class MeasureKind(models.TextChoices):
    """The child-protection measures with their CBS codes (domain.md)."""

    OTS = "11", _("11 – Ondertoezichtstelling (OTS)")
    OTS_PROVISIONAL = "12", _("12 – Voorlopige ondertoezichtstelling")
    GUARDIANSHIP = "21", _("21 – Voogdij")
    GUARDIANSHIP_PROVISIONAL = "22", _("22 – Voorlopige voogdij")


class Measure(Created):
    """One child-protection measure: active on day d when start <= d < end (half-open, like an episode)."""

    source_id = models.CharField(_("regel-id bron"), max_length=64, null=True, blank=True, unique=True)
    child = models.ForeignKey(Child, verbose_name=_("kind"), on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(_("maatregel"), max_length=2, choices=MeasureKind.choices)
    gi = models.ForeignKey(Provider, verbose_name=_("gecertificeerde instelling (GI)"), on_delete=models.PROTECT, related_name="measures")
    municipality = models.ForeignKey(Municipality, verbose_name=_("verantwoordelijke gemeente"), on_delete=models.PROTECT,
                                     related_name="measures")
    start_date = models.DateField(_("ingangsdatum"))
    end_date = models.DateField(_("einddatum"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeugdbeschermingsmaatregel")
        verbose_name_plural = _("jeugdbeschermingsmaatregelen")
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")), name="measure_end_after_start"),
        ]
        indexes = [models.Index(fields=["municipality", "start_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.child.reference}"
