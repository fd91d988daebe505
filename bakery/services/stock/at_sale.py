"""What a sale or a refund takes from stock beyond the product itself: the stock item a bought-in
product is, and the ingredients of a product made to order. Runs inside the checkout's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bakery.domain import recipes as rules
from bakery.models import Product
from bakery.services.catalogue import ProductView
from bakery.services.errors import ServiceError
from bakery.services.race_safety import Mechanism, race_safe
from bakery.services.stock.movements import move_item
from bakery.services.stock.recipes import Facts, load_facts


@race_safe(
    Mechanism.CONDITIONAL_UPDATE,
    guards="callers hold the till row; a bought-in item never below zero unless the product allows it",
)
def consume_for_sale(
    lines: Iterable[tuple[Product | ProductView, int]],
    sale_id: int,
    by: int | None,
    at: datetime,
    reason: str = "sale",
) -> None:
    """Take from stock what sold lines use (qty > 0), or put back what refunded lines return (qty < 0).

    Rule: a bought-in product takes `stock_qty` base units of its stock item per unit, refused when
    there is not enough and the product may not go negative; a product made to order takes its
    recipe's ingredients (whole base units, rounded once per line), which may go below zero (the
    latte was made). A refund puts a bought-in item back; a made-to-order product's ingredients are
    not returned (they were used). Recipes are read once per sale, and only when a line needs one.
    """
    totals: dict[int, tuple[int, bool]] = {}
    facts: Facts | None = None
    for product, qty in lines:
        if product.make == "bought" and product.stock_item_id is not None:
            taken, guarded = totals.get(product.stock_item_id, (0, False))
            totals[product.stock_item_id] = (
                taken + qty * product.stock_qty,
                guarded or not product.allow_negative,
            )
        elif product.make == "to_order" and product.recipe_id is not None and qty > 0:
            facts = facts or load_facts()
            try:
                used = rules.consumption(product.recipe_id, facts.recipes, qty)
            except rules.RecipeError as wrong:
                raise ServiceError(f"{product.name} cannot be made: {wrong}") from wrong
            for item_id, amount in used.items():
                taken, guarded = totals.get(item_id, (0, False))
                totals[item_id] = (taken + amount, guarded)
    for item_id in sorted(totals):  # id order: the same lock order as deliveries and bakes
        taken, guarded = totals[item_id]
        if taken:
            move_item(item_id, -taken, reason, by=by, at=at, sale_id=sale_id, never_below_zero=guarded)
