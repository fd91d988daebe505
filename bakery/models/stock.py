"""Stock: items in base units, suppliers, deliveries, recipes, bake batches, write-offs and counts.

A stock item's `on_hand` is the running sum of its movements (`stock_item_movements`, append-only);
a finished product's is the running sum of `stock_movements`. Both are kept in step in the same
transaction as the movement and can be recomputed from the movements alone.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bakery.extensions import db
from bakery.models.types import UTCDateTime, utcnow


class Supplier(db.Model):  # type: ignore[name-defined,misc]
    """Someone the shop buys stock from."""

    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    contact: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class StockItem(db.Model):  # type: ignore[name-defined,misc]
    """An ingredient, packaging or bought-in good kept in a base unit (g, ml, each).

    `unit_cost` is the weighted average cost of one base unit in millionths of a penny.
    """

    __tablename__ = "stock_items"
    __table_args__ = (
        CheckConstraint("base_unit IN ('g', 'ml', 'each')", name="known_base_unit"),
        CheckConstraint("unit_cost >= 0", name="cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    base_unit: Mapped[str] = mapped_column(String(4))
    unit_cost: Mapped[int] = mapped_column(BigInteger, default=0)
    on_hand: Mapped[int] = mapped_column(BigInteger, default=0)
    reorder_level: Mapped[int] = mapped_column(BigInteger, default=0)
    par_level: Mapped[int] = mapped_column(BigInteger, default=0)
    location: Mapped[str] = mapped_column(String(40), default="")
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"), index=True)
    allergens: Mapped[str] = mapped_column(String(200), default="")
    may_contain: Mapped[str] = mapped_column(String(200), default="")
    declared: Mapped[str] = mapped_column(Text, default="")
    grams_each: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    supplier: Mapped[Supplier | None] = relationship()
    purchase_units: Mapped[list[PurchaseUnit]] = relationship(
        back_populates="item", order_by="PurchaseUnit.base_qty"
    )


class PurchaseUnit(db.Model):  # type: ignore[name-defined,misc]
    """A unit an item is bought in (a 16 kg sack, a 12-bottle case) and how many base units it is."""

    __tablename__ = "purchase_units"
    __table_args__ = (CheckConstraint("base_qty > 0", name="holds_something"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stock_item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    base_qty: Mapped[int] = mapped_column(BigInteger)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))

    item: Mapped[StockItem] = relationship(back_populates="purchase_units")
    supplier: Mapped[Supplier | None] = relationship()


class StockItemMovement(db.Model):  # type: ignore[name-defined,misc]
    """Every change of a stock item's quantity, with its value at the cost of the time, who and why."""

    __tablename__ = "stock_item_movements"
    append_only = True

    id: Mapped[int] = mapped_column(primary_key=True)
    stock_item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id"), index=True)
    qty: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[int] = mapped_column(Integer, default=0)  # pence, signed like qty
    reason: Mapped[str] = mapped_column(String(20))  # delivery, correction, bake, sale, waste, count
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("bake_batches.id"))
    sale_id: Mapped[int | None] = mapped_column(ForeignKey("sales.id"))
    write_off_id: Mapped[int | None] = mapped_column(ForeignKey("write_offs.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Delivery(db.Model):  # type: ignore[name-defined,misc]
    """Goods in from a supplier; corrected only by another delivery that names it (`corrects_id`)."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"), index=True)
    delivered_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(40), default="")
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("deliveries.id"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    key: Mapped[str] = mapped_column(String(64), unique=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    supplier: Mapped[Supplier | None] = relationship()
    lines: Mapped[list[DeliveryLine]] = relationship(back_populates="delivery", order_by="DeliveryLine.id")


class DeliveryLine(db.Model):  # type: ignore[name-defined,misc]
    """One item on a delivery: how many purchase units, the base units they are, the line's cost."""

    __tablename__ = "delivery_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), index=True)
    stock_item_id: Mapped[int] = mapped_column(ForeignKey("stock_items.id"), index=True)
    purchase_unit: Mapped[str] = mapped_column(String(40), default="")
    units: Mapped[int] = mapped_column(Integer)
    base_qty: Mapped[int] = mapped_column(BigInteger)
    cost: Mapped[int] = mapped_column(Integer)  # pence for the whole line
    lot_code: Mapped[str] = mapped_column(String(40), default="")
    use_by: Mapped[date | None] = mapped_column(Date)

    delivery: Mapped[Delivery] = relationship(back_populates="lines")
    item: Mapped[StockItem] = relationship()


class Recipe(db.Model):  # type: ignore[name-defined,misc]
    """What `yield_qty` of `yield_unit` is made from (10,000 g of dough; 24 loaves)."""

    __tablename__ = "recipes"
    __table_args__ = (
        CheckConstraint("yield_qty > 0", name="yields_something"),
        CheckConstraint("yield_unit IN ('g', 'ml', 'each')", name="known_yield_unit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    yield_qty: Mapped[int] = mapped_column(BigInteger)
    yield_unit: Mapped[str] = mapped_column(String(4))
    method: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parts: Mapped[list[RecipePart]] = relationship(
        back_populates="recipe",
        order_by="RecipePart.id",
        foreign_keys="RecipePart.recipe_id",
        cascade="all, delete-orphan",
    )


class RecipePart(db.Model):  # type: ignore[name-defined,misc]
    """One line of a recipe: base units of a stock item, or yield units of another recipe."""

    __tablename__ = "recipe_parts"
    __table_args__ = (
        CheckConstraint("qty > 0", name="uses_something"),
        CheckConstraint("(stock_item_id IS NULL) <> (sub_recipe_id IS NULL)", name="one_item_or_one_recipe"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id"), index=True)
    stock_item_id: Mapped[int | None] = mapped_column(ForeignKey("stock_items.id"), index=True)
    sub_recipe_id: Mapped[int | None] = mapped_column(ForeignKey("recipes.id"), index=True)
    qty: Mapped[int] = mapped_column(BigInteger)

    recipe: Mapped[Recipe] = relationship(back_populates="parts", foreign_keys=[recipe_id])
    item: Mapped[StockItem | None] = relationship()
    sub_recipe: Mapped[Recipe | None] = relationship(foreign_keys=[sub_recipe_id])


class BakeBatch(db.Model):  # type: ignore[name-defined,misc]
    """A batch baked: `qty` of a product made from its recipe, what it cost, its code and best-before."""

    __tablename__ = "bake_batches"
    __table_args__ = (CheckConstraint("qty > 0", name="bakes_something"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    qty: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    baked_on: Mapped[date] = mapped_column(Date, index=True)
    best_before: Mapped[date | None] = mapped_column(Date)
    cost: Mapped[int] = mapped_column(Integer)  # pence, the ingredients at their cost then
    note: Mapped[str] = mapped_column(Text, default="")
    key: Mapped[str] = mapped_column(String(64), unique=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Partner(db.Model):  # type: ignore[name-defined,misc]
    """Somewhere unsold food is given: a food bank, a shelter, a hostel."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="food bank")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class WriteOff(db.Model):  # type: ignore[name-defined,misc]
    """Stock that left without a sale: wasted (unsold, burnt, dropped, expired) or donated to a partner."""

    __tablename__ = "write_offs"
    __table_args__ = (
        CheckConstraint("qty > 0", name="writes_off_something"),
        CheckConstraint("(product_id IS NULL) <> (stock_item_id IS NULL)", name="one_product_or_one_item"),
        CheckConstraint("kind IN ('waste', 'donation')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    stock_item_id: Mapped[int | None] = mapped_column(ForeignKey("stock_items.id"), index=True)
    qty: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(20))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"))
    value: Mapped[int] = mapped_column(Integer, default=0)  # pence at cost
    day: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    key: Mapped[str] = mapped_column(String(64), unique=True)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    partner: Mapped[Partner | None] = relationship()
