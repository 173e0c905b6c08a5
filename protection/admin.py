"""Administration of child-protection measures: viewable by the child's reference (never a label); changed by the
wijkteam on the child's page or by an import."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from placements.admin import ReadOnlyAdmin

from .models import Measure


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ("child_reference", "kind", "gi", "municipality", "start_date", "end_date")
    list_filter = ("kind", "municipality")
    search_fields = ("child__reference", "source_id")
    list_select_related = ("child", "gi", "municipality")
    exclude = ("child",)
    readonly_fields = ("child_reference",)

    @admin.display(description=_("kind"))
    def child_reference(self, obj):
        return obj.child.reference
