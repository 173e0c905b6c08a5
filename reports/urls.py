from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("maken/", views.report_start, name="start"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/status/", views.report_status, name="status"),
    path("<int:pk>/pdf/", views.report_download, name="download"),
    path("<int:pk>/html/", views.report_html, name="html"),
    path("kostentabel/", views.cost_table_page, name="cost_table"),
    path("export/", views.exports_page, name="exports"),
    path("export/dashboard/", views.export_dashboard, name="export_dashboard"),
    path("export/trajecten/", views.export_episodes, name="export_episodes"),
]
