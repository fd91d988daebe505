"""Moving stock: every change is an appended movement, and on-hand moves with it in one statement.

Why relative updates (`on_hand = on_hand + n`) and not read-modify-write: two tills, a bake and a
delivery may move the same item in the same instant; each UPDATE applies its own change to
whatever the row holds when it gets the row, so none is lost on either engine. A movement that
must not take stock below zero says so in its WHERE clause and the row count decides.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select, update

from bakery.domain.stock import value_pence
from bakery.extensions import db
from bakery.models import Product, StockItem, StockItemMovement, StockMovement
from bakery.services.errors import ServiceError


class OutOfStock(ServiceError):
    """Taking this much would leave less than nothing of something that may not go below zero."""


def move_item(
    item_id: int,
    qty: int,
    reason: str,
    *,
    by: int | None,
    at: datetime,
    value: int | None = None,
    note: str = "",
    never_below_zero: bool = False,
    **refs: int | None,
) -> StockItemMovement:
    """Add `qty` base units (negative takes away) to an item and append the movement saying why.

    Rule: the movement's value is `value` pence when given (a delivery at its invoice cost),
    otherwise the quantity at the item's current average cost. With `never_below_zero`, taking
    more than is on hand is refused and nothing moves.
    """
    statement = update(StockItem).where(StockItem.id == item_id).values(on_hand=StockItem.on_hand + qty)
    if never_below_zero and qty < 0:
        statement = statement.where(StockItem.on_hand >= -qty)
    statement = statement.returning(StockItem.unit_cost, StockItem.name)
    row = db.session.execute(statement.execution_options(synchronize_session=False)).first()
    if row is None:
        name = db.session.scalar(select(StockItem.name).where(StockItem.id == item_id))
        if name is None:
            raise ServiceError("That stock item does not exist.")
        raise OutOfStock(f"There is not enough {name} left (maybe it was just used elsewhere).")
    movement = StockItemMovement(
        stock_item_id=item_id,
        qty=qty,
        value=value if value is not None else value_pence(qty, int(row.unit_cost)),
        reason=reason,
        note=note,
        by_id=by,
        at=at,
        **refs,
    )
    db.session.add(movement)
    return movement


def move_product(
    product: Product,
    qty: int,
    reason: str,
    *,
    by: int | None,
    at: datetime,
    note: str = "",
    never_negative: bool = False,
    **refs: int | None,
) -> StockMovement:
    """Add `qty` finished units (negative takes away) to a product and append the movement.

    Rule: a product that may not go negative refuses a take larger than what is on hand, decided
    by the UPDATE's row count (two tills selling the last one: exactly one gets it); with
    `never_negative` (waste, donations: nobody throws away what is not there) no product may.
    """
    statement = update(Product).where(Product.id == product.id).values(on_hand=Product.on_hand + qty)
    if never_negative and qty < 0:
        statement = statement.where(Product.on_hand >= -qty)
    elif qty < 0:
        statement = statement.where(or_(Product.allow_negative.is_(True), Product.on_hand >= -qty))
    if db.session.execute(statement.execution_options(synchronize_session=False)).rowcount != 1:
        raise OutOfStock(f"There are not {-qty} of {product.name} left (maybe they were just sold).")
    movement = StockMovement(
        product_id=product.id, qty=qty, reason=reason, note=note, by_id=by, at=at, **refs
    )
    db.session.add(movement)
    return movement


def item_on_hand_from_movements(item_id: int) -> int:
    """What the movements of an item add up to (on_hand must always equal it)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(StockItemMovement.qty), 0)).where(
            StockItemMovement.stock_item_id == item_id
        )
    )
    return int(total or 0)


def product_on_hand_from_movements(product_id: int) -> int:
    """What the movements of a product add up to (on_hand must always equal it)."""
    total = db.session.scalar(
        select(func.coalesce(func.sum(StockMovement.qty), 0)).where(StockMovement.product_id == product_id)
    )
    return int(total or 0)
