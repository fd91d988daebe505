"""A small kitchen for stock tests: flour, water, salt, milk, coffee, juice; dough, a loaf baked in
batches, a latte made to order and a bottle of juice bought in."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date

from bakery.domain.clock import business_date
from bakery.extensions import db
from bakery.models import Category, Product, StockItem, Supplier, TaxCategory
from bakery.models.types import utcnow
from bakery.services import stock
from bakery.services.audit import Actor
from bakery.services.settings import current_settings
from bakery.services.stock import LineIn

_keys = itertools.count(1)


def shop_today() -> date:
    """Today in the shop's timezone (what the services take as today)."""
    return business_date(utcnow(), current_settings().timezone)


def key() -> str:
    """A fresh form key."""
    return f"test-key-{next(_keys):08d}"


@dataclass
class Kitchen:
    actor: Actor
    supplier: Supplier
    flour: StockItem
    water: StockItem
    salt: StockItem
    milk: StockItem
    coffee: StockItem
    juice: StockItem
    loaf: Product
    latte: Product
    bottle: Product


def item(name: str, unit: str, actor: Actor, **extra) -> StockItem:
    fields = {
        "name": name,
        "base_unit": unit,
        "reorder_level": 0,
        "par_level": 0,
        "location": "Dry store",
        "supplier_id": None,
        "allergens": (),
        "may_contain": (),
        "declared": "",
        "grams_each": None,
        "active": True,
    }
    fields.update(extra)
    return stock.create_item(actor=actor, **fields)


def make_kitchen(user_id: int, *, today: date | None = None) -> Kitchen:
    actor = Actor(user_id)
    supplier = stock.save_supplier(
        None, name="Mill & Co", contact="orders@mill.example", active=True, actor=actor
    )
    flour = item(
        "Strong white flour",
        "g",
        actor,
        allergens=("gluten",),
        supplier_id=supplier.id,
        reorder_level=5000,
        par_level=32000,
    )
    water = item("Water", "ml", actor)
    salt = item("Sea salt", "g", actor)
    milk = item("Whole milk", "ml", actor, allergens=("milk",), location="Fridge")
    coffee = item("Espresso beans", "g", actor)
    juice = item("Apple juice bottle", "each", actor, location="Fridge")
    stock.add_purchase_unit(flour.id, name="16 kg sack", base_qty=16000, actor=actor)
    stock.record_delivery(
        supplier_id=supplier.id,
        delivered_on=today or shop_today(),
        lines=[
            LineIn(flour.id, 2, 2400, purchase_unit_id=flour.purchase_units[0].id, lot_code="L123"),
            LineIn(water.id, 100_000, 0),
            LineIn(salt.id, 1000, 100),
            LineIn(milk.id, 10_000, 1000),
            LineIn(coffee.id, 1000, 1800),
            LineIn(juice.id, 12, 600),
        ],
        key=key(),
        actor=actor,
        today=today,
    )
    dough = stock.create_recipe(name="Sourdough dough", yield_qty=10_000, yield_unit="g", actor=actor)
    stock.update_recipe(
        dough.id,
        name=dough.name,
        yield_qty=10_000,
        yield_unit="g",
        parts=[(flour.id, None, 6000), (water.id, None, 3800), (salt.id, None, 200)],
        actor=actor,
    )
    loaf_recipe = stock.create_recipe(name="Sourdough loaf", yield_qty=1, yield_unit="each", actor=actor)
    stock.update_recipe(
        loaf_recipe.id,
        name="Sourdough loaf",
        yield_qty=1,
        yield_unit="each",
        parts=[(None, dough.id, 900)],
        actor=actor,
    )
    latte_recipe = stock.create_recipe(name="Latte", yield_qty=1, yield_unit="each", actor=actor)
    stock.update_recipe(
        latte_recipe.id,
        name="Latte",
        yield_qty=1,
        yield_unit="each",
        parts=[(coffee.id, None, 18), (milk.id, None, 250)],
        actor=actor,
    )
    cold = TaxCategory(code="cold", name="Cold food", takeaway_bp=0, eat_in_bp=2000)
    hot = TaxCategory(code="hot", name="Hot drinks", takeaway_bp=2000, eat_in_bp=2000, hot=True)
    bread = Category(name="Bread")
    loaf = Product(name="Sourdough", category=bread, tax_category=cold, price=450, allow_negative=False)
    latte = Product(name="Latte", category=bread, tax_category=hot, price=320)
    bottle = Product(name="Apple juice", category=bread, tax_category=cold, price=200, allow_negative=False)
    db.session.add_all([loaf, latte, bottle])
    db.session.commit()
    stock.set_making(loaf.id, make="batch", recipe_id=loaf_recipe.id, shelf_life_days=2, actor=actor)
    stock.set_making(latte.id, make="to_order", recipe_id=latte_recipe.id, actor=actor)
    stock.set_making(bottle.id, make="bought", stock_item_id=juice.id, stock_qty=1, actor=actor)
    return Kitchen(actor, supplier, flour, water, salt, milk, coffee, juice, loaf, latte, bottle)
