from django.urls import path

from . import views

app_name = "fostercare"

urlpatterns = [
    path("", views.family_list, name="family_list"),
    path("gezinnen/nieuw/", views.family_create, name="family_create"),
    path("gezinnen/<int:pk>/", views.family_detail, name="family_detail"),
    path("gezinnen/<int:pk>/bewerken/", views.family_edit, name="family_edit"),
    path("gezinnen/<int:pk>/status/", views.family_status, name="family_status"),
    path("gezinnen/<int:pk>/ondersteuning/", views.support_add, name="support_add"),
    path("koppelen/", views.match_start, name="match_start"),
    path("koppelen/kind/<int:child_pk>/", views.match_child, name="match_child"),
    path("plaatsingen/<int:placement_pk>/risico/", views.risk_create, name="risk_create"),
    path("risico/", views.risk_list, name="risk_list"),
    path("risico/<int:pk>/", views.risk_detail, name="risk_detail"),
    path("risico/<int:pk>/follow-up/", views.risk_follow_up, name="risk_follow_up"),
    path("risico/<int:pk>/afsluiten/", views.risk_resolve, name="risk_resolve"),
    path("werving/", views.recruitment, name="recruitment"),
    path("werving/nieuw/", views.prospect_create, name="prospect_create"),
    path("werving/<int:pk>/stap/", views.prospect_step, name="prospect_step"),
]
