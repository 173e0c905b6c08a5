"""Crisis als kans (project plan §1.6: "Over de periode 2015-2018 volgde na een crisis in circa 50% van de gevallen
een uithuisplaatsing. De regio heeft de ambitie om dit aantal met de helft te verminderen.").

A crisis is a crisis episode (an episode in a care form flagged as crisis care, placements.CareForm.crisis) or a
crisis contact that a wijkteam worker records here: a crisis handled without a crisis placement (the crisis service,
Veilig Thuis or the police called in, the wijkteam acting the same day). crisis.figures measures what follows."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Created
from placements.models import Child, Municipality


class CrisisSource(models.TextChoices):
    CRISIS_SERVICE = "crisisdienst", _("Crisisdienst jeugd")
    VEILIG_THUIS = "veilig_thuis", _("Veilig Thuis")
    POLICE = "politie", _("Politie")
    WIJKTEAM = "wijkteam", _("Wijkteam zelf")
    GP = "huisarts", _("Huisarts / huisartsenpost")
    OTHER = "anders", _("Anders")


class CrisisContact(Created):
    child = models.ForeignKey(Child, verbose_name=_("kind"), on_delete=models.CASCADE, related_name="crisis_contacts")
    municipality = models.ForeignKey(Municipality, verbose_name=_("gemeente"), on_delete=models.PROTECT, related_name="crisis_contacts")
    date = models.DateField(_("datum"))
    source = models.CharField(_("gemeld door / ingezet"), max_length=20, choices=CrisisSource.choices)
    note = models.CharField(_("toelichting"), max_length=300, blank=True,
                            help_text=_("Kort wat er gebeurde en wat is ingezet. Geen namen of BSN."))

    class Meta:
        verbose_name = _("crisiscontact")
        verbose_name_plural = _("crisiscontacten")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["municipality", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y} · {self.child.reference}"
