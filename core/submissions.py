"""A form is handled once, however often it is sent (a double click, a reload that re-posts, a retry after a slow
answer).

Every form that creates or consumes something carries a one-time token (`{% submit_once %}`, a hidden field). The
middleware claims the token before the view runs; the database's primary key on the token makes that claim succeed
once, also for parallel requests on PostgreSQL or SQLite. A second POST with the same token is not handed to the view:
the user goes to where the first one led (or back to the form while it is still being handled) with a Dutch message.
A form that comes back with errors (no redirect) or a view that fails frees its token, so that the corrected form
can be sent. The row locks and constraints of the services stay the last line: a token only spares the user the
error.
"""
from __future__ import annotations

import datetime as dt
import re
import secrets

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .models import FormSubmission

FIELD = "submission_token"
_TOKEN = re.compile(r"[0-9a-f]{32}")
#: tokens older than this are removed when new ones are claimed (a form left open longer gets a fresh token on reload)
KEEP = dt.timedelta(days=2)


def new_token() -> str:
    return secrets.token_hex(16)


def submission_claim(*, token: str, user) -> bool:
    """Claim `token` for `user` in its own short transaction; False when it was claimed before."""
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=token, user=user if getattr(user, "pk", None) else None)
    except IntegrityError:
        return False
    if int(token[:2], 16) == 0:  # about one claim in 256 clears out old tokens
        FormSubmission.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    return True


class SubmitOnceMiddleware:
    """Hands a POST carrying a form token to its view only once (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not _TOKEN.fullmatch(token):
            return self.get_response(request)
        if not submission_claim(token=token, user=request.user):
            return self._already_sent(request, token)
        try:
            response = self.get_response(request)
        except BaseException:
            FormSubmission.objects.filter(token=token).delete()
            raise
        if 300 <= response.status_code < 400 and response.has_header("Location"):
            FormSubmission.objects.filter(token=token).update(location=response["Location"][:500])
        else:
            FormSubmission.objects.filter(token=token).delete()  # the form came back (errors): it may be sent again
        return response

    @staticmethod
    def _already_sent(request, token: str):
        location = FormSubmission.objects.filter(token=token, user_id=getattr(request.user, "pk", None)).values_list(
            "location", flat=True).first()
        if location:
            messages.info(request, _("Dit formulier was al verstuurd; het is één keer verwerkt."))
            return redirect(location)
        messages.info(request, _("Dit formulier is al verstuurd en wordt nog verwerkt; het wordt één keer vastgelegd."))
        back = request.META.get("HTTP_REFERER", "")
        safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure())
        return redirect(back if safe and back else "/")
