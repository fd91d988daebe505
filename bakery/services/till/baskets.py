"""Ringing up a basket on a till: lines, variants, modifiers, quantities, eat-in or takeaway."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bakery.database import commit_keeping_loaded
from bakery.extensions import db
from bakery.formatting import money
from bakery.models import Basket, BasketLine, PendingPayment
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.auth import authorise_manager
from bakery.services.catalogue import (
    Catalogue,
    OptionView,
    ProductView,
    VariantView,
    current_catalogue,
    fresh_catalogue,
)
from bakery.services.errors import ServiceError
from bakery.services.race_safety import Mechanism, lock_till, race_safe
from bakery.services.till.order_extras import (
    DISCOUNT_REASONS as DISCOUNT_REASONS,
)
from bakery.services.till.order_extras import (
    ChooseMember as ChooseMember,
)
from bakery.services.till.order_extras import (
    MemberMatch as MemberMatch,
)
from bakery.services.till.order_extras import (
    attach_member as attach_member,
)
from bakery.services.till.order_extras import (
    detach_member as detach_member,
)
from bakery.services.till.order_extras import (
    find_products as find_products,
)
from bakery.services.till.order_extras import (
    park_basket as park_basket,
)
from bakery.services.till.order_extras import (
    parked_baskets as parked_baskets,
)
from bakery.services.till.order_extras import (
    product_for_code as product_for_code,
)
from bakery.services.till.order_extras import (
    recall_basket as recall_basket,
)
from bakery.services.till.order_extras import (
    set_basket_discount as set_basket_discount,
)
from bakery.services.till.order_extras import (
    set_line_discount as set_line_discount,
)
from bakery.services.till.pricing import (
    MEMBER_DISCOUNT as MEMBER_DISCOUNT,
)
from bakery.services.till.pricing import (
    PricedBasket as PricedBasket,
)
from bakery.services.till.pricing import (
    PricedLine as PricedLine,
)
from bakery.services.till.pricing import (
    _line_in_till,
    _open_or_new,
)
from bakery.services.till.pricing import (
    open_basket as open_basket,
)
from bakery.services.till.pricing import (
    price as price,
)
from bakery.services.till.pricing import (
    vat_category as vat_category,
)

MAX_QTY = 999


def check_choices(
    product: ProductView, variant_id: int | None, option_ids: list[int], catalogue: Catalogue | None = None
) -> tuple[VariantView | None, list[OptionView]]:
    """A variant must belong to the product (and one is required when it has variants); options
    must come from the product's modifier groups, within each group's minimum and maximum."""
    variant = None
    if product.variants:
        variant = next((v for v in product.variants if v.id == variant_id), None)
        if variant is None:
            raise ServiceError(f"Choose a size for {product.name}.")
    elif variant_id is not None:
        raise ServiceError(f"{product.name} has no sizes.")
    known = (catalogue or current_catalogue()).options
    if any(i not in known for i in option_ids):
        raise ServiceError("That option is not on the menu any more.")
    options = sorted({known[i] for i in option_ids}, key=lambda o: (o.group_id, o.sort_order, o.id))
    allowed = {g.id: g for g in product.modifier_groups}
    for option in options:
        if option.group_id not in allowed:
            raise ServiceError(f"{option.name} is not an option for {product.name}.")
    for group in allowed.values():
        chosen = sum(1 for o in options if o.group_id == group.id)
        if chosen < group.min_choices:
            raise ServiceError(f"Choose {group.name} for {product.name}.")
        if chosen > group.max_choices:
            raise ServiceError(f"Choose at most {group.max_choices} of {group.name}.")
    return variant, options


@race_safe(Mechanism.ROW_LOCK, guards="one open basket per till and every tap counted (till row)")
def add_line(
    till_id: int,
    product_id: int,
    actor: Actor,
    *,
    variant_id: int | None = None,
    option_ids: list[int] | None = None,
    qty: int = 1,
) -> Basket:
    """Add a product to the till's open basket (starting one if needed).

    Rule: only active products; the same product with the same choices and no note or discount
    adds to the existing line's quantity; a line holds 1 to 999.
    """
    lock_till(till_id)
    catalogue = current_catalogue()
    product = catalogue.products.get(product_id)
    if product is None:
        catalogue = fresh_catalogue()  # added since this process read the catalogue
        product = catalogue.products.get(product_id)
    if product is None or not product.active or not product.category.active:
        raise ServiceError("That product is not on sale.")
    if not 1 <= qty <= MAX_QTY:
        raise ServiceError(f"The quantity must be between 1 and {MAX_QTY}.")
    _, options = check_choices(product, variant_id, option_ids or [], catalogue)
    if actor.user_id is None:
        raise ServiceError("Sign in on the till first.")
    basket = _open_or_new(till_id, actor.user_id)
    key = ",".join(str(o.id) for o in options)
    same = next(
        (
            line
            for line in basket.lines
            if line.product_id == product.id
            and line.variant_id == variant_id
            and line.option_ids == key
            and not line.note
            and not line.line_discount
            and not line.line_discount_bp
            and line.eat_in is None
        ),
        None,
    )
    if same is not None:
        if same.qty + qty > MAX_QTY:
            raise ServiceError(f"A line can hold at most {MAX_QTY}.")
        same.qty += qty
    else:
        basket.lines.append(BasketLine(product_id=product.id, variant_id=variant_id, option_ids=key, qty=qty))
    commit_keeping_loaded()
    return basket


@race_safe(Mechanism.ROW_LOCK, guards="the line's quantity (till row)")
def change_qty(till_id: int, line_id: int, delta: int) -> Basket:
    """Step a line's quantity up or down; stepping below 1 removes the line."""
    lock_till(till_id)
    line = _line_in_till(line_id, till_id)
    basket = line.basket
    new_qty = line.qty + delta
    if new_qty > MAX_QTY:
        raise ServiceError(f"A line can hold at most {MAX_QTY}.")
    if new_qty < 1:
        basket.lines.remove(line)
    else:
        line.qty = new_qty
    commit_keeping_loaded()
    return basket


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket (till row)")
def remove_line(till_id: int, line_id: int) -> Basket:
    """Take a line out of the basket."""
    lock_till(till_id)
    line = _line_in_till(line_id, till_id)
    basket = line.basket
    basket.lines.remove(line)
    commit_keeping_loaded()
    return basket


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket (till row)")
def set_line_note(till_id: int, line_id: int, note: str) -> Basket:
    """A note for the kitchen on one line (at most 140 characters)."""
    lock_till(till_id)
    line = _line_in_till(line_id, till_id)
    text = " ".join((note or "").split())
    if len(text) > 140:
        raise ServiceError("A note can be at most 140 characters.")
    line.note = text
    commit_keeping_loaded()
    return line.basket


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket (till row)")
def set_eat_in(till_id: int, eat_in: bool, actor: Actor) -> Basket:
    """Switch the whole basket between eat-in and takeaway (lines with their own choice keep it)."""
    lock_till(till_id)
    if actor.user_id is None:
        raise ServiceError("Sign in on the till first.")
    basket = _open_or_new(till_id, actor.user_id)
    basket.eat_in = eat_in
    commit_keeping_loaded()
    return basket


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket (till row)")
def set_line_eat_in(till_id: int, line_id: int, eat_in: bool | None) -> Basket:
    """Override eat-in/takeaway for one line of a mixed order (None follows the basket)."""
    lock_till(till_id)
    line = _line_in_till(line_id, till_id)
    line.eat_in = eat_in
    commit_keeping_loaded()
    return line.basket


