"""Foster care: foster families and family homes, the children placed with them (linked to their foster /
family-home episodes), support for the families, the risk register of placements at risk, and the
recruitment pipeline of prospective foster parents.

No personal data of foster parents is stored: a family is known by a reference chosen by its provider.
Children are registry children (placements.Child: a pseudonym). Writes go through fostercare.services,
reads through fostercare.selectors (scoped to the user)."""
from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import Created
from placements.models import Episode, Municipality, Provider


class FamilyKind(models.TextChoices):
    NETWORK = "netwerk", _("Netwerkpleeggezin (familie of bekende)")
    GENERAL = "bestand", _("Bestandspleeggezin (algemeen)")
    FAMILY_HOME = "gezinshuis", _("Gezinshuis")


#: The care form of a placement in a family of each kind (taxonomy codes, placements.CareForm).
KIND_CARE_FORM = {FamilyKind.NETWORK: "NPZ", FamilyKind.GENERAL: "PLZ", FamilyKind.FAMILY_HOME: "GZH"}


class FamilyStatus(models.TextChoices):
    IN_TRAINING = "in_opleiding", _("In voorbereiding / training")
    APPROVED = "goedgekeurd", _("Goedgekeurd, beschikbaar")
    ACTIVE = "actief", _("Actief (kind geplaatst)")
    PAUSED = "gepauzeerd", _("Tijdelijk gestopt")
    STOPPED = "gestopt", _("Gestopt")


#: Statuses in which a family can take a (further) child.
OPEN_STATUSES = (FamilyStatus.APPROVED, FamilyStatus.ACTIVE)


class StopReason(models.TextChoices):
    LACK_SUPPORT = "onvoldoende_steun", _("Onvoldoende ondersteuning")
    OWN_CIRCUMSTANCES = "eigen_omstandigheden", _("Eigen omstandigheden (gezondheid, werk, gezin)")
    AFTER_BREAKDOWN = "na_breakdown", _("Na een breakdown")
    PLACEMENT_ENDED = "plaatsing_afgerond", _("Plaatsing afgerond, geen nieuwe plaatsing")
    AGE = "leeftijd", _("Leeftijd of pensioen")
    MOVED = "verhuisd", _("Verhuisd")
    NOT_SUITABLE = "niet_geschikt", _("Niet (meer) geschikt bevonden")
    OTHER = "anders", _("Anders")


