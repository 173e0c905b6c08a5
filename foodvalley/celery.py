"""Celery application. Without CELERY_BROKER_URL tasks run eagerly in-process."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "foodvalley.settings")

app = Celery("foodvalley")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["monitoring.runs"])  # the run tasks live in the runs package of monitoring
