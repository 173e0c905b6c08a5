"""Admin for reference data (regions, municipalities, youth population, providers, care forms) and a read-only
view of import jobs and their issues.

Children, episodes and declarations are deliberately NOT registered: admin pages are not scoped to a
municipality, and a child's label may only be shown inside its own municipality.
"""
from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import (
    CareForm,
    CategoryMapping,
    ImportIssue,
    ImportJob,
    Municipality,
    ProductCode,
    Provider,
    ProviderContract,
    Region,
    ReportingCategory,
    TargetGroup,
    YouthPopulation,
)


class MunicipalityInline(admin.TabularInline):
    model = Municipality
    fields = ("cbs_code", "name", "province")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality_count")
    search_fields = ("name",)
    inlines = [MunicipalityInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_municipality_count=Count("municipalities"))

    @admin.display(description=_("gemeenten"), ordering="_municipality_count")
    def municipality_count(self, obj):
        return obj._municipality_count


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name", "cbs_code", "province", "region")
    list_filter = ("region", "province")
    search_fields = ("name", "cbs_code")
    list_select_related = ("region",)
    ordering = ("name",)


@admin.register(YouthPopulation)
class YouthPopulationAdmin(admin.ModelAdmin):
    list_display = ("municipality", "year", "age_band", "count")
    list_editable = ("count",)
    list_filter = ("year", "age_band", "municipality__region")
    search_fields = ("municipality__name", "municipality__cbs_code")
    list_select_related = ("municipality",)
    autocomplete_fields = ("municipality",)
    list_per_page = 100


class ProviderContractInline(admin.TabularInline):
    model = ProviderContract
    extra = 0
    fields = ("region", "start_date", "end_date", "note")


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("name", "agb_code", "created_by_import")
    list_filter = ("created_by_import", "contracts__region")
    search_fields = ("name", "agb_code")
    inlines = [ProviderContractInline]


@admin.register(CareForm)
class CareFormAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "rung", "with_stay", "family_based", "crisis", "cbs_code", "active")
    list_editable = ("active", "crisis")
    list_filter = ("rung", "with_stay", "family_based", "crisis", "active")
    search_fields = ("code", "name")
    ordering = ("rung", "code")


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active")
    list_editable = ("active",)
    search_fields = ("code", "name")


class CategoryMappingInline(admin.TabularInline):
    model = CategoryMapping
    extra = 1
    fields = ("care_form", "valid_from")


@admin.register(ReportingCategory)
class ReportingCategoryAdmin(admin.ModelAdmin):
    """A region's reporting categories and, per category, the care forms in it from a date: the cost table and the
    quarterly report use them (reports.cost_table)."""

    list_display = ("name", "code", "region", "order")
    list_filter = ("region",)
    inlines = [CategoryMappingInline]


class ProductCodeForm(forms.ModelForm):
    class Meta:
        model = ProductCode
        fields = ["region", "product_category", "product_code", "care_form", "valid_from", "valid_to"]

    def clean(self):
        data = super().clean()
        region, category, code = data.get("region"), data.get("product_category"), data.get("product_code")
        start, end = data.get("valid_from"), data.get("valid_to")
        if region and category and code and start:
            others = ProductCode.objects.filter(region=region, product_category=category, product_code=code).exclude(pk=self.instance.pk)
            for other in others:
                if (other.valid_to is None or other.valid_to >= start) and (end is None or end >= other.valid_from):
                    raise forms.ValidationError(_("Deze productcode heeft al een versie die in deze periode geldt (vanaf %(date)s).")
                                                % {"date": other.valid_from.strftime("%d-%m-%Y")})
        return data


@admin.register(ProductCode)
class ProductCodeAdmin(admin.ModelAdmin):
    """The region's versioned table of iJw products → care forms, for declaration files without a care form."""

    form = ProductCodeForm
    list_display = ("product_category", "product_code", "care_form", "region", "valid_from", "valid_to")
    list_filter = ("region", "product_category")
    search_fields = ("product_code",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable, never added, changed or deleted through the admin (imports are their own record)."""

    actions = None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "original_name", "status", "rows_total", "error_count", "created", "updated", "created_by")
    list_filter = ("kind", "status")
    search_fields = ("original_name", "created_by__username")
    date_hierarchy = "created_at"
    list_select_related = ("created_by",)
    readonly_fields = ("issues_link", "file_link")
    exclude = ("file",)  # the upload holds BSNs: only through the logged download view, never a media link

    @admin.display(description=_("bestand"))
    def file_link(self, obj):
        if not obj.file:
            return _("niet meer bewaard")
        return format_html('<a href="{}">{}</a>', reverse("imports:file", args=[obj.pk]), _("downloaden (wordt vastgelegd)"))

    @admin.display(description=_("fouten"))
    def issues_link(self, obj):
        url = reverse("admin:placements_importissue_changelist") + f"?job__id__exact={obj.pk}"
        return format_html('<a href="{}">{} {}</a>', url, obj.issues.count(), _("fouten bekijken"))


@admin.register(ImportIssue)
class ImportIssueAdmin(ReadOnlyAdmin):
    list_display = ("job", "row", "field", "code", "message")
    list_filter = ("code",)
    search_fields = ("code", "message", "field", "job__original_name")
    list_select_related = ("job",)
