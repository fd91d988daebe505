"""Tender rules: change from cash only, no card cashback, exact refunds, quick tenders."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bakery.domain.tender import (
    TenderError,
    TenderResult,
    change_due,
    check_tender,
    quick_tenders,
)

PROPERTY = settings(database=None, max_examples=300)


def test_change_is_the_cash_tendered_less_what_the_cash_has_to_pay() -> None:
    assert change_due(340, 500) == 160
    assert change_due(340, 340) == 0
    assert change_due(1000, 500, other_payments=700) == 200
    assert change_due(1000, 100) == 0  # not enough yet: no change, the rest is still due


def test_change_cannot_be_worked_out_with_card_cashback_or_negative_amounts() -> None:
    with pytest.raises(TenderError, match="no cashback"):
        change_due(1000, 0, other_payments=1001)
    with pytest.raises(TenderError, match="cannot be negative"):
        change_due(1000, -1)
    with pytest.raises(TenderError, match="cannot be negative"):
        change_due(-1000, 0)


def test_a_cash_sale_paid_with_a_note_gives_change() -> None:
    result = check_tender(340, [("cash", 500)])
    assert result == TenderResult(paid=500, change=160, remaining=0)
    assert result.complete


def test_a_card_sale_for_the_exact_amount_is_complete_without_change() -> None:
    assert check_tender(765, [("card", 765)]) == TenderResult(paid=765, change=0, remaining=0)


def test_a_split_tender_of_card_then_cash_gives_change_from_the_cash_only() -> None:
    result = check_tender(1234, [("card", 1000), ("cash", 500)])
    assert result == TenderResult(paid=1500, change=266, remaining=0)


def test_a_partly_paid_sale_shows_what_remains_and_is_not_complete() -> None:
    result = check_tender(1234, [("cash", 1000)])
    assert result == TenderResult(paid=1000, change=0, remaining=234)
    assert not result.complete
    assert check_tender(1234, []) == TenderResult(paid=0, change=0, remaining=1234)


def test_a_card_payment_above_what_is_still_due_is_refused_as_cashback() -> None:
    with pytest.raises(TenderError, match=r"card payment cannot be more than the 3\.40 still due"):
        check_tender(340, [("card", 500)])
    with pytest.raises(TenderError, match=r"cannot be more than the 2\.34 still due"):
        check_tender(1234, [("cash", 1000), ("card", 500)])


def test_a_voucher_is_treated_like_a_card_and_gives_no_change() -> None:
    with pytest.raises(TenderError, match="no cashback"):
        check_tender(300, [("voucher", 500)])
    assert check_tender(300, [("voucher", 200), ("cash", 200)]).change == 100


@pytest.mark.parametrize("amount", [0, -100])
def test_a_sale_payment_of_zero_or_less_is_refused(amount: int) -> None:
    with pytest.raises(TenderError, match="more than zero"):
        check_tender(340, [("cash", amount)])


def test_no_payment_is_taken_once_the_sale_is_paid() -> None:
    with pytest.raises(TenderError, match="already paid"):
        check_tender(340, [("cash", 500), ("cash", 100)])
    with pytest.raises(TenderError, match="already paid"):
        check_tender(0, [("card", 100)])


def test_a_fully_discounted_sale_is_complete_with_no_payment() -> None:
    assert check_tender(0, []).complete


def test_a_payment_without_a_method_or_with_a_fraction_of_a_penny_is_refused() -> None:
    with pytest.raises(TenderError, match="how the payment was made"):
        check_tender(340, [(" ", 340)])
    fractional: Any = 3.4
    with pytest.raises(TenderError, match="whole number of pence"):
        check_tender(340, [("cash", fractional)])


def test_an_absurd_payment_is_refused() -> None:
    with pytest.raises(TenderError, match=r"more than 100000\.00"):
        check_tender(340, [("cash", 10_000_001)])


def test_a_refund_is_paid_out_in_negative_amounts_that_add_up_to_the_total() -> None:
    assert check_tender(-913, [("card", -913)]) == TenderResult(paid=-913, change=0, remaining=0)
    split = check_tender(-913, [("card", -500), ("cash", -413)])
    assert split.complete and split.change == 0


def test_a_refund_not_yet_paid_out_in_full_shows_what_is_still_to_pay_back() -> None:
    result = check_tender(-913, [("cash", -500)])
    assert result == TenderResult(paid=-500, change=0, remaining=-413)
    assert not result.complete


def test_a_refund_paid_out_beyond_its_total_or_with_a_positive_amount_is_refused() -> None:
    with pytest.raises(TenderError, match=r"more than the 9\.13 still to pay back"):
        check_tender(-913, [("cash", -1000)])
    with pytest.raises(TenderError, match="negative amount"):
        check_tender(-913, [("cash", 913)])
    with pytest.raises(TenderError, match="already paid out"):
        check_tender(-913, [("card", -913), ("cash", -1)])


@st.composite
def valid_tenders(draw: st.DrawFn) -> tuple[int, list[tuple[str, int]]]:
    """A total and payments a cashier could take: cards up to what is due, cash up to +£50."""
    total = draw(st.integers(1, 100_000))
    payments: list[tuple[str, int]] = []
    due = total
    while due > 0 and len(payments) < 5:
        method = draw(st.sampled_from(["cash", "card"]))
        ceiling = due if method == "card" else due + 5_000
        amount = draw(st.integers(1, ceiling))
        payments.append((method, amount))
        due -= amount
    return total, payments


@given(valid_tenders())
@PROPERTY
def test_a_valid_tender_balances_and_never_gives_more_change_than_the_cash(
    case: tuple[int, list[tuple[str, int]]],
) -> None:
    total, payments = case
    result = check_tender(total, payments)
    cash = sum(amount for method, amount in payments if method == "cash")
    assert result.paid == sum(amount for _, amount in payments)
    assert 0 <= result.change <= cash
    assert result.paid - result.change + result.remaining == total
    assert result.remaining >= 0
    assert result.remaining == 0 or result.change == 0


@given(valid_tenders(), st.integers(1, 5_000))
@PROPERTY
def test_a_card_payment_beyond_what_is_due_is_always_refused(
    case: tuple[int, list[tuple[str, int]]], excess: int
) -> None:
    total, payments = case
    remaining = check_tender(total, payments).remaining
    if remaining == 0:
        with pytest.raises(TenderError, match="already paid"):
            check_tender(total, [*payments, ("card", excess)])
    else:
        with pytest.raises(TenderError, match="no cashback"):
            check_tender(total, [*payments, ("card", remaining + excess)])


@pytest.mark.parametrize(
    ("due", "suggested"),
    [
        (340, [340, 500, 1000, 2000]),
        (500, [500, 1000, 2000]),
        (1234, [1234, 1500, 2000]),
        (1000, [1000, 1500, 2000]),
        (2340, [2340, 2500, 3000, 4000]),
        (1, [1, 500, 1000, 2000]),
    ],
)
def test_quick_tenders_offer_the_exact_amount_and_the_next_notes_above_it(
    due: int, suggested: list[int]
) -> None:
    assert quick_tenders(due) == suggested


def test_nothing_is_suggested_when_nothing_is_due() -> None:
    assert quick_tenders(0) == []
    assert quick_tenders(-913) == []


@given(st.integers(1, 10**7))
@PROPERTY
def test_quick_tenders_are_never_below_the_amount_and_strictly_ascending(due: int) -> None:
    suggested = quick_tenders(due)
    assert suggested[0] == due
    assert all(amount >= due for amount in suggested)
    assert all(a < b for a, b in itertools.pairwise(suggested))
    assert all(amount % 500 == 0 for amount in suggested[1:])
