from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"

    def ready(self):
        from monitoring.registry import register_dashboard_section, register_series_provider
        from placements.episode_rules import EpisodeStartRule, register_episode_start_rule

        from .figures import casework_series
        from .selectors import open_checklist
        from .services import checklist_attach, checklist_rule
        from .templatetags.casework_figures import casework_figures

        register_series_provider("casework", casework_series)
        register_dashboard_section("casework", casework_figures)
        register_episode_start_rule(EpisodeStartRule(prerequisite=open_checklist, check=checklist_rule, attach=checklist_attach))
