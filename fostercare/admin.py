"""Admin for foster care: reference checks and corrections by administrators (no child labels shown)."""
from django.contrib import admin

from .models import FamilyStatusChange, FamilySupport, FosterFamily, FosterPlacement, PlacementRisk, Prospect, RiskFollowUp


class StatusChangeInline(admin.TabularInline):
    model = FamilyStatusChange
    extra = 0


class SupportInline(admin.TabularInline):
    model = FamilySupport
    extra = 0
    raw_id_fields = ("risk",)


@admin.register(FosterFamily)
class FosterFamilyAdmin(admin.ModelAdmin):
    list_display = ("reference", "provider", "municipality", "kind", "status", "status_since", "places")
    list_filter = ("kind", "status", "provider", "municipality")
    search_fields = ("reference",)
    inlines = [StatusChangeInline, SupportInline]


@admin.register(FosterPlacement)
class FosterPlacementAdmin(admin.ModelAdmin):
    list_display = ("family", "episode", "matched_on")
    raw_id_fields = ("family", "episode")


class RiskFollowUpInline(admin.TabularInline):
    model = RiskFollowUp
    extra = 0


@admin.register(PlacementRisk)
class PlacementRiskAdmin(admin.ModelAdmin):
    list_display = ("id", "registered_on", "severity", "status", "resolved_on", "outcome", "reason")
    list_filter = ("status", "outcome", "reason", "severity")
    raw_id_fields = ("placement",)
    inlines = [RiskFollowUpInline]


@admin.register(Prospect)
class ProspectAdmin(admin.ModelAdmin):
    list_display = ("reference", "provider", "municipality", "stage", "info_on", "approved_on", "dropped_on")
    list_filter = ("stage", "provider", "drop_reason")
    search_fields = ("reference",)
    raw_id_fields = ("family",)
