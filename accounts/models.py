"""Users with a role and a scope, and the append-only access log (NEN 7513 / BIO 8.15)."""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice


class Role(models.TextChoices):
    WIJKTEAM = "wijkteam", _("Wijkteammedewerker")
    PROJECT = "project", _("Projectteam")
    ADMIN = "admin", _("Beheerder")
    RET = "ret", _("Regionaal Expertteam")
    FOSTERCARE = "pleegzorg", _("Pleegzorgmedewerker")


class User(AbstractUser):
    role = models.CharField(_("rol"), max_length=20, choices=Role.choices, default=Role.WIJKTEAM)
    municipality = models.ForeignKey(
        "placements.Municipality",
        verbose_name=_("gemeente"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Verplicht voor wijkteammedewerkers: zij zien alleen kinderen van deze gemeente."),
    )
    region = models.ForeignKey(
        "placements.Region",
        verbose_name=_("jeugdregio"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("De regio van het projectteam; bij een wijkteammedewerker de regio van de gemeente."),
    )
    provider = models.ForeignKey(
        "placements.Provider",
        verbose_name=_("aanbieder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Verplicht voor pleegzorgmedewerkers: zij zien de pleeggezinnen van deze aanbieder en de kinderen die daar wonen."),
    )
    is_ret_chair = models.BooleanField(
        _("voorzitter RET"), default=False,
        help_text=_("Alleen voor leden van het Regionaal Expertteam: ziet de agenda, open acties en verlopen follow-ups."),
    )

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        constraints = [
            # only administrators reach the admin site (is_staff), and they pass the second factor there
            models.CheckConstraint(condition=models.Q(is_staff=False) | models.Q(role="admin") | models.Q(is_superuser=True),
                                   name="user_staff_is_admin"),
        ]

    @property
    def is_wijkteam(self) -> bool:
        return self.role == Role.WIJKTEAM

    @property
    def is_project(self) -> bool:
        return self.role == Role.PROJECT

    @property
    def is_ret(self) -> bool:
        return self.role == Role.RET

    @property
    def is_fostercare(self) -> bool:
        return self.role == Role.FOSTERCARE

    @property
    def is_admin_role(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def scope_region_id(self):
        if self.region_id:
            return self.region_id
        if self.municipality_id:
            return self.municipality.region_id
        return None


class AccessAction(models.TextChoices):
    READ = "read", _("Inzien")
    SEARCH = "search", _("Zoeken")
    CREATE = "create", _("Aanmaken")
    CHANGE = "change", _("Wijzigen")
    IMPORT = "import", _("Importeren")
    EXPORT = "export", _("Exporteren")


class AccessResult(models.TextChoices):
    OK = "ok", _("Toegestaan")
    DENIED = "denied", _("Geweigerd")
    ERROR = "error", _("Fout")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):  # pragma: no cover - exercised via tests
        raise PermissionError("The access log is append-only.")

    def delete(self):
        raise PermissionError("The access log is append-only.")


class AccessLogEntry(models.Model):
    """One logged access. Rows are never changed or deleted (also enforced by a DB trigger on PostgreSQL)."""

    timestamp = models.DateTimeField(_("tijdstip"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(User, verbose_name=_("gebruiker"), null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False)
    actor_username = models.CharField(_("gebruikersnaam"), max_length=150, blank=True)
    action = models.CharField(_("actie"), max_length=10, choices=AccessAction.choices)
    object_type = models.CharField(_("soort object"), max_length=40)
    object_ref = models.CharField(_("object (pseudoniem)"), max_length=80, blank=True, db_index=True)
    result = models.CharField(_("resultaat"), max_length=10, choices=AccessResult.choices, default=AccessResult.OK)
    origin = models.CharField(_("herkomst"), max_length=64, blank=True)
    detail = models.CharField(_("toelichting"), max_length=255, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("toegangslogregel")
        verbose_name_plural = _("toegangslog")
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["actor_username", "timestamp"])]

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type} {self.result}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only.")


class TwoFactorDevice(TOTPDevice):
    """django_otp's TOTP device under a Dutch name in the admin (the package names it in English only)."""

    class Meta:
        proxy = True
        verbose_name = _("app voor tweestapsverificatie")
        verbose_name_plural = _("apps voor tweestapsverificatie")
