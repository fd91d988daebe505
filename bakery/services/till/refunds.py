"""Refunds: a new sale with negative lines linked to the original, authorised by a manager's PIN."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from bakery.domain.basket import RefundError, SoldLine, price_refund
from bakery.domain.chain import chain_tag
from bakery.domain.clock import business_date, local_day_bounds
from bakery.domain.period_close import Write
from bakery.domain.vat import line_vat_shares
from bakery.extensions import db
from bakery.formatting import money
from bakery.models import LedgerEntry, Payment, Product, Sale, SaleLine, StoreCredit
from bakery.models.types import utcnow
from bakery.services import audit, periods, printing, stock
from bakery.services.audit import Actor
from bakery.services.auth import authorise_manager
from bakery.services.auth import managers as managers
from bakery.services.errors import NotFound, ServiceError
from bakery.services.printing import receipts
from bakery.services.race_safety import Mechanism, lock_till, locked, race_safe
from bakery.services.settings import current_settings
from bakery.services.till import ledger
from bakery.services.till.checkout import (
    RefundTooLarge,
    next_receipt_no,
    refundable,
    require_open_session,
    take_stock,
)

REFUND_METHODS = ("cash", "card", "credit")
TODAY_LIMIT = 100
# What a USB scanner types for a receipt's QR code: "<till id>-<receipt no>-<chain tag>".
QR_TEXT = re.compile(r"^(\d{1,9})-(\d{1,9})-([0-9A-F]{8}|—)$", re.IGNORECASE)
RECEIPT_NO = re.compile(r"^#?(\d{1,9})$")


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.UNIQUE_KEY,
    guards="what remains refundable (till and sale rows); one refund per refund form key; today's "
    "period share-locked, so it cannot close under the refund",
)
def refund(
    till_id: int,
    sale_id: int,
    quantities: dict[int, int],
    method: str,
    reason: str,
    manager_id: int,
    manager_pin: str,
    actor: Actor,
    now: datetime | None = None,
    *,
    key: str | None = None,
) -> Sale:
    """Refund some or all lines of a past sale of this till back to cash, card or store credit.

    Rule: never more of a line than was sold minus earlier refunds; a reason and a manager's
    PIN are required; the original sale is never changed; the refund counts in the period in
    which it happens (`period_close`), against the original sale's member; it mirrors the sale's prices
    and VAT, returns tracked stock, is numbered on this till and chained in its ledger. Store
    credit goes back (a positive store credit row, reason "refund") only to the member of a sale
    paid with it, and at most the credit it was paid with less credit refunded before. With a
    `key` (one per refund form) a repeated submission returns the refund the first one made.
    """
    at = now or utcnow()
    lock_till(till_id)  # refunds of a sale happen on its till: one at a time, against the drawer too
    original = locked(Sale, sale_id)
    if original is None or original.kind != "sale" or original.till_id != till_id:
        raise NotFound("There is no such sale to refund on this till.")
    if key is not None:
        done = db.session.scalar(select(Sale).where(Sale.idempotency_key == key))
        if done is not None:
            if done.refund_of_id != original.id:
                raise ServiceError("That refund form was already used. Start the refund again.")
            return done
    if method not in REFUND_METHODS:
        raise ServiceError("Refund to cash, card or store credit.")
    text = " ".join((reason or "").split())
    if not text or len(text) > 120:
        raise ServiceError("Give a reason for the refund (at most 120 characters).")
    session = require_open_session(till_id)
    remaining = refundable(original)
    lines = list(original.lines)
    wanted = [int(quantities.get(line.id, 0)) for line in lines]
    for line, qty in zip(lines, wanted, strict=True):
        if qty < 0 or qty > remaining[line.id]:
            raise RefundTooLarge(f"Only {remaining[line.id]} of {line.description} can still be refunded.")
    try:
        priced = price_refund(
            [SoldLine(line.gross, line.qty, line.rate_bp, line.qty - remaining[line.id]) for line in lines],
            wanted,
        )
    except RefundError as exc:
        raise ServiceError(str(exc)) from exc
    if method == "credit":
        _check_credit_refund(original, -priced.total)
    manager = authorise_manager(manager_id, manager_pin, actor, at)
    # A refund counts when it happens, against the original sale's member: today's period,
    # opened here if the last one has ended, whatever period the sale was in.
    periods.period_for_write(Write.REFUND, business_date(at, current_settings().timezone), actor, at)
    sale = Sale(
        till_id=till_id,
        receipt_no=next_receipt_no(till_id, session.id),
        idempotency_key=key or f"refund-{original.id}-{at.timestamp()}-{actor.user_id}",
        kind="refund",
        refund_of_id=original.id,
        cash_session_id=session.id,
        staff_id=actor.user_id,
        authorised_by_id=manager.id,
        member_id=original.member_id,
        eat_in=original.eat_in,
        subtotal=priced.total,
        discount_total=0,
        total=priced.total,
        vat_total=priced.vat_total,
        reason=text,
        created_at=at,
    )
    try:
        with db.session.begin_nested():
            db.session.add(sale)
    except IntegrityError:
        # The same refund form was submitted twice at once and the other one committed first.
        db.session.rollback()
        done = db.session.scalar(select(Sale).where(Sale.idempotency_key == sale.idempotency_key))
        if done is None or done.refund_of_id != original.id:
            raise
        return done
    # Each line's share of the VAT its band gives back, so the refund receipt's bands and the
    # refund's net (total - vat_total) are the same figures, to the penny.
    shares = line_vat_shares(
        [(part.rate_bp, part.gross) for part in priced.lines], {b.rate_bp: b.vat for b in priced.bands}
    )
    new_lines = []
    returned: list[tuple[Product, int]] = []
    for part, share in zip(priced.lines, shares, strict=True):
        source = lines[part.source]
        new_lines.append(
            SaleLine(
                sale_id=sale.id,
                product_id=source.product_id,
                description=source.description,
                qty=part.qty,
                unit_price=source.unit_price,
                modifiers_price=source.modifiers_price,
                gross=part.gross,
                rate_bp=part.rate_bp,
                vat=share,
                vat_reason=source.vat_reason,
                eat_in=source.eat_in,
                refund_of_line_id=source.id,
            )
        )
        product = db.session.get(Product, source.product_id)
        if product is not None:
            take_stock(product, part.qty, sale.id, actor.user_id, "refund", at)
            returned.append((product, part.qty))
    db.session.add_all(new_lines)
    stock.consume_for_sale(returned, sale.id, actor.user_id, at, reason="refund")
    payment = Payment(sale_id=sale.id, method=method, amount=priced.total, tendered=0, change=0)
    db.session.add(payment)
    if method == "credit" and original.member_id is not None:
        db.session.add(
            StoreCredit(
                member_id=original.member_id,
                amount=-priced.total,
                reason="refund",
                sale_id=sale.id,
                by_id=actor.user_id,
                at=at,
            )
        )
    db.session.flush()
    ledger.append(till_id, "refund", sale.id, ledger.sale_record(sale, new_lines, [payment]))
    audit.record(
        "till.refund",
        actor,
        target=f"sale:{original.id}",
        details={"refund": sale.id, "total": priced.total, "authorised_by": manager.id, "reason": text},
        now=at,
    )
    printing.queue_for_sale(sale, at)
    db.session.commit()
    return sale


def _check_credit_refund(original: Sale, amount: int) -> None:
    """Credit goes back only as far as the sale was paid with it (less credit refunded before)."""
    if original.member_id is None:
        raise ServiceError("Only a member's sale can be refunded to store credit.")
    paid = db.session.scalar(
        select(func.coalesce(func.sum(Payment.amount), 0))
        .join(Sale, Sale.id == Payment.sale_id)
        .where(
            Payment.method == "credit",
            (Sale.id == original.id) | ((Sale.refund_of_id == original.id) & (Sale.kind == "refund")),
        )
    )
    left = int(paid or 0)
    if left <= 0:
        raise ServiceError("This sale was not paid with store credit: refund it to cash or card.")
    if amount > left:
        raise ServiceError(
            f"Only {money(left)} of this sale was paid with store credit: refund the rest to cash or card."
        )


@dataclass(frozen=True)
class SaleSummary:
    """A sale in the till's list of today's sales, with what has been refunded of it so far."""

    sale: Sale
    refunded: int  # negative pence, 0 when nothing was refunded


@dataclass(frozen=True)
class RefundableLine:
    """A line of a sale on the refund screen: what remains refundable and how many are chosen."""

    line: SaleLine
    remaining: int
    qty: int = 0


@dataclass(frozen=True)
class RefundableSale:
    """A sale on the refund screen: its lines, earlier refunds, and the method it was paid by."""

    sale: Sale
    lines: list[RefundableLine]
    earlier: list[Sale]
    method: str

    @property
    def anything_left(self) -> bool:
        """False once every unit of every line has been refunded."""
        return any(line.remaining > 0 for line in self.lines)


def todays_sales(till_id: int, now: datetime | None = None) -> list[SaleSummary]:
    """This till's sales of the shop's business day, newest first, with refunds so far. Reads only."""
    zone = current_settings().timezone
    start, end = local_day_bounds(business_date(now or utcnow(), zone), zone)
    refund = aliased(Sale)
    # Each listed sale's refunds through the refund_of_id index: never the till's other refunds.
    refunded = (
        select(func.coalesce(func.sum(refund.total), 0))
        .where(refund.refund_of_id == Sale.id, refund.kind == "refund")
        .correlate(Sale)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Sale, refunded)
        .where(
            Sale.till_id == till_id,
            Sale.kind == "sale",
            Sale.created_at >= start,
            Sale.created_at < end,
        )
        .order_by(Sale.created_at.desc(), Sale.id.desc())
        .limit(TODAY_LIMIT)
    ).all()
    return [SaleSummary(sale, int(total)) for sale, total in rows]


def find_sale(till_id: int, text: str) -> Sale:
    """Find a sale of this till by its receipt number, or by the text a scanner types for its QR code.

    Rule: the QR text is "<till id>-<receipt no>-<chain tag>" or the receipt's digital address
    (".../r/<token>"); a receipt of another till is not found here, and a chain tag that does not
    match the till's ledger is refused.
    """
    typed = "".join((text or "").split())
    qr = QR_TEXT.match(typed)
    plain = RECEIPT_NO.match(typed)
    tag = None
    if receipts.DIGITAL_RECEIPT_PATH in typed:
        linked = printing.sale_id_for_receipt_url(typed)
        sale = db.session.get(Sale, linked) if linked is not None else None
        if sale is None:
            raise NotFound("That QR code is not a receipt of this shop. Type the receipt number.")
        if sale.till_id != till_id:
            raise NotFound("That receipt is from another till: refund it on that till.")
        receipt_no = sale.receipt_no
    elif qr:
        if int(qr.group(1)) != till_id:
            raise NotFound("That receipt is from another till: refund it on that till.")
        receipt_no, tag = int(qr.group(2)), qr.group(3).upper()
    elif plain:
        receipt_no = int(plain.group(1))
    else:
        raise ServiceError("Type the receipt number (e.g. 42) or scan the receipt's QR code.")
    sale = db.session.scalar(select(Sale).where(Sale.till_id == till_id, Sale.receipt_no == receipt_no))
    if sale is None:
        raise NotFound(f"There is no receipt {receipt_no} on this till.")
    if sale.kind != "sale":
        raise ServiceError(f"Receipt {receipt_no} is a refund. Find the original sale.")
    if tag is not None and tag != _chain_tag(sale):
        raise ServiceError("That QR code does not match this till's records. Type the receipt number.")
    return sale


def _chain_tag(sale: Sale) -> str:
    entry = db.session.scalar(
        select(LedgerEntry).where(
            LedgerEntry.till_id == sale.till_id, LedgerEntry.kind == sale.kind, LedgerEntry.ref_id == sale.id
        )
    )
    return chain_tag(entry.hash) if entry else "—"


def refundable_sale(till_id: int, sale_id: int, chosen: Mapping[int, int] | None = None) -> RefundableSale:
    """A sale of this till with what remains refundable per line (another till's: not found). Reads only."""
    sale = db.session.get(Sale, sale_id)
    if sale is None or sale.kind != "sale" or sale.till_id != till_id:
        raise NotFound("There is no such sale to refund on this till.")
    remaining = refundable(sale)
    picked = chosen or {}
    lines = [RefundableLine(line, remaining[line.id], int(picked.get(line.id, 0))) for line in sale.lines]
    earlier = list(
        db.session.scalars(
            select(Sale).where(Sale.refund_of_id == sale.id, Sale.kind == "refund").order_by(Sale.id)
        )
    )
    methods = {payment.method for payment in sale.payments}
    return RefundableSale(sale, lines, earlier, "card" if methods == {"card"} else "cash")


def refundable_line(till_id: int, sale_id: int, line_id: int, qty: int, *, step: int = 0) -> RefundableLine:
    """One line of the refund screen with `qty` (moved by `step`, -1 or +1) chosen, kept between 0
    and what remains refundable. Reads only."""
    if step not in (-1, 0, 1):
        raise ServiceError("Step one at a time.")
    for line in refundable_sale(till_id, sale_id).lines:
        if line.line.id == line_id:
            return RefundableLine(line.line, line.remaining, min(max(qty + step, 0), line.remaining))
    raise NotFound("That line is not part of this sale.")


def new_key() -> str:
    """A fresh key for a refund form: submitting the same form twice refunds once."""
    return f"refund-{uuid.uuid4().hex}"


def give_back(refund: Sale) -> str:
    """What the person at the till does with the money: "Give back £2.50 in cash" or "Refund … to card"."""
    amount = money(-refund.total)
    methods = {payment.method for payment in refund.payments}
    if methods == {"cash"}:
        return f"Give back {amount} in cash"
    if methods == {"credit"}:
        return f"{amount} is back on the member's store credit"
    return f"Refund {amount} to card"
