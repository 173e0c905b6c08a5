"""Casework: threatened-placement cases, RET reviews, Week van de Casus reviews, the residential
checklist and follow-ups of JIM and systemic trajectories.

Every record hangs off a registry child (placements.Child: a pseudonym, never a BSN). Writes go through
casework.services, reads through casework.selectors (scoped to the user)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Created
from placements.models import CareForm, Child, Episode, Municipality, Region


class Signaller(models.TextChoices):
    SCHOOL = "school", _("School")
    GP = "huisarts", _("Huisarts")
    GI = "gi", _("Gecertificeerde instelling (GI)")
    VEILIG_THUIS = "veilig_thuis", _("Veilig Thuis")
    POLICE = "politie", _("Politie")
    FAMILY = "gezin", _("Gezin zelf")
    WIJKTEAM = "wijkteam", _("Wijkteam")
    OTHER = "anders", _("Anders")


class Concern(models.TextChoices):
    SAFETY = "veiligheid", _("Onveiligheid thuis")
    PARENTING = "opvoeding", _("Opvoedproblemen / overbelaste ouders")
    BEHAVIOUR = "gedrag", _("Gedragsproblemen van het kind")
    MENTAL = "psychisch", _("Psychische problemen van het kind")
    PARENT_PROBLEMS = "ouder", _("Problemen bij ouder(s): psychisch, verslaving, LVB")
    DIVORCE = "scheiding", _("Complexe scheiding")
    SCHOOL = "school", _("Schooluitval / thuiszitten")
    DOMESTIC_VIOLENCE = "huiselijk_geweld", _("Huiselijk geweld")
    OTHER = "anders", _("Anders")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_REVIEW = "in_review", _("In bespreking")
    PLAN_RUNNING = "plan_running", _("Plan loopt")
    CLOSED = "closed", _("Gesloten")


#: Allowed status changes: one step forward, or closing from any open state.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    CaseStatus.OPEN: (CaseStatus.IN_REVIEW, CaseStatus.CLOSED),
    CaseStatus.IN_REVIEW: (CaseStatus.PLAN_RUNNING, CaseStatus.CLOSED),
    CaseStatus.PLAN_RUNNING: (CaseStatus.CLOSED,),
    CaseStatus.CLOSED: (),
}


class Outcome(models.TextChoices):
    STAYS_HOME = "stays_home", _("Kind blijft thuis")
    FAMILY_BASED = "family_based", _("Geplaatst in pleegzorg of gezinshuis")
    RESIDENTIAL = "residential", _("Geplaatst in residentiële zorg")
    MOVED = "moved", _("Verhuisd")
    OTHER = "other", _("Anders")


class AlternativeKind(models.TextChoices):
    AMBULANT = "ambulant", _("Ambulante hulp")
    JIM = "jim", _("JIM (eigen mentor)")
    SYSTEMIC = "systemic", _("Systemisch ambulant traject")
    IHT = "iht", _("Intensieve hulp thuis (bijv. MST)")
    NETWORK = "network", _("Netwerkgezin / netwerkpleegzorg")
    DAY = "day", _("Dagbehandeling")
    FOSTER = "foster", _("Pleegzorg")
    FAMILY_HOME = "family_home", _("Gezinshuis")
    OTHER = "other", _("Anders")


class Decision(models.TextChoices):
    CHOSEN = "chosen", _("Gekozen")
    TRIED = "tried", _("Geprobeerd, onvoldoende")
    REJECTED = "rejected", _("Afgewezen")
    UNAVAILABLE = "unavailable", _("Niet beschikbaar (wachtlijst)")


class Party(models.TextChoices):
    WIJKTEAM = "wijkteam", _("Wijkteam")
    GI = "gi", _("GI")
    PROVIDERS = "providers", _("Aanbieder(s)")
    PARENTS = "parents", _("Ouders")
    YOUTH = "youth", _("Jeugdige")


class ThreatCase(Created):
    """A signal of a threatened out-of-home placement (signaal dreigende uithuisplaatsing)."""

    child = models.ForeignKey(Child, verbose_name=_("kind"), on_delete=models.CASCADE, related_name="threat_cases")
    municipality = models.ForeignKey(Municipality, verbose_name=_("gemeente"), on_delete=models.PROTECT, related_name="+")
    opened_on = models.DateField(_("datum signaal"))
    signaller = models.CharField(_("wie signaleert"), max_length=20, choices=Signaller.choices)
    concerns = models.JSONField(_("zorgen"), default=list, blank=True)
    concerns_text = models.TextField(_("toelichting zorgen"), blank=True)
    child_view = models.TextField(_("visie van het kind"), blank=True)
    parents_view = models.TextField(_("visie van de ouders"), blank=True)
    gi_involved = models.BooleanField(_("GI betrokken"), default=False)
    plan = models.TextField(_("plan"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    in_review_on = models.DateField(_("in bespreking sinds"), null=True, blank=True)
    plan_running_on = models.DateField(_("plan loopt sinds"), null=True, blank=True)
    closed_on = models.DateField(_("gesloten op"), null=True, blank=True)
    outcome = models.CharField(_("uitkomst"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("toelichting uitkomst"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("signaal dreigende uithuisplaatsing")
        verbose_name_plural = _("signalen dreigende uithuisplaatsing")
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["municipality", "opened_on"]), models.Index(fields=["status", "closed_on"])]

    def __str__(self) -> str:
        return f"casus {self.pk} ({self.child.reference})"

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED

    def concern_labels(self) -> list[str]:
        names = dict(Concern.choices)
        return [str(names.get(c, c)) for c in self.concerns]

    def allowed_transitions(self) -> tuple[str, ...]:
        return TRANSITIONS[self.status]


class Alternative(models.Model):
    case = models.ForeignKey(ThreatCase, on_delete=models.CASCADE, related_name="alternatives")
    kind = models.CharField(_("alternatief"), max_length=20, choices=AlternativeKind.choices)
    decision = models.CharField(_("besluit"), max_length=20, choices=Decision.choices)
    reason = models.CharField(_("toelichting"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("overwogen alternatief")
        verbose_name_plural = _("overwogen alternatieven")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_decision_display()}"


class RetReview(Created):
    """A case brought to the Regional Expert Team (RET) of the case's region."""

    case = models.ForeignKey(ThreatCase, on_delete=models.CASCADE, related_name="ret_reviews")
    region = models.ForeignKey(Region, verbose_name=_("RET van regio"), on_delete=models.PROTECT, related_name="+")
    review_date = models.DateField(_("datum bespreking"))
    question = models.TextField(_("vraag aan het RET"))
    invited = models.JSONField(_("uitgenodigd"), default=list, blank=True)
    attended = models.JSONField(_("aanwezig"), default=list, blank=True)
    advice = models.TextField(_("advies"), blank=True)
    follow_up_on = models.DateField(_("follow-up op"))

    class Meta:
        verbose_name = _("RET-bespreking")
        verbose_name_plural = _("RET-besprekingen")
        ordering = ["review_date", "id"]
        indexes = [models.Index(fields=["region", "review_date"])]

    def __str__(self) -> str:
        return f"RET {self.review_date:%d-%m-%Y} casus {self.case_id}"

    @property
    def gi_not_invited(self) -> bool:
        return self.case.gi_involved and Party.GI not in self.invited

    def party_labels(self, field: str) -> list[str]:
        names = dict(Party.choices)
        return [str(names.get(p, p)) for p in getattr(self, field)]

    @property
    def invited_labels(self) -> list[str]:
        return self.party_labels("invited")

    @property
    def attended_labels(self) -> list[str]:
        return self.party_labels("attended")


