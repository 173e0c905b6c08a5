from django.contrib import admin

from .models import CareDayCost, Forecast, ForecastScenario


@admin.register(ForecastScenario)
class ForecastScenarioAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "start", "group", "entries_pct", "stay_months_shorter", "population_growth_pct", "cost_index_pct",
                    "in_report")
    list_filter = ("region",)


@admin.register(CareDayCost)
class CareDayCostAdmin(admin.ModelAdmin):
    list_display = ("region", "care_form", "euro_per_day", "note")
    list_filter = ("region",)


@admin.register(Forecast)
class ForecastAdmin(admin.ModelAdmin):
    list_display = ("__str__", "status", "created_at", "seconds")
    list_filter = ("status", "region")
    readonly_fields = ("result",)
