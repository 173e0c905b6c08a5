"""Third-party apps under Dutch names in the admin (their packages ship no Dutch; their model names are translated in
locale/nl, the only Dutch catalogue: everything of our own is written in Dutch)."""
from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_celery_beat.apps import BeatConfig


class AxesConfig(AxesAppConfig):
    verbose_name = _("Inlogbeveiliging")


class CeleryBeatConfig(BeatConfig):
    verbose_name = _("Geplande taken")
