from django.contrib import admin

from .models import Bottleneck, Measure

# Progress updates are reported on the measure's page (/maatregelen/<id>/), where the service keeps the measure's
# status in step with its latest update; the admin shows the status only.


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ("title", "region", "owner", "planned_on", "status")
    list_filter = ("region", "status")
    search_fields = ("title", "owner")
    filter_horizontal = ("targets",)
    readonly_fields = ("status",)


@admin.register(Bottleneck)
class BottleneckAdmin(admin.ModelAdmin):
    list_display = ("title", "region", "raised_on", "resolved_on")
    list_filter = ("region",)
    search_fields = ("title",)
    filter_horizontal = ("measures",)
