"""Stock lists that read only: an item's movement history, the low-stock list, and the purchase
list that brings every item back to par, grouped by supplier (page, CSV and PDF)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bakery.domain.clock import local_day_bounds
from bakery.domain.ordering import order_for, shortfall
from bakery.domain.stock import describe_quantity, describe_unit_cost, value_pence
from bakery.extensions import db
from bakery.formatting import money
from bakery.models import StockItem, StockItemMovement, Supplier, User
from bakery.services.errors import NotFound
from bakery.services.settings import current_settings
from printers.document import Block, Columns, Document, Rule, Text
from printers.render_pdf import render_pdf

#: Why an item's stock moved, as the history's filter offers it.
MOVEMENT_REASONS: dict[str, str] = {
    "delivery": "Delivery",
    "correction": "Delivery correction",
    "bake": "Used in a bake",
    "sale": "Sold",
    "refund": "Refunded",
    "waste": "Wasted",
    "donation": "Donated",
    "count": "Stock take",
}

#: The most history rows one page shows (newest first).
HISTORY_LIMIT = 500

#: Characters across an A4 purchase list.
A4_COLUMNS = 72


@dataclass(frozen=True)
class HistoryRow:
    """One movement as the history shows it."""

    at: datetime
    reason: str
    qty: str
    value: int
    note: str
    by: str | None
    delivery_id: int | None
    batch_id: int | None
    sale_id: int | None


@dataclass(frozen=True)
class ItemHistory:
    """An item's movements within the filters, newest first, and what they add up to."""

    item: StockItem
    on_hand: str
    rows: list[HistoryRow]
    total_qty: str
    total_value: int
    more: bool


def movement_history(
    item_id: int, *, reason: str = "", start: date | None = None, end: date | None = None
) -> ItemHistory:
    """An item's movements, newest first, filtered by reason and by shop-local days (inclusive).

    Rule: an unknown reason is no filter; the totals are over every movement matching the
    filters, even when the page shows only the newest HISTORY_LIMIT.
    """
    item = db.session.get(StockItem, item_id)
    if item is None:
        raise NotFound("That stock item does not exist.")
    where = [StockItemMovement.stock_item_id == item.id]
    if reason in MOVEMENT_REASONS:
        where.append(StockItemMovement.reason == reason)
    timezone = current_settings().timezone
    if start is not None:
        where.append(StockItemMovement.at >= local_day_bounds(start, timezone)[0])
    if end is not None:
        where.append(StockItemMovement.at < local_day_bounds(end, timezone)[1])
    total_qty, total_value, how_many = db.session.execute(
        select(
            func.coalesce(func.sum(StockItemMovement.qty), 0),
            func.coalesce(func.sum(StockItemMovement.value), 0),
            func.count(),
        ).where(*where)
    ).one()
    found = db.session.execute(
        select(StockItemMovement, User.display_name)
        .outerjoin(User, User.id == StockItemMovement.by_id)
        .where(*where)
        .order_by(StockItemMovement.at.desc(), StockItemMovement.id.desc())
        .limit(HISTORY_LIMIT)
    ).all()
    rows = [
        HistoryRow(
            at=m.at,
            reason=MOVEMENT_REASONS.get(m.reason, m.reason),
            qty=("+" if m.qty > 0 else "") + describe_quantity(m.qty, item.base_unit),
            value=m.value,
            note=m.note,
            by=name,
            delivery_id=m.delivery_id,
            batch_id=m.batch_id,
            sale_id=m.sale_id,
        )
        for m, name in found
    ]
    return ItemHistory(
        item=item,
        on_hand=describe_quantity(item.on_hand, item.base_unit),
        rows=rows,
        total_qty=("+" if total_qty > 0 else "") + describe_quantity(int(total_qty), item.base_unit),
        total_value=int(total_value),
        more=int(how_many) > len(rows),
    )


@dataclass(frozen=True)
class LowItem:
    """An item at or below its reorder level."""

    item_id: int
    name: str
    location: str
    supplier: str
    on_hand: str
    reorder_level: str
    par_level: str
    below_zero: bool


def low_stock() -> list[LowItem]:
    """Active items whose on-hand is at or below their reorder level (those with a level set), and
    any item below zero; by supplier, then name."""
    items = db.session.execute(
        select(StockItem, Supplier.name)
        .outerjoin(Supplier, Supplier.id == StockItem.supplier_id)
        .where(
            StockItem.active.is_(True),
            ((StockItem.reorder_level > 0) & (StockItem.on_hand <= StockItem.reorder_level))
            | (StockItem.on_hand < 0),
        )
        .order_by(Supplier.name, StockItem.name)
    ).all()
    return [
        LowItem(
            item_id=item.id,
            name=item.name,
            location=item.location,
            supplier=supplier or "",
            on_hand=describe_quantity(item.on_hand, item.base_unit),
            reorder_level=describe_quantity(item.reorder_level, item.base_unit),
            par_level=describe_quantity(item.par_level, item.base_unit),
            below_zero=item.on_hand < 0,
        )
        for item, supplier in items
    ]


