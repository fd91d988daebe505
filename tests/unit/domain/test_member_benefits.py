"""A member's class discount on the order (never stacked with a manual one) and store credit as tender."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bakery.domain.basket import BasketError, LineInput, OrderDiscount, order_discount, price_basket
from bakery.domain.tender import TenderError, check_credit, check_tender

PROPERTY = settings(database=None, max_examples=200, deadline=None)

CROISSANT = LineInput(250, 0, 1, 0)
LATTE = LineInput(320, 40, 1, 2000)


def _pick(chosen: OrderDiscount) -> tuple[int, bool]:
    return chosen.amount, chosen.member


def test_the_member_discount_is_a_percentage_of_the_order_after_line_discounts() -> None:
    lines = [CROISSANT, LineInput(320, 40, 2, 2000, line_discount=20)]  # 250 + 720 - 20 = 950
    assert _pick(order_discount(lines, 0, 1000)) == (95, True)


def test_the_member_discount_rounds_half_up_to_the_penny() -> None:
    assert order_discount([LineInput(125, 0, 1, 0)], 0, 1000).amount == 13  # 12.5p


def test_a_larger_manual_discount_replaces_the_member_discount_rather_than_adding_to_it() -> None:
    lines = [CROISSANT, LATTE]  # 610; 10 % is 61
    assert _pick(order_discount(lines, 60, 1000)) == (61, True)
    assert _pick(order_discount(lines, 61, 1000)) == (61, True)  # a tie: the member's
    assert _pick(order_discount(lines, 100, 1000)) == (100, False)


def test_without_a_member_discount_the_manual_discount_stands() -> None:
    assert _pick(order_discount([CROISSANT], 30, 0)) == (30, False)
    assert _pick(order_discount([CROISSANT], 0, 0)) == (0, False)
    assert _pick(order_discount([], 0, 1000)) == (0, False)


@pytest.mark.parametrize("bp", [-1, 10_001, True])
def test_a_member_discount_outside_nought_to_a_hundred_percent_is_refused(bp: int) -> None:
    with pytest.raises(BasketError):
        order_discount([CROISSANT], 0, bp)


@PROPERTY
@given(
    prices=st.lists(st.integers(0, 5000), min_size=1, max_size=6),
    bp=st.integers(0, 10_000),
    manual_share=st.integers(0, 100),
)
def test_the_order_discount_is_the_larger_of_the_two_and_always_prices(
    prices: list[int], bp: int, manual_share: int
) -> None:
    lines = [LineInput(p, 0, 1, 2000) for p in prices]
    manual = sum(prices) * manual_share // 100
    chosen = order_discount(lines, manual, bp)
    member = (sum(prices) * bp * 2 + 10_000) // 20_000
    assert chosen.amount == max(manual, member)
    totals = price_basket(lines, chosen.amount)
    assert totals.total == sum(prices) - chosen.amount >= 0


def test_store_credit_pays_like_a_card_and_gives_no_change() -> None:
    with pytest.raises(TenderError, match=r"store credit payment cannot be more than the 2\.50 still due"):
        check_tender(250, [("credit", 300)])
    result = check_tender(500, [("credit", 300), ("cash", 1000)])
    assert (result.paid, result.change, result.remaining) == (1300, 800, 0)
    assert check_tender(500, [("credit", 200)]).remaining == 300


def test_store_credit_cannot_spend_more_than_the_balance() -> None:
    check_credit(300, 300)
    with pytest.raises(TenderError, match=r"Only 2\.99 of store credit is left"):
        check_credit(300, 299)
    with pytest.raises(TenderError, match=r"Only 0\.00 of store credit is left"):
        check_credit(1, -50)
    with pytest.raises(TenderError):
        check_credit(-1, 300)
