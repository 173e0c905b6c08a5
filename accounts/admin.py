"""Admin for users (role and scope) and the append-only access log."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import AccessLogEntry, Role, User


class RoleScopeMixin:
    """A wijkteam worker needs a municipality (and gets its region); a project-team member needs a region."""

    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        municipality = cleaned.get("municipality")
        region = cleaned.get("region")
        errors = {}
        if role == Role.WIJKTEAM:
            if municipality is None:
                errors["municipality"] = _("Een wijkteammedewerker moet een gemeente hebben.")
            elif region is None:
                cleaned["region"] = municipality.region
            elif region != municipality.region:
                errors["region"] = _("De regio moet de regio van de gemeente zijn (%(region)s).") % {"region": municipality.region}
        elif role == Role.PROJECT and region is None:
            errors["region"] = _("Een lid van het projectteam moet een jeugdregio hebben.")
        elif role == Role.FOSTERCARE and cleaned.get("provider") is None and "provider" in self.fields:
            errors["provider"] = _("Een pleegzorgmedewerker moet een aanbieder hebben.")
        if cleaned.get("is_staff") and role != Role.ADMIN and not cleaned.get("is_superuser"):
            errors["is_staff"] = _("Alleen beheerders hebben toegang tot het beheer (met tweestapsverificatie).")
        if errors:
            raise ValidationError(errors)
        return cleaned


class UserAdminChangeForm(RoleScopeMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class UserAdminCreationForm(RoleScopeMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "role", "municipality", "region", "provider")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Rol en bereik"), {"fields": ("role", "municipality", "region", "provider")}),
        (_("Persoonlijke gegevens"), {"fields": ("first_name", "last_name", "email")}),
        (_("Rechten"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Belangrijke datums"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        (_("Rol en bereik"), {"classes": ("wide",), "fields": ("role", "municipality", "region", "provider")}),
    )
    list_display = ("username", "first_name", "last_name", "role", "municipality", "region", "is_staff", "is_active")
    list_filter = ("role", "region", "municipality", "is_staff", "is_superuser", "is_active")
    list_select_related = ("municipality", "region")
    search_fields = ("username", "first_name", "last_name", "email")
    autocomplete_fields = ("municipality",)


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    """Searchable by administrators; append-only: nobody adds, changes or deletes entries here."""

    list_display = ("timestamp", "actor_username", "action", "object_type", "object_ref", "result", "origin", "detail")
    list_filter = ("action", "result", "object_type")
    search_fields = ("actor_username", "object_ref")
    date_hierarchy = "timestamp"
    actions = None
    list_per_page = 100
    show_full_result_count = False  # no COUNT(*) over the whole log on every page

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


# Only what administrators use, under Dutch names (the packages register more, in English): the scheduled tasks
# without solar and clocked schedules, and the two-factor apps as a Dutch-named proxy of django_otp's TOTP device.
def _dutch_third_party_admin() -> None:
    from django_celery_beat.models import ClockedSchedule, SolarSchedule
    from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .models import TwoFactorDevice

    for model in (ClockedSchedule, SolarSchedule, TOTPDevice):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
    admin.site.register(TwoFactorDevice, TOTPDeviceAdmin)


_dutch_third_party_admin()

admin.site.site_header = _("Foodvalley Monitor · beheer")
admin.site.site_title = _("Foodvalley Monitor")
admin.site.index_title = _("Beheer")
