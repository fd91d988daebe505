"""Goods in: a delivery adds stock at its cost; a mistake is put right by a linked correction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bakery.domain.clock import business_date
from bakery.domain.money import MAX_AMOUNT
from bakery.domain.stock import MAX_BASE_QTY, weighted_average_cost
from bakery.extensions import db
from bakery.models import Delivery, DeliveryLine, PurchaseUnit, StockItem, Supplier
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import FORM_KEY, Mechanism, locked, race_safe
from bakery.services.settings import current_settings
from bakery.services.stock.movements import move_item
from bakery.services.text import optional_text

#: The most lines one delivery may have.
MAX_LINES = 60

#: How far back a delivery may be entered (a late invoice), in days.
MAX_DAYS_BACK = 366


@dataclass(frozen=True)
class LineIn:
    """A delivery line as entered: `qty` of a purchase unit (or of base units when there is none),
    what the whole line cost in pence, and the lot code and use-by date where the label gives them."""

    stock_item_id: int
    qty: int
    cost: int
    purchase_unit_id: int | None = None
    lot_code: str = ""
    use_by: date | None = None


def _line(line: LineIn, delivered_on: date, *, correcting: bool) -> tuple[StockItem, DeliveryLine]:
    item = db.session.get(StockItem, line.stock_item_id)
    if item is None:
        raise ServiceError("Choose a stock item from the list: that one does not exist.")
    low = -MAX_BASE_QTY if correcting else 1
    if not isinstance(line.qty, int) or isinstance(line.qty, bool) or not low <= line.qty <= MAX_BASE_QTY:
        raise ServiceError(f"Enter how many {item.name} came, more than zero.")
    cost_low = -MAX_AMOUNT if correcting else 0
    if (
        not isinstance(line.cost, int)
        or isinstance(line.cost, bool)
        or not cost_low <= line.cost <= MAX_AMOUNT
    ):
        raise ServiceError(f"Enter what the {item.name} cost, from 0.00.")
    unit_name, per = "", 1
    if line.purchase_unit_id is not None:
        unit = db.session.get(PurchaseUnit, line.purchase_unit_id)
        if unit is None or unit.stock_item_id != item.id:
            raise ServiceError(f"Choose one of {item.name}'s purchase units.")
        unit_name, per = unit.name, unit.base_qty
    base_qty = line.qty * per
    if abs(base_qty) > MAX_BASE_QTY:
        raise ServiceError(f"That is more {item.name} than one line can hold: check the quantity.")
    if line.use_by is not None and line.use_by < delivered_on - timedelta(days=1) and not correcting:
        raise ServiceError(f"The {item.name} was past its use-by date when it came: it cannot go into stock.")
    return item, DeliveryLine(
        stock_item_id=item.id,
        purchase_unit=unit_name,
        units=line.qty,
        base_qty=base_qty,
        cost=line.cost,
        lot_code=optional_text(line.lot_code, "lot code", 40),
        use_by=line.use_by,
    )


def _write(
    delivery: Delivery, checked: list[tuple[StockItem, DeliveryLine]], actor: Actor, at: datetime
) -> None:
    """Lock the items (in id order: two deliveries never wait on each other in a circle), re-average
    their cost and move their stock, one line at a time."""
    for item_id in sorted({item.id for item, _ in checked}):
        locked(StockItem, item_id)
    db.session.add(delivery)
    db.session.flush()
    for item, line in checked:
        line.delivery_id = delivery.id
        db.session.add(line)
        fresh = db.session.get(StockItem, item.id) or item
        fresh.unit_cost = weighted_average_cost(fresh.on_hand, fresh.unit_cost, line.base_qty, line.cost)
        reason = "correction" if delivery.corrects_id else "delivery"
        move_item(
            item.id, line.base_qty, reason, by=actor.user_id, at=at, value=line.cost, delivery_id=delivery.id
        )
        db.session.expire(fresh, ["on_hand"])


def _existing(key: str) -> Delivery | None:
    if not FORM_KEY.match(key or ""):
        raise ServiceError("This form is out of date. Open the page again.")
    return db.session.scalar(select(Delivery).where(Delivery.key == key))


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.UNIQUE_KEY,
    guards="each item's on-hand and average cost (item rows, in id order); one delivery per form key",
)
def record_delivery(
    *,
    supplier_id: int | None,
    delivered_on: date,
    lines: list[LineIn],
    key: str,
    actor: Actor,
    reference: str = "",
    note: str = "",
    today: date | None = None,
    now: datetime | None = None,
) -> Delivery:
    """Goods in: each line adds its base units to the item at the line's cost, and the item's cost
    per unit becomes the weighted average.

    Rule: 1 to MAX_LINES lines; quantities more than zero in a purchase unit of that item (or in
    base units); costs from 0 to MAX_AMOUNT; nothing delivered in the future or more than a year
    ago; nothing past its use-by. Idempotent by the form's key: a double-tapped Save is one
    delivery.
    """
    done = _existing(key)
    if done is not None:
        return done
    if supplier_id is not None and db.session.get(Supplier, supplier_id) is None:
        raise ServiceError("Choose a supplier from the list: that one does not exist.")
    today = today or business_date(now or utcnow(), current_settings().timezone)
    if delivered_on > today:
        raise ServiceError("A delivery cannot arrive in the future: check the date.")
    if delivered_on < today - timedelta(days=MAX_DAYS_BACK):
        raise ServiceError("That date is more than a year ago: check it.")
    if not lines:
        raise ServiceError("Add at least one line: what came, how many, and what it cost.")
    if len(lines) > MAX_LINES:
        raise ServiceError(f"A delivery can have at most {MAX_LINES} lines.")
    checked = [_line(line, delivered_on, correcting=False) for line in lines]
    at = now or utcnow()
    delivery = Delivery(
        supplier_id=supplier_id,
        delivered_on=delivered_on,
        reference=optional_text(reference, "invoice reference", 40),
        note=optional_text(note, "note", 500),
        key=key,
        by_id=actor.user_id,
        at=at,
    )
    try:
        _write(delivery, checked, actor, at)
    except IntegrityError as clash:  # the same key, saved at the same moment by another request
        db.session.rollback()
        found = db.session.scalar(select(Delivery).where(Delivery.key == key))
        if found is None:
            raise ServiceError("The delivery could not be saved: try again.") from clash
        return found
    audit.record(
        "stock.delivery",
        actor,
        target=f"delivery:{delivery.id}",
        details={"lines": len(checked), "cost": sum(line.cost for _, line in checked)},
        now=at,
    )
    db.session.commit()
    return delivery


def delivered(delivery_id: int) -> dict[int, tuple[int, int]]:
    """What a delivery now amounts to, with its corrections: item id → (base units, cost in pence)."""
    rows = db.session.execute(
        select(DeliveryLine.stock_item_id, DeliveryLine.base_qty, DeliveryLine.cost)
        .join(Delivery, Delivery.id == DeliveryLine.delivery_id)
        .where((Delivery.id == delivery_id) | (Delivery.corrects_id == delivery_id))
    )
    totals: dict[int, tuple[int, int]] = {}
    for item_id, qty, cost in rows:
        before = totals.get(item_id, (0, 0))
        totals[item_id] = (before[0] + qty, before[1] + cost)
    return totals


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.UNIQUE_KEY,
    guards="the delivery corrected (row lock) and each item's on-hand and cost; one correction per form key",
)
def correct_delivery(
    delivery_id: int,
    *,
    corrected: dict[int, tuple[int, int]],
    reason: str,
    key: str,
    actor: Actor,
    now: datetime | None = None,
) -> Delivery:
    """Put a delivery right: `corrected` says, per item on it, the base units and cost that truly
    came; the correction is a new delivery linked to it holding only the differences.

    Rule: a delivery is never edited; a reason is required; only items already on the delivery;
    what truly came is zero or more; a correction that changes nothing is refused. Taking stock
    back out leaves the item's average cost as it was (see `weighted_average_cost`).
    """
    done = _existing(key)
    if done is not None:
        return done
    original = locked(Delivery, delivery_id)
    if original is None or original.corrects_id is not None:
        raise NotFound("That delivery does not exist.")
    why = optional_text(reason, "reason", 200)
    if not why:
        raise ServiceError("Say why the delivery is being corrected.")
    now_held = delivered(delivery_id)
    lines: list[tuple[StockItem, DeliveryLine]] = []
    for item_id, (qty, cost) in sorted(corrected.items()):
        if item_id not in now_held:
            raise ServiceError("Only the items on this delivery can be corrected.")
        for value, most in ((qty, MAX_BASE_QTY), (cost, MAX_AMOUNT)):
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= most:
                raise ServiceError("What truly came is zero or more, and its cost from 0.00.")
        held_qty, held_cost = now_held[item_id]
        if (qty, cost) == (held_qty, held_cost):
            continue
        item = db.session.get(StockItem, item_id)
        if item is None:
            raise NotFound("That stock item does not exist.")
        lines.append(
            (
                item,
                DeliveryLine(
                    stock_item_id=item_id,
                    units=qty - held_qty,
                    base_qty=qty - held_qty,
                    cost=cost - held_cost,
                ),
            )
        )
    if not lines:
        raise ServiceError("Nothing was changed: the delivery already says that.")
    at = now or utcnow()
    correction = Delivery(
        supplier_id=original.supplier_id,
        delivered_on=original.delivered_on,
        reference=original.reference,
        corrects_id=original.id,
        note=why,
        key=key,
        by_id=actor.user_id,
        at=at,
    )
    _write(correction, lines, actor, at)
    audit.record(
        "stock.delivery_corrected",
        actor,
        target=f"delivery:{original.id}",
        details={"reason": why, "lines": len(lines)},
        now=at,
    )
    db.session.commit()
    return correction
