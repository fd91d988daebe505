"""The demo's stockroom: suppliers and partners, ingredients with their allergens, the week's
deliveries, the recipes every bread, pastry and coffee is made from, and this morning's bake.

Loaded through the stock services (every movement, cost and audit row as the shop makes them), after
the demo year, so the year's history stays as it was and today starts from a full stockroom.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bakery.domain.clock import business_date
from bakery.extensions import db
from bakery.models import Product, StockItem, User
from bakery.models.types import utcnow
from bakery.services import stock
from bakery.services.audit import Actor
from bakery.services.race_safety import Mechanism, race_safe
from bakery.services.settings import current_settings

SUPPLIERS = {
    "Shipton Mill": "orders@shiptonmill.example · Tue and Fri",
    "Bristol Dairy Co-op": "01179 000 111 · daily before 7",
    "Extract Coffee Roasters": "wholesale@extract.example · Mondays",
    "Cash & Carry Avonmouth": "account 44120",
}

PARTNERS = (
    ("Bristol North Food Bank", "food bank"),
    ("St Mungo's Hostel", "hostel"),
    ("Julian Trust Night Shelter", "shelter"),
)

# name, unit, supplier, location, reorder, par, allergens, may contain, declared, grams each,
# purchase unit (name, base units) or None
ITEMS = (
    (
        "Strong white flour",
        "g",
        "Shipton Mill",
        "Dry store",
        16_000,
        64_000,
        ("gluten",),
        (),
        "Wheat flour, calcium carbonate, iron, niacin, thiamin",
        None,
        ("16 kg sack", 16_000),
    ),
    (
        "Wholemeal rye flour",
        "g",
        "Shipton Mill",
        "Dry store",
        8_000,
        32_000,
        ("gluten",),
        (),
        "Rye flour",
        None,
        ("16 kg sack", 16_000),
    ),
    ("Water", "ml", None, "Tap", 0, 0, (), (), "", None, None),
    (
        "Sea salt",
        "g",
        "Cash & Carry Avonmouth",
        "Dry store",
        1_000,
        5_000,
        (),
        (),
        "",
        None,
        ("1 kg tub", 1_000),
    ),
    (
        "Fresh yeast",
        "g",
        "Cash & Carry Avonmouth",
        "Fridge",
        500,
        2_000,
        (),
        (),
        "",
        None,
        ("500 g block", 500),
    ),
    (
        "Unsalted butter",
        "g",
        "Bristol Dairy Co-op",
        "Fridge",
        5_000,
        20_000,
        ("milk",),
        (),
        "",
        None,
        ("2.5 kg block", 2_500),
    ),
    (
        "Whole milk",
        "ml",
        "Bristol Dairy Co-op",
        "Fridge",
        8_000,
        40_000,
        ("milk",),
        (),
        "",
        None,
        ("4 pint bottle", 2_272),
    ),
    (
        "Free-range eggs",
        "each",
        "Bristol Dairy Co-op",
        "Fridge",
        30,
        180,
        ("eggs",),
        (),
        "",
        55,
        ("Tray of 30", 30),
    ),
    (
        "Caster sugar",
        "g",
        "Cash & Carry Avonmouth",
        "Dry store",
        2_000,
        10_000,
        (),
        (),
        "",
        None,
        ("5 kg bag", 5_000),
    ),
    (
        "Dark chocolate batons",
        "g",
        "Cash & Carry Avonmouth",
        "Dry store",
        1_000,
        4_000,
        ("soya",),
        ("milk",),
        "Cocoa mass, sugar, cocoa butter, emulsifier: soya lecithin",
        None,
        ("1.6 kg box", 1_600),
    ),
    (
        "Ground cinnamon",
        "g",
        "Cash & Carry Avonmouth",
        "Dry store",
        200,
        1_000,
        (),
        (),
        "",
        None,
        ("500 g tub", 500),
    ),
    (
        "Mixed seeds",
        "g",
        "Cash & Carry Avonmouth",
        "Dry store",
        1_000,
        5_000,
        ("sesame",),
        ("nuts",),
        "Sunflower seeds, pumpkin seeds, sesame seeds, linseed",
        None,
        ("2.5 kg bag", 2_500),
    ),
    (
        "Espresso beans",
        "g",
        "Extract Coffee Roasters",
        "Counter",
        2_000,
        10_000,
        (),
        (),
        "",
        None,
        ("1 kg bag", 1_000),
    ),
    (
        "Takeaway cups",
        "each",
        "Cash & Carry Avonmouth",
        "Counter",
        200,
        1_000,
        (),
        (),
        "",
        None,
        ("Sleeve of 50", 50),
    ),
)

# supplier: [(item, purchase units or base units, cost in pence)]
DELIVERIES = {
    "Shipton Mill": [("Strong white flour", 4, 5_160), ("Wholemeal rye flour", 2, 3_040)],
    "Bristol Dairy Co-op": [
        ("Unsalted butter", 8, 5_200),
        ("Whole milk", 16, 2_080),
        ("Free-range eggs", 6, 1_740),
    ],
    "Extract Coffee Roasters": [("Espresso beans", 10, 19_500)],
    "Cash & Carry Avonmouth": [
        ("Sea salt", 4, 360),
        ("Fresh yeast", 4, 880),
        ("Caster sugar", 2, 690),
        ("Dark chocolate batons", 3, 3_870),
        ("Ground cinnamon", 2, 1_150),
        ("Mixed seeds", 2, 1_780),
        ("Takeaway cups", 20, 3_400),
    ],
}

# name, yield, yield unit, [(item or recipe name, qty)]; sub-recipes come before their users
RECIPES = (
    ("Sourdough dough", 10_000, "g", [("Strong white flour", 6_000), ("Water", 3_800), ("Sea salt", 200)]),
    (
        "White dough",
        10_000,
        "g",
        [("Strong white flour", 6_000), ("Water", 3_700), ("Sea salt", 120), ("Fresh yeast", 180)],
    ),
    (
        "Rye dough",
        10_000,
        "g",
        [("Wholemeal rye flour", 5_000), ("Strong white flour", 1_000), ("Water", 3_800), ("Sea salt", 200)],
    ),
    (
        "Laminated dough",
        10_000,
        "g",
        [
            ("Strong white flour", 4_600),
            ("Unsalted butter", 2_800),
            ("Whole milk", 1_200),
            ("Water", 700),
            ("Caster sugar", 500),
            ("Fresh yeast", 150),
            ("Sea salt", 50),
        ],
    ),
    ("Egg wash", 500, "g", [("Free-range eggs", 8), ("Whole milk", 60)]),
    # what one tray or one oven load makes: the bake plan rounds up to whole batches of these
    ("Sourdough loaf", 12, "each", [("Sourdough dough", 10_800)]),
    ("Seeded rye", 12, "each", [("Rye dough", 9_600), ("Mixed seeds", 720)]),
    ("Baguette", 14, "each", [("White dough", 4_900)]),
    ("Croissant", 32, "each", [("Laminated dough", 2_880), ("Egg wash", 160)]),
    (
        "Pain au chocolat",
        32,
        "each",
        [("Laminated dough", 2_880), ("Dark chocolate batons", 384), ("Egg wash", 160)],
    ),
    (
        "Cinnamon bun",
        12,
        "each",
        [("Laminated dough", 1_200), ("Caster sugar", 120), ("Ground cinnamon", 24)],
    ),
    ("Latte", 1, "each", [("Espresso beans", 18), ("Whole milk", 250), ("Takeaway cups", 1)]),
    ("Flat white", 1, "each", [("Espresso beans", 18), ("Whole milk", 150), ("Takeaway cups", 1)]),
    ("Americano", 1, "each", [("Espresso beans", 18), ("Water", 200), ("Takeaway cups", 1)]),
)

#: Products and how they are made: (recipe, make, shelf life in days).
MAKING = {
    "Sourdough loaf": ("batch", 3),
    "Seeded rye": ("batch", 4),
    "Baguette": ("batch", 1),
    "Croissant": ("batch", 1),
    "Pain au chocolat": ("batch", 1),
    "Cinnamon bun": ("batch", 2),
    "Latte": ("to_order", None),
    "Flat white": ("to_order", None),
    "Americano": ("to_order", None),
}

#: This morning's bake, recorded as batches (the year before it was baked without recipes).
TODAYS_BAKE = {
    "Sourdough loaf": 24,
    "Seeded rye": 12,
    "Baguette": 28,
    "Croissant": 64,
    "Pain au chocolat": 42,
}


@race_safe(Mechanism.SERIALISED, guards="loaded once, from the command line, into a shop with no stock items")
def load_demo_stock() -> bool:
    """Fill the demo's stockroom unless it has stock items already; True if it did.

    Rule: every write goes through the stock services, so on-hand equals the movements, costs are
    weighted averages of the deliveries, and the audit log tells it.
    """
    if db.session.scalar(select(StockItem.id).limit(1)):
        return False
    manager_id = db.session.scalar(select(User.id).where(User.role == "manager").order_by(User.id))
    actor = Actor(manager_id)
    today = business_date(utcnow(), current_settings().timezone)
    suppliers = {
        name: stock.save_supplier(None, name=name, contact=contact, active=True, actor=actor).id
        for name, contact in SUPPLIERS.items()
    }
    for name, kind in PARTNERS:
        stock.save_partner(None, name=name, kind=kind, active=True, actor=actor)
    items: dict[str, StockItem] = {}
    units: dict[str, int] = {}
    for name, unit, supplier, location, reorder, par, contains, may, declared, each, bought in ITEMS:
        items[name] = stock.create_item(
            name=name,
            base_unit=unit,
            reorder_level=reorder,
            par_level=par,
            location=location,
            supplier_id=suppliers.get(supplier or ""),
            allergens=contains,
            may_contain=may,
            declared=declared,
            grams_each=each,
            active=True,
            actor=actor,
        )
        if bought:
            units[name] = stock.add_purchase_unit(
                items[name].id,
                name=bought[0],
                base_qty=bought[1],
                actor=actor,
                supplier_id=suppliers.get(supplier or ""),
            ).id
    _deliveries(today, suppliers, items, units, actor)
    _recipes(items, actor)
    _bake(today, actor)
    return True


def _deliveries(
    today: date, suppliers: dict[str, int], items: dict[str, StockItem], units: dict[str, int], actor: Actor
) -> None:
    for offset, (supplier, lines) in enumerate(DELIVERIES.items()):
        stock.record_delivery(
            supplier_id=suppliers[supplier],
            delivered_on=today - timedelta(days=1 + offset % 3),
            lines=[
                stock.LineIn(
                    items[name].id, qty, cost, purchase_unit_id=units.get(name), lot_code=f"L{4410 + i}"
                )
                for i, (name, qty, cost) in enumerate(lines)
            ],
            reference=f"INV-{23_000 + offset * 17}",
            key=f"demo-delivery-{offset}",
            actor=actor,
            today=today,
        )
    # water comes from the tap: a year's worth, at no cost, so recipes can draw on it
    stock.record_delivery(
        supplier_id=None,
        delivered_on=today,
        lines=[stock.LineIn(items["Water"].id, 50_000_000, 0)],
        reference="Mains water",
        key="demo-delivery-water",
        actor=actor,
        today=today,
    )


def _recipes(items: dict[str, StockItem], actor: Actor) -> None:
    recipes: dict[str, int] = {}
    for name, yield_qty, unit, parts in RECIPES:
        recipe = stock.create_recipe(name=name, yield_qty=yield_qty, yield_unit=unit, actor=actor)
        recipes[name] = recipe.id
        stock.update_recipe(
            recipe.id,
            name=name,
            yield_qty=yield_qty,
            yield_unit=unit,
            parts=[
                (items[part].id, None, qty) if part in items else (None, recipes[part], qty)
                for part, qty in parts
            ],
            actor=actor,
        )
    products = {p.name: p.id for p in db.session.scalars(select(Product))}
    for name, (make, shelf_life) in MAKING.items():
        if name in products:
            stock.set_making(
                products[name], make=make, recipe_id=recipes[name], shelf_life_days=shelf_life, actor=actor
            )


def _bake(today: date, actor: Actor) -> None:
    products = {p.name: p.id for p in db.session.scalars(select(Product))}
    for name, qty in TODAYS_BAKE.items():
        if name in products:
            stock.record_bake(
                products[name], qty, key=f"demo-bake-{today.isoformat()}-{products[name]}", actor=actor
            )
