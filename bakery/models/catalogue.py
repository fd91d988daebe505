"""What the shop sells: tax categories, categories, products, variants and modifiers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bakery.extensions import db
from bakery.models.types import UTCDateTime, utcnow

product_modifier_groups = Table(
    "product_modifier_groups",
    db.metadata,
    Column("product_id", ForeignKey("products.id"), primary_key=True),
    Column("group_id", ForeignKey("modifier_groups.id"), primary_key=True),
)


class TaxCategory(db.Model):  # type: ignore[name-defined,misc]
    """A VAT treatment: a takeaway rate and an eat-in rate in basis points, and whether it is hot."""

    __tablename__ = "tax_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    takeaway_bp: Mapped[int] = mapped_column(Integer)
    eat_in_bp: Mapped[int] = mapped_column(Integer)
    hot: Mapped[bool] = mapped_column(Boolean, default=False)


class Category(db.Model):  # type: ignore[name-defined,misc]
    """A group of products on the till (breads, hot drinks...), ordered and coloured."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    colour: Mapped[str] = mapped_column(String(7), default="#f1ece4")
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    products: Mapped[list[Product]] = relationship(back_populates="category", order_by="Product.sort_order")


class Product(db.Model):  # type: ignore[name-defined,misc]
    """Something on sale at a VAT-inclusive price in pence; stock kept if `track_stock`."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("allow_negative OR NOT track_stock OR on_hand >= 0", name="stock_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    tax_category_id: Mapped[int] = mapped_column(ForeignKey("tax_categories.id"))
    price: Mapped[int] = mapped_column(Integer)
    plu: Mapped[str | None] = mapped_column(String(20), unique=True)
    barcode: Mapped[str | None] = mapped_column(String(32), unique=True)
    colour: Mapped[str | None] = mapped_column(String(7))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    track_stock: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_negative: Mapped[bool] = mapped_column(Boolean, default=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # How the product comes to be on the shelf: "" (not linked to stock), "bought" (a stock item,
    # `stock_qty` base units of it per sale), "batch" (baked in batches from its recipe; finished
    # stock counted in `on_hand`), "to_order" (its recipe is consumed when it is sold).
    make: Mapped[str] = mapped_column(String(10), default="")
    recipe_id: Mapped[int | None] = mapped_column(ForeignKey("recipes.id"), index=True)
    stock_item_id: Mapped[int | None] = mapped_column(ForeignKey("stock_items.id"), index=True)
    stock_qty: Mapped[int] = mapped_column(Integer, default=1)
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)

    category: Mapped[Category] = relationship(back_populates="products")
    tax_category: Mapped[TaxCategory] = relationship()
    variants: Mapped[list[Variant]] = relationship(back_populates="product", order_by="Variant.sort_order")
    modifier_groups: Mapped[list[ModifierGroup]] = relationship(secondary=product_modifier_groups)

    @property
    def needs_picker(self) -> bool:
        """A tap opens the picker when there is a size or an option to choose."""
        return bool(self.variants) or bool(self.modifier_groups)


class Variant(db.Model):  # type: ignore[name-defined,misc]
    """A size or version of a product at its own price (small / large)."""

    __tablename__ = "variants"
    __table_args__ = (CheckConstraint("price >= 0", name="price_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    price: Mapped[int] = mapped_column(Integer)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    product: Mapped[Product] = relationship(back_populates="variants")


class ModifierGroup(db.Model):  # type: ignore[name-defined,misc]
    """A choice on a product (milk, extra shots) with at least `min_choices`, at most `max_choices`."""

    __tablename__ = "modifier_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    min_choices: Mapped[int] = mapped_column(Integer, default=0)
    max_choices: Mapped[int] = mapped_column(Integer, default=1)

    options: Mapped[list[ModifierOption]] = relationship(
        back_populates="group", order_by="ModifierOption.sort_order"
    )


class ModifierOption(db.Model):  # type: ignore[name-defined,misc]
    """One option of a modifier group and what it adds to the unit price (oat milk +40p)."""

    __tablename__ = "modifier_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("modifier_groups.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    price_delta: Mapped[int] = mapped_column(Integer, default=0)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    group: Mapped[ModifierGroup] = relationship(back_populates="options")
