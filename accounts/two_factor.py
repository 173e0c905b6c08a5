"""Two-factor login for administrators: set up a TOTP app (QR code rendered on the server as SVG) and enter a code.

Built on django-otp (TOTPDevice, OTPMiddleware, per-device throttling). A device becomes confirmed only after
the administrator has entered one correct code from it; replacing a device keeps the old one until the new
one is confirmed. Tokens and keys are never logged.
"""
from __future__ import annotations

from base64 import b32encode

import segno
from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import roles
from .access import refuse

DEVICE_NAME = "Authenticator-app"


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=gettext_lazy("Code uit de authenticator-app"), regex=r"^\s*\d{6}\s*$", max_length=12,
        error_messages={"invalid": gettext_lazy("Vul de zes cijfers uit de app in."),
                        "required": gettext_lazy("Vul de zes cijfers uit de app in.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
                                      "pattern": "[0-9]*", "spellcheck": "false"}),
    )

    def clean_token(self) -> str:
        return self.cleaned_data["token"].strip()


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return reverse("home")


def _refused(request):
    return refuse(request, message=_("Tweestapsverificatie is er voor beheerders."))


def _confirmed(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True)


def qr_svg(data: str) -> str:
    """An inline SVG of a QR code (no image request, nothing external, no script)."""
    return segno.make(data, error="m").svg_inline(border=2, dark="#000", light="#fff", omitsize=True, svgclass="w-100 h-auto")


def _key_groups(device: TOTPDevice) -> str:
    key = b32encode(device.bin_key).decode("ascii")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def _verify(device: TOTPDevice, form: TokenForm) -> bool:
    """Check the code against the device (throttled by django-otp); put a Dutch error on the form when wrong."""
    allowed, _info = device.verify_is_allowed()
    if not allowed:
        form.add_error("token", _("Te veel onjuiste codes achter elkaar. Wacht een minuut en probeer het opnieuw."))
        return False
    if device.verify_token(form.cleaned_data["token"]):
        return True
    form.add_error("token", _("Deze code klopt niet. Controleer of de tijd op uw telefoon goed staat en probeer het opnieuw."))
    return False


@never_cache
@require_http_methods(["GET", "POST"])
def setup(request):
    """Set up (or replace) the authenticator app of an administrator."""
    user = request.user
    if not roles.is_admin(user):
        return _refused(request)
    has_confirmed = _confirmed(user).exists()
    if has_confirmed and not user.is_verified():
        # Replacing a device needs the current one first.
        return redirect(f"{reverse('accounts:two_factor_verify')}?next={reverse('accounts:two_factor_setup')}")
    if has_confirmed and request.method == "GET" and "opnieuw" not in request.GET:
        return render(request, "accounts/two_factor_status.html", {"device": _confirmed(user).first()})

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and _verify(device, form):
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        messages.success(request, _("Tweestapsverificatie is ingesteld. Bij elke volgende keer inloggen vragen we een code."))
        return redirect(_next_url(request))
    return render(request, "accounts/two_factor_setup.html", {
        "form": form,
        "qr": mark_safe(qr_svg(device.config_url)),  # noqa: S308 - segno's own SVG markup, no user input in it
        "key": _key_groups(device),
        "next": _next_url(request),
        "replacing": has_confirmed,
    })


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of the login: a code from the authenticator app."""
    user = request.user
    device = _confirmed(user).order_by("id").first()
    if device is None:
        return redirect(_next_url(request))
    if user.is_verified():
        return redirect(_next_url(request))
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and _verify(device, form):
        otp_login(request, device)
        return redirect(_next_url(request))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})
