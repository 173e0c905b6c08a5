from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import GeneratedReport, ReportSettings


@admin.register(ReportSettings)
class ReportSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "region_name", "title", "suppression_k")
    filter_horizontal = ("targets",)
    fields = ("region", "region_name", "title", "logo", "suppression_k", "introduction", "targets")


@admin.register(GeneratedReport)
class GeneratedReportAdmin(admin.ModelAdmin):
    list_display = ("id", "scope_label", "quarter", "run", "status", "created_by", "created_at", "pages", "seconds", "download")
    list_filter = ("status", "quarter", "region")
    search_fields = ("quarter", "region__name", "municipality__name", "created_by__username")
    readonly_fields = [f.name for f in GeneratedReport._meta.fields if f.name not in ("file", "html_file")] + ["download"]
    exclude = ("file", "html_file")  # private files: downloaded through the logged view (the download column)
    date_hierarchy = "created_at"

    @admin.display(description=_("bestand"))
    def download(self, obj):
        if obj.status != "done":
            return "–"
        return format_html('<a href="{}">PDF</a> · <a href="{}">HTML</a>', reverse("reports:download", args=[obj.pk]), reverse("reports:html", args=[obj.pk]))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
