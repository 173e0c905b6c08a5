from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo region and its casework, foster care, targets and users: generators for development, tests and
    benchmarks, and their management commands. At the top of the app graph: it imports every app, none imports it."""

    name = "demo"
    verbose_name = "Demo"
