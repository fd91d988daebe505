"""Writing a day of a till's sales in bulk, row for row what checkout writes.

Checkout (`bakery.services.till.checkout`) completes one sale per transaction: fine at the counter,
far too slow for the demo's year of tens of thousands of sales. This writer prices each order with
the same domain rules (`bakery.domain.basket`, `vat`, `tender`), numbers it from the till's
counter, links it into the till's hash chain with the same record and key, moves the same stock
and spends the same store credit, and inserts the rows of a whole day with a few statements.
What it leaves out is the till's scratch state (baskets and their lines) and the print jobs and
digital-receipt links of sales printed long ago. A test rings the same orders up through checkout
and through this writer and compares the rows.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, text, update

from bakery.domain.basket import LineInput, discount_pence, order_discount, price_basket
from bakery.domain.chain import GENESIS, canonical_json, link_hash
from bakery.domain.tender import CASH, CREDIT, change_due
from bakery.domain.vat import TaxCategory as VatCategory
from bakery.domain.vat import decide_vat, line_vat_shares
from bakery.extensions import db
from bakery.models import (
    ChainHead,
    LedgerEntry,
    Payment,
    Product,
    Sale,
    SaleLine,
    StockMovement,
    StoreCredit,
    TillCounter,
)
from bakery.services.audit.chains import chain_key, note_head
from bakery.services.errors import ServiceError
from bakery.services.till.pricing import MEMBER_DISCOUNT

BULK_TABLES = (Sale, SaleLine, Payment, StockMovement, StoreCredit, LedgerEntry)


@dataclass(frozen=True)
class Item:
    """A product as the writer prices it: price, VAT category, variants and modifier options."""

    id: int
    name: str
    price: int
    vat: VatCategory
    tracked: bool
    variants: tuple[tuple[int, str, int], ...]  # id, name, price
    options: tuple[tuple[int, str, int], ...]  # id, name, price delta


@dataclass(frozen=True)
class OrderLine:
    """One line of an order: the product, its variant and options, quantity and a line discount."""

    item: Item
    qty: int = 1
    variant: int | None = None  # index into item.variants
    options: tuple[int, ...] = ()  # indexes into item.options
    eat_in: bool | None = None  # None: as the order
    discount_bp: int = 0


@dataclass(frozen=True)
class Order:
    """An order as the till would have rung it up, and how it was paid.

    `payments` are (method, amount) in the order they were tendered; cash may exceed what is due.
    """

    lines: tuple[OrderLine, ...]
    staff_id: int
    at: datetime
    member_id: int | None = None
    member_bp: int = 0
    eat_in: bool = False
    discount_bp: int = 0
    discount_reason: str | None = None
    key: str = ""


@dataclass(frozen=True)
class Priced:
    """An order priced: its total (what the customer pays) and the rows it will become."""

    order: Order
    sale: dict[str, Any]
    lines: list[dict[str, Any]]


def load_items() -> dict[str, Item]:
    """Every product by name, with what pricing needs (one query each for products and options)."""
    items = {}
    for product in db.session.scalars(select(Product).order_by(Product.id)):
        tax = product.tax_category
        options = tuple(
            (o.id, o.name, o.price_delta)
            for group in product.modifier_groups
            for o in sorted(group.options, key=lambda o: o.sort_order)
        )
        variants = tuple(
            (v.id, v.name, v.price) for v in sorted(product.variants, key=lambda v: v.sort_order)
        )
        items[product.name] = Item(
            product.id,
            product.name,
            product.price,
            VatCategory(tax.code, tax.name, tax.takeaway_bp, tax.eat_in_bp, tax.hot),
            product.track_stock,
            variants,
            options,
        )
    return items


def new_key(rng: random.Random) -> str:
    """A basket key as the till makes them (a version 4 UUID), drawn from the demo's seeded random."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def price_order(order: Order) -> Priced:
    """Price an order as `bakery.services.till.pricing.price` does a basket: line discounts, then the
    larger of the member's and the staff's order discount, VAT per line from its category."""
    staged = []
    for line in order.lines:
        item = line.item
        variant = item.variants[line.variant] if line.variant is not None else None
        chosen = [item.options[i] for i in line.options]
        eat_in = order.eat_in if line.eat_in is None else line.eat_in
        decision = decide_vat(item.vat, eat_in=eat_in)
        unit = variant[2] if variant else item.price
        extra = sum(o[2] for o in chosen)
        parts = [item.name] + ([variant[1]] if variant else []) + [o[1] for o in chosen]
        off = discount_pence((unit + extra) * line.qty, line.discount_bp, 0)
        staged.append((line, " · ".join(parts), unit, extra, eat_in, decision, off))
    inputs = [LineInput(unit, extra, line.qty, d.rate_bp, off) for line, _, unit, extra, _, d, off in staged]
    applied = order_discount(inputs, 0, order.member_bp, manual_bp=order.discount_bp)
    totals = price_basket(inputs, applied.amount)
    reason = MEMBER_DISCOUNT if applied.member else order.discount_reason if applied.amount else None
    sale = {
        "kind": "sale",
        "refund_of_id": None,
        "authorised_by_id": None,
        "idempotency_key": order.key,
        "staff_id": order.staff_id,
        "member_id": order.member_id,
        "eat_in": order.eat_in,
        "subtotal": totals.subtotal,
        "discount_total": totals.discount_total,
        "total": totals.total,
        "vat_total": sum(b.vat for b in totals.bands),
        "reason": reason,
        "created_at": order.at,
    }
    rates_and_gross = [(stage[5].rate_bp, t.gross) for stage, t in zip(staged, totals.lines, strict=True)]
    shares = line_vat_shares(rates_and_gross)
    lines = [
        {
            "product_id": line.item.id,
            "description": description,
            "note": "",
            "qty": line.qty,
            "unit_price": unit,
            "modifiers_price": extra,
            "line_discount": t.line_discount,
            "basket_discount_share": t.basket_discount_share,
            "gross": t.gross,
            "rate_bp": d.rate_bp,
            "vat_reason": d.reason,
            "eat_in": eat_in,
            "refund_of_line_id": None,
            "vat": share,
        }
        for (line, description, unit, extra, eat_in, d, _), t, share in zip(
            staged, totals.lines, shares, strict=True
        )
    ]
    return Priced(order, sale, lines)


