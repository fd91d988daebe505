"""One trading day of the demo year: the morning bake, the tills opened with a float, the day's
orders written in bulk, and the close (a refund, a void, a parked order, an X report or a paid-out
now and then, each till counted with a Z report, unsold bread to the food bank). What the audit log
records goes through its service; the sales through `sales_writer`."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from bakery.domain.cash_count import DENOMINATIONS
from bakery.domain.hours import local_moment
from bakery.extensions import db
from bakery.models import Basket, Product, Sale, SaleLine, StockMovement
from bakery.services.audit import Actor
from bakery.services.demo.orders import DayStock, Shopper, make_order, order_time
from bakery.services.demo.people import Planned
from bakery.services.demo.sales_writer import Item, TillDay, write
from bakery.services.till import baskets, cash, checkout, refunds
from bakery.services.till.drawer_figures import current_totals


@dataclass
class Shop:
    """What every day of the year needs to hand: the shop's people, tills and menu, and the seeded
    random the whole year draws from."""

    rng: random.Random
    timezone: str
    items: dict[str, Item]
    tills: dict[str, int]
    everyone: list[Planned]
    chloe: int
    manager: Actor
    orders_pct: int = 100
    #: Store credit members still have to spend (from last year's dividend), by member id.
    credit: dict[int, int] = field(default_factory=dict)


# Orders a day by weekday (Monday first; closed on Sundays).
COUNTER_ORDERS = (104, 100, 106, 100, 112, 138)
WINDOW_ORDERS = (0, 0, 0, 40, 48, 60)
CLOSED_DAYS = ((12, 25), (12, 26), (1, 1))
MORNING_BAKE = {
    "Sourdough loaf": 24,
    "Seeded rye": 12,
    "Baguette": 28,
    "Croissant": 64,
    "Pain au chocolat": 42,
    "Cinnamon bun": 32,
}
DRINKS_STOCK = 72
FLOATS = {"Counter": 15000, "Window": 10000}
PARKED_NAMES = ("Sam, oat latte", "Table 4", "Lady with the buggy", "Builder's tea run", "Mr Patel")
REFUND_REASONS = (
    "Coffee was made with the wrong milk",
    "Sandwich was out of date on the shelf",
    "Charged for two loaves, took one",
    "Customer found the cake stale",
)


def is_trading(day: date, start: date) -> bool:
    """The shop trades from `start` on, every day but Sundays, Christmas, Boxing Day and New Year's Day."""
    return day >= start and day.weekday() != 6 and (day.month, day.day) not in CLOSED_DAYS


def open_tills_on(day: date) -> tuple[str, ...]:
    """The Counter opens every trading day; the takeaway Window from Thursday to Saturday."""
    return ("Counter", "Window") if day.weekday() >= 3 else ("Counter",)


def season(day: date) -> float:
    """Busier in summer and before Christmas, quiet in January; growing a little through the years."""
    month = {1: 0.85, 2: 0.9, 7: 1.1, 8: 1.12, 12: 1.15}.get(day.month, 1.0)
    return month * (1 + (day.toordinal() % 1000) / 12_000)


def bake(shop: Shop, day: date) -> None:
    """The morning's bake (and on Mondays the drinks delivery), as stock movements."""
    items = shop.items
    at = local_moment(day, time(6, 30), shop.timezone)
    moves = {items[name].id: (qty, "production", "Morning bake") for name, qty in MORNING_BAKE.items()}
    if day.weekday() == 0:
        for name in ("Orange juice", "Sparkling water"):
            on_hand = db.session.scalar(select(Product.on_hand).where(Product.id == items[name].id)) or 0
            if on_hand < DRINKS_STOCK:
                moves[items[name].id] = (DRINKS_STOCK - on_hand, "delivery", "Weekly drinks delivery")
    for product_id, (qty, reason, note) in moves.items():
        db.session.add(StockMovement(product_id=product_id, qty=qty, reason=reason, note=note, at=at))
        db.session.execute(
            update(Product).where(Product.id == product_id).values(on_hand=Product.on_hand + qty)
        )


