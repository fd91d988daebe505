"""Stock takes: count sheets by storage location, counted while the till sells, approved once.

Why each line keeps the expected figure of its own moment: a sheet takes an hour to count while
the till keeps selling. A line counted at 10:05 says "8 on the shelf, 10 expected at 10:05"; by the
time a manager approves at 11:00, three more have sold and the system says 7. Setting on-hand to
8 would bring back the three sold since; adding the difference (8 - 10 = -2) gives 5, which is
what is on the shelf. So approval only ever moves stock by each line's variance, as a movement
with the reason "count", and every sale made during the count and after it is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, update

from bakery.domain.stock import QuantityError, describe_quantity, parse_quantity
from bakery.extensions import db
from bakery.models import Product, StockCount, StockCountLine, StockItem, StockMovement, User
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.race_safety import Mechanism, locked, race_safe, serialise
from bakery.services.stock.movements import move_item
from bakery.services.stock.recipes import load_facts, product_facts
from bakery.services.text import optional_text

#: The sheet on which finished products that keep stock are counted, with any item kept there.
SHOP_FLOOR = "Shop floor"

#: What a sheet of items with no storage location is called.
NO_LOCATION = "No location set"

#: The reason a stock take's differences are recorded with.
COUNT = "count"


@dataclass(frozen=True)
class Sheet:
    """A location that can be counted: how many things are on it and its open stock take, if any."""

    location: str
    label: str
    things: int
    open_count_id: int | None


@dataclass(frozen=True)
class SheetLine:
    """One thing on a count sheet as the page shows it (quantities already in words)."""

    kind: str  # "item" or "product"
    ident: int
    name: str
    unit: str
    on_hand: str
    counted: str | None
    expected: str | None
    variance: str | None
    variance_sign: int
    counted_at: datetime | None
    counted_by: str | None
    value: int

    @property
    def key(self) -> str:
        """The line's id in the page (`item-3`, `product-7`)."""
        return f"{self.kind}-{self.ident}"


@dataclass(frozen=True)
class CountSheet:
    """A stock take with every line of its location, counted or not."""

    count: StockCount
    label: str
    lines: list[SheetLine]
    counted: int
    changed: int

    @property
    def is_open(self) -> bool:
        """Whether lines may still be counted."""
        return self.count.status == "open"


def label_of(location: str) -> str:
    """What a location is called on the page."""
    return location or NO_LOCATION


def sheets() -> list[Sheet]:
    """Every location that has something to count, the shop floor first, then by name."""
    item_rows = db.session.execute(
        select(StockItem.location, func.count())
        .where(StockItem.active.is_(True))
        .group_by(StockItem.location)
    ).all()
    things = {str(location): int(n) for location, n in item_rows}
    products = int(
        db.session.scalar(select(func.count()).where(Product.track_stock.is_(True), Product.active.is_(True)))
        or 0
    )
    if products:
        things[SHOP_FLOOR] = things.get(SHOP_FLOOR, 0) + products
    open_counts = dict(
        db.session.execute(
            select(StockCount.location, func.max(StockCount.id))
            .where(StockCount.status == "open")
            .group_by(StockCount.location)
        ).all()
    )
    order = sorted(things, key=lambda loc: (loc != SHOP_FLOOR, loc == "", loc.lower()))
    return [Sheet(loc, label_of(loc), things[loc], open_counts.get(loc)) for loc in order]


def recent_counts(limit: int = 30) -> list[StockCount]:
    """The latest stock takes, open ones first."""
    return list(
        db.session.scalars(
            select(StockCount)
            .order_by(case((StockCount.status == "open", 0), else_=1), StockCount.id.desc())
            .limit(limit)
        )
    )


@race_safe(Mechanism.SERIALISED, guards="one open stock take per location (advisory lock per location)")
def start_count(location: str, *, actor: Actor, now: datetime | None = None) -> StockCount:
    """Open a stock take of one location, or answer with the one already open there.

    Rule: only a location that has something to count; at most one open take per location, so a
    double tap or two people starting the same sheet count on the same sheet.
    """
    if not isinstance(location, str) or location not in {s.location for s in sheets()}:
        raise ServiceError("Choose a location from the list: nothing is kept there.")
    serialise(f"stock-count:{location}")
    already = db.session.scalar(
        select(StockCount).where(StockCount.location == location, StockCount.status == "open")
    )
    if already is not None:
        return already
    at = now or utcnow()
    count = StockCount(location=location, status="open", started_by_id=actor.user_id, started_at=at)
    db.session.add(count)
    db.session.flush()
    audit.record(
        "stock.count_started",
        actor,
        target=f"stock_count:{count.id}",
        details={"location": label_of(location)},
        now=at,
    )
    db.session.commit()
    return count