@dataclass(frozen=True)
class PurchaseLine:
    """One item to order: how much is short of par, and the order in the supplier's units."""

    item_id: int
    name: str
    on_hand: str
    par_level: str
    short: str
    units: int
    unit: str
    order: str
    order_qty: str
    unit_cost: str
    estimate: int


@dataclass(frozen=True)
class SupplierOrder:
    """Everything to order from one supplier (or from no supplier yet)."""

    supplier: str
    contact: str
    lines: list[PurchaseLine]
    estimate: int


def purchase_list() -> list[SupplierOrder]:
    """What to order to bring every active item below par back up to par, grouped by the item's
    supplier (items with no supplier last).

    Rule: the quantity is par - on hand, rounded up to whole purchase units of the item's
    supplier's own unit where it has one (a unit not tied to a supplier otherwise; base units
    when there is none); the estimate is the ordered quantity at the item's average cost.
    """
    items = db.session.scalars(
        select(StockItem)
        .where(StockItem.active.is_(True), StockItem.par_level > 0, StockItem.on_hand < StockItem.par_level)
        .options(selectinload(StockItem.purchase_units), selectinload(StockItem.supplier))
        .order_by(StockItem.name)
    ).all()
    groups: dict[int | None, list[PurchaseLine]] = {}
    suppliers: dict[int | None, Supplier | None] = {}
    for item in items:
        need = shortfall(item.on_hand, item.par_level)
        own = [(u.name, u.base_qty) for u in item.purchase_units if u.supplier_id == item.supplier_id]
        general = [(u.name, u.base_qty) for u in item.purchase_units if u.supplier_id is None]
        order = order_for(need, own or general)
        unit = order.unit or item.base_unit
        quantity = describe_quantity(order.base_qty, item.base_unit)
        groups.setdefault(item.supplier_id, []).append(
            PurchaseLine(
                item_id=item.id,
                name=item.name,
                on_hand=describe_quantity(item.on_hand, item.base_unit),
                par_level=describe_quantity(item.par_level, item.base_unit),
                short=describe_quantity(need, item.base_unit),
                units=order.units,
                unit=unit,
                order=f"{order.units} x {order.unit}" if order.unit else quantity,
                order_qty=quantity,
                unit_cost=describe_unit_cost(item.unit_cost, item.base_unit),
                estimate=value_pence(order.base_qty, item.unit_cost),
            )
        )
        suppliers[item.supplier_id] = item.supplier
    order_of = sorted(groups, key=lambda s: (s is None, (suppliers[s].name.lower() if suppliers[s] else "")))
    return [
        SupplierOrder(
            supplier=suppliers[s].name if suppliers[s] else "No supplier set",  # type: ignore[union-attr]
            contact=suppliers[s].contact if suppliers[s] else "",  # type: ignore[union-attr]
            lines=groups[s],
            estimate=sum(line.estimate for line in groups[s]),
        )
        for s in order_of
    ]


def purchase_list_csv(orders: list[SupplierOrder] | None = None) -> str:
    """The purchase list as CSV: one row per item, its supplier first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["Supplier", "Item", "On hand", "Par", "Short", "Order", "Unit", "Quantity", "Estimate (GBP)"]
    )
    for order in purchase_list() if orders is None else orders:
        for line in order.lines:
            writer.writerow(
                [
                    _cell(order.supplier),
                    _cell(line.name),
                    line.on_hand,
                    line.par_level,
                    line.short,
                    line.units,
                    _cell(line.unit),
                    line.order_qty,
                    f"{line.estimate / 100:.2f}",
                ]
            )
    return out.getvalue()


def _cell(text: str) -> str:
    """A spreadsheet never runs what a name says: a leading =, +, - or @ is kept as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def purchase_list_pdf(orders: list[SupplierOrder] | None = None, *, today: date) -> bytes:
    """The purchase list on A4: a section per supplier with what to order and an estimate."""
    settings = current_settings()
    blocks: list[Block] = [
        Text(settings.shop_name, bold=True, size="double"),
        Text(f"Purchase list, {today:%d %B %Y}: every item back to its par level"),
        Rule(),
    ]
    orders = purchase_list() if orders is None else orders
    if not orders:
        blocks.append(Text("Nothing to order: every item is at or above its par level."))
    for order in orders:
        blocks.append(Text(order.supplier, bold=True))
        if order.contact:
            blocks.append(Text(order.contact))
        for line in order.lines:
            blocks.append(Columns(f"{line.name}: {line.order} (short {line.short})", money(line.estimate)))
        blocks.append(Columns("Estimate at average cost", money(order.estimate), bold=True))
        blocks.append(Rule())
    document = Document(kind="purchase_list", blocks=tuple(blocks), title="Purchase list")
    return render_pdf(document, page="a4", columns=A4_COLUMNS)
