from __future__ import annotations

from .start_pages import start_page_view


def home(request):
    """The start page that fits the user's role (core.start_pages)."""
    return start_page_view(request.user)(request)
