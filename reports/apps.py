from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Rapportages")

    def ready(self):
        from core.jobs import register_job_kind

        from . import selectors

        register_job_kind("report", lambda request, pk: selectors.report_get(user=request.user, pk=pk))
        register_job_kind("export", lambda request, pk: selectors.export_get(user=request.user, pk=pk))
