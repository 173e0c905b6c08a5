"""Wilson score intervals and their Dutch texts (core.intervals), against values worked out by hand.

With z = 1.959964 (z² = 3.841459):
- 3 of 10: p̂ = 0.3, z²/n = 0.384146; centre = (0.3 + 0.192073) / 1.384146 = 0.355506;
  half = 1.959964 / 1.384146 · √(0.021 + 0.384146 / 40) = 1.416009 · 0.174939 = 0.247716 → 0.107790–0.603222.
- 0 of 5: z²/n = 0.768292; centre = 0.384146 / 1.768292 = 0.217242; half = 1.959964 / 1.768292 ·
  √(0 + 0.768292 / 20) = 1.108393 · 0.195997 = 0.217242 → 0–0.434484.
- 10 of 10: centre = (1 + 0.192073) / 1.384146 = 0.861234 = half → 0.722468–1 (mirror of 0 of 10).
"""
from __future__ import annotations

import numpy as np
import pytest

from core import intervals


@pytest.mark.parametrize(("a", "n", "low", "high"), [
    (3, 10, 0.107790, 0.603222),
    (0, 5, 0.0, 0.434484),
    (10, 10, 0.722468, 1.0),
    (5, 5, 0.565516, 1.0),
])
def test_wilson_matches_the_hand_computed_bounds(a, n, low, high):
    lo, hi = intervals.wilson(a, n)
    assert float(lo) == pytest.approx(low, abs=2e-6)
    assert float(hi) == pytest.approx(high, abs=2e-6)


def test_wilson_is_vectorised_and_gives_nan_without_a_cohort():
    lo, hi = intervals.wilson(np.array([3, 0, 1]), np.array([10, 5, 0]))
    assert lo[0] == pytest.approx(0.107790, abs=2e-6) and hi[1] == pytest.approx(0.434484, abs=2e-6)
    assert np.isnan(lo[2]) and np.isnan(hi[2])


def test_a_stored_share_is_turned_back_into_successes():
    # a stored share has six decimals: 1/3 of 24 is 0.333333 → 8 of 24
    assert intervals.wilson_share(0.333333, 24) == pytest.approx(tuple(float(x) for x in intervals.wilson(8, 24)))
    assert intervals.wilson_share(None, 24) is None and intervals.wilson_share(0.5, None) is None and intervals.wilson_share(0.5, 0) is None


def test_the_texts_use_dutch_numbers():
    assert intervals.share_interval_text(0.3, 10) == "95%-interval 11–60%, n = 10"
    assert intervals.share_interval_text(0.3, 10, n_text="≤5") == "95%-interval 11–60%, n = ≤5"
    assert intervals.share_interval_text(0.5, 2400) == "95%-interval 48–52%, n = 2.400"
    assert intervals.share_interval_text(None, 10) == ""
    assert intervals.days_interval_text(5.0, 1400.0) == "95%-interval 5–1.400 dagen"
    assert intervals.days_interval_text(120.0, float("nan")) == "95%-interval vanaf 120 dagen (bovengrens nog onbepaald)"
    assert intervals.days_interval_text(None, 12.0) == ""


def test_the_explanation_names_both_methods():
    text = intervals.explanation()
    assert "Wilson" in text and "Brookmeyer" in text and "Greenwood" in text and "95%-interval" in text


def test_a_published_share_takes_its_interval_from_the_smallest_n_of_the_published_count():
    """12 of 24 (50%): n is published as 25 (21–25); the interval is Wilson's for 21 (10.5 → 10 or 11 of 21), wider
    than the exact n's 31–69%, so the bounds do not give the exact 24 back. With case access: the exact n."""
    cell, text = intervals.published_share(0.5, 24)
    assert cell.text == "50%" and text.endswith("n = 25")
    low, high = intervals.wilson(round(0.5 * 21), 21)
    assert text == f"95%-interval {round(100 * float(low))}–{round(100 * float(high))}%, n = 25"
    exact_cell, exact_text = intervals.published_share(0.5, 24, exact=True)
    assert exact_text == "95%-interval 31–69%, n = 24"
