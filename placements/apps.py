from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = "Zorgregistratie"

    def ready(self):
        from accounts.models import Role
        from core.jobs import register_job_kind
        from core.start_pages import DEFAULT, register_start_page

        from . import views
        from .models import ImportJob

        register_start_page(Role.ADMIN, views.home_admin)
        register_start_page(Role.PROJECT, views.home_project)
        register_start_page(DEFAULT, views.home_wijkteam)
        register_job_kind("import", lambda request, pk: ImportJob.objects.filter(pk=pk).first())  # administrators only (urls)
        from accounts.audit import register_scrubber

        from .bsn import mask_bsns

        register_scrubber(mask_bsns)  # no BSN reaches the access log, whatever a caller passes as detail or reference
