from django.urls import path

from . import views_targets

app_name = "targets"

urlpatterns = [
    path("", views_targets.target_list, name="list"),
]