def payment_rows(total: int, tenders: Sequence[tuple[str, int]]) -> list[dict[str, Any]]:
    """The payments checkout records for these tenders: the change is given once, against the cash."""
    cash_in = sum(amount for method, amount in tenders if method == CASH)
    other = sum(amount for method, amount in tenders if method != CASH)
    change = change_due(total, cash_in, other)
    rows = []
    for method, amount in tenders:
        is_cash = method == CASH
        rows.append(
            {
                "method": method,
                "amount": amount - (change if is_cash and change else 0),
                "tendered": amount if is_cash else 0,
                "change": change if is_cash else 0,
                "reference": None,
                "tender_key": None,
            }
        )
        if is_cash:
            change = 0
    return rows


@dataclass
class TillDay:
    """A till's sales of one cash session, written together by `write`."""

    till_id: int
    session_id: int
    sales: list[tuple[Priced, list[tuple[str, int]]]] = field(default_factory=list)

    def add(self, priced: Priced, tenders: list[tuple[str, int]]) -> None:
        """Queue a priced order and its tenders (in order); nothing is written yet."""
        self.sales.append((priced, tenders))


def _next_ids() -> dict[str, int]:
    return {
        table.__tablename__: int(db.session.scalar(select(func.coalesce(func.max(table.id), 0))) or 0) + 1
        for table in BULK_TABLES
    }