class FosterFamily(Created):
    """A foster family or family home (gezinshuis) of a foster-care provider."""

    reference = models.CharField(_("gezinsreferentie"), max_length=30,
                                 help_text=_("Eigen referentie van de aanbieder, zonder namen of adres (bijv. PG-2024-017)."))
    provider = models.ForeignKey(Provider, verbose_name=_("pleegzorgaanbieder"), on_delete=models.PROTECT, related_name="foster_families")
    municipality = models.ForeignKey(Municipality, verbose_name=_("woongemeente"), on_delete=models.PROTECT, related_name="foster_families")
    kind = models.CharField(_("soort"), max_length=12, choices=FamilyKind.choices)
    places = models.PositiveSmallIntegerField(_("plaatsen"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    age_min = models.PositiveSmallIntegerField(_("leeftijd vanaf"), default=0, validators=[MaxValueValidator(21)])
    age_max = models.PositiveSmallIntegerField(_("leeftijd tot en met"), default=17, validators=[MaxValueValidator(21)])
    siblings_together = models.BooleanField(_("broers en zussen samen"), default=False)
    status = models.CharField(_("status"), max_length=14, choices=FamilyStatus.choices, default=FamilyStatus.IN_TRAINING)
    status_since = models.DateField(_("status sinds"))
    stop_reason = models.CharField(_("reden stoppen"), max_length=24, choices=StopReason.choices, blank=True)
    note = models.TextField(_("toelichting"), blank=True, help_text=_("Geen namen of andere persoonsgegevens."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pleeggezin")
        verbose_name_plural = _("pleeggezinnen")
        ordering = ["reference", "id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "reference"], name="foster_family_reference_per_provider"),
            models.CheckConstraint(condition=Q(age_min__lte=models.F("age_max")), name="foster_family_age_range"),
        ]
        indexes = [models.Index(fields=["municipality", "status"])]

    @property
    def age_range(self) -> str:
        """The ages the family takes: "5 jaar" or "0–12 jaar" (never "5–5")."""
        if self.age_min == self.age_max:
            return _("%(age)s jaar") % {"age": self.age_min}
        return _("%(low)s–%(high)s jaar") % {"low": self.age_min, "high": self.age_max}

    def __str__(self) -> str:
        return self.reference

    @property
    def is_family_home(self) -> bool:
        return self.kind == FamilyKind.FAMILY_HOME


class FamilyStatusChange(models.Model):
    """The history of a family's status (the figures count families per status on any day)."""

    family = models.ForeignKey(FosterFamily, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=14, choices=FamilyStatus.choices)
    date = models.DateField(_("datum"))
    reason = models.CharField(_("reden stoppen"), max_length=24, choices=StopReason.choices, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("statuswijziging pleeggezin")
        verbose_name_plural = _("statuswijzigingen pleeggezinnen")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.family} {self.status} {self.date:%d-%m-%Y}"


class SupportKind(models.TextChoices):
    MODULE_X = "module_x", _("Module X (inkomenscompensatie)")
    RESPITE = "respijt", _("Respijt- of steungezin / buddy")
    HOUSEHOLD = "huishoudelijk", _("Huishoudelijke hulp")
    TRAINING = "training", _("Training of cursus")
    HUB = "hub", _("Hubgezin (Mockingbird-constellatie)")
    EMERGENCY_FUND = "noodfonds", _("Noodfonds")
    COACHING = "begeleiding", _("Extra begeleiding pleegzorgwerker")
    OTHER = "anders", _("Anders")


class FamilySupport(models.Model):
    family = models.ForeignKey(FosterFamily, on_delete=models.CASCADE, related_name="supports")
    kind = models.CharField(_("ondersteuning"), max_length=14, choices=SupportKind.choices)
    start_date = models.DateField(_("vanaf"))
    end_date = models.DateField(_("tot en met"), null=True, blank=True)
    risk = models.ForeignKey("PlacementRisk", verbose_name=_("ingezet bij risicomelding"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="supports")
    note = models.CharField(_("toelichting"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("ondersteuning pleeggezin")
        verbose_name_plural = _("ondersteuning pleeggezinnen")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")), name="foster_support_period"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start_date:%d-%m-%Y}"


class FosterPlacement(Created):
    """A child placed in a family: the link between the family and the child's foster / family-home episode.
    The placement runs as long as the episode does."""

    family = models.ForeignKey(FosterFamily, verbose_name=_("pleeggezin"), on_delete=models.PROTECT, related_name="placements")
    episode = models.OneToOneField(Episode, verbose_name=_("traject"), on_delete=models.CASCADE, related_name="foster_placement")
    matched_on = models.DateField(_("gematcht op"))

    class Meta:
        verbose_name = _("plaatsing in pleeggezin")
        verbose_name_plural = _("plaatsingen in pleeggezinnen")
        ordering = ["-episode__start_date", "-id"]

    def __str__(self) -> str:
        return f"{self.family} · {self.episode.child.reference}"

    @property
    def child(self):
        return self.episode.child


class Severity(models.TextChoices):
    LOW = "laag", _("Laag")
    MEDIUM = "midden", _("Midden")
    HIGH = "hoog", _("Hoog")


class RiskSignal(models.TextChoices):
    CHILD_BEHAVIOUR = "gedrag_kind", _("Gedrag van het kind")
    CARER_STRAIN = "overbelasting", _("Overbelasting pleegouders")
    CARER_CIRCUMSTANCES = "omstandigheden", _("Omstandigheden in het pleeggezin")
    BIRTH_PARENTS = "ouders", _("Spanning met ouders / loyaliteit")
    SCHOOL = "school", _("Problemen op school")
    CHILD_WISH = "wens_kind", _("Kind wil weg")
    SAFETY = "veiligheid", _("Zorgen over veiligheid")
    MATCH = "match", _("Match past niet")
    OTHER = "anders", _("Anders")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "afgesloten", _("Afgesloten")


class RiskOutcome(models.TextChoices):
    STABLE = "stabiel", _("Plaatsing stabiel")
    ENDED = "beeindigd", _("Plaatsing beëindigd")


class ChangeReason(models.TextChoices):
    """Why a placement ended, in the manner of SSDA903's reasons for a placement change."""

    CARER_BEHAVIOUR = "verzoek_gedrag", _("Verzoek pleegouder vanwege gedrag van het kind")
    CARER_CIRCUMSTANCES = "omstandigheden_pleegouder", _("Omstandigheden van de pleegouder")
    CHILD_REQUEST = "verzoek_kind", _("Verzoek van het kind")
    ALLEGATION = "beschuldiging", _("Beschuldiging / melding")
    STANDARDS = "kwaliteit_zorg", _("Zorgen over de kwaliteit van de zorg")
    PLANNED = "gepland", _("Geplande overgang")
    OTHER = "anders", _("Anders")


#: iJw end reason of the episode when a placement ends for each reason (only a planned move is not one-sided).
CHANGE_END_REASON = {
    ChangeReason.CARER_BEHAVIOUR: "33", ChangeReason.CARER_CIRCUMSTANCES: "33", ChangeReason.CHILD_REQUEST: "32",
    ChangeReason.ALLEGATION: "33", ChangeReason.STANDARDS: "33", ChangeReason.PLANNED: "34", ChangeReason.OTHER: "33",
}


class Destination(models.TextChoices):
    HOME = "thuis", _("Terug naar huis")
    FOSTER = "pleeggezin", _("Ander pleeggezin")
    FAMILY_HOME = "gezinshuis", _("Gezinshuis")
    RESIDENTIAL = "residentieel", _("Residentiële zorg")
    CLOSED = "gesloten", _("Gesloten jeugdhulp")
    CRISIS = "crisis", _("Crisisopvang")
    INDEPENDENT = "zelfstandig", _("Zelfstandig wonen")
    OTHER = "anders", _("Anders / onbekend")


class PlacementRisk(Created):
    """A placement at risk (risicomelding): registered, followed up, resolved as stable or ended."""

    placement = models.ForeignKey(FosterPlacement, verbose_name=_("plaatsing"), on_delete=models.CASCADE, related_name="risks")
    registered_on = models.DateField(_("datum melding"))
    signals = models.JSONField(_("signalen"), default=list, blank=True)
    signals_text = models.TextField(_("toelichting signalen"), blank=True)
    severity = models.CharField(_("ernst"), max_length=6, choices=Severity.choices)
    support_deployed = models.TextField(_("ingezette ondersteuning"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    resolved_on = models.DateField(_("afgesloten op"), null=True, blank=True)
    outcome = models.CharField(_("uitkomst"), max_length=10, choices=RiskOutcome.choices, blank=True)
    reason = models.CharField(_("reden beëindiging"), max_length=26, choices=ChangeReason.choices, blank=True)
    destination = models.CharField(_("kind gaat naar"), max_length=14, choices=Destination.choices, blank=True)
    outcome_note = models.TextField(_("toelichting uitkomst"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("risicomelding plaatsing")
        verbose_name_plural = _("risicomeldingen plaatsingen")
        ordering = ["-registered_on", "-id"]
        indexes = [models.Index(fields=["status", "registered_on"])]

    def __str__(self) -> str:
        return f"risico {self.pk} ({self.registered_on:%d-%m-%Y})"

    @property
    def is_open(self) -> bool:
        return self.status == RiskStatus.OPEN

    @property
    def is_breakdown(self) -> bool:
        """Ended for any reason but a planned move."""
        return self.outcome == RiskOutcome.ENDED and self.reason != ChangeReason.PLANNED

    def signal_labels(self) -> list[str]:
        names = dict(RiskSignal.choices)
        return [str(names.get(s, s)) for s in self.signals]


class RiskFollowUp(models.Model):
    risk = models.ForeignKey(PlacementRisk, on_delete=models.CASCADE, related_name="follow_ups")
    date = models.DateField(_("datum"))
    severity = models.CharField(_("ernst nu"), max_length=6, choices=Severity.choices)
    note = models.TextField(_("wat is er gebeurd"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("follow-up risicomelding")
        verbose_name_plural = _("follow-ups risicomeldingen")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"follow-up {self.date:%d-%m-%Y}"


class Stage(models.TextChoices):
    INFO = "informatieavond", _("Informatieavond")
    INTAKE = "intake", _("Intake")
    TRAINING = "training", _("Training (voorbereiding)")
    ASSESSMENT = "beoordeling", _("Beoordeling (geschiktheid)")
    APPROVED = "goedgekeurd", _("Goedgekeurd")
    DROPPED = "afgehaakt", _("Afgehaakt")


#: The stages in order, with the date field of each.
PIPELINE = (
    (Stage.INFO, "info_on"), (Stage.INTAKE, "intake_on"), (Stage.TRAINING, "training_on"),
    (Stage.ASSESSMENT, "assessment_on"), (Stage.APPROVED, "approved_on"),
)


class DropReason(models.TextChoices):
    OWN_CHOICE = "eigen_keuze", _("Eigen keuze (past nu niet)")
    CIRCUMSTANCES = "omstandigheden", _("Gewijzigde omstandigheden")
    NOT_SUITABLE = "niet_geschikt", _("Niet geschikt bevonden")
    NO_CONTACT = "geen_contact", _("Geen contact meer")
    OTHER = "anders", _("Anders")


class Prospect(Created):
    """A prospective foster parent (aspirant-pleegouder) in the recruitment pipeline of a provider."""

    reference = models.CharField(_("referentie"), max_length=30, help_text=_("Zonder namen of adres."))
    provider = models.ForeignKey(Provider, verbose_name=_("pleegzorgaanbieder"), on_delete=models.PROTECT, related_name="prospects")
    municipality = models.ForeignKey(Municipality, verbose_name=_("woongemeente"), on_delete=models.PROTECT, related_name="prospects")
    kind = models.CharField(_("wil worden"), max_length=12, choices=FamilyKind.choices, default=FamilyKind.GENERAL)
    stage = models.CharField(_("fase"), max_length=16, choices=Stage.choices, default=Stage.INFO)
    info_on = models.DateField(_("informatieavond"))
    intake_on = models.DateField(_("intake"), null=True, blank=True)
    training_on = models.DateField(_("start training"), null=True, blank=True)
    assessment_on = models.DateField(_("start beoordeling"), null=True, blank=True)
    approved_on = models.DateField(_("goedgekeurd op"), null=True, blank=True)
    dropped_on = models.DateField(_("afgehaakt op"), null=True, blank=True)
    dropped_stage = models.CharField(_("afgehaakt in fase"), max_length=16, choices=Stage.choices, blank=True)
    drop_reason = models.CharField(_("reden afhaken"), max_length=16, choices=DropReason.choices, blank=True)
    family = models.OneToOneField(FosterFamily, verbose_name=_("pleeggezin"), null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="prospect")

    class Meta:
        verbose_name = _("aspirant-pleegouder")
        verbose_name_plural = _("aspirant-pleegouders")
        ordering = ["-info_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["provider", "reference"], name="prospect_reference_per_provider")]

    def __str__(self) -> str:
        return self.reference

    def stage_date(self, stage: str):
        return getattr(self, dict(PIPELINE)[stage]) if stage in dict(PIPELINE) else self.dropped_on
