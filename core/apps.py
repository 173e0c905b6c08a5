from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What the domain apps share: periods, Dutch formatting of numbers, money and dates, the small-number rule,
    the start page of each role, common model fields and the `fv` template library. Users, roles, refusals and
    the access log are accounts'. core imports no app of this project but accounts."""

    name = "core"
    verbose_name = "Basis"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deploy checks)
