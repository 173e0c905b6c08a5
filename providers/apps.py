from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvidersConfig(AppConfig):
    """Steering on providers (issue 16): the providers page with figures per provider, contracts and a data-quality
    card. The figures themselves are the engine's (monitoring.engine.providers)."""

    name = "providers"
    verbose_name = _("Aanbieders")
