"""Celery tasks of the placements app (found by autodiscover_tasks)."""
from placements.imports.tasks import run_import

__all__ = ["run_import"]
