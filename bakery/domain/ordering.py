"""Ordering: how much to buy to bring an item back up to its par level, in the units it is sold in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Order:
    """What to order of one item: `units` of `unit` (a purchase unit's name, or "" for base
    units), which is `base_qty` base units."""

    unit: str
    unit_size: int
    units: int
    base_qty: int


def shortfall(on_hand: int, par_level: int) -> int:
    """How many base units bring the item up to par (nothing when it is at or above par, or has
    no par set). Stock below zero is made good too: par - on hand."""
    if par_level <= 0 or on_hand >= par_level:
        return 0
    return par_level - on_hand


def order_for(need: int, units: Sequence[tuple[str, int]]) -> Order:
    """The order that covers `need` base units, in whole purchase units where there are any.

    Rule: with no purchase unit, exactly the base units needed. Otherwise the largest unit whose
    size is at most the need (fewest packs, least left over), or the smallest unit when even that
    is more than the need; rounded up to whole units, so what arrives is never short of par.
    """
    if need <= 0:
        return Order("", 1, 0, 0)
    usable = [(name, size) for name, size in units if size > 0]
    if not usable:
        return Order("", 1, need, need)
    fitting = [u for u in usable if u[1] <= need]
    name, size = max(fitting, key=lambda u: u[1]) if fitting else min(usable, key=lambda u: u[1])
    count = -(-need // size)
    return Order(name, size, count, count * size)
