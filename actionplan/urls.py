from django.urls import path

from . import views

app_name = "actionplan"
urlpatterns = [
    path("", views.plan, name="plan"),
    path("nieuw/", views.measure_new, name="measure_new"),
    path("<int:pk>/", views.measure, name="measure"),
    path("<int:pk>/wijzigen/", views.measure_edit, name="measure_edit"),
    path("knelpunten/nieuw/", views.bottleneck_new, name="bottleneck_new"),
    path("knelpunten/<int:pk>/", views.bottleneck_edit, name="bottleneck_edit"),
]
