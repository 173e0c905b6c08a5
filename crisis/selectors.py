"""Reads of crisis contacts: those of a child already obtained through placements.selectors.child_get (in scope)."""
from __future__ import annotations

from .models import CrisisContact


def child_page_contacts(child) -> list[CrisisContact]:
    """The crisis contacts the child's page lists (placements.child_panels), newest first."""
    return list(child.crisis_contacts.order_by("-date", "-id"))
