"""Role checks for views. Object scoping lives in the selectors of each app."""
from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

from .audit import log_access
from .models import AccessAction, AccessResult, Role


def role_required(*roles: str, log_object_type: str | None = None):
    """Allow only users with one of `roles` (administrators count as Role.ADMIN)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            effective = Role.ADMIN if user.is_superuser else user.role
            if effective not in roles:
                if log_object_type:
                    log_access(request=request, action=AccessAction.READ, object_type=log_object_type,
                               result=AccessResult.DENIED, detail=f"role {effective} refused")
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
