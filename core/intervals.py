"""95% intervals for shares of small cohorts (Wilson score) and their texts, so that a reader does not take noise
for a trend. Pure numpy/math: no statistics package is needed for these two formulas.

Wilson score interval (Wilson 1927; recommended over the "± 1.96·√(p̂(1−p̂)/n)" Wald interval by Brown, Cai &
DasGupta, "Interval estimation for a binomial proportion", Statistical Science 16(2), 2001): for a successes out
of n, p̂ = a/n and z the standard normal quantile (1.959964 for 95%),

    centre = (p̂ + z²/(2n)) / (1 + z²/n)
    half   = z / (1 + z²/n) · √( p̂(1 − p̂)/n + z²/(4n²) )
    interval = [centre − half, centre + half]

It stays inside [0, 1], is not empty at p̂ = 0 or 1 (0/5 → 0–0.434), and is what R's `prop.test(correct=FALSE)`
and statsmodels' `proportion_confint(method="wilson")` report.

The Kaplan–Meier counterpart (Brookmeyer–Crowley with the log-log Greenwood variance) lives in the engine next
to the estimate: monitoring.engine.cohorts.kaplan_meier_quantiles.
"""
from __future__ import annotations

import numpy as np
from django.utils.translation import gettext as _

from . import formatting

#: the standard normal 97.5% quantile: a two-sided 95% interval
Z95 = 1.959963984540054


def wilson(successes, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bound of the Wilson score interval for `successes` of `n` (scalars or arrays, vectorised).
    n <= 0 gives NaN for both bounds."""
    a = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = a / n
        z2n = z * z / n
        centre = (p + z2n / 2) / (1 + z2n)
        half = z / (1 + z2n) * np.sqrt(p * (1 - p) / n + z2n / (4 * n))
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    bad = ~(n > 0)
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def wilson_share(share: float | None, n: float | None, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson interval of a stored share of a cohort of n (the number of successes is share·n, rounded: the
    stored share has six decimals). None when the share or n is unknown or n < 1."""
    if share is None or n is None or n < 1:
        return None
    a = round(float(share) * float(n))
    low, high = wilson(a, n, z)
    return float(low), float(high)


def share_interval_text(share: float | None, n: float | None, *, n_text: str | None = None) -> str:
    """"95%-interval 30–55%, n = 24" (Dutch numbers) for a share of a cohort of n; `n_text` is how n may be shown
    to this reader (a published, rounded count); "" when there is no interval. Never call it for a hidden share."""
    bounds = wilson_share(share, n)
    if bounds is None:
        return ""
    low, high = bounds
    return _("95%%-interval %(low)s–%(high)s, n = %(n)s") % {
        "low": formatting.number(100 * low), "high": formatting.percent(high), "n": n_text or formatting.number(n)}


def days_interval_text(low: float | None, high: float | None) -> str:
    """"95%-interval 120–310 dagen" for a Kaplan–Meier quantile; an upper bound the curve has not reached yet
    is open ("vanaf 120 dagen"); "" without a lower bound. Never call it for a hidden value."""
    if low is None or (isinstance(low, float) and np.isnan(low)):
        return ""
    if high is None or (isinstance(high, float) and np.isnan(high)):
        return _("95%%-interval vanaf %(low)s dagen (bovengrens nog onbepaald)") % {"low": formatting.number(low)}
    return _("95%%-interval %(low)s–%(high)s dagen") % {"low": formatting.number(low), "high": formatting.number(high)}


def explanation() -> str:
    """What the intervals mean and how they are computed, for the definitions page and the PDF appendix."""
    return str(_(
        "Bij aandelen (zoals ‘binnen 12 maanden thuis’, ‘uitval’ of ‘voorkomen na 6 maanden’) en bij de verblijfsduur "
        "(mediaan en kwartielen) staat een 95%%-interval. Het geeft aan hoe groot het toeval is: bij een kleine groep "
        "kinderen kan een aandeel van kwartaal op kwartaal flink verschuiven zonder dat er iets veranderd is. Liggen de "
        "intervallen van twee perioden grotendeels over elkaar heen, lees het verschil dan niet als een trend. "
        "Voor aandelen is het Wilson-score-interval gebruikt (Wilson 1927; Brown, Cai en DasGupta 2001), met n het "
        "aantal kinderen of trajecten in de noemer. Voor de verblijfsduur is het interval van Brookmeyer en Crowley "
        "(1982) gebruikt, met de Greenwood-variantie op log(−log)-schaal, zoals statistiekpakketten voor "
        "overlevingsanalyse (lifelines, R survival) dat doen; een bovengrens die de curve nog niet heeft bereikt, "
        "blijft open. Is een cijfer afgeschermd, dan zijn het interval en n dat ook."
    ) % {})


def published_share(value: float | None, n: float | None, *, exact: bool = False, k: int | None = None):
    """(cell, interval text) of a share of a cohort of n as published to this viewer. With n known the share passes
    core.publication.share (hidden unless both parts exceed k) and, when shown, carries its Wilson interval with n
    as a published count (the interval from the published range's smallest n); a hidden share has no interval. Without n (a run from before the denominators were
    stored) the share is shown as such runs showed it, without an interval."""
    from . import publication

    if value is None:
        return publication.NO_VALUE, ""
    if n is None:
        return publication.Cell(value, formatting.percent(value)), ""
    cell = publication.share(value, n=n, exact=exact, k=k)
    if cell.suppressed or cell.value is None:
        return cell, ""
    # Without case access the interval is computed from the smallest n the published count stands for (a "15" is
    # 11–15): a little wider, and no exact n to work back from the bounds (which the exact n would give away).
    n_for = n if exact else max(1, publication.rounded(n, k) - (k or publication.threshold()) + 1)
    return cell, share_interval_text(value, n_for, n_text=publication.count(n, exact=exact, k=k).text)
