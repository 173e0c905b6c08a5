from __future__ import annotations

from django.http import Http404, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.audit import log_access
from accounts.models import AccessAction, AccessResult

from .jobs import JOB_KINDS, job_payload
from .start_pages import start_page_view


@require_GET
def accessibility(request):
    """The accessibility statement (public: also before logging in)."""
    from django.shortcuts import render

    return render(request, "core/accessibility.html")


def home(request):
    """The start page that fits the user's role (core.start_pages)."""
    return start_page_view(request.user)(request)


@require_GET
@never_cache
def job_status(request, pk: int, kind: str):
    """The state of one job of any kind (runs, imports, reports, exports) as JSON, for static/js/jobs.js. A job the
    user may not see answers 404, like one that does not exist."""
    getter = JOB_KINDS.get(kind)
    job = getter(request, pk) if getter is not None and request.user.is_authenticated else None
    if job is None:  # unknown or not the user's: the refusal is logged like every other
        log_access(request=request, action=AccessAction.READ, object_type=f"{kind}_status", object_ref=str(pk),
                   result=AccessResult.DENIED, detail="job status refused (unknown or outside the user's scope)")
        raise Http404
    return JsonResponse(job_payload(job))
