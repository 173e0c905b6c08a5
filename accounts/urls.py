from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

# Login and logout keep their un-namespaced names (LOGIN_URL = "login"); the other pages live in "accounts:".
account_patterns = [
    path("toegangslog/", views.access_log, name="access_log"),
]

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include((account_patterns, "accounts"))),
]
