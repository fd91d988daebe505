"""Products and their variants (sizes): price, tax category, PLU and barcode, stock tracking."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from bakery.extensions import db
from bakery.models import (
    Basket,
    BasketLine,
    Category,
    Product,
    TaxCategory,
    Variant,
)
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.catalogue.menu import (
    CLOSED_BASKETS,
    MAX_SORT_ORDER,
    _changes,
    _colour,
    _flush,
    _get,
    _next_sort,
    _pence,
    _pick,
    _scan_code,
    _text,
    _whole,
)
from bakery.services.errors import ServiceError
from bakery.services.race_safety import Mechanism, race_safe


def _check_product(
    product_id: int | None,
    *,
    name: str,
    category_id: int | None,
    tax_category_id: int | None,
    price: int,
    plu: str | None,
    barcode: str | None,
    colour: str | None,
    active: bool,
    sort_order: int,
    track_stock: bool,
    allow_negative: bool,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": _text(name, "product name", 80),
        "category_id": _pick(Category, category_id, "category").id,
        "tax_category_id": _pick(TaxCategory, tax_category_id, "tax category").id,
        "price": _pence(price, "price"),
        "plu": _scan_code(plu, "PLU", 20),
        "barcode": _scan_code(barcode, "barcode", 32),
        "colour": _colour(colour, "button colour", required=False),
        "active": bool(active),
        "sort_order": _whole(sort_order, "sort order", 0, MAX_SORT_ORDER),
        "track_stock": bool(track_stock),
        "allow_negative": bool(allow_negative),
    }
    for key, label in (("plu", "PLU"), ("barcode", "barcode")):
        if values[key] is None:
            continue
        column = getattr(Product, key)
        holder = db.session.execute(select(Product.id, Product.name).where(column == values[key])).first()
        if holder and holder.id != product_id:
            raise ServiceError(f"The {label} {values[key]} is already used by {holder.name}.")
    return values


CODE_CLASH = "That PLU or barcode was just given to another product. Choose another one."


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def create_product(
    *,
    name: str,
    category_id: int | None,
    tax_category_id: int | None,
    price: int,
    actor: Actor,
    plu: str | None = None,
    barcode: str | None = None,
    colour: str | None = None,
    active: bool = True,
    sort_order: int = 0,
    track_stock: bool = False,
    allow_negative: bool = True,
    now: datetime | None = None,
) -> Product:
    """Add a product at a VAT-inclusive price in pence.

    Rule: name 1 to 80 characters (any script); an existing category and tax category; a price
    from 0 to MAX_AMOUNT pence; PLU (up to 20) and barcode (up to 32) optional but unique; the
    button colour blank (the category's) or #rrggbb. A new product starts with nothing on hand.
    """
    values = _check_product(
        None,
        name=name,
        category_id=category_id,
        tax_category_id=tax_category_id,
        price=price,
        plu=plu,
        barcode=barcode,
        colour=colour,
        active=active,
        sort_order=sort_order,
        track_stock=track_stock,
        allow_negative=allow_negative,
    )
    product = Product(**values, on_hand=0)
    db.session.add(product)
    _flush(CODE_CLASH)
    audit.record("product.created", actor, target=f"product:{product.id}", details=values, now=now)
    db.session.commit()
    return product


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def update_product(
    product_id: int,
    *,
    name: str,
    category_id: int | None,
    tax_category_id: int | None,
    price: int,
    actor: Actor,
    plu: str | None = None,
    barcode: str | None = None,
    colour: str | None = None,
    active: bool = True,
    sort_order: int = 0,
    track_stock: bool = False,
    allow_negative: bool = True,
    now: datetime | None = None,
) -> Product:
    """Change a product; the same rules as adding one. Price changes are audited from and to.

    Rule: a product is deactivated, never deleted (sales and stock movements refer to it). Stock
    on hand is not edited here (stock moves, never jumps), so forbidding negative stock is refused
    while the product is tracked and already below zero: record a count first.
    """
    product = _get(Product, product_id, "product")
    values = _check_product(
        product.id,
        name=name,
        category_id=category_id,
        tax_category_id=tax_category_id,
        price=price,
        plu=plu,
        barcode=barcode,
        colour=colour,
        active=active,
        sort_order=sort_order,
        track_stock=track_stock,
        allow_negative=allow_negative,
    )
    if values["track_stock"] and not values["allow_negative"] and product.on_hand < 0:
        raise ServiceError(
            f"{product.name} has {product.on_hand} on hand. Record a stock count before "
            "forbidding negative stock."
        )
    changed = _changes(product, values)
    if changed:
        _flush(CODE_CLASH)
        audit.record("product.changed", actor, target=f"product:{product.id}", details=changed, now=now)
        db.session.commit()
    return product


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def add_variant(product_id: int, name: str, price: int, actor: Actor, now: datetime | None = None) -> Variant:
    """Add a size or version of a product at its own price (it goes to the end of the list).

    Rule: name 1 to 40 characters, unique within the product (ignoring case); price 0 to
    MAX_AMOUNT pence.
    """
    product = _get(Product, product_id, "product")
    name = _text(name, "variant name", 40)
    price = _pence(price, "variant price")
    if any(v.name.lower() == name.lower() for v in product.variants):
        raise ServiceError(f"{product.name} already has a variant called {name}.")
    variant = Variant(
        product_id=product.id,
        name=name,
        price=price,
        sort_order=_next_sort(Variant.sort_order, Variant.product_id == product.id),
    )
    db.session.add(variant)
    db.session.flush()
    audit.record(
        "product.variant_added",
        actor,
        target=f"product:{product.id}",
        details={"variant": variant.id, "name": name, "price": price},
        now=now,
    )
    db.session.commit()
    return variant


@race_safe(
    Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="unique names and codes; the row being changed is locked"
)
def remove_variant(variant_id: int, actor: Actor, now: datetime | None = None) -> Product:
    """Remove a variant and return its product.

    Rule: refused while a basket that is not yet paid or voided holds it (the till would lose the
    line's price). Lines of finished baskets let go of it (their sale lines keep the description
    and price that were sold), so past sales are untouched.
    """
    variant = _get(Variant, variant_id, "variant")
    product = variant.product
    in_use = db.session.scalar(
        select(func.count())
        .select_from(BasketLine)
        .join(Basket, Basket.id == BasketLine.basket_id)
        .where(BasketLine.variant_id == variant.id, Basket.status.not_in(CLOSED_BASKETS))
    )
    if in_use:
        raise ServiceError(
            f"{product.name} ({variant.name}) is in a basket that is still open or parked. "
            "Finish or void that basket first."
        )
    details = {"variant": variant.id, "name": variant.name, "price": variant.price}
    db.session.execute(
        update(BasketLine)
        .where(BasketLine.variant_id == variant.id)
        .values(variant_id=None)
        .execution_options(synchronize_session=False)
    )
    db.session.delete(variant)
    _flush(f"{product.name} ({variant.name}) was just added to a basket. Finish or void it first.")
    audit.record("product.variant_removed", actor, target=f"product:{product.id}", details=details, now=now)
    db.session.commit()
    return product
