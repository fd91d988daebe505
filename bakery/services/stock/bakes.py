"""Bake batches: "baked 24 sourdough" consumes the recipe's ingredients and adds finished stock."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bakery.domain import recipes as rules
from bakery.domain.clock import business_date
from bakery.extensions import db
from bakery.models import BakeBatch, Product
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import FORM_KEY, Mechanism, locked, race_safe
from bakery.services.settings import current_settings
from bakery.services.stock.movements import move_item, move_product
from bakery.services.stock.recipes import load_facts
from bakery.services.text import optional_text

#: The most one batch may make (a typo guard: 10,000 loaves is not a batch).
MAX_BATCH = 10_000


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.UNIQUE_KEY,
    guards="the product's finished stock and batch numbers (product row); ingredients by relative "
    "update; one batch per form key",
)
def record_bake(
    product_id: int,
    qty: int,
    *,
    key: str,
    actor: Actor,
    baked_on: date | None = None,
    best_before: date | None = None,
    note: str = "",
    now: datetime | None = None,
) -> BakeBatch:
    """Record a batch baked: the recipe's ingredients for `qty` units leave stock (whole base units,
    rounded once over the batch), `qty` finished units arrive, and the batch gets a code, its cost
    at the ingredients' average cost, and a best-before (the product's shelf life unless given).

    Rule: only a product baked in batches from a recipe; 1 to MAX_BATCH units; a best-before not
    before the bake; ingredients may go below zero (the bake happened whether or not a delivery
    was recorded; the stock list shows it). Idempotent by the form's key.
    """
    if not FORM_KEY.match(key or ""):
        raise ServiceError("This form is out of date. Open the page again.")
    done = db.session.scalar(select(BakeBatch).where(BakeBatch.key == key))
    if done is not None:
        return done
    if not isinstance(qty, int) or isinstance(qty, bool) or not 0 < qty <= MAX_BATCH:
        raise ServiceError(f"Say how many were baked: 1 to {MAX_BATCH}.")
    product = locked(Product, product_id)
    if product is None:
        raise NotFound("That product does not exist.")
    if product.make != "batch" or product.recipe_id is None:
        raise ServiceError(f"{product.name} is not baked in batches: give it a recipe first.")
    at = now or utcnow()
    day = baked_on or business_date(at, current_settings().timezone)
    if best_before is None and product.shelf_life_days:
        best_before = day + timedelta(days=product.shelf_life_days)
    if best_before is not None and best_before < day:
        raise ServiceError("The best-before date cannot be before the bake.")
    facts = load_facts()
    try:
        used = rules.consumption(product.recipe_id, facts.recipes, units=qty)
    except rules.RecipeError as wrong:
        raise ServiceError(str(wrong)) from wrong
    made_today = db.session.scalar(
        select(func.count()).where(BakeBatch.product_id == product.id, BakeBatch.baked_on == day)
    )
    batch = BakeBatch(
        product_id=product.id,
        qty=qty,
        code=f"{day:%y%m%d}-{product.id}-{int(made_today or 0) + 1}",
        baked_on=day,
        best_before=best_before,
        cost=0,
        note=optional_text(note, "note", 200),
        key=key,
        by_id=actor.user_id,
        at=at,
    )
    try:
        with db.session.begin_nested():
            db.session.add(batch)
    except IntegrityError as clash:  # the same key saved at the same moment elsewhere
        found = db.session.scalar(select(BakeBatch).where(BakeBatch.key == key))
        if found is None:
            raise ServiceError("The batch could not be saved: try again.") from clash
        return found
    cost = 0
    for item_id, amount in used.items():  # in id order, like every other writer of items
        movement = move_item(item_id, -amount, "bake", by=actor.user_id, at=at, batch_id=batch.id)
        cost -= movement.value
    batch.cost = cost
    move_product(product, qty, "production", by=actor.user_id, at=at, batch_id=batch.id, note=batch.code)
    audit.record(
        "stock.baked",
        actor,
        target=f"product:{product.id}",
        details={"qty": qty, "batch": batch.code, "cost": cost},
        now=at,
    )
    db.session.commit()
    return batch