class RetAction(models.Model):
    review = models.ForeignKey(RetReview, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("actie"), max_length=300)
    owner = models.CharField(_("eigenaar"), max_length=100)
    due_on = models.DateField(_("uiterlijk"))
    done_on = models.DateField(_("afgerond op"), null=True, blank=True)

    class Meta:
        verbose_name = _("RET-actie")
        verbose_name_plural = _("RET-acties")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.description


class AdviceFollowed(models.TextChoices):
    YES = "yes", _("Ja")
    PARTLY = "partly", _("Deels")
    NO = "no", _("Nee")


class RetFollowUp(models.Model):
    review = models.ForeignKey(RetReview, on_delete=models.CASCADE, related_name="follow_ups")
    date = models.DateField(_("datum follow-up"))
    advice_followed = models.CharField(_("advies nog gevolgd?"), max_length=10, choices=AdviceFollowed.choices)
    child_at_home = models.BooleanField(_("kind woont thuis"), default=True)
    what_happened = models.TextField(_("wat is er gebeurd"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("RET-follow-up")
        verbose_name_plural = _("RET-follow-ups")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"follow-up {self.date:%d-%m-%Y}"


class ResidentialChecklist(models.Model):
    """Checklist plaatsing residentieel: walked through before a residential or closed placement starts.
    Locked (not editable) once linked to the episode it allowed."""

    child = models.ForeignKey(Child, verbose_name=_("kind"), on_delete=models.CASCADE, related_name="residential_checklists")
    care_form = models.ForeignKey(CareForm, verbose_name=_("beoogde zorgvorm"), on_delete=models.PROTECT, related_name="+")
    episode = models.OneToOneField(Episode, null=True, blank=True, on_delete=models.SET_NULL, related_name="residential_checklist")
    completed_on = models.DateField(_("ingevuld op"))
    alt_ambulant = models.BooleanField(_("Ambulante hulp overwogen"), default=False)
    alt_jim = models.BooleanField(_("JIM overwogen"), default=False)
    alt_systemic = models.BooleanField(_("Systemisch traject overwogen"), default=False)
    alt_foster = models.BooleanField(_("Pleegzorg overwogen"), default=False)
    alt_family_home = models.BooleanField(_("Gezinshuis overwogen"), default=False)
    alternatives_note = models.TextField(_("waarom volstaan de alternatieven niet"))
    ret_consulted = models.BooleanField(_("RET of deskundige geraadpleegd"), default=False)
    consulted_note = models.CharField(_("wie is geraadpleegd"), max_length=200, blank=True)
    child_heard = models.BooleanField(_("Kind gehoord"), default=False)
    parents_heard = models.BooleanField(_("Ouders gehoord"), default=False)
    safety_assessed = models.BooleanField(_("Veiligheid getaxeerd"), default=False)
    return_plan = models.TextField(_("plan voor terugkeer naar huis"))
    under12_justification = models.TextField(_("onderbouwing plaatsing onder 12 jaar"), blank=True)
    flag_case_week = models.BooleanField(_("voor de Week van de Casus"), default=False)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("checklist plaatsing residentieel")
        verbose_name_plural = _("checklists plaatsing residentieel")
        ordering = ["-completed_on", "-id"]

    def __str__(self) -> str:
        return f"checklist {self.pk} ({self.child.reference})"

    @property
    def is_locked(self) -> bool:
        return self.episode_id is not None


class CaseWeekReview(Created):
    """A Week van de Casus review: a recent placement of an under-12 looked at again."""

    child = models.ForeignKey(Child, verbose_name=_("kind"), on_delete=models.CASCADE, related_name="case_week_reviews")
    episode = models.ForeignKey(Episode, verbose_name=_("plaatsing"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    review_date = models.DateField(_("datum bespreking"))
    helped = models.TextField(_("wat hielp"))
    missing = models.TextField(_("wat ontbrak"))
    alternative_routes = models.TextField(_("welke andere routes waren er"), blank=True)
    gi_involved = models.BooleanField(_("GI betrokken"), default=False)
    gi_invited = models.BooleanField(_("GI uitgenodigd"), default=False)

    class Meta:
        verbose_name = _("bespreking Week van de Casus")
        verbose_name_plural = _("besprekingen Week van de Casus")
        ordering = ["-review_date", "-id"]

    def __str__(self) -> str:
        return f"Week van de Casus {self.review_date:%d-%m-%Y}"


class LessonTag(models.Model):
    name = models.CharField(_("label"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Lesson(models.Model):
    review = models.ForeignKey(CaseWeekReview, on_delete=models.CASCADE, related_name="lessons")
    text = models.TextField(_("les"))
    tags = models.ManyToManyField(LessonTag, blank=True, related_name="lessons")

    class Meta:
        verbose_name = _("les")
        verbose_name_plural = _("lessen")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:60]


class HowItGoes(models.TextChoices):
    GOOD = "good", _("Gaat goed")
    MIXED = "mixed", _("Wisselend")
    WORRYING = "worrying", _("Zorgelijk")


class TrajectoryFollowUp(models.Model):
    """A follow-up of a JIM or systemic ambulant episode ("monitored" in metrics.md)."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="trajectory_follow_ups")
    date = models.DateField(_("datum"))
    how_it_goes = models.CharField(_("hoe gaat het"), max_length=10, choices=HowItGoes.choices)
    still_home = models.BooleanField(_("kind woont nog thuis"), default=True)
    note = models.TextField(_("toelichting"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("follow-up traject")
        verbose_name_plural = _("follow-ups trajecten")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"follow-up {self.date:%d-%m-%Y}"
