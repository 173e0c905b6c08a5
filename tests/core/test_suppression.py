from core.suppression import suppress_dependent, suppress_table, suppress_value


def test_it_hides_counts_from_one_to_four_and_shows_zero_and_five():
    assert suppress_value(0).text == "0"
    assert suppress_value(1).text == "<5"
    assert suppress_value(4).suppressed
    assert suppress_value(5).text == "5"
    assert suppress_value(1234).text == "1.234"
    assert suppress_value(3, counts_children=False).text == "3"  # days, money: not children


def test_money_from_a_suppressed_count_is_suppressed_too():
    assert suppress_dependent(7250.5, 3).suppressed
    assert not suppress_dependent(7250.5, 12).suppressed


def test_a_single_hidden_cell_in_a_column_with_a_total_hides_a_second_one():
    # municipalities × (stock), total row: Renswoude 3 would be recalculable from the total
    rows = [[40], [12], [3], [9], [64]]
    mask = suppress_table(rows)
    assert mask == [[False], [False], [True], [True], [False]]  # the next smallest (9) is hidden too


def test_secondary_suppression_falls_back_to_the_total():
    rows = [[2], [0], [2]]
    assert suppress_table(rows) == [[True], [False], [True]]


def test_two_hidden_cells_need_no_more():
    rows = [[3], [2], [50], [55]]
    assert suppress_table(rows) == [[True], [True], [False], [False]]
