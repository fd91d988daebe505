"""What the demo's customers order: breakfast, coffee, lunch and bread, by the hour of the day.

Pure generation from a seeded random: each order is a `sales_writer.Order` and the tenders it was
paid with. Stock is respected: a tracked product is only sold while the day's bake has some left.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bakery.domain.hours import local_moment
from bakery.domain.tender import CASH, CREDIT, quick_tenders
from bakery.services.demo.sales_writer import Item, Order, OrderLine, Priced, new_key, price_order

COFFEES = ("Latte", "Flat white", "Americano")
PASTRIES = ("Croissant", "Pain au chocolat", "Cinnamon bun")
CAKES = ("Carrot cake slice", "Chocolate brownie", "Lemon drizzle slice")
SANDWICHES = ("Cheese & pickle", "Hummus & roast veg", "Toasted ham & cheese")
BREADS = ("Sourdough loaf", "Seeded rye", "Baguette")
COLD = ("Orange juice", "Sparkling water")
# Busy hours weigh more: breakfast and lunch.
HOURS = (8, 9, 10, 11, 12, 13, 14, 15, 16)
HOUR_WEIGHTS = (14, 16, 11, 9, 15, 14, 8, 7, 6)
END_OF_DAY = "end of day"
END_OF_DAY_BP = 2000  # within what staff may give without a manager


@dataclass
class Shopper:
    """Who is paying: a member (with their class's till discount and store credit) or nobody."""

    member_id: int | None = None
    discount_bp: int = 0
    credit: int = 0


@dataclass
class DayStock:
    """What is left of each tracked product today (the morning's bake or the shelf)."""

    left: dict[int, int] = field(default_factory=dict)

    def take(self, item: Item, qty: int) -> bool:
        """Take `qty` of a tracked product if there is that much; untracked ones never run out."""
        if not item.tracked:
            return True
        if self.left.get(item.id, 0) < qty:
            return False
        self.left[item.id] -= qty
        return True


def _drink(rng: random.Random, items: dict[str, Item], hot: bool = True) -> OrderLine:
    if not hot:
        return OrderLine(items[rng.choice(COLD)])
    name = rng.choices((*COFFEES, "Tea"), weights=(5, 4, 3, 3))[0]
    item = items[name]
    if not item.variants:
        return OrderLine(item)
    options: tuple[int, ...] = ()
    roll = rng.random()
    if roll < 0.22:
        options = (0,)  # oat milk
    elif roll < 0.28:
        options = (1,)  # soy milk
    if rng.random() < 0.08:
        options = (*options, 2)  # an extra shot
    return OrderLine(item, variant=int(rng.random() < 0.35), options=options)


def _basket(rng: random.Random, items: dict[str, Item], hour: int) -> list[OrderLine]:
    """The lines of one order, by what people buy at that hour."""
    pick = rng.choice
    if hour < 11:
        kind = rng.choices(("coffee", "breakfast", "bread", "family"), weights=(35, 40, 18, 7))[0]
    elif hour < 14:
        kind = rng.choices(("lunch", "coffee", "cake", "bread"), weights=(50, 20, 15, 15))[0]
    else:
        kind = rng.choices(("cake", "coffee", "bread", "lunch"), weights=(35, 30, 25, 10))[0]
    if kind == "coffee":
        return [_drink(rng, items)]
    if kind == "breakfast":
        return [_drink(rng, items), OrderLine(items[pick(PASTRIES)])]
    if kind == "cake":
        return [_drink(rng, items), OrderLine(items[pick(CAKES)])]
    if kind == "lunch":
        lines = [OrderLine(items[pick(SANDWICHES)])]
        lines.append(_drink(rng, items, hot=rng.random() < 0.5))
        if rng.random() < 0.3:
            lines.append(OrderLine(items[pick(CAKES)]))
        return lines
    if kind == "bread":
        lines = [OrderLine(items[pick(BREADS)], qty=1 + int(rng.random() < 0.2))]
        if rng.random() < 0.4:
            lines.append(OrderLine(items[pick(PASTRIES)], qty=rng.choice((1, 2, 4))))
        return lines
    return [
        _drink(rng, items),
        _drink(rng, items),
        OrderLine(items["Orange juice"]),
        OrderLine(items[pick(PASTRIES)], qty=2),
        OrderLine(items[pick(PASTRIES)], qty=2),
    ]


def order_time(rng: random.Random, day: date, timezone: str) -> datetime:
    """A moment of the opening hours (08:00 to 17:00, shop time), busier at breakfast and lunch."""
    hour = rng.choices(HOURS, weights=HOUR_WEIGHTS)[0]
    moment = local_moment(day, time(hour, rng.randrange(60)), timezone)
    return moment + timedelta(seconds=rng.randrange(60))


def make_order(
    rng: random.Random,
    items: dict[str, Item],
    stock: DayStock,
    at: datetime,
    hour: int,
    staff_id: int,
    shopper: Shopper,
    *,
    eat_in_share: float,
) -> tuple[Priced, list[tuple[str, int]]] | None:
    """One order at `at`, priced, and how it was paid, or None when what was wanted has sold out."""
    lines = []
    for line in _basket(rng, items, hour):
        if stock.take(line.item, line.qty):
            if hour >= 16 and line.item.tracked and line.item.name in PASTRIES and rng.random() < 0.5:
                line = OrderLine(line.item, line.qty, line.variant, line.options, discount_bp=END_OF_DAY_BP)
            lines.append(line)
    if not lines:
        return None
    eat_in = rng.random() < eat_in_share
    staff_bp, staff_reason = (1000, "staff discount") if rng.random() < 0.01 else (0, None)
    order = Order(
        tuple(lines),
        staff_id,
        at,
        member_id=shopper.member_id,
        member_bp=shopper.discount_bp,
        eat_in=eat_in,
        discount_bp=staff_bp,
        discount_reason=staff_reason,
        key=new_key(rng),
    )
    priced = price_order(order)
    return priced, tenders_for(rng, priced.sale["total"], shopper)


def tenders_for(rng: random.Random, total: int, shopper: Shopper) -> list[tuple[str, int]]:
    """How a customer pays `total`: store credit first if they have some, else card or cash
    (notes handed over as the quick tenders suggest), now and then split."""
    if shopper.credit > 0 and rng.random() < 0.8:
        spend = min(shopper.credit, total)
        shopper.credit -= spend
        return [(CREDIT, spend)] + ([("card", total - spend)] if total > spend else [])
    roll = rng.random()
    if roll < 0.30 if shopper.member_id is None else roll < 0.15:
        offered = quick_tenders(total)
        return [(CASH, rng.choices(offered, weights=(4, 3, 2, 1)[: len(offered)])[0])]
    if roll > 0.99 and total > 500:
        return [(CASH, 500), ("card", total - 500)]
    return [("card", total)]
