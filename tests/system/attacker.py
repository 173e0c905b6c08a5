"""An attacker who knows how figures are published and subtracts along every hierarchy.

What a role without case access sees is a set of published values, each keyed (scope, group, band, metric,
period). The attacker turns each into the range of exact values it can stand for — under the current method
(core.publication: "≤k" is 0..k, a number r is r−k+1..r) or under the old one ("<k" is 1..k−1, "x" anything,
a number is exact) — and narrows the ranges with every relation total = part₁ + … + partₙ it knows (municipalities
→ region, care forms → rung / group, age bands → all ages, months → quarter, rows → total), repeating until nothing
changes. A value is given away when its range shrinks to one value from 1 to k−1 and that is the true value.
"""
from __future__ import annotations

import math
from collections.abc import Iterable

Key = tuple


def parse_number(text: str) -> float | None:
    try:
        return float(text.replace(".", "").replace(",", "."))
    except (AttributeError, ValueError):
        return None


def published_range(text, *, k: int, method: str) -> tuple[float, float] | None:
    """The exact values a published text can stand for; None when it says nothing (a dash, a missing value)."""
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        text = str(text).strip()
        if text == f"≤{k}":
            return (0, k)
        if text == f"<{k}":
            return (1, k - 1)
        if text == "x":
            return (0, math.inf)
        value = parse_number(text)
        if value is None:
            return None
    if method == "rounded":
        return (max(0, value - k + 1), value)
    return (value, value)


def narrow(ranges: dict[Key, list[float]], relations: Iterable[tuple[Key, list[Key]]], *, rounds: int = 50) -> dict[Key, list[float]]:
    """Interval propagation over total = sum(parts) until a fixed point (or `rounds`). Ranges are integer-valued."""
    relations = [(t, ps) for t, ps in relations if t in ranges and ps and all(p in ranges for p in ps)]
    for _round in range(rounds):
        changed = False
        for total, parts in relations:
            lo_sum = sum(ranges[p][0] for p in parts)
            hi_sum = sum(ranges[p][1] for p in parts)
            t = ranges[total]
            new_t = [max(t[0], lo_sum), min(t[1], hi_sum)]
            if new_t != t and new_t[0] <= new_t[1]:
                ranges[total] = new_t
                changed = True
            t = ranges[total]
            for p in parts:
                r = ranges[p]
                others_lo = lo_sum - r[0]
                others_hi = hi_sum - r[1]
                new = [max(r[0], t[0] - others_hi), min(r[1], t[1] - others_lo)]
                if new != r and new[0] <= new[1]:
                    ranges[p] = new
                    lo_sum += new[0] - r[0]
                    hi_sum += new[1] - r[1]
                    changed = True
        if not changed:
            break
    return ranges


def differences(ranges: dict[Key, list[float]], relations: Iterable[tuple[Key, list[Key]]]) -> dict[Key, list[float]]:
    """Every difference on its own: each relation narrows its total and parts from the published ranges only, and
    what each relation concludes about a value is intersected (no conclusion feeds another relation)."""
    out = {key: list(r) for key, r in ranges.items()}
    for total, parts in relations:
        if total not in ranges or not parts or any(p not in ranges for p in parts):
            continue
        lo_sum = sum(ranges[p][0] for p in parts)
        hi_sum = sum(ranges[p][1] for p in parts)
        t = ranges[total]
        out[total] = [max(out[total][0], lo_sum), min(out[total][1], hi_sum)]
        for p in parts:
            r = ranges[p]
            out[p] = [max(out[p][0], t[0] - (hi_sum - r[1])), min(out[p][1], t[1] - (lo_sum - r[0]))]
    return out


def given_away(published: dict[Key, object], truth: dict[Key, float], relations, *, k: int, method: str, rounds: int = 50,
               chained: bool = True) -> dict[Key, float]:
    """Every key whose true value (1..k−1) the attacker pins down from the published values: by every difference
    on its own (`chained=False`) or by chaining the relations to a fixed point."""
    ranges = {}
    for key, text in published.items():
        r = published_range(text, k=k, method=method)
        if r is not None:
            ranges[key] = list(r)
    if chained:
        narrow(ranges, relations, rounds=rounds)
    else:
        ranges = differences(ranges, relations)
    out = {}
    for key, (lo, hi) in ranges.items():
        true = truth.get(key)
        if lo == hi and true is not None and 1 <= true <= k - 1 and lo == true:
            out[key] = true
    return out
