"""Sections that apps above placements add to a child's page (child protection adds its measures), registered in
their AppConfig.ready so that placements imports none of them. The child-detail view has checked access and logged
the read of the child's record; a panel only reads what belongs to that child."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ChildPanel:
    template: str  # included with `panel` (this object) and `data` in its context
    data: Callable  # (child) -> what the template shows


PANELS: list[ChildPanel] = []


def register_child_panel(panel: ChildPanel) -> None:
    if panel not in PANELS:
        PANELS.append(panel)


def child_panels(*, child) -> list[tuple[str, object]]:
    """(template, data) of every registered panel for this child."""
    return [(panel.template, panel.data(child)) for panel in PANELS]