def open_tills(shop: Shop, day: date) -> dict[str, int]:
    """Open the day's tills with their floats (the cash service); their sessions by till name."""
    return {
        name: cash.open_session(
            shop.tills[name],
            FLOATS[name],
            Actor(user_id=shop.chloe, till_id=shop.tills[name]),
            now=local_moment(day, time(7, 30), shop.timezone),
        ).id
        for name in open_tills_on(day)
    }


def trade(shop: Shop, day: date, sessions: dict[str, int], on: dict[str, list[int]]) -> None:
    """The day's orders on the open tills, member visits among them, written in bulk."""
    rng, items, timezone, tills, credit = shop.rng, shop.items, shop.timezone, shop.tills, shop.credit
    scale = season(day) * shop.orders_pct / 100
    stock = DayStock(
        {
            item.id: int(db.session.scalar(select(Product.on_hand).where(Product.id == item.id)) or 0)
            for item in items.values()
            if item.tracked
        }
    )
    shoppers = [p for p in shop.everyone if p.visits_a_week > 0 and p.active_on(day)]
    visits = [p for p in shoppers if rng.random() < p.visits_a_week / 6]
    plan: list[tuple[datetime, str, Planned | None]] = []
    for name, counts in (("Counter", COUNTER_ORDERS), ("Window", WINDOW_ORDERS)):
        if name not in sessions:
            continue
        total = int(counts[day.weekday()] * scale * rng.uniform(0.9, 1.1))
        mine = (
            [v for v in visits if "Window" not in sessions or (v.member_id or 0) % 5 != 0]
            if name == "Counter"
            else [v for v in visits if (v.member_id or 0) % 5 == 0]
        )
        plan += [(order_time(rng, day, timezone), name, v) for v in mine]
        plan += [(order_time(rng, day, timezone), name, None) for _ in range(max(total - len(mine), 0))]
    plan.sort(key=lambda entry: (entry[0], entry[1]))
    zone = ZoneInfo(timezone)
    days = {name: TillDay(tills[name], sessions[name]) for name in sessions}
    staff = on["barista"] + on["counter"] or [shop.chloe]
    for at, name, member in plan:
        hour = int(at.astimezone(zone).hour)
        team = on["barista"] if hour < 10 and on["barista"] else on["counter"] or staff
        shopper = Shopper()
        if member is not None:
            shopper = Shopper(member.member_id, member.discount_bp, credit.get(member.member_id or 0, 0))
        made = make_order(
            rng,
            items,
            stock,
            at,
            hour,
            rng.choice(team),
            shopper,
            eat_in_share=0.35 if name == "Counter" else 0,
        )
        if made is None:
            continue
        if member is not None and member.member_id is not None and member.member_id in credit:
            credit[member.member_id] = shopper.credit
        days[name].add(*made)
    for till_day in days.values():
        write(till_day)


