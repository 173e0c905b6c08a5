"""Administration of crisis contacts: viewable by the child's reference (never a label); recorded by the wijkteam."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from placements.admin import ReadOnlyAdmin

from .models import CrisisContact


@admin.register(CrisisContact)
class CrisisContactAdmin(ReadOnlyAdmin):
    list_display = ("date", "child_reference", "municipality", "source")
    list_filter = ("source", "municipality")
    search_fields = ("child__reference",)
    list_select_related = ("child", "municipality")
    exclude = ("child",)
    readonly_fields = ("child_reference",)

    @admin.display(description=_("kind"))
    def child_reference(self, obj):
        return obj.child.reference
