"""Reads of child protection, scoped like the registry: only a wijkteam worker sees the measures of the children of
their municipality (placements.selectors.child_scope)."""
from __future__ import annotations

from django.db.models import QuerySet

from placements.selectors import child_scope

from .models import Measure


def measures_for_child(*, child) -> QuerySet[Measure]:
    """The measures of a child already obtained through placements.selectors.child_get (and so in scope)."""
    return child.measures.select_related("gi", "municipality").order_by("start_date", "id")


def child_page_measures(child) -> list[Measure]:
    """The measures the child's page lists (placements.child_panels)."""
    return list(measures_for_child(child=child))


def measure_get(*, user, pk: int) -> Measure | None:
    return Measure.objects.filter(child__in=child_scope(user=user), pk=pk).select_related("child", "gi", "municipality").first()


def measure_ref_for_audit(*, pk) -> str:
    ref = Measure.objects.filter(pk=pk).values_list("child__reference", flat=True).first()
    return ref or f"measure {pk} (onbekend)"
