"""Money in integer minor units (pence): parsing, rounding and apportioning.

Floats never touch money: what a person types is read digit by digit into whole pence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

Pence = int

#: The largest amount a single price or payment may take (£100,000): anything above is a typo.
MAX_AMOUNT: Pence = 10_000_000

#: What an amount may look like once its sign and currency symbol are off: "3", "3.4", "3.40", ".5".
AMOUNT_TEXT = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")


class MoneyError(ValueError):
    """Raised when text cannot be read as an amount of money under the given rules."""


def parse_pence(
    text: str,
    *,
    allow_negative: bool = False,
    allow_zero: bool = True,
    maximum: Pence = MAX_AMOUNT,
) -> Pence:
    """Read an amount typed in major units ("3.40", "£3", "-1.5") and return pence.

    Rule: ASCII digits with at most one decimal point, after an optional minus and currency sign,
    spaces around it ignored; commas are refused (is "5,00" five pounds or five hundred?), as are
    other digits, underscores and spaces inside. At most two decimal places (sub-penny input is
    refused, never rounded); negative amounts only where the caller allows them; the absolute value
    may not exceed `maximum`.
    """
    cleaned = (text or "").strip().lstrip("£€$").strip()
    if cleaned.startswith("-"):
        sign, cleaned = -1, cleaned[1:].lstrip("£€$").strip()
    else:
        sign = 1
    if not cleaned:
        raise MoneyError("Enter an amount.")
    if "," in cleaned:
        raise MoneyError("Write pounds and pence with a point and no commas, like 1234.50.")
    if not AMOUNT_TEXT.fullmatch(cleaned):
        raise MoneyError("Enter an amount like 3.40, in the digits 0 to 9.")
    whole, _, fraction = cleaned.partition(".")
    fraction = fraction.rstrip("0")
    if len(fraction) > 2:
        raise MoneyError("Amounts are in whole pence: at most two decimal places.")
    whole = whole.lstrip("0")
    if len(whole) > len(str(maximum)):
        raise MoneyError(f"The amount cannot be more than {format_plain(maximum)}.")
    pence = sign * (int(whole or "0") * 100 + int(fraction.ljust(2, "0")))
    if pence < 0 and not allow_negative:
        raise MoneyError("The amount cannot be negative.")
    if pence == 0 and not allow_zero:
        raise MoneyError("The amount must be more than zero.")
    if abs(pence) > maximum:
        raise MoneyError(f"The amount cannot be more than {format_plain(maximum)}.")
    return pence


def format_plain(pence: Pence) -> str:
    """Format pence as a plain decimal string ("-3.40"), for CSV and machine-readable output."""
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"


def round_half_up(numerator: int, denominator: int) -> int:
    """Divide two integers and round to the nearest integer, halves away from zero.

    Rule: symmetric for negatives, so a refund's VAT mirrors the sale's:
    `round_half_up(-n, d) == -round_half_up(n, d)`.
    """
    if denominator == 0:
        raise ZeroDivisionError("denominator is zero")
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    magnitude = (2 * abs(numerator) + denominator) // (2 * denominator)
    return magnitude if numerator >= 0 else -magnitude


def ceil_div(numerator: int, denominator: int) -> int:
    """Divide two integers rounding towards positive infinity (for minimum deductions)."""
    return -((-numerator) // denominator)


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split `total` into parts proportional to integer `weights` that sum exactly to `total`.

    Rule: each part gets `total * w // W`; the leftover units go one each to the largest
    remainders, and equal remainders go to the earlier position (callers order the weights so that
    "earlier" is their tie-break). A negative total is split as the mirror of the positive one.
    """
    if any(w < 0 for w in weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(weights)
    if not weights:
        if total:
            raise ValueError("nothing to split the total over")
        return []
    if weight_sum == 0:
        if total:
            raise ValueError("cannot split a non-zero total over zero weights")
        return [0 for _ in weights]
    if total < 0:
        return [-part for part in largest_remainder(-total, weights)]
    floors = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    leftover = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        floors[i] += 1
    return floors
