"""Rules that apps above placements add to starting an episode, registered in their AppConfig.ready so that
placements (the base of the domain) imports none of them. Casework adds one: a residential or closed placement
needs a completed checklist (casework.apps)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class EpisodeStartRule:
    #: (child) -> what the rule needs of the child before a start (e.g. its open checklist), or None
    prerequisite: Callable
    #: (child, care_form, start_date, checklist, allow_without_checklist) -> None; raises ValidationError
    check: Callable
    #: (checklist, episode) -> None: after the episode exists, with what `check` accepted (may be None)
    attach: Callable


RULES: list[EpisodeStartRule] = []


def register_episode_start_rule(rule: EpisodeStartRule) -> None:
    if rule not in RULES:
        RULES.append(rule)


def episode_start_prerequisite(*, child):
    """The first thing a registered rule needs of this child before a start (e.g. a checklist), or None."""
    for rule in RULES:
        found = rule.prerequisite(child=child)
        if found is not None:
            return found
    return None
