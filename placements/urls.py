from django.urls import include, path

from . import views

children_patterns = [
    path("", views.child_list, name="list"),
    path("nieuw/", views.child_register, name="register"),
    path("<int:pk>/", views.child_detail, name="detail"),
    path("<int:pk>/doelgroep/", views.child_target_group, name="target_group"),
    path("<int:pk>/trajecten/nieuw/", views.episode_start, name="episode_start"),
    path("trajecten/<int:pk>/beeindigen/", views.episode_end, name="episode_end"),
]

urlpatterns = [
    path("kinderen/", include((children_patterns, "children"))),
]
