"""The publication layer: every figure shown to someone without case access to the children behind it passes
here — pages, chart data, tiles, CSV/XLSX, the cost table, the PDF and targets. No view or template formats a
raw count of children itself.

The method (refines ../shared/design/metrics.md, "Small numbers"; why: see below)
-------------------------------------------------------------------------------
With k = settings.SUPPRESSION_K (5):

- A count of children (or of families, people) from 0 up to and including k is shown as "≤k"; a larger count is
  rounded UP to a multiple of k (6–10 → 10, 11–15 → 15). A published "10" therefore means 6 to 10 children,
  "≤5" means 0 to 5. Every published count is such a range; none is exact.
- Money, durations and other amounts computed from a count are hidden when that count is shown as "≤k".
- A rate of a count (per 1,000 young people) is computed from the published count, so that multiplying it back
  by the (public) population gives the published count, not the exact one.
- A share of a cohort (a of n) is shown only when both a and n − a exceed k: otherwise the share together with
  the cohort's published size would give a small a (or n − a) away.
- Users with case access to those very children (a wijkteam worker on their own municipality) see exact numbers
  on their own pages; every export and PDF is protected.

Why rounding up, and why 0 is hidden with 1–k: the old rule (exact counts, 1–4 shown as "<5", a second cell hidden
per table) could be undone by subtracting across the hierarchies a user sees (municipality → region → country,
care form → group → rung → all, age bands → all ages, months → quarter → year). Rounding makes every published
number a range, so a difference is a range too. Rounding *up*, with 0 inside the lowest range, makes the ranges
line up so that no single relation total = part₁ + … + partₙ, whatever n, can narrow a count of 1 to k to one
value: every upper bound is a multiple of k and every lower bound is 0 or one more than a multiple of k, so the
sum of the parts' upper bounds can never equal the total's lower bound, and where the parts' lower bounds meet
the total's upper bound they pin a part to 0 or to more than k — never to 1…k. (Rounding to the nearest multiple,
or showing 0 exactly, fails that test: four cells shown as "0" under a total shown as "10" must each be 2; five
cells known to be at least 1 under a total "≤5" must each be 1.) The test suite's attacker
(tests/system/test_disclosure_audit.py) tries every such difference on what a role can see.

Totals are therefore not the sum of their published parts (each is rounded from its own exact value); the pages
say so. Statistical offices do the same (CBS rounds youth-care counts to multiples of five).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core import formatting


def threshold() -> int:
    return int(getattr(settings, "SUPPRESSION_K", 5))


@dataclass(frozen=True)
class Cell:
    """A value ready to show. `value` is None when hidden (then `text` says why: "≤5"); a rounded count carries
    its rounded value and `rounded=True`."""

    value: float | None
    text: str
    suppressed: bool = False  # hidden: nothing of the value may be shown or drawn
    rounded: bool = False  # a published count: a range (value − k + 1 … value)

    def __str__(self) -> str:
        return self.text


NO_VALUE = Cell(None, "–")
HIDDEN_SECONDARY = "x"  # an amount hidden so that another hidden amount cannot be recalculated from a total


def label(k: int | None = None) -> str:
    return f"≤{threshold() if k is None else k}"


def is_hidden(count: float | None, k: int | None = None) -> bool:
    """A count shown as "≤k" (0 to k inclusive)."""
    k = threshold() if k is None else k
    return count is not None and round(count) <= k  # a modelled count (5.4) is published as the whole count it rounds to


def rounded(count: float, k: int | None = None) -> int:
    """A count above k rounded up to a multiple of k."""
    k = threshold() if k is None else k
    return -(-int(round(count)) // k) * k


def count(value: float | None, *, exact: bool = False, k: int | None = None) -> Cell:
    """A count of children (or families): exact for a user with case access, else "≤k" or rounded up to k's
    multiples. Pass `k` when making many cells: it saves a settings lookup per cell."""
    if value is None:
        return NO_VALUE
    if exact:
        return Cell(value, formatting.number(value))
    k = threshold() if k is None else k
    if is_hidden(value, k):
        return Cell(None, label(k), True)
    r = rounded(value, k)
    return Cell(r, formatting.number(r), rounded=True)


def count_text(value: float | None, *, exact: bool = False, k: int | None = None) -> str:
    return count(value, exact=exact, k=k).text


def dependent(value: float | None, base: float | None, *, exact: bool = False, fmt=None, k: int | None = None) -> Cell:
    """Money, a duration or another amount computed from a count of children: hidden when that count is shown as
    "≤k" (an unknown count counts as hidden)."""
    fmt = fmt or formatting.number
    if value is None:
        return NO_VALUE
    if exact:
        return Cell(value, fmt(value))
    if base is None or is_hidden(base, k):
        return Cell(None, label(k), True)
    return Cell(value, fmt(value))


def rate(value: float | None, base: float | None, *, exact: bool = False, fmt=None, k: int | None = None) -> Cell:
    """A rate of a count (per 1,000 young people): hidden with its count, else computed from the published count,
    so that the rate times the population gives back the published count and nothing more."""
    fmt = fmt or (lambda v: formatting.number(v, 1))
    cell = dependent(value, base, exact=exact, fmt=fmt, k=k)
    if exact or cell.value is None:
        return cell
    published = value * rounded(base, k) / base
    return Cell(published, fmt(published))


def share(value: float | None, *, n: float | None, exact: bool = False, fmt=None, k: int | None = None) -> Cell:
    """A share a/n of a cohort of n: shown only when a and n − a both exceed k. Without n (unknown cohort) hidden."""
    fmt = fmt or formatting.percent
    if value is None:
        return NO_VALUE
    if exact:
        return Cell(value, fmt(value))
    k = threshold() if k is None else k
    hidden = Cell(None, str(_("afgeschermd")), True)  # not "≤5": the share itself is no count
    if n is None or n <= 0:
        return hidden
    a = round(value * n)
    if a <= k or n - a <= k:
        return hidden
    return Cell(value, fmt(value))


def hide_amounts(hidden: list[bool], amounts: list[float | None]) -> list[bool]:
    """Secondary protection of amounts in one table whose last row is the total of the rows above it: when exactly
    one row's amount is hidden, the total would give it back, so the smallest other non-zero amount is hidden too
    (or, without one, the total). Returns the new mask."""
    mask = list(hidden)
    parts = range(len(mask) - 1)
    if sum(mask[i] for i in parts) == 1 and not mask[-1]:
        others = [i for i in parts if not mask[i] and (amounts[i] or 0) != 0]
        if others:
            mask[min(others, key=lambda i: abs(amounts[i] or 0))] = True
        elif (amounts[-1] or 0) != 0:
            mask[-1] = True
    return mask


def explanation(k: int | None = None) -> str:
    """The method in the user's language, for the definitions page, pages with protected figures and the PDF."""
    k = threshold() if k is None else k
    return str(_(
        "Aantallen kinderen worden naar boven afgerond op veelvouden van %(k)s: %(a)s tot en met %(b)s wordt %(b)s, "
        "%(c)s tot en met %(d)s wordt %(d)s. Van 0 tot en met %(k)s staat er ‘≤%(k)s’. Zo is elk getoond aantal een "
        "bandbreedte en is geen klein aantal terug te rekenen, ook niet door gemeenten, zorgvormen, leeftijdsgroepen "
        "of maanden van elkaar af te trekken. Een totaal is afgerond uit het eigen exacte aantal en is dus niet altijd "
        "de som van de getoonde delen. Bedragen en duur bij ‘≤%(k)s’ kinderen worden niet getoond; een aandeel alleen "
        "als zowel de kinderen met als zonder de uitkomst meer dan %(k)s zijn; een aantal per 1.000 jeugdigen is "
        "berekend uit het afgeronde aantal. Wie casustoegang heeft tot de kinderen (het wijkteam in de eigen gemeente), "
        "ziet op de eigen pagina's exacte aantallen."
    ) % {"k": k, "a": k + 1, "b": 2 * k, "c": 2 * k + 1, "d": 3 * k})
