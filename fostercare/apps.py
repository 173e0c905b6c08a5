from django.apps import AppConfig


class FostercareConfig(AppConfig):
    name = "fostercare"

    def ready(self):
        from monitoring.registry import register_series_provider

        from .figures import fostercare_series

        register_series_provider("fostercare", fostercare_series)
