from django.urls import path

from . import views

app_name = "crisis"
urlpatterns = [
    path("kinderen/<int:child_pk>/nieuw/", views.contact_record, name="contact_record"),
]
