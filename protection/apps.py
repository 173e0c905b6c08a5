from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    name = "protection"
    verbose_name = _("Jeugdbescherming")

    def ready(self):
        from monitoring.registry import register_dashboard_section, register_series_provider
        from placements.child_panels import ChildPanel, register_child_panel

        from .figures import protection_series
        from .selectors import child_page_measures
        from .templatetags.protection_figures import SECTION, protection_figures

        register_series_provider("protection", protection_series)
        register_dashboard_section("protection", protection_figures, tiles=SECTION)
        register_child_panel(ChildPanel(template="protection/child_panel.html", data=child_page_measures))
