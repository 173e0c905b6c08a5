from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from . import two_factor, views

# Login and logout keep their un-namespaced names (LOGIN_URL = "login"); the other pages live in "accounts:".
account_patterns = [
    path("toegangslog/", views.access_log, name="access_log"),
    path("tweestaps/", two_factor.setup, name="two_factor_setup"),
    path("tweestaps/code/", two_factor.verify, name="two_factor_verify"),
    path("wachtwoord/", auth_views.PasswordChangeView.as_view(
        template_name="registration/password_change.html", success_url=reverse_lazy("accounts:password_change_done"),
    ), name="password_change"),
    path("wachtwoord/gewijzigd/", auth_views.PasswordChangeDoneView.as_view(
        template_name="registration/password_change_done.html"), name="password_change_done"),
]

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include((account_patterns, "accounts"))),
]
