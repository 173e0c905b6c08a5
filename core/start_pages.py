"""The start page of each role: every app that serves a role registers that role's start page in its
AppConfig.ready (placements: administrator, project team, wijkteam; foster care: foster-care worker), so the
home view needs to import none of them. A role without a page of its own gets the default page."""
from __future__ import annotations

from collections.abc import Callable

from accounts.roles import role_of

DEFAULT = ""
START_PAGES: dict[str, Callable] = {}


def register_start_page(role: str, view: Callable) -> None:
    """`view(request)` renders the start page of users acting in `role` (DEFAULT: everyone else)."""
    START_PAGES[role] = view


def start_page_view(user) -> Callable:
    return START_PAGES.get(role_of(user)) or START_PAGES[DEFAULT]