#: Why an order with lines is voided (a short list; "other" needs a few words).
VOID_REASONS = (
    "customer changed their mind",
    "rung up by mistake",
    "customer could not pay",
    "test order",
    "other",
)


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket (till row); the manager's lock-out (user row)")
def void_basket(
    till_id: int,
    actor: Actor,
    *,
    reason: str = "",
    note: str = "",
    manager_above: int,
    manager_id: int | None = None,
    manager_pin: str = "",
    now: datetime | None = None,
) -> None:
    """Void the open basket (never paid): it is kept as voided, with an audit row.

    Rule: an empty basket is simply cleared; one with lines needs a reason from `VOID_REASONS`
    (with a note of up to 120 characters, required for "other"), and a manager's PIN when its total
    is more than `manager_above` pence. The audit row keeps the reason, the note, the total and
    who authorised it.
    """
    lock_till(till_id)
    at = now or utcnow()
    basket = open_basket(till_id)
    if basket is None:
        return
    text = " ".join((note or "").split())
    total = price(basket).totals.total if basket.lines else 0
    manager: int | None = None
    if basket.lines:
        if reason not in VOID_REASONS:
            raise ServiceError("Choose why the order is voided.")
        if len(text) > 120:
            raise ServiceError("The note can be at most 120 characters.")
        if reason == "other" and not text:
            raise ServiceError("Say in a few words why the order is voided.")
        if total > manager_above:
            if not manager_id:
                raise ServiceError(f"Voiding an order over {money(manager_above)} needs a manager's PIN.")
            manager = authorise_manager(manager_id, manager_pin, actor, at).id
    basket.status = "voided"
    for pending in db.session.scalars(select(PendingPayment).where(PendingPayment.basket_id == basket.id)):
        db.session.delete(pending)
    audit.record(
        "till.basket_voided",
        actor,
        target=f"basket:{basket.id}",
        details={
            "lines": len(basket.lines),
            "items": sum(line.qty for line in basket.lines),
            "total": total,
            "reason": reason if basket.lines else "empty",
            "note": text,
            "authorised_by": manager,
        },
        now=at,
    )
    db.session.commit()
