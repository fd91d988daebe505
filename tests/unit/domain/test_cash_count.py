"""Counting the drawer by denomination: exact pence, and slips refused rather than guessed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bakery.domain.cash_count import DENOMINATIONS, MAX_PIECES, CashCountError, count_total

PROPERTY = settings(database=None, max_examples=300)
VALUES = [d.value for d in DENOMINATIONS]
counts_strategy = st.dictionaries(st.sampled_from(VALUES), st.integers(0, MAX_PIECES))


def test_the_denominations_are_sterling_notes_and_coins_largest_first() -> None:
    assert VALUES == [5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1]
    assert [d.label for d in DENOMINATIONS if d.note] == ["£50", "£20", "£10", "£5"]
    assert DENOMINATIONS[-1].label == "1p"


def test_a_drawer_is_the_sum_of_count_times_value() -> None:
    # two £20, three £5, seven £1, four 50p, nine 1p = 40 + 15 + 7 + 2 + 0.09
    assert count_total({2000: 2, 500: 3, 100: 7, 50: 4, 1: 9}) == 6409


def test_an_empty_count_is_nothing_and_missing_denominations_count_as_none() -> None:
    assert count_total({}) == 0
    assert count_total({5000: 0, 1: 0}) == 0


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(CashCountError, match="cannot be negative"):
        count_total({100: 3, 20: -1})


def test_an_absurd_count_is_refused() -> None:
    assert count_total({1: MAX_PIECES}) == MAX_PIECES
    with pytest.raises(CashCountError, match="more than a drawer holds"):
        count_total({1: MAX_PIECES + 1})


def test_an_unknown_denomination_is_refused() -> None:
    with pytest.raises(CashCountError, match="no 300 note or coin"):
        count_total({300: 1})


@pytest.mark.parametrize("pieces", [1.5, True, "3"])
def test_a_count_that_is_not_a_whole_number_is_refused(pieces: object) -> None:
    with pytest.raises(CashCountError, match="whole number"):
        count_total({100: pieces})  # type: ignore[dict-item]


@PROPERTY
@given(counts_strategy)
def test_the_total_is_exact_and_never_negative(counts: dict[int, int]) -> None:
    total = count_total(counts)
    assert isinstance(total, int) and total >= 0
    assert total == sum(value * pieces for value, pieces in counts.items())


@PROPERTY
@given(counts_strategy, counts_strategy)
def test_counting_two_bags_separately_adds_up_to_counting_them_together(
    first: dict[int, int], second: dict[int, int]
) -> None:
    together = {v: first.get(v, 0) + second.get(v, 0) for v in VALUES}
    if max(together.values()) <= MAX_PIECES:
        assert count_total(together) == count_total(first) + count_total(second)
