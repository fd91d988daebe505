"""Ordering back up to par, in whole purchase units."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bakery.domain.ordering import Order, order_for, shortfall


def test_the_shortfall_is_par_less_on_hand_and_nothing_at_or_above_par():
    assert shortfall(5_000, 32_000) == 27_000
    assert shortfall(32_000, 32_000) == 0
    assert shortfall(40_000, 32_000) == 0
    assert shortfall(-200, 1_000) == 1_200
    assert shortfall(0, 0) == 0  # no par set: nothing to order


def test_an_order_is_rounded_up_to_whole_purchase_units():
    assert order_for(27_000, [("16 kg sack", 16_000)]) == Order("16 kg sack", 16_000, 2, 32_000)
    assert order_for(16_000, [("16 kg sack", 16_000)]) == Order("16 kg sack", 16_000, 1, 16_000)
    assert order_for(500, [("16 kg sack", 16_000)]) == Order("16 kg sack", 16_000, 1, 16_000)


def test_the_largest_unit_that_fits_is_chosen_or_else_the_smallest():
    units = [("1.5 kg bag", 1_500), ("16 kg sack", 16_000)]
    assert order_for(20_000, units).unit == "16 kg sack"
    assert order_for(3_000, units) == Order("1.5 kg bag", 1_500, 2, 3_000)
    assert order_for(1_000, units).unit == "1.5 kg bag"


def test_without_purchase_units_the_base_units_needed_are_ordered():
    assert order_for(750, []) == Order("", 1, 750, 750)
    assert order_for(0, [("case", 12)]) == Order("", 1, 0, 0)


@given(
    need=st.integers(min_value=1, max_value=10**8),
    units=st.lists(st.tuples(st.text(max_size=5), st.integers(min_value=1, max_value=10**6)), max_size=4),
)
def test_an_order_always_covers_the_need_by_less_than_one_unit(need, units):
    order = order_for(need, units)
    assert order.base_qty == order.units * order.unit_size
    assert need <= order.base_qty < need + order.unit_size
