from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastConfig(AppConfig):
    name = "forecast"
    verbose_name = _("Prognose")

    def ready(self) -> None:
        from core.jobs import register_job_kind

        from . import selectors, targets

        register_job_kind("forecast", lambda request, pk: selectors.forecast_get(user=request.user, pk=pk))
        targets.register()
