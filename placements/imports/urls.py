from django.urls import path

from core.views import job_status

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("new/", views.upload, name="upload"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/bestand/", views.job_file, name="file"),
    path("<int:pk>/status.json", views.admin_only(job_status), {"kind": "import"}, name="status"),
]
