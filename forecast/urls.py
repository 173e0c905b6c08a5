from django.urls import path

from core.views import job_status

from . import views

app_name = "forecast"
urlpatterns = [
    path("", views.page, name="page"),
    path("berekenen/", views.start, name="start"),
    path("<int:pk>/status/", job_status, {"kind": "forecast"}, name="status"),
    path("<int:pk>/download/", views.download, name="download"),
    path("scenario/nieuw/", views.scenario_new, name="scenario_new"),
    path("scenario/<int:pk>/", views.scenario_edit, name="scenario_edit"),
    path("scenario/<int:pk>/verwijderen/", views.scenario_delete, name="scenario_delete"),
]
