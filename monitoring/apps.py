from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring en doelen")

    def ready(self):
        from core.jobs import register_job_kind

        from .dashboard.outcomes import SECTION, outcome_rows
        from .registry import register_dashboard_section
        from .runs.selectors import run_get

        register_job_kind("run", lambda request, pk: run_get(pk))  # the runs pages are for administrators (urls)
        register_dashboard_section("outcomes", outcome_rows, tiles=SECTION)
