"""The publication layer (core.publication): every count a viewer without case access sees is a range, and no
relation total = sum of parts, of any size, narrows a count of 1..k−1 down to one value."""
from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from core import publication
from tests.system.attacker import given_away


def test_it_shows_zero_to_five_as_at_most_five_and_rounds_larger_counts_up_to_fives():
    texts = [publication.count(v).text for v in (0, 1, 4, 5, 6, 10, 11, 1234)]
    assert texts == ["≤5", "≤5", "≤5", "≤5", "10", "10", "15", "1.235"]
    assert publication.count(7).value == 10 and publication.count(7).rounded
    assert publication.count(3).suppressed and publication.count(3).value is None
    assert publication.count(None).text == "–"


def test_a_modelled_count_is_published_as_the_whole_count_it_rounds_to():
    """A forecast's mean stock (5.38 children) is no integer: 5.38 rounds to 5, so it is "≤5" — never a "5" that the
    published ranges (≤5, 10, 15, …) do not have."""
    assert [publication.count(v).text for v in (5.38, 5.5, 9.6, 10.4)] == ["≤5", "10", "10", "10"]
    assert publication.is_hidden(5.38) and not publication.is_hidden(5.6)


def test_a_viewer_with_case_access_sees_the_exact_count():
    assert publication.count(3, exact=True).text == "3"
    assert publication.count(1234, exact=True).text == "1.234"


def test_the_threshold_is_the_rounding_base(settings):
    settings.SUPPRESSION_K = 10
    assert [publication.count(v).text for v in (10, 11, 20, 21)] == ["≤10", "20", "20", "30"]


def test_money_of_five_or_fewer_children_is_hidden_with_them():
    assert publication.dependent(7250.5, 5).suppressed
    assert publication.dependent(7250.5, None).suppressed  # an unknown count protects like a small one
    assert publication.dependent(7250.5, 6).value == 7250.5


def test_a_rate_is_computed_from_the_published_count():
    # 7 children of 1,400 young people: 5.0 per 1,000 exactly; published count 10 → 7.1 per 1,000 (10 / 1,400)
    cell = publication.rate(5.0, 7)
    assert cell.text == "7,1" and round(cell.value * 1.4) == 10
    assert publication.rate(2.1, 3).suppressed


def test_a_share_is_shown_only_when_both_sides_exceed_k():
    assert publication.share(0.5, n=12).text == "50%"  # 6 with, 6 without
    assert publication.share(1 / 7, n=7).suppressed  # 1 of 7 would be given away by 14% and a cohort of "10"
    assert publication.share(0.9, n=30).suppressed  # 3 without the outcome
    assert publication.share(0.5, n=None).suppressed


def test_it_hides_a_second_amount_when_a_total_would_give_one_back():
    # rows: 40 k€, 12 k€, hidden, 9 k€, total; the smallest other amount (9 k€) is hidden too
    assert publication.hide_amounts([False, False, True, False, False], [40, 12, 3, 9, 64]) == [False, False, True, True, False]
    assert publication.hide_amounts([True, False, False], [2, 0, 2]) == [True, False, True]  # falls back to the total
    assert publication.hide_amounts([True, True, False, False], [3, 2, 50, 55]) == [True, True, False, False]


def _publish(values: list[int], *, method: str) -> list[str]:
    if method == "rounded":
        return [publication.count(v).text for v in values]
    return ["<5" if 1 <= v <= 4 else str(v) for v in values]  # the old primary rule


@settings(max_examples=400, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=14), min_size=1, max_size=9))
def test_no_sum_of_any_size_pins_a_small_count(parts):
    """Any table total = part₁ + … + partₙ, published by the layer: the attacker pins no count of 1–4."""
    total = sum(parts)
    keys = [("part", i) for i in range(len(parts))] + [("total",)]
    values = [*parts, total]
    published = dict(zip(keys, _publish(values, method="rounded"), strict=True))
    truth = dict(zip(keys, values, strict=True))
    assert given_away(published, truth, [(("total",), keys[:-1])], k=5, method="rounded") == {}


def test_every_small_table_is_safe_exhaustively():
    """All tables of up to 5 parts with parts 0..7: none gives a count of 1–4 away (the proof in core.publication)."""
    for n in range(1, 6):
        for parts in itertools.product(range(8), repeat=n):
            keys = [("p", i) for i in range(n)] + [("t",)]
            values = [*parts, sum(parts)]
            published = dict(zip(keys, _publish(values, method="rounded"), strict=True))
            assert not given_away(published, dict(zip(keys, values, strict=True)), [(("t",), keys[:-1])], k=5, method="rounded"), parts


def test_the_attacker_undoes_the_old_rule_and_nearest_rounding():
    """The audit can fail: under the old rule a rung of 6 with forms 5 and <5 gives 1 away; nearest rounding gives
    four cells of 2 under a total of 8 away."""
    keys = [("f1",), ("f2",), ("rung",)]
    old = dict(zip(keys, _publish([5, 1, 6], method="old"), strict=True))
    assert given_away(old, {("f1",): 5, ("f2",): 1, ("rung",): 6}, [(("rung",), keys[:2])], k=5, method="old") == {("f2",): 1}
    parts = [("m", i) for i in range(4)]
    nearest = {**{p: "0" for p in parts}, ("region",): "10"}  # 2, 2, 2, 2 → 8, rounded to the nearest five
    truth = {**{p: 2 for p in parts}, ("region",): 8}
    ranges_as_nearest = {key: (max(0, float(t) - 2), float(t) + 2) for key, t in nearest.items()}
    from tests.system.attacker import narrow
    narrowed = narrow({k: list(v) for k, v in ranges_as_nearest.items()}, [(("region",), parts)])
    assert all(narrowed[p] == [2, 2] for p in parts) and truth[("m", 0)] == 2
