"""The parts of a snapshot run: what one worker computes and stores at a time.

- "episodes": the children and episodes, and every figure of the episodes (children in care and served, entries
  and exits, per 1,000 youths, escalations, step-downs, moves, breakdowns, care days; stay durations and cohort
  outcomes);
- "declarations": the children and declarations, and every figure of the declarations (monthly cost and
  declared clients, the yearly cost table);
- one part per registered series provider (casework, foster care: apps that measure figures from their own
  tables register a provider in their AppConfig.ready, see monitoring.registry).

Each engine part reads its table once (reading the episodes twice costs more on two cores than it gains); on
the national data set the episodes part is the longest (~26 s on one core), the declarations part ~16 s, the
providers ~3 s each. Two workers take the two engine parts at once and the small parts go to whichever is free
first. A run on one process takes them one after the other.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from monitoring import registry
from monitoring.engine.frames import DECLARATION_FIGURES, EPISODE_FIGURES, Series, figure_series
from monitoring.engine.load import load_children, load_declarations, load_episodes

ENGINE_PARTS = ("episodes", "declarations")  # longest first


def names() -> list[str]:
    """Every part of a run, the big ones first."""
    return [*ENGINE_PARTS, *registry.SERIES_PROVIDERS]


def series(part: str, *, data_date: dt.date) -> Iterator[Series]:
    """The series of one part, computed over the data up to `data_date`."""
    if part == "episodes":
        yield from figure_series(lambda: load_episodes(data_date=data_date), EPISODE_FIGURES)
    elif part == "declarations":
        yield from figure_series(lambda: load_declarations(load_children(data_date=data_date)), DECLARATION_FIGURES)
    elif part in registry.SERIES_PROVIDERS:
        yield from registry.SERIES_PROVIDERS[part](data_date=data_date, region=registry.ALL_SCOPES)
    else:
        raise ValueError(f"unknown part of a run: {part}")
