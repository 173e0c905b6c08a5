from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrisisConfig(AppConfig):
    name = "crisis"
    verbose_name = _("Crisis als kans")

    def ready(self):
        from monitoring.registry import register_dashboard_section, register_series_provider
        from placements.child_panels import ChildPanel, register_child_panel

        from .figures import crisis_series
        from .selectors import child_page_contacts
        from .templatetags.crisis_figures import SECTION, crisis_figures

        register_series_provider("crisis", crisis_series)
        register_dashboard_section("crisis", crisis_figures, tiles=SECTION)
        register_child_panel(ChildPanel(template="crisis/child_panel.html", data=child_page_contacts))
