"""Tender: checking the payments against a total, change due, and quick-tender amounts.

Card payments are taken on a separate terminal and only recorded here, so the till must never
record more on a card than is still due: the shop has no way to give card cashback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bakery.domain.money import MAX_AMOUNT, Pence, format_plain

#: The one method that may be over-tendered and gives change.
CASH = "cash"

#: A member's store credit: like card, it may not exceed what is still due and gives no change.
CREDIT = "credit"

#: How each method is named in a message.
METHOD_NAMES = {CASH: "cash", "card": "card", CREDIT: "store credit"}

#: The notes offered as quick tenders above the exact amount, in pence (£5, £10, £20).
NOTES: tuple[Pence, ...] = (500, 1000, 2000)


class TenderError(ValueError):
    """Raised when a payment cannot be accepted; the message says why."""


@dataclass(frozen=True, slots=True)
class TenderResult:
    """The state of the payments against a total.

    `paid` is the sum of the payments as tendered; `change` is the cash to hand back;
    `remaining` is what is still to pay (for a refund, still to pay out, so ≤ 0).
    Rule: the sale or refund is complete when nothing remains.
    """

    paid: Pence
    change: Pence
    remaining: Pence

    @property
    def complete(self) -> bool:
        """True when the payments settle the total exactly (after any change)."""
        return self.remaining == 0


def _check_amount(name: str, value: object) -> None:
    # bool is an int subclass, and a float here means pounds slipped through unconverted.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TenderError(f"The {name} must be a whole number of pence.")


def change_due(total: Pence, tendered_cash: Pence, other_payments: Pence = 0) -> Pence:
    """Return the change to give for a sale of `total` paid partly by card and the rest in cash.

    Rule: change = cash tendered - (total - other payments), never below zero; other payments
    may not exceed the total (no cashback), and no amount may be negative.
    """
    _check_amount("total", total)
    _check_amount("cash tendered", tendered_cash)
    _check_amount("other payments", other_payments)
    if total < 0 or tendered_cash < 0 or other_payments < 0:
        raise TenderError("Change is worked out for a sale: amounts cannot be negative.")
    if other_payments > total:
        raise TenderError("Card and other payments cannot be more than the total (no cashback).")
    return max(0, tendered_cash - (total - other_payments))


def check_tender(total: Pence, payments: Sequence[tuple[str, Pence]]) -> TenderResult:
    """Check `(method, amount)` payments, in the order taken, against `total`.

    Rule for a sale (total ≥ 0): every payment is more than zero; none is taken once nothing is
    due; a non-cash payment may not exceed what is still due (no cashback); cash may, and the
    excess is the change. Rule for a refund (total < 0): every payment is negative and together
    they may not pay out more than the total; there is no change. The sale or refund is complete
    when `remaining == 0`. Raises `TenderError` with the reason.
    """
    _check_amount("total", total)
    due = total
    cash = other = 0
    for method, amount in payments:
        if not isinstance(method, str) or not method.strip():
            raise TenderError("Choose how the payment was made.")
        _check_amount("payment", amount)
        if abs(amount) > MAX_AMOUNT:
            raise TenderError(f"A payment cannot be more than {format_plain(MAX_AMOUNT)}.")
        if total >= 0:
            _check_sale_payment(method, amount, due)
        else:
            _check_refund_payment(amount, due)
        due -= amount
        if method == CASH:
            cash += amount
        else:
            other += amount
    if total < 0:
        return TenderResult(paid=cash + other, change=0, remaining=due)
    change = change_due(total, cash, other)
    return TenderResult(paid=cash + other, change=change, remaining=max(0, due))


def _check_sale_payment(method: str, amount: Pence, due: Pence) -> None:
    if amount <= 0:
        raise TenderError("A payment must be more than zero.")
    if due <= 0:
        raise TenderError("The sale is already paid.")
    if method != CASH and amount > due:
        raise TenderError(
            f"A {METHOD_NAMES.get(method, method)} payment cannot be more than the "
            f"{format_plain(due)} still due (no cashback); take the rest in cash."
        )


def _check_refund_payment(amount: Pence, due: Pence) -> None:
    if amount >= 0:
        raise TenderError("A refund is paid out as a negative amount.")
    if due >= 0:
        raise TenderError("The refund is already paid out.")
    if amount < due:
        raise TenderError(f"A refund payment cannot be more than the {format_plain(-due)} still to pay back.")


def check_credit(spend: Pence, balance: Pence) -> None:
    """Refuse to spend more store credit than the member has.

    Rule: the credit spent on one sale (the sum of its credit payments) is at most the balance,
    so a balance never goes below zero. Raises `TenderError` naming what is left.
    """
    _check_amount("store credit spent", spend)
    _check_amount("store credit balance", balance)
    if spend < 0:
        raise TenderError("Store credit is spent as a positive amount.")
    if spend > balance:
        left = format_plain(max(balance, 0))
        raise TenderError(f"Only {left} of store credit is left: take the rest in cash or by card.")


def quick_tenders(amount_due: Pence) -> list[Pence]:
    """Suggest amounts a customer is likely to hand over for `amount_due`.

    Rule: the exact amount, then the next multiple of £5, £10 and £20 strictly above it, without
    duplicates, ascending (340 → [340, 500, 1000, 2000]; 500 → [500, 1000, 2000]). Nothing is
    suggested when nothing is due.
    """
    _check_amount("amount due", amount_due)
    if amount_due <= 0:
        return []
    return sorted({amount_due, *((amount_due // note + 1) * note for note in NOTES)})
