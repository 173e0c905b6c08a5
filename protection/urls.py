from django.urls import path

from . import views

app_name = "protection"
urlpatterns = [
    path("kinderen/<int:child_pk>/maatregelen/nieuw/", views.measure_record, name="measure_record"),
    path("maatregelen/<int:pk>/beeindigen/", views.measure_end, name="measure_end"),
]
