"""Small-number suppression (metrics.md, "Small numbers").

A count of distinct children from 1 up to k-1 is shown as "<k" to anyone without case access to those
children, and in every export and PDF. Where one cell of a row or column is suppressed and the total is
shown, a second cell is suppressed too, so that no suppressed value can be recalculated. Money and shares
computed from suppressed counts are suppressed with them.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


def threshold() -> int:
    return int(getattr(settings, "SUPPRESSION_K", 5))


@dataclass(frozen=True)
class Cell:
    """A value ready to show: `value` is None when suppressed (then `text` is "<k")."""

    value: float | None
    text: str
    suppressed: bool = False

    def __str__(self) -> str:
        return self.text


def is_small(count: float | None, k: int | None = None) -> bool:
    k = threshold() if k is None else k
    return count is not None and 0 < count < k


def label(k: int | None = None) -> str:
    return f"<{threshold() if k is None else k}"


def suppress_value(count: float | None, *, counts_children: bool = True, k: int | None = None) -> Cell:
    """Primary suppression of one value."""
    if count is None:
        return Cell(None, "–")
    if counts_children and is_small(count, k):
        return Cell(None, label(k), True)
    return Cell(count, _fmt(count))


def suppress_dependent(value: float | None, base_count: float | None, *, k: int | None = None, fmt=None) -> Cell:
    """Money or a share computed from a count of children: suppressed when that count is."""
    if value is None:
        return Cell(None, "–")
    if is_small(base_count, k):
        return Cell(None, label(k), True)
    return Cell(value, (fmt or _fmt)(value))


def suppress_table(rows: list[list[float | None]], *, total_row: bool = True, total_col: bool = False, k: int | None = None) -> list[list[bool]]:
    """Which cells of a table of child counts to hide. The last row is the total row when `total_row`
    (and the last column the total column when `total_col`). Primary: 1..k-1. Secondary: in every row or
    column that has exactly one hidden cell among its parts, hide the smallest other non-zero part too
    (or the total when no other part exists). Repeats until stable. Returns a mask of the same shape."""
    k = threshold() if k is None else k
    n_rows = len(rows)
    n_cols = len(rows[0]) if rows else 0
    hidden = [[is_small(v, k) for v in row] for row in rows]
    part_rows = range(n_rows - 1) if total_row else range(n_rows)
    part_cols = range(n_cols - 1) if total_col else range(n_cols)

    def fix(line: list[tuple[int, int]], total: tuple[int, int] | None) -> bool:
        changed = False
        marked = [p for p in line if hidden[p[0]][p[1]]]
        if len(marked) == 1 and (total is None or not hidden[total[0]][total[1]]):
            others = [p for p in line if not hidden[p[0]][p[1]] and (rows[p[0]][p[1]] or 0) > 0]
            if others:
                r, c = min(others, key=lambda p: rows[p[0]][p[1]])
                hidden[r][c] = True
                changed = True
            elif total is not None and (rows[total[0]][total[1]] or 0) > 0:
                hidden[total[0]][total[1]] = True
                changed = True
        return changed

    changed = True
    while changed:
        changed = False
        if total_row:  # each column: parts are the rows above the total row
            for c in range(n_cols):
                changed |= fix([(r, c) for r in part_rows], (n_rows - 1, c))
        if total_col:
            for r in range(n_rows):
                changed |= fix([(r, c) for c in part_cols], (r, n_cols - 1))
    return hidden


def _fmt(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")