def _sheet_rows(location: str, count_id: int) -> list[tuple[str, int, str, str, int]]:
    """(kind, id, name, base unit, on hand) for everything on a location's sheet, and anything
    already counted on this take that has since moved or been put away."""
    counted_items = select(StockCountLine.stock_item_id).where(
        StockCountLine.count_id == count_id, StockCountLine.stock_item_id.is_not(None)
    )
    items = db.session.execute(
        select(StockItem.id, StockItem.name, StockItem.base_unit, StockItem.on_hand)
        .where(
            ((StockItem.location == location) & StockItem.active.is_(True)) | StockItem.id.in_(counted_items)
        )
        .order_by(StockItem.name)
    ).all()
    rows = [("item", int(i), str(n), str(u), int(h)) for i, n, u, h in items]
    counted_products = select(StockCountLine.product_id).where(
        StockCountLine.count_id == count_id, StockCountLine.product_id.is_not(None)
    )
    wanted = Product.id.in_(counted_products)
    if location == SHOP_FLOOR:
        wanted = wanted | (Product.track_stock.is_(True) & Product.active.is_(True))
    products = db.session.execute(
        select(Product.id, Product.name, Product.on_hand).where(wanted).order_by(Product.name)
    ).all()
    rows += [("product", int(i), str(n), "each", int(h)) for i, n, h in products]
    return rows


def _signed(amount: int, unit: str) -> str:
    return ("+" if amount > 0 else "") + describe_quantity(amount, unit)


def count_sheet(count_id: int) -> CountSheet:
    """A stock take's sheet: every thing kept at its location with what is on hand now and, where
    counted, what was counted, what was expected then, and the difference."""
    count = db.session.get(StockCount, count_id)
    if count is None:
        raise NotFound("That stock take does not exist.")
    lines = {
        ("item" if line.stock_item_id else "product", line.stock_item_id or line.product_id): line
        for line in db.session.scalars(select(StockCountLine).where(StockCountLine.count_id == count.id))
    }
    people = dict(
        db.session.execute(
            select(User.id, User.display_name).where(
                User.id.in_({line.counted_by_id for line in lines.values() if line.counted_by_id})
            )
        ).all()
    )
    shown: list[SheetLine] = []
    changed = 0
    for kind, ident, name, unit, on_hand in _sheet_rows(count.location, count.id):
        line = lines.get((kind, ident))
        variance = line.counted - line.expected if line else 0
        changed += 1 if line and variance else 0
        shown.append(
            SheetLine(
                kind=kind,
                ident=ident,
                name=name,
                unit=unit,
                on_hand=describe_quantity(on_hand, unit),
                counted=describe_quantity(line.counted, unit) if line else None,
                expected=describe_quantity(line.expected, unit) if line else None,
                variance=_signed(variance, unit) if line else None,
                variance_sign=(variance > 0) - (variance < 0),
                counted_at=line.counted_at if line else None,
                counted_by=people.get(line.counted_by_id) if line and line.counted_by_id else None,
                value=line.value if line else 0,
            )
        )
    return CountSheet(count, label_of(count.location), shown, len(lines), changed)


def sheet_line(count_id: int, kind: str, ident: int) -> SheetLine:
    """One line of a sheet (what an htmx swap re-renders after counting it)."""
    for line in count_sheet(count_id).lines:
        if line.kind == kind and line.ident == ident:
            return line
    raise NotFound("That is not on this count sheet.")


def _open_count(count_id: int) -> StockCount:
    count = locked(StockCount, count_id)
    if count is None:
        raise NotFound("That stock take does not exist.")
    if count.status != "open":
        raise ServiceError(
            f"This stock take was {count.status}: nothing can be counted on it. Start a new one."
        )
    return count


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.UNIQUE_KEY,
    guards="counting only on an open take, approval waits (stock take row); one line per thing",
)
def record_count(
    count_id: int,
    *,
    counted: str,
    actor: Actor,
    stock_item_id: int | None = None,
    product_id: int | None = None,
    now: datetime | None = None,
) -> SheetLine:
    """Record what was counted of one thing on the sheet, with the on-hand figure of this moment.

    Rule: the take must be open; the thing must belong on the sheet (its location, or the shop
    floor for finished products that keep stock); the count is read like "1.5 kg", "250" or "12"
    in the thing's unit, zero allowed, never negative; counting again replaces the line (counted
    and expected both, so sales in between are not counted twice).
    """
    count = _open_count(count_id)
    if (stock_item_id is None) == (product_id is None):
        raise ServiceError("Choose one thing on the sheet to count.")
    kind, ident = ("item", stock_item_id) if stock_item_id is not None else ("product", product_id)
    on_sheet = {(k, i): (u, h) for k, i, _, u, h in _sheet_rows(count.location, count.id)}
    if (kind, ident) not in on_sheet:
        raise ServiceError("That is not on this count sheet: choose a line from the list.")
    unit = on_sheet[(kind, ident)][0]
    try:
        amount = parse_quantity(counted if isinstance(counted, str) else "", unit, allow_zero=True)
    except QuantityError as wrong:
        raise ServiceError(str(wrong)) from wrong
    if kind == "item":
        expected = db.session.scalar(select(StockItem.on_hand).where(StockItem.id == ident))
    else:
        expected = db.session.scalar(select(Product.on_hand).where(Product.id == ident))
    at = now or utcnow()
    column = StockCountLine.stock_item_id if kind == "item" else StockCountLine.product_id
    line = db.session.scalar(
        select(StockCountLine).where(StockCountLine.count_id == count.id, column == ident)
    )
    if line is None:
        line = StockCountLine(
            count_id=count.id,
            stock_item_id=ident if kind == "item" else None,
            product_id=ident if kind == "product" else None,
        )
        db.session.add(line)
    line.counted = amount
    line.expected = int(expected or 0)
    line.counted_by_id = actor.user_id
    line.counted_at = at
    db.session.commit()
    return sheet_line(count.id, kind, int(ident or 0))


