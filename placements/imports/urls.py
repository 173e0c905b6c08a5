from django.urls import path

from core.views import job_status

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("new/", views.upload, name="upload"),
    path("voorbeeld/trajecten/", views.example, {"kind": "episodes"}, name="example_episodes"),
    path("voorbeeld/declaraties/", views.example, {"kind": "declarations"}, name="example_declarations"),
    path("codes/", views.codes, name="codes"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/bestand/", views.job_file, name="file"),
    path("<int:pk>/status.json", views.admin_only(job_status), {"kind": "import"}, name="status"),
]
