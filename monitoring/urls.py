from django.urls import path

from core.views import job_status

from .dashboard import views as dashboard
from .runs import views as runs

app_name = "monitoring"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("csv/", dashboard.dashboard_csv, name="dashboard_csv"),
    path("definities/", dashboard.definitions, name="definitions"),
    path("runs/", runs.runs, name="runs"),
    path("runs/start/", runs.run_start, name="run_start"),
    path("runs/herzieningen/", runs.run_revisions, name="run_revisions"),
    path("runs/<int:pk>/", runs.run_detail, name="run_detail"),
    path("runs/<int:pk>/status/", runs.admin_only(job_status), {"kind": "run"}, name="run_status"),
    path("runs/<int:pk>/vastzetten/", runs.run_lock, name="run_lock"),
]
