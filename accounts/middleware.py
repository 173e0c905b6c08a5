"""Every page requires login (except the login page, static files and the health check), sessions end after
idle time, and administrators pass a two-factor step."""
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _

PUBLIC_PREFIXES = ("/accounts/login/", "/static/", "/health/", "/i18n/", "/toegankelijkheid/")

#: Session key with the time (epoch seconds) of the last request of a logged-in user.
LAST_ACTIVITY_KEY = "fv_last_activity"
#: The activity stamp is rewritten at most this often (seconds), not on every request.
ACTIVITY_RESOLUTION = 60
#: Session key with the time (epoch seconds) of the login: the absolute end of a session (SESSION_MAX_DURATION).
LOGIN_AT_KEY = "fv_login_at"


class LoginRequiredMiddleware:
    """Every page but the public ones needs a login; every page a logged-in user gets (children, cases, figures,
    downloads) is marked `Cache-Control: no-store, private`, so no browser or proxy keeps a copy on disk."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if not request.user.is_authenticated and not path.startswith(PUBLIC_PREFIXES):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        response = self.get_response(request)
        if request.user.is_authenticated and not path.startswith("/static/"):
            patch_cache_control(response, no_store=True, private=True)
        return response


class IdleTimeoutMiddleware:
    """Log a user out after SESSION_IDLE_TIMEOUT seconds without a request (0 switches it off), and in any case
    SESSION_MAX_DURATION seconds after the login (8 hours by default): the activity stamp saves the session and so
    extends its cookie, which alone would let a busy session live for ever.

    Sits before LoginRequiredMiddleware: once logged out here, that middleware sends the user to the login page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = getattr(settings, "SESSION_IDLE_TIMEOUT", 0)
        longest = getattr(settings, "SESSION_MAX_DURATION", 0)
        if longest and request.user.is_authenticated:
            now = int(time.time())
            login_at = request.session.get(LOGIN_AT_KEY)
            if login_at is None:  # a session from before this rule: its clock starts now
                request.session[LOGIN_AT_KEY] = now
            elif now - int(login_at) > longest:
                logout(request)
                messages.info(request, _("U bent uitgelogd omdat u al lang ingelogd was. Log opnieuw in."))
        if timeout and request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            if last is not None and now - int(last) > timeout:
                logout(request)
                messages.info(request, _("U bent uitgelogd omdat u een tijd niet actief was. Log opnieuw in."))
            elif last is None or now - int(last) >= ACTIVITY_RESOLUTION:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


def stamp_activity_on_login(sender, request, user, **kwargs):
    """Start the idle clock at login (so the first page after it need not write the session again)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY_KEY] = request.session[LOGIN_AT_KEY] = int(time.time())


def _two_factor_exempt(path: str) -> bool:
    return path.startswith(PUBLIC_PREFIXES) or path.startswith(
        (reverse("accounts:two_factor_verify"), reverse("accounts:two_factor_setup"), reverse("logout"))
    )


class AdminTwoFactorMiddleware:
    """Administrators (role admin, superusers and anyone with admin-site access) with a confirmed TOTP device must
    enter a code before any page;
    with REQUIRE_ADMIN_2FA an administrator without a device is sent to set one up first.

    Needs django_otp.middleware.OTPMiddleware (request.user.is_verified) and runs after LoginRequiredMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        # the second factor follows what the user can reach: the admin site (is_staff) as much as the admin role
        needs = getattr(user, "is_admin_role", False) or getattr(user, "is_staff", False)
        if user.is_authenticated and needs and not user.is_verified():
            path = request.path_info
            if not _two_factor_exempt(path):
                from django_otp import user_has_device

                if user_has_device(user, confirmed=True):
                    target = reverse("accounts:two_factor_verify")
                elif settings.REQUIRE_ADMIN_2FA:
                    target = reverse("accounts:two_factor_setup")
                else:
                    target = None
                if target:
                    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
