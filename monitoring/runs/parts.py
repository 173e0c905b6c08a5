"""The parts of a snapshot run: what one worker computes and stores at a time.

- "episodes": the children and episodes, and every figure of the episodes (monthly figures and cohorts);
- "declarations": the children and declarations, and every figure of the declarations (monthly cost and
  declared clients, the yearly cost table);
- one part per registered series provider (casework, foster care: apps that measure figures from their own
  tables register a provider in their AppConfig.ready, see monitoring.registry).

The two engine parts are the big ones and of about equal size, so two workers each take one and the small parts
go to whichever is free first; more workers take nothing more, and a run on one process takes them in turn.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from monitoring import registry
from monitoring.engine.frames import DECLARATION_FIGURES, EPISODE_FIGURES, Series, figure_series
from monitoring.engine.load import load_children, load_declarations, load_episodes

ENGINE_PARTS = ("episodes", "declarations")


def names() -> list[str]:
    """Every part of a run, the big ones first."""
    return [*ENGINE_PARTS, *registry.SERIES_PROVIDERS]


def series(part: str, *, data_date: dt.date) -> Iterator[Series]:
    """The series of one part, computed over the data up to `data_date`."""
    if part == "episodes":
        yield from figure_series(load_episodes(data_date=data_date), EPISODE_FIGURES)
    elif part == "declarations":
        yield from figure_series(load_declarations(load_children(data_date=data_date)), DECLARATION_FIGURES)
    elif part in registry.SERIES_PROVIDERS:
        yield from registry.SERIES_PROVIDERS[part](data_date=data_date, region=registry.ALL_SCOPES)
    else:
        raise ValueError(f"unknown part of a run: {part}")
