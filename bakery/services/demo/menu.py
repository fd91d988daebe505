"""The demo café/bakery menu with UK VAT treatments."""

from __future__ import annotations

from sqlalchemy import select

from bakery.extensions import db
from bakery.models import (
    Category,
    ModifierGroup,
    ModifierOption,
    Product,
    StockMovement,
    TaxCategory,
    Variant,
)
from bakery.models.types import utcnow

TAX = [
    # code, name, takeaway, eat-in, hot
    ("cold-food", "cold food", 0, 2000, False),
    ("hot-food", "hot food", 2000, 2000, True),
    ("hot-drink", "hot drinks", 2000, 2000, True),
    ("standard", "confectionery & soft drinks", 2000, 2000, False),
]

MENU = {
    # category: (colour, [(name, price, tax, plu, track, on_hand, may go negative)])
    "Breads": (
        "#f3e2c7",
        [
            ("Sourdough loaf", 450, "cold-food", "101", True, 12, False),
            ("Seeded rye", 420, "cold-food", "102", True, 8, False),
            ("Baguette", 220, "cold-food", "103", True, 20, False),
        ],
    ),
    "Viennoiserie": (
        "#f7d9a8",
        [
            ("Croissant", 250, "cold-food", "201", True, 30, False),
            ("Pain au chocolat", 280, "cold-food", "202", True, 24, False),
            ("Cinnamon bun", 300, "cold-food", "203", True, 18, False),
        ],
    ),
    "Cakes": (
        "#f6c6c6",
        [
            ("Carrot cake slice", 350, "cold-food", "301", False, 0, True),
            ("Chocolate brownie", 275, "standard", "302", False, 0, True),
            ("Lemon drizzle slice", 325, "cold-food", "303", False, 0, True),
        ],
    ),
    "Hot drinks": (
        "#d9c2a7",
        [
            ("Latte", 320, "hot-drink", "401", False, 0, True),
            ("Flat white", 310, "hot-drink", "402", False, 0, True),
            ("Americano", 260, "hot-drink", "403", False, 0, True),
            ("Tea", 200, "hot-drink", "404", False, 0, True),
        ],
    ),
    "Cold drinks": (
        "#c9e4f2",
        [
            ("Orange juice", 250, "standard", "501", True, 24, False),
            ("Sparkling water", 180, "standard", "502", True, 24, False),
        ],
    ),
    "Sandwiches": (
        "#d5ecc2",
        [
            ("Cheese & pickle", 450, "cold-food", "601", False, 0, True),
            ("Hummus & roast veg", 475, "cold-food", "602", False, 0, True),
            ("Toasted ham & cheese", 550, "hot-food", "603", False, 0, True),
        ],
    ),
}


OPENING_STOCK_REASON = "count"
OPENING_STOCK_NOTE = "Opening stock count of the demo shop"


def load_menu() -> None:
    """Add the demo menu if the shop has no products yet (part of `flask bakery demo`).

    Rule: a tracked product starts at nothing on hand and its opening stock arrives as a stock
    count movement, so on hand is the sum of its movements from the start.
    """
    if db.session.scalar(select(Product.id).limit(1)):
        return
    counted: list[tuple[Product, int]] = []
    taxes = {}
    for code, name, takeaway, eat_in, hot in TAX:
        taxes[code] = TaxCategory(code=code, name=name, takeaway_bp=takeaway, eat_in_bp=eat_in, hot=hot)
        db.session.add(taxes[code])
    milk = ModifierGroup(name="Milk", min_choices=0, max_choices=1)
    milk.options = [
        ModifierOption(name="Oat milk", price_delta=40, sort_order=1),
        ModifierOption(name="Soy milk", price_delta=40, sort_order=2),
    ]
    shots = ModifierGroup(name="Extra shot", min_choices=0, max_choices=2)
    shots.options = [ModifierOption(name="Extra shot", price_delta=50, sort_order=1)]
    db.session.add_all([milk, shots])
    for order, (category_name, (colour, items)) in enumerate(MENU.items()):
        category = Category(name=category_name, colour=colour, sort_order=order)
        db.session.add(category)
        for position, (name, price, tax, plu, track, on_hand, negative) in enumerate(items):
            product = Product(
                name=name,
                category=category,
                tax_category=taxes[tax],
                price=price,
                plu=plu,
                sort_order=position,
                track_stock=track,
                on_hand=0,
                allow_negative=negative,
            )
            if on_hand:
                counted.append((product, on_hand))
            if category_name == "Hot drinks" and name != "Tea":
                product.modifier_groups = [milk, shots]
                product.variants = [
                    Variant(name="Regular", price=price, sort_order=1),
                    Variant(name="Large", price=price + 50, sort_order=2),
                ]
            db.session.add(product)
    db.session.flush()
    now = utcnow()
    for product, qty in counted:
        product.on_hand += qty
        db.session.add(
            StockMovement(
                product_id=product.id, qty=qty, reason=OPENING_STOCK_REASON, note=OPENING_STOCK_NOTE, at=now
            )
        )
