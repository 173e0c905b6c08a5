"""The care registry: reference data (regions, municipalities, population, providers, the care-form
taxonomy) and the records (children, episodes, declarations) plus import jobs."""
from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.formatting import number
from core.models import Created, Job
from core.storage import private_storage


class Region(models.Model):
    """A youth-care region (jeugdregio), one of 42."""

    name = models.CharField(_("naam"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("jeugdregio")
        verbose_name_plural = _("jeugdregio's")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    cbs_code = models.CharField(_("CBS-code"), max_length=6, unique=True, help_text="GM0228")
    name = models.CharField(_("naam"), max_length=100, db_index=True)
    province = models.CharField(_("provincie"), max_length=40)
    region = models.ForeignKey(Region, verbose_name=_("jeugdregio"), on_delete=models.PROTECT, related_name="municipalities")

    class Meta:
        verbose_name = _("gemeente")
        verbose_name_plural = _("gemeenten")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgeBand(models.TextChoices):
    CHILD = "0-11", "0–11"
    TEEN = "12-17", "12–17"
    YOUNG_ADULT = "18-22", "18–22"


class YouthPopulation(models.Model):
    """Reference population per municipality, year and age band (for figures per 1,000 youths)."""

    municipality = models.ForeignKey(Municipality, verbose_name=_("gemeente"), on_delete=models.CASCADE, related_name="population")
    year = models.PositiveSmallIntegerField(_("jaar"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    age_band = models.CharField(_("leeftijdsgroep"), max_length=5, choices=AgeBand.choices)
    count = models.PositiveIntegerField(_("aantal jeugdigen"))

    class Meta:
        verbose_name = _("jeugdbevolking")
        verbose_name_plural = _("jeugdbevolking")
        ordering = ["municipality__name", "year", "age_band"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year", "age_band"], name="population_unique_per_band"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year} {self.age_band}: {self.count}"


#: an AGB code (Vektis' register of care providers): 8 digits
AGB_CODE = RegexValidator(r"^\d{8}$", _("Een AGB-code heeft 8 cijfers."))
#: the prefix of a provider in a series' group ("prov_12"): its figures (monitoring.engine.providers)
PROVIDER_PREFIX = "prov_"


class Provider(models.Model):
    name = models.CharField(_("naam"), max_length=200, unique=True)
    agb_code = models.CharField(_("AGB-code"), max_length=8, blank=True, validators=[AGB_CODE])
    created_by_import = models.BooleanField(_("aangemaakt door import"), default=False)

    class Meta:
        verbose_name = _("aanbieder")
        verbose_name_plural = _("aanbieders")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProviderContract(models.Model):
    """A period in which the region has contracted the provider (seed 000 §2.2.8: steering on providers). A provider
    is contracted on a day when one of its contracts runs then (start <= day, no end or day <= end)."""

    provider = models.ForeignKey(Provider, verbose_name=_("aanbieder"), on_delete=models.CASCADE, related_name="contracts")
    region = models.ForeignKey(Region, verbose_name=_("regio"), on_delete=models.CASCADE, related_name="provider_contracts")
    start_date = models.DateField(_("begindatum"))
    end_date = models.DateField(_("einddatum"), null=True, blank=True, help_text=_("Leeg: loopt door."))
    note = models.CharField(_("toelichting"), max_length=200, blank=True, help_text=_("Bijv. perceel of kenmerk van de overeenkomst."))

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracten")
        ordering = ["provider", "start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="contract_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} ({self.region})"


class CareForm(models.Model):
    """One form of care on the ladder "zo thuis mogelijk" (rung 1 = at home … 6 = closed care)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("naam"), max_length=120)
    rung = models.PositiveSmallIntegerField(_("trede"), validators=[MinValueValidator(1), MaxValueValidator(6)])
    with_stay = models.BooleanField(_("met verblijf"), default=False)
    family_based = models.BooleanField(_("gezinsgericht"), default=False)
    cbs_code = models.CharField(_("CBS-hulpvorm"), max_length=2, blank=True)
    crisis = models.BooleanField(_("crisiszorg"), default=False,
                                 help_text=_("Een traject in deze zorgvorm is een crisis (figuren ‘crisis als kans’)."))
    active = models.BooleanField(_("actief"), default=True)

    class Meta:
        verbose_name = _("zorgvorm")
        verbose_name_plural = _("zorgvormen")
        ordering = ["rung", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(rung__gte=1) & Q(rung__lte=6), name="careform_rung_1_6"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_residential(self) -> bool:
        """Residential group care and closed care: the two highest rungs (metrics.md)."""
        return self.with_stay and self.rung >= 5


class TargetGroup(models.Model):
    """A target group the region steers on (doelgroep): J&O, J-LVB, GGZ; a list the region edits in the admin. Seed
    004 states stay-duration aims per target group ("drie jaar … 2 jaar en 6 maanden" for J-LVB)."""

    code = models.CharField(_("code"), max_length=12, unique=True,
                            help_text=_("Kort, zonder spaties (bijv. JLVB); zo heet de doelgroep in bestanden en cijfers."))
    name = models.CharField(_("naam"), max_length=120)
    active = models.BooleanField(_("actief"), default=True)

    class Meta:
        verbose_name = _("doelgroep")
        verbose_name_plural = _("doelgroepen")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ReportingCategory(models.Model):
    """A category a region reports its costs in (seed 003: Gooi en Vechtstreek's "Pleegzorg" is foster care and
    network foster care together; "Gezinshuizen" a category of its own only from 2021). The region's care forms map to
    its categories with CategoryMapping, each from a date."""

    region = models.ForeignKey(Region, verbose_name=_("regio"), on_delete=models.CASCADE, related_name="reporting_categories")
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("naam"), max_length=100)
    order = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("rapportagecategorie")
        verbose_name_plural = _("rapportagecategorieën")
        ordering = ["region", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["region", "code"], name="category_code_per_region")]

    def __str__(self) -> str:
        return self.name


class CategoryMapping(models.Model):
    """From `valid_from` on, declarations of `care_form` count in `category` (of the category's region). The category
    of a care form on a day is that of its mapping with the latest `valid_from` on or before the day; before its first
    mapping a care form is reported on its own."""

    category = models.ForeignKey(ReportingCategory, verbose_name=_("categorie"), on_delete=models.CASCADE, related_name="mappings")
    care_form = models.ForeignKey("CareForm", verbose_name=_("zorgvorm"), on_delete=models.CASCADE, related_name="+")
    valid_from = models.DateField(_("geldig vanaf"))

    class Meta:
        verbose_name = _("indeling zorgvorm")
        verbose_name_plural = _("indeling zorgvormen")
        ordering = ["category", "care_form", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["category", "care_form", "valid_from"], name="category_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.care_form} → {self.category} ({self.valid_from:%d-%m-%Y})"


class ProductCode(models.Model):
    """A region's versioned table of iJw products: a declaration file may name the product category and code instead of
    the care form (the import maps them with the row of the declaring municipality's region valid on the period's
    start; an unknown code is error E118)."""

    region = models.ForeignKey(Region, verbose_name=_("regio"), on_delete=models.CASCADE, related_name="product_codes")
    product_category = models.CharField(_("productcategorie"), max_length=2, validators=[RegexValidator(r"^\d{2}$", _("Twee cijfers, bijv. 43."))])
    product_code = models.CharField(_("productcode"), max_length=5, validators=[RegexValidator(r"^[0-9A-Z]{5}$", _("Vijf tekens, bijv. 43A01."))])
    care_form = models.ForeignKey("CareForm", verbose_name=_("zorgvorm"), on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("geldig vanaf"))
    valid_to = models.DateField(_("geldig tot en met"), null=True, blank=True, help_text=_("Leeg: geldt door."))

    class Meta:
        verbose_name = _("productcode")
        verbose_name_plural = _("productcodes")
        ordering = ["region", "product_category", "product_code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["region", "product_category", "product_code", "valid_from"], name="product_code_version"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="product_code_valid_range"),
        ]

    def __str__(self) -> str:
        return f"{self.product_category}/{self.product_code} → {self.care_form}"


#: the prefix of a target group in a series' group ("tg_JLVB"): its stay durations (monitoring.engine.cohorts)
TARGET_GROUP_PREFIX = "tg_"


class Sex(models.TextChoices):
    MALE = "M", _("Jongen")
    FEMALE = "V", _("Meisje")
    OTHER = "O", _("Anders / onbekend")


#: Crockford's base-32 alphabet in lower case (no i, l, o, u): a reference read aloud or typed is not misread.
REFERENCE_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
REFERENCE_LENGTH = 10


def new_child_reference() -> str:
    """A random reference for a new child: 10 characters, 50 bits from `secrets`, unrelated to the BSN.

    The reference is what users see and what the access log stores. It used to be the first 10 characters of the
    pseudonym (a truncated HMAC of the BSN), which brute force over the BSN space turned back into a BSN in seconds
    when the key was weak; a random value gives nothing back whatever the key."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


class Child(models.Model):
    """A child known by a pseudonym: HMAC-SHA256 of the BSN, used only to find the child again from a BSN; the BSN
    itself is never stored. Users and the log know the child by its random `reference`."""

    pseudonym = models.CharField(_("pseudoniem"), max_length=64, unique=True)
    reference = models.CharField(_("referentie"), max_length=REFERENCE_LENGTH, unique=True, default=new_child_reference, editable=False)
    birth_date = models.DateField(_("geboortedatum"))
    sex = models.CharField(_("geslacht"), max_length=1, choices=Sex.choices, default=Sex.OTHER)
    municipality = models.ForeignKey(Municipality, verbose_name=_("gemeente"), on_delete=models.PROTECT, related_name="children")
    label = models.CharField(
        _("kenmerk"), max_length=40, blank=True,
        help_text=_("Kort kenmerk van het wijkteam, bijv. initialen en eigen dossiernummer. Alleen zichtbaar binnen de gemeente."),
    )
    target_group = models.ForeignKey(TargetGroup, verbose_name=_("doelgroep"), null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="children")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("geregistreerd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("kind")
        verbose_name_plural = _("kinderen")
        ordering = ["-created_at", "-id"]
        # the child list of a municipality, newest first, is read page by page
        indexes = [models.Index(fields=["municipality", "label"]),
                   models.Index(fields=["municipality", "-created_at", "-id"], name="child_muni_newest")]

    def __str__(self) -> str:
        return f"kind {self.reference}"


class EndReason(models.TextChoices):
    """iJw JZ588 reasons for ending, with their CBS 01–05 meaning."""

    PLAN = "31", _("31 – Volgens plan (CBS 01)")
    EARLY_AGREED = "34", _("34 – Voortijdig, in overeenstemming (CBS 02)")
    EARLY_CLIENT = "32", _("32 – Voortijdig, eenzijdig door cliënt (CBS 03)")
    EARLY_PROVIDER = "33", _("33 – Voortijdig, eenzijdig door aanbieder (CBS 04)")
    EXTERNAL = "35", _("35 – Externe omstandigheden (CBS 05)")
    MUNICIPALITY = "36", _("36 – Op initiatief van de gemeente")
    OTHER_PROVIDER = "38", _("38 – Overstap naar andere aanbieder")
    OTHER_DOMAIN = "39", _("39 – Uitstroom naar ander domein")
    DEATH = "02", _("02 – Overlijden")


#: CBS 01–05 meaning of each iJw end reason (None: no CBS equivalent).
END_REASON_CBS = {"31": "01", "34": "02", "32": "03", "33": "04", "35": "05", "36": None, "38": None, "39": None, "02": None}
#: End reasons that count as drop-out / one-sided early end (CBS 03 and 04).
DROPOUT_REASONS = frozenset({"32", "33"})


class Referrer(models.TextChoices):
    MUNICIPALITY = "01", _("Gemeentelijke toegang / wijkteam")
    GP = "02", _("Huisarts")
    YOUTH_DOCTOR = "03", _("Jeugdarts")
    GI = "04", _("Gecertificeerde instelling")
    MEDICAL_SPECIALIST = "05", _("Medisch specialist")
    COURT = "06", _("Rechter / officier van justitie")
    NONE = "07", _("Geen verwijzer / zelf")
    OTHER = "08", _("Anders")


class LegalFramework(models.TextChoices):
    """The legal framework of an episode: voluntary, or under a child-protection or youth-probation measure."""

    VOLUNTARY = "vrijwillig", _("Vrijwillig")
    OTS = "ots", _("Ondertoezichtstelling (OTS)")
    OTS_PROVISIONAL = "vots", _("Voorlopige OTS")
    GUARDIANSHIP = "voogdij", _("Voogdij")
    GUARDIANSHIP_PROVISIONAL = "vvoogdij", _("Voorlopige voogdij")
    PROBATION = "jr", _("Jeugdreclassering")
    OTHER = "anders", _("Anders")


#: The legal frameworks of the gedwongen kader (court-ordered care): every one but voluntary and "other".
COURT_ORDERED = frozenset({LegalFramework.OTS, LegalFramework.OTS_PROVISIONAL, LegalFramework.GUARDIANSHIP,
                           LegalFramework.GUARDIANSHIP_PROVISIONAL, LegalFramework.PROBATION})


class Episode(Created):
    """A care episode (traject): active on day d when start <= d < end (half-open; open end = running)."""

    source_id = models.CharField(_("regel-id bron"), max_length=64, null=True, blank=True, unique=True)
    child = models.ForeignKey(Child, verbose_name=_("kind"), on_delete=models.CASCADE, related_name="episodes")
    care_form = models.ForeignKey(CareForm, verbose_name=_("zorgvorm"), on_delete=models.PROTECT, related_name="episodes")
    provider = models.ForeignKey(Provider, verbose_name=_("aanbieder"), on_delete=models.PROTECT, related_name="episodes")
    municipality = models.ForeignKey(Municipality, verbose_name=_("verantwoordelijke gemeente"), on_delete=models.PROTECT, related_name="episodes")
    start_date = models.DateField(_("begindatum"))
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    end_reason = models.CharField(_("reden beëindiging"), max_length=2, choices=EndReason.choices, blank=True)
    referrer = models.CharField(_("verwijzer"), max_length=2, choices=Referrer.choices, blank=True)
    legal_framework = models.CharField(_("juridisch kader"), max_length=10, choices=LegalFramework.choices, default=LegalFramework.VOLUNTARY)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("traject")
        verbose_name_plural = _("trajecten")
        ordering = ["start_date", "id"]
        indexes = [
            models.Index(fields=["child", "care_form", "provider"]),
            models.Index(fields=["municipality", "start_date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")), name="episode_end_not_before_start"),
        ]

    def __str__(self) -> str:
        return f"{self.care_form} {self.start_date:%d-%m-%Y}–{self.end_date:%d-%m-%Y}" if self.end_date else f"{self.care_form} vanaf {self.start_date:%d-%m-%Y}"

    @property
    def is_open(self) -> bool:
        return self.end_date is None

    @property
    def end_reason_cbs(self) -> str | None:
        return END_REASON_CBS.get(self.end_reason) if self.end_reason else None


class Declaration(models.Model):
    """A cost line. Negative amounts are corrections. Belongs to the month of its period start."""

    source_id = models.CharField(_("regel-id bron"), max_length=64, unique=True)
    child = models.ForeignKey(Child, verbose_name=_("kind"), on_delete=models.CASCADE, related_name="declarations")
    care_form = models.ForeignKey(CareForm, verbose_name=_("zorgvorm"), on_delete=models.PROTECT, related_name="declarations")
    provider = models.ForeignKey(Provider, verbose_name=_("aanbieder"), on_delete=models.PROTECT, related_name="declarations")
    municipality = models.ForeignKey(Municipality, verbose_name=_("gemeente"), on_delete=models.PROTECT, related_name="declarations")
    period_start = models.DateField(_("begin periode"))
    period_end = models.DateField(_("einde periode"))
    amount = models.DecimalField(_("bedrag"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("declaratie")
        verbose_name_plural = _("declaraties")
        ordering = ["period_start", "id"]
        indexes = [models.Index(fields=["municipality", "period_start"])]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="declaration_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id}: € {self.amount}"


class ImportKind(models.TextChoices):
    EPISODES = "episodes", _("Trajecten")
    DECLARATIONS = "declarations", _("Declaraties")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Wacht")
    RUNNING = "running", _("Bezig")
    REFUSED = "refused", _("Geweigerd (fouten)")
    DONE = "done", _("Geïmporteerd")
    FAILED = "failed", _("Mislukt")


class ImportJob(Job):
    """One import file: checked row by row, then written in one transaction or refused whole (a job: core.jobs)."""

    kind = models.CharField(_("soort"), max_length=20, choices=ImportKind.choices)
    # private: it holds BSNs; never served as media, deleted when the job ends or fails to start
    file = models.FileField(_("bestand"), storage=private_storage, upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("bestandsnaam"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    rows_total = models.PositiveIntegerField(_("regels"), default=0)
    rows_done = models.PositiveIntegerField(_("regels verwerkt"), default=0)
    error_count = models.PositiveIntegerField(_("fouten"), default=0)
    created = models.PositiveIntegerField(_("nieuw"), default=0)
    updated = models.PositiveIntegerField(_("bijgewerkt"), default=0)
    unchanged = models.PositiveIntegerField(_("ongewijzigd"), default=0)
    new_providers = models.JSONField(_("nieuwe aanbieders"), default=list, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 0 if self.status in (ImportStatus.PENDING, ImportStatus.RUNNING) else 100
        return min(100, round(100 * self.rows_done / self.rows_total))

    def percent(self) -> int:
        return self.progress_percent

    def status_fields(self) -> dict:
        return {name: number(getattr(self, name)) for name in ("rows_done", "rows_total", "created", "updated", "unchanged", "error_count")}


class ImportIssue(models.Model):
    """One rule violation in an import file (rule code, row, field, Dutch message)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    row = models.PositiveIntegerField(_("regel"), null=True, blank=True)
    field = models.CharField(_("veld"), max_length=40, blank=True)
    code = models.CharField(_("code"), max_length=10)
    message = models.CharField(_("melding"), max_length=300)

    class Meta:
        verbose_name = _("importfout")
        verbose_name_plural = _("importfouten")
        ordering = ["row", "id"]

    def __str__(self) -> str:
        return f"{self.code} regel {self.row}: {self.message}"
