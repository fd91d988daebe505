"""The end-of-day markdown: one tap takes the shop's markdown percentage off the order's lines of
batch-baked products, recorded as their own discount reason."""

from __future__ import annotations

from datetime import datetime

from bakery.domain.markdown import MarkdownError, markdown_plan, marks_down
from bakery.extensions import db
from bakery.models import Basket
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import ServiceError
from bakery.services.race_safety import Mechanism, lock_till, race_safe
from bakery.services.settings import current_settings
from bakery.services.till.pricing import open_basket, price

#: The reason a markdown is recorded under: the till's own end-of-day reduction (one of the
#: discount reasons, so reports and receipts name it as they name the others).
MARKDOWN_REASON = "end-of-day reduction"


@race_safe(Mechanism.ROW_LOCK, guards="the till's basket (till row)")
def mark_down(till_id: int, actor: Actor, *, now: datetime | None = None) -> Basket:
    """Take the shop's end-of-day markdown off every line of a batch-baked product in the till's
    order, each recorded as an end-of-day reduction (kept as a percentage, so it follows the
    line's quantity) and audited once for the order.

    Rule: the shop's setting is the authority (no manager's PIN: an admin set the percentage);
    an empty order, or one with nothing baked in batches, is refused with the reason and left
    as it was.
    """
    lock_till(till_id)
    at = now or utcnow()
    basket = open_basket(till_id)
    if basket is None or not basket.lines:
        raise ServiceError("The basket is empty.")
    markdown_bp = current_settings().markdown_bp
    priced = price(basket)
    if not any(marks_down(p.product.make) for p in priced.lines):
        raise ServiceError("Nothing in this order is baked in batches: the end-of-day markdown is for those.")
    try:
        plan = markdown_plan(
            [
                (p.line.id, p.product.make, (p.unit_price + p.modifiers_price) * p.line.qty, p.discount)
                for p in priced.lines
            ],
            markdown_bp,
        )
    except MarkdownError as wrong:
        raise ServiceError(str(wrong)) from wrong
    for line in basket.lines:
        if line.id in plan:
            line.line_discount_bp, line.line_discount = markdown_bp, 0
            line.discount_reason = MARKDOWN_REASON
    audit.record(
        "till.markdown",
        actor,
        target=f"basket:{basket.id}",
        details={"lines": len(plan), "markdown_bp": markdown_bp, "discount": sum(plan.values())},
        now=at,
    )
    db.session.commit()
    return basket
