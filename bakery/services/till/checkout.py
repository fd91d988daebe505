"""Completing sales and refunds: one transaction each, numbered without gaps, chained, idempotent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, func, literal, or_, select, union_all, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from bakery.database import commit_keeping_loaded
from bakery.domain.clock import business_date
from bakery.domain.period_close import Write
from bakery.domain.tender import CASH, CREDIT, TenderError, change_due, check_credit, check_tender
from bakery.domain.vat import line_vat_shares
from bakery.extensions import db
from bakery.models import (
    Basket,
    CashSession,
    Member,
    Payment,
    PendingPayment,
    Product,
    Sale,
    SaleLine,
    StockMovement,
    StoreCredit,
    TillCounter,
)
from bakery.models.types import utcnow
from bakery.services import periods, printing, stock
from bakery.services.audit import Actor
from bakery.services.catalogue import ProductView
from bakery.services.errors import NotFound, ServiceError
from bakery.services.members import store_credit_balance
from bakery.services.race_safety import FORM_KEY, Mechanism, lock_till, race_safe
from bakery.services.settings import current_settings
from bakery.services.till import ledger
from bakery.services.till.baskets import PricedBasket, price

TENDER_METHODS = ("cash", "card", CREDIT)
TENDER_KEY = FORM_KEY


class TillClosed(ServiceError):
    """No open cash session on this till: nothing can be sold."""


class OutOfStock(ServiceError):
    """A tracked product that may not go negative has run out (maybe on another till)."""

    status = 409


class RefundTooLarge(ServiceError):
    """More would be refunded than remains refundable."""


def open_session_for(till_id: int) -> CashSession | None:
    """The till's open cash session, if any. Reads only."""
    return db.session.scalar(select(CashSession).where(CashSession.open_till_id == till_id))


def require_open_session(till_id: int) -> CashSession:
    """Refuse to trade on a till without an open cash session."""
    session = open_session_for(till_id)
    if session is None:
        raise TillClosed("This till is closed. Open it with a counted float first.")
    return session


def next_receipt_no(till_id: int, session_id: int) -> int:
    """Advance the till's receipt counter: UPDATE … RETURNING, so a rollback leaves no gap.

    Rule: the counter row also queues this sale behind a Z report closing the till (the close
    advances the same row), so once we hold it we look again: a session closed meanwhile refuses
    the sale instead of slipping it into a Z report already printed.
    """
    row = db.session.execute(
        update(TillCounter)
        .where(TillCounter.till_id == till_id)
        .values(last_receipt_no=TillCounter.last_receipt_no + 1)
        .returning(TillCounter.last_receipt_no)
    ).first()
    if row is None:
        raise TillClosed("This till has no receipt counter; open a cash session first.")
    still_open = db.session.scalar(select(CashSession.open_till_id).where(CashSession.id == session_id))
    if still_open != till_id:
        raise TillClosed("This till was closed while the sale was being paid. Open it again to sell.")
    return int(row[0])


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="on-hand never below zero unless the product allows it")
def take_stock(
    product: Product | ProductView, qty: int, sale_id: int, by: int | None, reason: str, now: datetime
) -> None:
    """Move stock for a sold (qty > 0) or refunded (qty < 0) product, if it is tracked.

    Rule: a conditional UPDATE, so two tills selling the last one cannot both succeed — the
    row count says who got it (with_for_update() does nothing on SQLite).
    """
    if not product.track_stock:
        return
    statement = update(Product).where(Product.id == product.id).values(on_hand=Product.on_hand - qty)
    if qty > 0:
        statement = statement.where(or_(Product.allow_negative.is_(True), Product.on_hand >= qty))
    if db.session.execute(statement).rowcount != 1:
        raise OutOfStock(f"{product.name} has sold out (maybe on another till). Take it off the order.")
    db.session.add(
        StockMovement(product_id=product.id, qty=-qty, reason=reason, sale_id=sale_id, by_id=by, at=now)
    )


