from django.apps import AppConfig


class FostercareConfig(AppConfig):
    name = "fostercare"

    def ready(self):
        from accounts.models import Role
        from core.start_pages import register_start_page
        from monitoring.registry import register_dashboard_section, register_series_provider

        from . import views
        from .figures import fostercare_series
        from .templatetags.fostercare_figures import fostercare_figures

        register_series_provider("fostercare", fostercare_series)
        register_dashboard_section("fostercare", fostercare_figures)
        register_start_page(Role.FOSTERCARE, views.home_fostercare)
