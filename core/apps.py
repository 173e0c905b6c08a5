from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares: roles, refusals, the access-log helper, periods, Dutch formatting, common fields.
    The base of the app graph: core imports no app of this project but accounts' models."""

    name = "core"
    verbose_name = "Basis"