def _adjust_product(product_id: int, qty: int, *, by: int | None, at: datetime, note: str) -> StockMovement:
    """Add a count's difference to a product's finished stock, whatever its rule on going negative:
    the count is what the shelf holds (a shelf counted short just after a sale may read below
    zero until the next count; the movements say why)."""
    db.session.execute(
        update(Product)
        .where(Product.id == product_id)
        .values(on_hand=Product.on_hand + qty)
        .execution_options(synchronize_session=False)
    )
    movement = StockMovement(product_id=product_id, qty=qty, reason=COUNT, note=note, by_id=by, at=at)
    db.session.add(movement)
    return movement


@race_safe(
    Mechanism.ROW_LOCK,
    guards="a stock take is approved once: a second approval waits on the take's row and finds it done; "
    "on-hand by relative updates, so sales during and after the count are kept",
)
def approve_count(count_id: int, *, actor: Actor, note: str = "", now: datetime | None = None) -> StockCount:
    """Approve a stock take: each counted line's variance (counted - expected then) is added to its
    item's or product's on-hand as a "count" movement, valued at cost; uncounted lines are left.

    Rule: idempotent (approving an approved take answers with it and moves nothing); a cancelled
    take cannot be approved; at least one line must be counted. Products move before items, each
    in id order, the order a checkout moves them in.
    """
    count = locked(StockCount, count_id)
    if count is None:
        raise NotFound("That stock take does not exist.")
    if count.status == "approved":
        return count
    if count.status != "open":
        raise ServiceError("This stock take was cancelled: it cannot be approved.")
    lines = list(db.session.scalars(select(StockCountLine).where(StockCountLine.count_id == count.id)))
    if not lines:
        raise ServiceError("Nothing has been counted yet: count at least one line, or cancel the take.")
    at = now or utcnow()
    remark = f"Stock take {count.id} ({label_of(count.location)})"
    total = changed = 0
    facts = None
    for line in sorted((ln for ln in lines if ln.product_id), key=lambda ln: int(ln.product_id or 0)):
        variance = line.counted - line.expected
        if not variance:
            continue
        movement = _adjust_product(int(line.product_id or 0), variance, by=actor.user_id, at=at, note=remark)
        db.session.flush()
        line.product_movement_id = movement.id
        product = db.session.get(Product, line.product_id)
        facts = facts or load_facts()
        line.value = (product_facts(product, facts).cost or 0) * variance if product else 0
        total += line.value
        changed += 1
    for line in sorted((ln for ln in lines if ln.stock_item_id), key=lambda ln: int(ln.stock_item_id or 0)):
        variance = line.counted - line.expected
        if not variance:
            continue
        moved = move_item(int(line.stock_item_id or 0), variance, COUNT, by=actor.user_id, at=at, note=remark)
        db.session.flush()
        line.item_movement_id = moved.id
        line.value = moved.value
        total += moved.value
        changed += 1
    count.status = "approved"
    count.closed_by_id = actor.user_id
    count.closed_at = at
    count.value = total
    count.note = optional_text(note, "note", 200)
    audit.record(
        "stock.count_approved",
        actor,
        target=f"stock_count:{count.id}",
        details={
            "location": label_of(count.location),
            "lines": len(lines),
            "changed": changed,
            "value": total,
        },
        now=at,
    )
    db.session.commit()
    return count


@race_safe(Mechanism.ROW_LOCK, guards="an approved take is never cancelled (stock take row)")
def cancel_count(count_id: int, *, actor: Actor, now: datetime | None = None) -> StockCount:
    """Throw away an open stock take: nothing moves. Rule: an approved take cannot be cancelled;
    cancelling twice is one cancellation."""
    count = locked(StockCount, count_id)
    if count is None:
        raise NotFound("That stock take does not exist.")
    if count.status == "cancelled":
        return count
    if count.status == "approved":
        raise ServiceError(
            "This stock take was approved: its movements stand. Start a new take to correct it."
        )
    at = now or utcnow()
    count.status = "cancelled"
    count.closed_by_id = actor.user_id
    count.closed_at = at
    audit.record(
        "stock.count_cancelled",
        actor,
        target=f"stock_count:{count.id}",
        details={"location": label_of(count.location)},
        now=at,
    )
    db.session.commit()
    return count


def counted_lines(count_id: int) -> Sequence[StockCountLine]:
    """The lines counted on a take (for tests and reports)."""
    return list(db.session.scalars(select(StockCountLine).where(StockCountLine.count_id == count_id)))