def close(shop: Shop, day: date) -> None:
    """The end of the day: now and then a refund, a void, an order parked and recalled, an X report
    or a paid-out; each till counted and closed with a Z report; the day's unsold bread to the food
    bank."""
    rng, items, timezone, tills, chloe = shop.rng, shop.items, shop.timezone, shop.tills, shop.chloe
    counter = tills["Counter"]
    actor = Actor(user_id=chloe, till_id=counter)
    ordinal = day.toordinal()
    if ordinal % 19 == 0:
        sale = db.session.scalar(
            select(Sale)
            .where(
                Sale.till_id == counter,
                Sale.kind == "sale",
                Sale.created_at >= local_moment(day, time(0), timezone),
            )
            .order_by(Sale.id.desc())
            .offset(rng.randrange(40))
            .limit(1)
        )
        line = (
            db.session.scalar(select(SaleLine).where(SaleLine.sale_id == sale.id).order_by(SaleLine.id))
            if sale is not None
            else None
        )
        if sale is not None and line is not None:
            refunds.refund(
                counter,
                sale.id,
                {line.id: 1},
                "card" if sale.payments[0].method != "cash" else "cash",
                rng.choice(REFUND_REASONS),
                shop.manager.user_id or 0,
                "8080",
                actor,
                now=local_moment(day, time(17, 5), timezone),
            )
    if ordinal % 13 == 0:
        baskets.add_line(counter, items["Latte"].id, actor, variant_id=items["Latte"].variants[1][0])
        baskets.add_line(counter, items["Croissant"].id, actor)
        baskets.void_basket(
            counter,
            actor,
            reason=baskets.VOID_REASONS[ordinal % 3],
            manager_above=2000,
            now=local_moment(day, time(16, 40), timezone),
        )
    if ordinal % 17 == 0:
        park_and_recall(shop, day, actor)
    if ordinal % 11 == 0:
        # An X report before the count, to see what the drawer should hold.
        cash.print_x_report(counter, actor, now=local_moment(day, time(17, 20), timezone))
    if day.weekday() == 3:
        cash.pay_in_out(
            counter,
            -rng.choice((450, 680, 925)),
            "Milk and lemons from the corner shop",
            actor,
            now=local_moment(day, time(14, 10), timezone),
        )
    for name in open_tills_on(day):
        till_id = tills[name]
        figures = current_totals(till_id)
        expected = figures.expected_cash if figures else 0
        counted = expected + (rng.choice((-120, -50, -20, -10, 10, 30)) if rng.random() < 0.12 else 0)
        cash.close_counted(
            till_id,
            counts_for(max(counted, 0)),
            Actor(user_id=chloe, till_id=till_id),
            now=local_moment(day, time(17, 30 + (name == "Window") * 5), timezone),
        )
    at = local_moment(day, time(17, 50), timezone)
    for name in MORNING_BAKE:
        left = db.session.scalar(select(Product.on_hand).where(Product.id == items[name].id)) or 0
        if left > 0:
            db.session.add(
                StockMovement(
                    product_id=items[name].id,
                    qty=-left,
                    reason="donation",
                    note="Unsold today: to the food bank",
                    at=at,
                )
            )
            db.session.execute(
                update(Product).where(Product.id == items[name].id).values(on_hand=Product.on_hand - left)
            )


def park_and_recall(shop: Shop, day: date, actor: Actor) -> None:
    """A customer steps aside to find their purse: the order is parked under their name, recalled
    a few minutes later and paid in cash (the till's services, so the audit log tells it)."""
    items, timezone, counter = shop.items, shop.timezone, shop.tills["Counter"]
    name = PARKED_NAMES[day.toordinal() % len(PARKED_NAMES)]
    baskets.add_line(counter, items["Latte"].id, actor, variant_id=items["Latte"].variants[0][0])
    baskets.add_line(counter, items["Carrot cake slice"].id, actor)
    baskets.park_basket(counter, name, actor, now=local_moment(day, time(17, 0), timezone))
    parked = db.session.scalar(
        select(Basket.id)
        .where(Basket.status == "parked", Basket.parked_name == name)
        .order_by(Basket.id.desc())
    )
    assert parked is not None  # noqa: S101  (just parked)
    basket = baskets.recall_basket(counter, parked, actor, now=local_moment(day, time(17, 2), timezone))
    checkout.tender(counter, basket.key, "cash", 1000, actor, now=local_moment(day, time(17, 3), timezone))


# The coins a drawer holds at close besides the notes (a float's worth): value in pence, count.
DRAWER_COINS = ((200, 6), (100, 10), (50, 10), (20, 15), (10, 10), (5, 10))


def counts_for(amount: int) -> dict[int, int]:
    """Notes and coins that make `amount` as a drawer holds them at close: the coins of a float,
    then £20, £10 and £5 notes (a £50 is rare at a bakery's counter), the odd pence last."""
    counts = dict.fromkeys((d.value for d in DENOMINATIONS), 0)
    for value, pieces in DRAWER_COINS:
        taken = min(pieces, amount // value)
        counts[value] += taken
        amount -= taken * value
    for denomination in DENOMINATIONS:
        if denomination.value < 5000:
            more, amount = divmod(amount, denomination.value)
            counts[denomination.value] += more
    return counts
