"""Discounts kept as typed: a percentage stays a percentage; the staff and member discounts do not stack."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bakery.domain.basket import (
    BasketError,
    LineInput,
    discount_pence,
    explain_order_discount,
    order_discount,
    percent_of,
    price_basket,
)

PROPERTY = settings(database=None, max_examples=200, deadline=None)


def test_a_ten_percent_order_discount_stays_ten_percent_when_lines_are_added() -> None:
    one = [LineInput(250, 0, 1, 0)]
    three = [*one, LineInput(320, 0, 1, 2000), LineInput(180, 0, 2, 0)]
    assert order_discount(one, 0, 0, manual_bp=1000).amount == 25
    assert order_discount(three, 0, 0, manual_bp=1000).amount == 93  # 10 % of 930


def test_an_amount_stays_an_amount_but_never_more_than_the_price() -> None:
    assert discount_pence(1000, 0, 50) == 50
    assert discount_pence(30, 0, 50) == 30
    assert discount_pence(1015, 1000, 0) == 102


@pytest.mark.parametrize(("bp", "amount"), [(-1, 0), (10_001, 0), (0, -1), (True, 0)])
def test_a_discount_outside_its_range_is_refused(bp: int, amount: int) -> None:
    with pytest.raises(BasketError):
        discount_pence(1000, bp, amount)


def test_the_larger_of_staff_and_member_discount_applies_and_the_till_says_why() -> None:
    lines = [LineInput(1000, 0, 1, 0)]
    chosen = order_discount(lines, 0, 500, manual_bp=300)
    assert (chosen.amount, chosen.member, chosen.staff) == (50, True, 30)
    assert explain_order_discount(chosen, "Member 5%", "staff discount 3%") == (
        "Member 5% (staff discount 3% not applied: the larger applies)"
    )
    bigger_staff = order_discount(lines, 0, 500, manual_bp=1000)
    assert (bigger_staff.amount, bigger_staff.member) == (100, False)
    assert explain_order_discount(bigger_staff, "Member 5%", "staff discount 10%") == (
        "Staff discount 10% (member 5% not applied: the larger applies)"
    )


def test_a_single_discount_is_named_without_a_comparison() -> None:
    lines = [LineInput(1000, 0, 1, 0)]
    assert explain_order_discount(order_discount(lines, 0, 500), "Member 5%", "") == "Member 5%"
    alone = order_discount(lines, 0, 0, manual_bp=1000)
    assert (
        explain_order_discount(alone, "Member 0%", "end-of-day reduction 10%") == "End-of-day reduction 10%"
    )
    assert explain_order_discount(order_discount(lines, 0, 0), "Member", "staff") == ""


@PROPERTY
@given(
    prices=st.lists(st.integers(0, 5000), min_size=1, max_size=6),
    extra=st.lists(st.integers(0, 5000), max_size=6),
    staff_bp=st.integers(0, 10_000),
    member_bp=st.integers(0, 10_000),
)
def test_percentages_are_of_the_current_order_and_never_stack(
    prices: list[int], extra: list[int], staff_bp: int, member_bp: int
) -> None:
    for order in (prices, prices + extra):
        lines = [LineInput(p, 0, 1, 2000) for p in order]
        chosen = order_discount(lines, 0, member_bp, manual_bp=staff_bp)
        staff, member = percent_of(sum(order), staff_bp), percent_of(sum(order), member_bp)
        assert chosen.amount == max(staff, member)
        assert chosen.member == (member > 0 and member >= staff)
        assert price_basket(lines, chosen.amount).total == sum(order) - chosen.amount >= 0
