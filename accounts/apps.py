from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Gebruikers en toegangslog"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import stamp_activity_on_login

        user_logged_in.connect(stamp_activity_on_login, dispatch_uid="accounts-idle-clock")
