"""Which targets a user may read, and whether they see its exact figures."""
from __future__ import annotations

from django.db.models import Q

from accounts import roles
from monitoring.models import Target


def targets_visible(*, user) -> list[Target]:
    """Active targets the user may read: administrators all; the project team their region and its
    municipalities; a wijkteam worker their municipality and its region; the RET and foster-care workers their
    region's (published as every figure is); anyone else none."""
    qs = Target.objects.filter(active=True).select_related("region", "municipality", "municipality__region")
    if roles.is_admin(user):
        return list(qs)
    if roles.is_project_with_region(user):
        region_id = user.scope_region_id
        return list(qs.filter(Q(region_id=region_id) | Q(municipality__region_id=region_id)))
    if roles.is_wijkteam(user):
        return list(qs.filter(Q(municipality_id=user.municipality_id) | Q(region_id=user.scope_region_id)))
    if (roles.is_ret(user) or roles.is_fostercare(user)) and user.region_id:
        return list(qs.filter(region_id=user.region_id))
    return []


def sees_unsuppressed(user, target: Target) -> bool:
    """Only a wijkteam worker of the target's own municipality has case access to those children."""
    return roles.is_wijkteam(user) and bool(target.municipality_id) and user.municipality_id == target.municipality_id