def existing_sale(key: str) -> Sale | None:
    """The sale already completed for an idempotency key."""
    return db.session.scalar(select(Sale).where(Sale.idempotency_key == key))


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.UNIQUE_KEY,
    guards="the basket's tenders and its one sale (till row); one payment per tender key",
)
def tender(
    till_id: int,
    basket_key: str,
    method: str,
    amount: int,
    actor: Actor,
    reference: str | None = None,
    now: datetime | None = None,
    *,
    key: str | None = None,
) -> Sale | PricedBasket:
    """Take a payment towards the basket; when it is covered, complete the sale.

    Rule: idempotent by the basket's key — a double-tapped or retried Pay returns the sale the first
    one made. Cash may exceed what is due (change is given); card and store credit may not.
    Store credit needs the member on the order and is refused beyond their balance (checked again,
    under a lock, when the sale completes). The sale, its lines, payments, stock movements, the
    store credit spent and the ledger link are written in one transaction, or nothing is. Each
    tender form carries its own `key`: a double-tapped or retried tender is one payment (the
    till's row lock orders them; a UNIQUE key on the tender backs it up).
    """
    lock_till(till_id)
    if key is not None and not TENDER_KEY.match(key):
        raise ServiceError("This payment form is out of date. Tap Pay again.")
    basket = db.session.scalars(
        select(Basket).where(Basket.key == basket_key).options(joinedload(Basket.lines))
    ).first()
    if basket is None or basket.status != "open":
        # Paid already (a double-tapped or retried Pay, or one that committed while we waited for
        # the till): answer with its sale. The till's lock orders Pays, so an open basket has none.
        done = existing_sale(basket_key)
        if done is not None:
            return done
    if key is not None and basket is not None and basket.status == "open":
        elsewhere = _tender_elsewhere(key, basket.id)
        if elsewhere is not None:
            return elsewhere
    if basket is None or basket.till_id != till_id or basket.status != "open":
        raise NotFound("That basket is no longer open on this till.")
    if method not in TENDER_METHODS:
        raise ServiceError("Choose cash, card or store credit.")
    if method == CREDIT and basket.member_id is None:
        raise ServiceError("Store credit is for members: scan the member's card first.")
    if reference and len(reference) > 40:
        raise ServiceError("A card reference can be at most 40 characters.")
    session = require_open_session(till_id)
    priced = price(basket)
    if priced.empty:
        raise ServiceError("The basket is empty.")
    if key is not None and any(p.key == key for p in priced.pending):
        return priced  # this tender, repeated: it was taken once, towards this basket
    payments = [(p.method, p.amount) for p in priced.pending] + [(method, amount)]
    try:
        result = check_tender(priced.totals.total, payments)
        if method == CREDIT:
            check_credit(amount, priced.store_credit)
    except TenderError as exc:
        raise ServiceError(str(exc)) from exc
    tendered = PendingPayment(
        basket_id=basket.id, method=method, amount=amount, reference=reference or None, key=key
    )
    if not result.complete:
        db.session.add(tendered)
        commit_keeping_loaded()
        return price(basket)
    # The tender that completes the sale goes straight into its payments (never stored as pending).
    return _complete(basket, session, priced, [*priced.pending, tendered], actor, now or utcnow())


