"""Administration of casework records: no labels shown (the child appears by its pseudonym reference)."""
from django.contrib import admin

from .models import CaseWeekReview, LessonTag, ResidentialChecklist, RetReview, ThreatCase, TrajectoryFollowUp


@admin.register(ThreatCase)
class ThreatCaseAdmin(admin.ModelAdmin):
    list_display = ("id", "child_ref", "municipality", "opened_on", "status", "closed_on", "outcome")
    list_filter = ("status", "outcome", "municipality__region")
    fields = ("status", "in_review_on", "plan_running_on", "closed_on", "outcome")
    readonly_fields = fields

    @admin.display(description="kind")
    def child_ref(self, obj):
        return obj.child.reference

    def has_add_permission(self, request):
        return False


@admin.register(RetReview)
class RetReviewAdmin(admin.ModelAdmin):
    list_display = ("id", "case_id", "region", "review_date", "follow_up_on")
    list_filter = ("region",)
    fields = ("region", "review_date", "follow_up_on")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(ResidentialChecklist)
class ResidentialChecklistAdmin(admin.ModelAdmin):
    list_display = ("id", "care_form", "completed_on", "episode_id", "flag_case_week")
    fields = ("care_form", "completed_on", "episode", "flag_case_week")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(CaseWeekReview)
class CaseWeekReviewAdmin(admin.ModelAdmin):
    list_display = ("id", "municipality", "review_date")
    fields = ("municipality", "review_date")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(TrajectoryFollowUp)
class TrajectoryFollowUpAdmin(admin.ModelAdmin):
    list_display = ("id", "episode_id", "date", "how_it_goes", "still_home")
    fields = ("date", "how_it_goes", "still_home")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


admin.site.register(LessonTag)
