"""Helpers for till tests: a small menu and a till that is open for trade."""

from __future__ import annotations

from bakery.extensions import db
from bakery.models import Category, ModifierGroup, ModifierOption, Product, TaxCategory, Variant
from bakery.services.audit import Actor
from bakery.services.till import cash
from tests.factories import make_till, make_user, pair, pin_in


def make_menu() -> dict[str, Product]:
    """A croissant (cold food), a latte with sizes and oat milk (hot drink), one last loaf."""
    cold = TaxCategory(code="cold", name="cold food", takeaway_bp=0, eat_in_bp=2000, hot=False)
    hot = TaxCategory(code="hot-drink", name="hot drinks", takeaway_bp=2000, eat_in_bp=2000, hot=True)
    bakery = Category(name="Bakery", sort_order=1)
    drinks = Category(name="Drinks", sort_order=2)
    milk = ModifierGroup(
        name="Milk", min_choices=0, max_choices=1, options=[ModifierOption(name="Oat milk", price_delta=40)]
    )
    croissant = Product(name="Croissant", category=bakery, tax_category=cold, price=250, plu="201")
    loaf = Product(
        name="Sourdough",
        category=bakery,
        tax_category=cold,
        price=450,
        track_stock=True,
        on_hand=1,
        allow_negative=False,
    )
    latte = Product(name="Latte", category=drinks, tax_category=hot, price=320, modifier_groups=[milk])
    latte.variants = [
        Variant(name="Regular", price=320, sort_order=1),
        Variant(name="Large", price=370, sort_order=2),
    ]
    db.session.add_all([croissant, loaf, latte])
    db.session.commit()
    return {"croissant": croissant, "loaf": loaf, "latte": latte, "oat": milk.options[0]}


def open_till_for(client, opening_float: int = 10000):
    """A till paired with this client, staff signed in with a PIN, the cash session open."""
    till = make_till()
    staff = make_user("staff", pin="1234")
    pair(client, till)
    pin_in(client, staff)
    cash.open_session(till.id, opening_float, Actor(staff.id, till.id))
    return till, staff
