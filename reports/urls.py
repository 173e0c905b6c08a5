from django.urls import path

from core.views import job_status

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("maken/", views.report_start, name="start"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/status/", views.readers(job_status), {"kind": "report"}, name="status"),
    path("<int:pk>/pdf/", views.report_download, name="download"),
    path("<int:pk>/html/", views.report_html, name="html"),
    path("kostentabel/", views.cost_table_page, name="cost_table"),
    path("export/", views.exports_page, name="exports"),
    path("export/dashboard/", views.export_dashboard, name="export_dashboard"),
    path("export/trajecten/", views.export_episodes, name="export_episodes"),
    path("export/trajecten/<int:pk>/", views.export_detail, name="export_detail"),
    path("export/trajecten/<int:pk>/status/", views.admins(job_status), {"kind": "export"}, name="export_status"),
    path("export/trajecten/<int:pk>/bestand/", views.export_download, name="export_download"),
]
