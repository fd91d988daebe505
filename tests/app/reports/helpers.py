"""A known day of trading for report tests, rung up through the till's own services."""

from __future__ import annotations

from dataclasses import dataclass

from bakery.extensions import db
from bakery.models import Category, Product, Sale, TaxCategory, Till, User, ZReport
from bakery.services.audit import Actor
from bakery.services.till import baskets, cash, checkout, order_extras, refunds, tills
from tests.factories import make_user


@dataclass
class Day:
    """The day: a till, its staff and manager, the menu, the sales and refund made."""

    till: Till
    staff: User
    manager: User
    menu: dict[str, Product]
    sales: list[Sale]
    refund: Sale
    z: ZReport | None = None


def make_menu() -> dict[str, Product]:
    """A croissant (cold food: 0 % taken away, 20 % eaten in) and a latte (hot drink: 20 %)."""
    cold = TaxCategory(code="cold", name="cold food", takeaway_bp=0, eat_in_bp=2000, hot=False)
    hot = TaxCategory(code="hot-drink", name="hot drinks", takeaway_bp=2000, eat_in_bp=2000, hot=True)
    shelf = Category(name="Bakery", sort_order=1)
    croissant = Product(name="Croissant", category=shelf, tax_category=cold, price=250)
    latte = Product(name="Latte", category=shelf, tax_category=hot, price=320)
    db.session.add_all([croissant, latte])
    db.session.commit()
    return {"croissant": croissant, "latte": latte}


def sell(
    till: Till,
    actor: Actor,
    items: list[tuple[Product, int]],
    method: str,
    *,
    eat_in: bool = False,
    discount: int = 0,
) -> Sale:
    """One sale of the items, eaten in or not, with a line discount (pence) on the first line."""
    for product, qty in items:
        baskets.add_line(till.id, product.id, actor, qty=qty)
    if eat_in:
        baskets.set_eat_in(till.id, True, actor)
    basket = baskets.open_basket(till.id)
    if discount:
        order_extras.set_line_discount(
            till.id, basket.lines[0].id, "amount", discount, "staff discount", actor, threshold_bp=10_000
        )
        basket = baskets.open_basket(till.id)
    due = baskets.price(basket).totals.total
    sale = checkout.tender(till.id, basket.key, method, due, actor)
    assert isinstance(sale, Sale)
    return sale


def known_day(*, close: bool = False) -> Day:
    """Three sales, a refund and a void on one till:

    1. 2 croissants taken away, cash: £5.00, VAT 0
    2. 1 latte eaten in, card: £3.20, VAT 53p
    3. 1 croissant eaten in with 50p off, cash: £2.00, VAT 33p
    then 1 croissant of sale 1 refunded in cash (£2.50, "stale", authorised by the manager),
    and an order of a latte voided ("rung up by mistake").
    """
    menu = make_menu()
    staff = make_user("staff", pin="1234", name="Sam Counter")
    manager = make_user("manager", pin="4321", name="Maria Boss")
    till = tills.create_till("Front", "counter", Actor(manager.id))
    actor = Actor(staff.id, till.id)
    cash.open_session(till.id, 5000, actor)
    one = sell(till, actor, [(menu["croissant"], 2)], "cash")
    two = sell(till, actor, [(menu["latte"], 1)], "card", eat_in=True)
    three = sell(till, actor, [(menu["croissant"], 1)], "cash", eat_in=True, discount=50)
    refund = refunds.refund(till.id, one.id, {one.lines[0].id: 1}, "cash", "stale", manager.id, "4321", actor)
    baskets.add_line(till.id, menu["latte"].id, actor, qty=1)
    baskets.void_basket(till.id, actor, reason="rung up by mistake", manager_above=100_000)
    day = Day(till, staff, manager, menu, [one, two, three], refund)
    if close:
        # expected cash: float 50.00 + 5.00 + 2.00 - 2.50 = 54.50; counted 54.00: variance -50p
        day.z = cash.close_session(till.id, 5400, actor)
    return day
