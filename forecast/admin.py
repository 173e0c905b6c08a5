from django.contrib import admin

from .models import ForecastScenario


@admin.register(ForecastScenario)
class ForecastScenarioAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "start", "group", "entries_pct", "stay_months_shorter")
    list_filter = ("region",)
