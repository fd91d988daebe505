"""Stock in base units: reading quantities, purchase units, what stock costs and is worth.

A stock item is kept in one base unit (grams, millilitres or each), always as a whole number.
Its cost per base unit is a weighted average over deliveries, kept in millionths of a penny
(flour at £0.77 a kilo is 0.077p a gram: whole pence per gram would round it to nothing), and
turned back into whole pence only when a total is shown or stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bakery.domain.money import Pence, round_half_up

#: The base units stock is kept in, and what each is called in a sentence.
BASE_UNITS: dict[str, str] = {"g": "grams", "ml": "millilitres", "each": "each"}

#: A unit someone may type and how many base units it is (16 kg is 16,000 g).
TYPED_UNITS: dict[str, tuple[str, int]] = {
    "g": ("g", 1),
    "kg": ("g", 1000),
    "ml": ("ml", 1),
    "l": ("ml", 1000),
    "each": ("each", 1),
}

#: Millionths of a penny in a penny: the scale of a cost per base unit.
MICRO = 1_000_000

#: The most of one item a single line may move (a tonne of flour, 1,000 litres, 100,000 cups).
MAX_BASE_QTY = 100_000_000

QUANTITY_TEXT = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*")


class QuantityError(ValueError):
    """Text that cannot be read as a quantity of this item."""


@dataclass(frozen=True)
class Quantity:
    """A whole number of base units of one item."""

    amount: int
    unit: str


def parse_quantity(text: str, base_unit: str, *, allow_zero: bool = False) -> int:
    """Read "1.5 kg", "250", "2 l" or "12" as whole base units of an item kept in `base_unit`.

    Rule: ASCII digits with an optional decimal point, then an optional unit of the same kind as
    the item's base unit (kg or g for grams, l or ml for millilitres, each for counted items); a
    bare number is already in base units. The result must be a whole number of base units (0.5 g
    is refused, not rounded), not negative, at most MAX_BASE_QTY, and more than zero unless
    `allow_zero`.
    """
    if base_unit not in BASE_UNITS:
        raise QuantityError(f"Unknown base unit {base_unit!r}.")
    match = QUANTITY_TEXT.fullmatch(text or "")
    if not match:
        raise QuantityError("Enter a quantity like 250, 1.5 kg or 12, in the digits 0 to 9.")
    number, unit = match.group(1), (match.group(2).lower() or base_unit)
    if unit not in TYPED_UNITS or TYPED_UNITS[unit][0] != base_unit:
        kinds = ", ".join(u for u, (base, _) in TYPED_UNITS.items() if base == base_unit)
        raise QuantityError(f"This item is counted in {BASE_UNITS[base_unit]}: use {kinds}.")
    whole, _, fraction = number.partition(".")
    fraction = fraction.rstrip("0")
    scale = TYPED_UNITS[unit][1]
    digits = int(whole + fraction) * scale
    unit_of_fraction = int(10 ** len(fraction))
    if digits % unit_of_fraction:
        raise QuantityError(f"That is not a whole number of {BASE_UNITS[base_unit]}.")
    amount = digits // unit_of_fraction
    if amount > MAX_BASE_QTY:
        raise QuantityError("That is more than any one line can hold: check the quantity.")
    if amount == 0 and not allow_zero:
        raise QuantityError("Enter a quantity more than zero.")
    return amount


def describe_quantity(amount: int, base_unit: str) -> str:
    """A quantity as a person reads it: 16 kg, 250 g, 1.5 l, 12 each (negative with a minus)."""
    sign = "-" if amount < 0 else ""
    size = abs(amount)
    if base_unit in ("g", "ml") and size >= 1000:
        big = "kg" if base_unit == "g" else "l"
        whole, rest = divmod(size, 1000)
        decimals = f"{rest:03d}".rstrip("0")
        return f"{sign}{whole}{'.' + decimals if decimals else ''} {big}"
    return f"{sign}{size} {base_unit}"


def unit_cost_of(total: Pence, base_qty: int) -> int:
    """The cost of one base unit, in millionths of a penny, of `base_qty` bought for `total` pence."""
    if base_qty <= 0:
        raise ValueError("a cost is per a positive quantity")
    return round_half_up(total * MICRO, base_qty)


def weighted_average_cost(on_hand: int, unit_cost: int, added_qty: int, added_total: Pence) -> int:
    """The cost per base unit after goods in (or a correction of them), weighted by quantity, in
    millionths of a penny.

    Rule: the value on hand (on_hand x cost) plus what came in, over the new quantity. Stock at or
    below zero carries no value forward (what was used before it was recorded already cost what it
    cost), so a delivery's own price becomes the cost. When nothing would be left, or the value
    would fall below nothing (a correction taking back more than was there), the cost stays as it
    was: there is nothing left to spread it over.
    """
    if on_hand <= 0:
        if added_qty > 0 and added_total >= 0:
            return unit_cost_of(added_total, added_qty)
        return unit_cost
    quantity = on_hand + added_qty
    value = on_hand * unit_cost + added_total * MICRO
    if quantity <= 0 or value < 0:
        return unit_cost
    return round_half_up(value, quantity)


def value_pence(base_qty: int, unit_cost: int) -> Pence:
    """What `base_qty` base units are worth at `unit_cost` millionths of a penny each, to the penny
    (half up, sign kept: a negative quantity is a negative value)."""
    size = round_half_up(abs(base_qty) * unit_cost, MICRO)
    return -size if base_qty < 0 else size


def describe_unit_cost(unit_cost: int, base_unit: str) -> str:
    """A cost per unit as a manager reads it: £0.77/kg, £1.20/l, £0.05 each (to the penny)."""
    if base_unit in ("g", "ml"):
        per = value_pence(1000, unit_cost)
        return f"£{per // 100}.{per % 100:02d}/{'kg' if base_unit == 'g' else 'l'}"
    per = value_pence(1, unit_cost)
    return f"£{per // 100}.{per % 100:02d} each"
