"""Counting the drawer: notes and coins by denomination, totalled in pence.

The shop's float and takings are counted piece by piece at close (a Z report). Counting per
denomination catches slips that a single typed total hides, and the counts are kept with the
Z report so a variance can be checked against what was actually in the drawer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bakery.domain.money import Pence


class CashCountError(ValueError):
    """Raised when a count cannot be accepted; the message says why."""


@dataclass(frozen=True, slots=True)
class Denomination:
    """A note or coin: its value in pence and the label printed on the count sheet."""

    value: Pence
    label: str
    note: bool


#: Sterling notes and coins in circulation, largest first (the order of a count sheet).
DENOMINATIONS: tuple[Denomination, ...] = (
    Denomination(5000, "£50", note=True),
    Denomination(2000, "£20", note=True),
    Denomination(1000, "£10", note=True),
    Denomination(500, "£5", note=True),
    Denomination(200, "£2", note=False),
    Denomination(100, "£1", note=False),
    Denomination(50, "50p", note=False),
    Denomination(20, "20p", note=False),
    Denomination(10, "10p", note=False),
    Denomination(5, "5p", note=False),
    Denomination(2, "2p", note=False),
    Denomination(1, "1p", note=False),
)

#: More pieces of one denomination than this in a till drawer is a typing slip, not a count.
MAX_PIECES = 2_000

_VALUES = frozenset(d.value for d in DENOMINATIONS)
_LABELS = {d.value: d.label for d in DENOMINATIONS}


def count_total(counts: Mapping[int, int]) -> Pence:
    """Return the cash counted: the sum of count times value over the denominations, in pence.

    Rule: keys are denomination values in pence (a missing denomination counts as none); every
    count is a whole number from 0 to `MAX_PIECES`; an unknown denomination, a negative, a
    fractional or an absurd count refuses the whole count (nothing is guessed or rounded).
    """
    total = 0
    for value, pieces in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value not in _VALUES:
            raise CashCountError(f"There is no {value!r} note or coin to count.")
        label = _LABELS[value]
        if isinstance(pieces, bool) or not isinstance(pieces, int):
            raise CashCountError(f"Count the {label} as a whole number.")
        if pieces < 0:
            raise CashCountError(f"The number of {label} cannot be negative.")
        if pieces > MAX_PIECES:
            raise CashCountError(f"{pieces} of {label} is more than a drawer holds: count again.")
        total += value * pieces
    return total
