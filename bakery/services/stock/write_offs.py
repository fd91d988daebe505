"""Waste and donations: stock that leaves without a sale, with why, to whom, and what it cost."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bakery.domain.clock import business_date
from bakery.domain.stock import MAX_BASE_QTY
from bakery.extensions import db
from bakery.models import Partner, Product, StockItem, WriteOff
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import ServiceError
from bakery.services.race_safety import FORM_KEY, Mechanism, locked, race_safe
from bakery.services.settings import current_settings
from bakery.services.stock.movements import move_item, move_product
from bakery.services.stock.recipes import product_facts
from bakery.services.text import optional_text

#: Why stock was wasted.
WASTE_REASONS: dict[str, str] = {
    "unsold": "Unsold at close",
    "burnt": "Burnt or misshapen",
    "dropped": "Dropped or spoiled",
    "expired": "Past its date",
}

#: The reason a donation is recorded with.
DONATED = "donated"


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.CONDITIONAL_UPDATE,
    Mechanism.UNIQUE_KEY,
    guards="on-hand never below zero (conditional update); one write-off per form key",
)
def write_off(
    *,
    qty: int,
    kind: str,
    key: str,
    actor: Actor,
    product_id: int | None = None,
    stock_item_id: int | None = None,
    reason: str = "",
    partner_id: int | None = None,
    note: str = "",
    now: datetime | None = None,
    day: date | None = None,
) -> WriteOff:
    """Take finished units of a product (or base units of a stock item) out of stock as waste or a
    donation, valued at cost.

    Rule: exactly one product or stock item; a product must keep finished stock (baked in batches
    or tracked); waste names a reason (unsold, burnt, dropped, expired); a donation names an active
    partner; never more than is on hand (two people writing off the last ones: one is told);
    idempotent by the form's key.
    """
    if not FORM_KEY.match(key or ""):
        raise ServiceError("This form is out of date. Open the page again.")
    done = db.session.scalar(select(WriteOff).where(WriteOff.key == key))
    if done is not None:
        return done
    if (product_id is None) == (stock_item_id is None):
        raise ServiceError("Choose one product or one stock item.")
    if kind == "waste":
        if reason not in WASTE_REASONS:
            raise ServiceError("Choose why it was wasted: " + ", ".join(WASTE_REASONS.values()).lower() + ".")
        partner = None
    elif kind == "donation":
        partner = locked(Partner, partner_id) if isinstance(partner_id, int) else None
        if partner is None or not partner.active:
            raise ServiceError("Choose who it was given to.")
        reason = DONATED
    else:
        raise ServiceError("Choose waste or donation.")
    if not isinstance(qty, int) or isinstance(qty, bool) or not 0 < qty <= MAX_BASE_QTY:
        raise ServiceError("Say how many, more than zero.")
    at = now or utcnow()
    record = WriteOff(
        qty=qty,
        kind=kind,
        reason=reason,
        partner_id=partner.id if partner else None,
        day=day or business_date(at, current_settings().timezone),
        note=optional_text(note, "note", 200),
        key=key,
        by_id=actor.user_id,
        at=at,
    )
    if product_id is not None:
        product = db.session.get(Product, product_id)
        if product is None:
            raise ServiceError("Choose a product from the list: that one does not exist.")
        if not product.track_stock:
            raise ServiceError(f"{product.name} keeps no finished stock to write off.")
        record.product_id = product.id
        cost = product_facts(product).cost
        record.value = (cost or 0) * qty
        target = f"product:{product.id}"
    else:
        item = db.session.get(StockItem, stock_item_id)
        if item is None:
            raise ServiceError("Choose a stock item from the list: that one does not exist.")
        record.stock_item_id = item.id
        target = f"stock_item:{item.id}"
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError as clash:
        found = db.session.scalar(select(WriteOff).where(WriteOff.key == key))
        if found is None:
            raise ServiceError("That could not be saved: try again.") from clash
        return found
    if product_id is not None:
        move_product(
            product, -qty, kind, by=actor.user_id, at=at, write_off_id=record.id, never_negative=True
        )
    else:
        movement = move_item(
            item.id, -qty, kind, by=actor.user_id, at=at, write_off_id=record.id, never_below_zero=True
        )
        record.value = -movement.value
    audit.record(
        f"stock.{kind}",
        actor,
        target=target,
        details={
            "qty": qty,
            "reason": reason,
            "partner": partner.name if partner else None,
            "value": record.value,
        },
        now=at,
    )
    db.session.commit()
    return record
