from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FostercareConfig(AppConfig):
    name = "fostercare"
    verbose_name = _("Pleegzorg")

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from accounts.models import Role
        from core.start_pages import register_start_page
        from monitoring.registry import register_dashboard_section, register_groups, register_series_provider

        from . import views
        from .figures import FOSTER_FAMILIES, fostercare_series
        from .models import FamilyKind, Stage
        from .templatetags.fostercare_figures import SECTION, fostercare_figures

        register_series_provider("fostercare", fostercare_series)
        register_dashboard_section("fostercare", fostercare_figures, tiles=SECTION)
        register_groups("fostercare", _("Pleegzorg: gezinnen en werving"),
                        [*FamilyKind.choices, (FOSTER_FAMILIES, _("Pleeggezinnen (netwerk en bestand)")),
                         *[(code, _("Werving: %(stage)s") % {"stage": label}) for code, label in Stage.choices]])
        register_start_page(Role.FOSTERCARE, views.home_fostercare)
