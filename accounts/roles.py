"""Who may do what, by role: every "is this user a …" question of the app is answered here, once.

A user has one role (accounts.models.Role) and, with it, a scope: a wijkteam worker a municipality, the project
team and the RET a region, a foster-care worker a provider. A superuser counts as an administrator whatever
role is stored. A role without its scope (a wijkteam worker with no municipality) answers False: such a user
sees nothing of that role until an administrator sets the scope. Object scoping (which records) lives in each
app's selectors; these predicates only say which kind of user someone is.
"""
from __future__ import annotations

from .models import Role


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def role_of(user) -> str:
    """The role the user acts in: Role.ADMIN for a superuser, "" when not logged in."""
    if not _active(user):
        return ""
    return Role.ADMIN if user.is_superuser else user.role


def is_admin(user) -> bool:
    return role_of(user) == Role.ADMIN


def is_project(user) -> bool:
    """Project team member (of a region, or of a municipality's region)."""
    return role_of(user) == Role.PROJECT


def is_project_with_region(user) -> bool:
    return is_project(user) and bool(user.scope_region_id)


def is_wijkteam(user) -> bool:
    """Wijkteam worker of a municipality: the only users with case access to children."""
    return role_of(user) == Role.WIJKTEAM and bool(user.municipality_id)


def is_ret(user) -> bool:
    """Member of a region's regional expert team."""
    return role_of(user) == Role.RET and bool(user.region_id)


def is_ret_chair(user) -> bool:
    return is_ret(user) and bool(user.is_ret_chair)


def is_fostercare(user) -> bool:
    """Foster-care worker of a provider."""
    return role_of(user) == Role.FOSTERCARE and bool(user.provider_id)


def has_role(user, *roles: str) -> bool:
    return role_of(user) in roles