def _tender_elsewhere(key: str, basket_id: int) -> Sale | PricedBasket | None:
    """What a tender with this key did for another basket: the sale it completed, or the basket it
    part-paid (a form from another order sent again). One query: the key is unique in both."""
    row = db.session.execute(
        union_all(
            select(Payment.sale_id, literal(None, Integer)).where(Payment.tender_key == key),
            select(literal(None, Integer), PendingPayment.basket_id).where(PendingPayment.key == key),
        )
    ).first()
    if row is None:
        return None
    sale_id, other_basket = row
    if sale_id is not None:
        return db.session.get(Sale, sale_id)
    if other_basket != basket_id:
        return price(db.session.get(Basket, other_basket))
    return None


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.CONDITIONAL_UPDATE,
    Mechanism.UNIQUE_KEY,
    guards="callers hold the till row; receipt number (counter UPDATE), stock (conditional UPDATE), "
    "one sale per basket key; today's period share-locked, so it cannot close under the sale",
)
def _complete(
    basket: Basket,
    session: CashSession,
    priced: PricedBasket,
    pending: list[PendingPayment],
    actor: Actor,
    now: datetime,
) -> Sale:
    totals = priced.totals
    credit = sum(p.amount for p in pending if p.method == CREDIT)
    # A sale after a period's close lands in the next one, opened here if need be; never refused.
    today = business_date(now, current_settings().timezone)
    periods.period_for_write(Write.CREDIT_SPEND if credit else Write.SALE, today, actor, now)
    if credit:
        _lock_credit(basket.member_id, credit)
    cash_in = sum(p.amount for p in pending if p.method == CASH)
    other = sum(p.amount for p in pending if p.method != CASH)
    change = change_due(totals.total, cash_in, other)
    sale = Sale(
        till_id=basket.till_id,
        receipt_no=next_receipt_no(basket.till_id, session.id),
        idempotency_key=basket.key,
        kind="sale",
        cash_session_id=session.id,
        staff_id=actor.user_id,
        member_id=basket.member_id,
        eat_in=basket.eat_in,
        subtotal=totals.subtotal,
        discount_total=totals.discount_total,
        total=totals.total,
        vat_total=sum(b.vat for b in totals.bands),
        reason=priced.order_discount_reason,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(sale)
    except IntegrityError:
        # A concurrent Pay for the same basket committed first: answer with its sale.
        db.session.rollback()
        found = existing_sale(basket.key)
        if found is None:
            raise
        return found
    pairs = zip(priced.lines, totals.lines, strict=True)
    shares = line_vat_shares([(p.vat.rate_bp, t.gross) for p, t in pairs])
    lines = [
        SaleLine(
            sale_id=sale.id,
            product_id=p.product.id,
            description=p.description,
            note=p.line.note,
            qty=p.line.qty,
            unit_price=p.unit_price,
            modifiers_price=p.modifiers_price,
            line_discount=t.line_discount,
            basket_discount_share=t.basket_discount_share,
            gross=t.gross,
            rate_bp=p.vat.rate_bp,
            vat=share,
            vat_reason=p.vat.reason,
            eat_in=p.eat_in,
        )
        for p, t, share in zip(priced.lines, totals.lines, shares, strict=True)
    ]
    db.session.add_all(lines)
    payments = []
    for p in pending:
        is_cash = p.method == CASH
        payments.append(
            Payment(
                sale_id=sale.id,
                method=p.method,
                amount=p.amount - (change if is_cash and change else 0),
                tendered=p.amount if is_cash else 0,
                change=change if is_cash else 0,
                reference=p.reference,
                tender_key=p.key,
            )
        )
        if is_cash:
            change = 0  # change is given once, against the cash
        if p.id is not None:  # an earlier part-payment (the last tender was never stored)
            db.session.delete(p)
    db.session.add_all(payments)
    if credit and basket.member_id is not None:
        db.session.add(
            StoreCredit(
                member_id=basket.member_id,
                amount=-credit,
                reason="sale",
                sale_id=sale.id,
                by_id=actor.user_id,
                at=now,
            )
        )
    sold = sorted(((p.product, p.line.qty) for p in priced.lines), key=lambda pair: pair[0].id)
    for product, qty in sold:  # in product id order: two tills lock the same rows in one order
        take_stock(product, qty, sale.id, actor.user_id, "sale", now)
    stock.consume_for_sale(sold, sale.id, actor.user_id, now)
    basket.status = "paid"
    basket.sale_id = sale.id
    db.session.flush()
    # The sale as written, kept on it: its receipt (screen and paper) is built from these.
    set_committed_value(sale, "lines", lines)
    set_committed_value(sale, "payments", payments)
    link = ledger.append(sale.till_id, "sale", sale.id, ledger.sale_record(sale, lines, payments))
    category_of = {p.product.id: p.product.category_id for p in priced.lines}
    printing.queue_for_sale(sale, now, chain_hash=link.hash, category_of=category_of)
    commit_keeping_loaded()
    return sale


def _lock_credit(member_id: int | None, spend: int) -> None:
    """Refuse to spend more store credit than the member has, race-safe across tills.

    Rule: the member's row is locked first (PostgreSQL: SELECT … FOR UPDATE; on SQLite the
    request's BEGIN IMMEDIATE already serialises writers), then the balance is summed in SQL, so a
    second till spending the same credit waits and then sees the first one's spending.
    """
    if member_id is None:
        raise ServiceError(
            "Store credit was taken but the member is no longer on the order: cancel the payments."
        )
    db.session.execute(select(Member.id).where(Member.id == member_id).with_for_update())
    try:
        check_credit(spend, store_credit_balance(member_id))
    except TenderError as exc:
        raise ServiceError(str(exc)) from exc


@race_safe(Mechanism.ROW_LOCK, guards="the basket's tenders (till row)")
def cancel_payments(till_id: int, basket_key: str) -> PricedBasket:
    """Cancel the tenders entered so far for an unpaid basket (a payment in progress)."""
    lock_till(till_id)
    basket = db.session.scalar(select(Basket).where(Basket.key == basket_key))
    if basket is None or basket.till_id != till_id or basket.status != "open":
        raise NotFound("That basket is no longer open on this till.")
    for pending in db.session.scalars(select(PendingPayment).where(PendingPayment.basket_id == basket.id)):
        db.session.delete(pending)
    db.session.commit()
    return price(basket)


def refundable(sale: Sale) -> dict[int, int]:
    """Units still refundable per original line: sold minus refunded so far (SQL SUM)."""
    refunded = dict(
        db.session.execute(
            select(SaleLine.refund_of_line_id, func.coalesce(func.sum(-SaleLine.qty), 0))
            .where(SaleLine.refund_of_line_id.in_([line.id for line in sale.lines]))
            .group_by(SaleLine.refund_of_line_id)
        ).all()
    )
    return {line.id: line.qty - int(refunded.get(line.id, 0)) for line in sale.lines}
