from django.apps import AppConfig


class ProtectionConfig(AppConfig):
    name = "protection"
    verbose_name = "Jeugdbescherming"

    def ready(self):
        from monitoring.registry import register_dashboard_section, register_series_provider

        from .figures import protection_series
        from .templatetags.protection_figures import protection_figures

        register_series_provider("protection", protection_series)
        register_dashboard_section("protection", protection_figures)
