from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"

    def ready(self):
        from monitoring.registry import register_series_provider

        from .figures import casework_series

        register_series_provider(casework_series)
