from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casuswerk")

    def ready(self):
        from django.utils.translation import gettext_lazy as _

        from monitoring.registry import SIGNALLER_GROUPS, register_dashboard_section, register_groups, register_series_provider
        from placements.episode_rules import EpisodeStartRule, register_episode_start_rule

        from .figures import casework_series
        from .models import Signaller
        from .selectors import open_checklist
        from .services import checklist_attach, checklist_rule
        from .templatetags.casework_figures import SECTION, casework_figures

        register_series_provider("casework", casework_series)
        register_dashboard_section("casework", casework_figures, tiles=SECTION)
        register_groups(SIGNALLER_GROUPS, _("Wie signaleert (signalen dreigende uithuisplaatsing)"), Signaller.choices)
        register_episode_start_rule(EpisodeStartRule(prerequisite=open_checklist, check=checklist_rule, attach=checklist_attach))

        from accounts.models import Role
        from core.start_pages import register_start_page

        from . import views

        register_start_page(Role.RET, views.home_ret)