def write(day: TillDay) -> int:
    """Insert the day's sales with their lines, payments, stock movements, store credit spent and
    ledger links, continue the receipt counter and the chain head; returns how many were written.

    Rule: what checkout would have written for each sale in turn, in the caller's transaction;
    ids are given in order (and PostgreSQL's sequences moved past them), so the rows read back
    in the order checkout would have made them.
    """
    if not day.sales:
        return 0
    ids = _next_ids()
    chain = f"till:{day.till_id}"
    head = db.session.get(ChainHead, chain)
    if head is None:
        head = ChainHead(name=chain, seq=0, head_hash="")
        db.session.add(head)
        db.session.flush()
    seq, prev = head.seq, head.head_hash or GENESIS
    counter = db.session.get(TillCounter, day.till_id)
    if counter is None:
        raise ServiceError("Open the till's cash session before writing its sales.")
    receipt_no = counter.last_receipt_no
    key = chain_key()
    rows: dict[str, list[dict[str, Any]]] = {t.__tablename__: [] for t in BULK_TABLES}
    for priced, tenders in day.sales:
        order = priced.order
        receipt_no += 1
        seq += 1
        sale_id = ids["sales"]
        ids["sales"] += 1
        sale = {
            "id": sale_id,
            "till_id": day.till_id,
            "receipt_no": receipt_no,
            "cash_session_id": day.session_id,
            **priced.sale,
        }
        rows["sales"].append(sale)
        lines = []
        for line in priced.lines:
            lines.append({"id": ids["sale_lines"], "sale_id": sale_id, **line})
            ids["sale_lines"] += 1
        rows["sale_lines"].extend(lines)
        payments = []
        for payment in payment_rows(sale["total"], tenders):
            payments.append({"id": ids["payments"], "sale_id": sale_id, **payment})
            ids["payments"] += 1
        rows["payments"].extend(payments)
        credit = sum(amount for method, amount in tenders if method == CREDIT)
        if credit and order.member_id is not None:
            rows["store_credits"].append(
                {
                    "id": ids["store_credits"],
                    "member_id": order.member_id,
                    "amount": -credit,
                    "reason": "sale",
                    "sale_id": sale_id,
                    "by_id": order.staff_id,
                    "at": order.at,
                }
            )
            ids["store_credits"] += 1
        for order_line in order.lines:
            if order_line.item.tracked:
                rows["stock_movements"].append(
                    {
                        "id": ids["stock_movements"],
                        "product_id": order_line.item.id,
                        "qty": -order_line.qty,
                        "reason": "sale",
                        "sale_id": sale_id,
                        "note": "",
                        "by_id": order.staff_id,
                        "at": order.at,
                    }
                )
                ids["stock_movements"] += 1
        record = _sale_record(sale, lines, payments)
        record_json = canonical_json({"ref": sale_id, **record, "seq": seq})
        link = link_hash(key, prev, record_json)
        rows["ledger_entries"].append(
            {
                "id": ids["ledger_entries"],
                "till_id": day.till_id,
                "seq": seq,
                "kind": "sale",
                "ref_id": sale_id,
                "record_json": record_json,
                "prev_hash": prev,
                "hash": link,
                "at": order.at,
            }
        )
        ids["ledger_entries"] += 1
        prev = link
    connection = db.session.connection()
    for table in BULK_TABLES:
        if rows[table.__tablename__]:
            # Core executemany: the ORM's bulk path costs more than the rows themselves.
            connection.execute(insert(table.__table__), rows[table.__tablename__])
    moved: dict[int, int] = {}
    for movement in rows["stock_movements"]:
        moved[movement["product_id"]] = moved.get(movement["product_id"], 0) + movement["qty"]
    for product_id, qty in moved.items():
        db.session.execute(
            update(Product).where(Product.id == product_id).values(on_hand=Product.on_hand + qty)
        )
    db.session.execute(
        update(TillCounter).where(TillCounter.till_id == day.till_id).values(last_receipt_no=receipt_no)
    )
    db.session.execute(update(ChainHead).where(ChainHead.name == chain).values(seq=seq, head_hash=prev))
    note_head(chain, seq, prev)
    db.session.expire_all()
    move_sequences_past_ids()
    written = len(day.sales)
    day.sales.clear()
    return written


def move_sequences_past_ids() -> None:
    """On PostgreSQL, rows inserted with their ids leave each id sequence behind: move it on."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in BULK_TABLES:
        name = table.__tablename__
        # Our own table names, no input: nothing to inject.
        statement = f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))"  # noqa: S608
        db.session.execute(text(statement))


def _sale_record(
    sale: dict[str, Any], lines: list[dict[str, Any]], payments: list[dict[str, Any]]
) -> dict[str, Any]:
    """The record `bakery.services.till.ledger.sale_record` builds, from the rows as dictionaries."""
    return {
        "kind": sale["kind"],
        "till_id": sale["till_id"],
        "receipt_no": sale["receipt_no"],
        "idempotency_key": sale["idempotency_key"],
        "refund_of_id": sale["refund_of_id"],
        "cash_session_id": sale["cash_session_id"],
        "staff_id": sale["staff_id"],
        "authorised_by_id": sale["authorised_by_id"],
        "member_id": sale["member_id"],
        "eat_in": sale["eat_in"],
        "subtotal": sale["subtotal"],
        "discount_total": sale["discount_total"],
        "total": sale["total"],
        "vat_total": sale["vat_total"],
        "reason": sale["reason"],
        "created_at": sale["created_at"].isoformat(),
        "lines": [
            [
                line["product_id"],
                line["description"],
                line["note"],
                line["qty"],
                line["unit_price"],
                line["modifiers_price"],
                line["line_discount"],
                line["basket_discount_share"],
                line["gross"],
                line["rate_bp"],
                line["vat_reason"],
                line["eat_in"],
                line["refund_of_line_id"],
            ]
            for line in lines
        ],
        "payments": [
            [p["method"], p["amount"], p["tendered"], p["change"], p["reference"]] for p in payments
        ],
    }
