"""Stock quantities in base units, purchase units, and what stock costs (weighted average)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bakery.domain.stock import (
    MAX_BASE_QTY,
    MICRO,
    QuantityError,
    describe_quantity,
    describe_unit_cost,
    parse_quantity,
    unit_cost_of,
    value_pence,
    weighted_average_cost,
)


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("250", "g", 250),
        ("1.5 kg", "g", 1500),
        ("16kg", "g", 16000),
        ("0.001 kg", "g", 1),
        ("2 l", "ml", 2000),
        ("330 ml", "ml", 330),
        ("12", "each", 12),
        ("12 each", "each", 12),
        (" 3.250 KG ", "g", 3250),
    ],
)
def test_quantities_are_read_into_whole_base_units(text, unit, expected):
    assert parse_quantity(text, unit) == expected


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("0.5", "g", "whole number of grams"),
        ("0.0005 kg", "g", "whole number"),
        ("2 l", "g", "counted in grams"),
        ("1 kg", "each", "counted in each"),
        ("-3", "g", "Enter a quantity"),
        ("1,5 kg", "g", "Enter a quantity"),
        ("", "g", "Enter a quantity"),
        ("0", "g", "more than zero"),
        ("١٢", "each", "Enter a quantity"),
        (f"{MAX_BASE_QTY + 1}", "g", "more than any one line"),
    ],
)
def test_quantities_that_are_not_whole_base_units_of_this_kind_are_refused(text, unit, message):
    with pytest.raises(QuantityError, match=message):
        parse_quantity(text, unit)


def test_zero_is_allowed_only_where_asked_for_a_count():
    assert parse_quantity("0", "each", allow_zero=True) == 0


@pytest.mark.parametrize(
    ("amount", "unit", "text"),
    [
        (16000, "g", "16 kg"),
        (1500, "ml", "1.5 l"),
        (250, "g", "250 g"),
        (12, "each", "12 each"),
        (-2500, "g", "-2.5 kg"),
    ],
)
def test_quantities_read_as_a_person_writes_them(amount, unit, text):
    assert describe_quantity(amount, unit) == text


@given(st.integers(1, 10_000_000), st.sampled_from(["g", "ml", "each"]))
def test_a_described_quantity_reads_back_as_itself(amount, unit):
    assert parse_quantity(describe_quantity(amount, unit), unit) == amount


def test_a_sack_of_flour_costs_fractions_of_a_penny_per_gram_and_whole_pence_in_total():
    cost = unit_cost_of(1237, 16000)  # £12.37 for 16 kg
    assert cost == 77_313  # 0.0773125p a gram, to a millionth of a penny
    assert value_pence(16000, cost) == 1237
    assert value_pence(900, cost) == 70  # 69.58p, half up
    assert value_pence(-900, cost) == -70
    assert describe_unit_cost(cost, "g") == "£0.77/kg"
    assert describe_unit_cost(unit_cost_of(600, 12), "each") == "£0.50 each"


def test_the_average_cost_is_weighted_by_quantity():
    first = unit_cost_of(1000, 10_000)  # 0.1p/g
    after = weighted_average_cost(10_000, first, 10_000, 2000)  # 10 kg more at 0.2p/g
    assert after == 150_000  # 0.15p/g


def test_stock_at_or_below_zero_carries_no_value_forward():
    assert weighted_average_cost(0, 999_999, 1000, 500) == unit_cost_of(500, 1000)
    assert weighted_average_cost(-200, 999_999, 1000, 500) == unit_cost_of(500, 1000)


def test_a_correction_that_leaves_nothing_or_less_than_nothing_keeps_the_cost():
    assert weighted_average_cost(1000, 50_000, -1000, -50) == 50_000
    assert weighted_average_cost(1000, 50_000, -200, -5_000) == 50_000  # value would go below zero


def test_a_price_correction_moves_the_average():
    assert weighted_average_cost(1000, 100_000, 0, 100) == 200_000  # £1 more for the same 1000 g


@given(st.integers(1, 10**6), st.integers(0, 10 * MICRO), st.integers(1, 10**6), st.integers(0, 10**6))
def test_the_average_lies_between_the_old_cost_and_the_new_one(on_hand, cost, added, total):
    new = unit_cost_of(total, added)
    after = weighted_average_cost(on_hand, cost, added, total)
    assert min(cost, new) - 1 <= after <= max(cost, new) + 1
