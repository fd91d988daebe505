"""Refunds: a new sale with negative lines linked to the original, authorised by a manager's PIN."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from werkzeug.security import check_password_hash

from bakery.domain.basket import RefundError, SoldLine, price_refund
from bakery.domain.lockout import is_locked
from bakery.extensions import db
from bakery.models import Payment, Product, Sale, SaleLine, User
from bakery.models.types import utcnow
from bakery.services import audit, ledger
from bakery.services.audit import Actor
from bakery.services.auth import SignInRefused, _count_failure, _lock_state
from bakery.services.checkout import (
    RefundTooLarge,
    next_receipt_no,
    refundable,
    require_open_session,
    take_stock,
)
from bakery.services.errors import NotFound, ServiceError

METHODS = ("cash", "card")


def authorise_manager(manager_id: int, pin: str, actor: Actor, now: datetime) -> User:
    """A manager's PIN authorises a refund; wrong PINs count towards the manager's lock-out."""
    manager = db.session.get(User, manager_id)
    if manager is None or not manager.active or not manager.is_manager or not manager.pin_hash:
        raise SignInRefused("Choose a manager to authorise this.")
    if is_locked(_lock_state(manager), now):
        raise SignInRefused(f"{manager.first_name} is locked out after wrong PINs.")
    if not check_password_hash(manager.pin_hash, pin or ""):
        _count_failure(manager, actor, now, "pin")
        raise SignInRefused("Wrong manager PIN. Nothing was refunded.")
    return manager


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
) -> Sale:
    """Refund some or all lines of a past sale back to cash or card.

    Rule: never more of a line than was sold minus earlier refunds; a reason and a manager's
    PIN are required; the original sale is never changed; the refund mirrors the sale's prices
    and VAT, returns tracked stock, is numbered on this till and chained in its ledger.
    """
    at = now or utcnow()
    original = db.session.get(Sale, sale_id)
    if original is None or original.kind != "sale":
        raise NotFound("There is no such sale to refund.")
    if method not in METHODS:
        raise ServiceError("Refund to cash or card.")
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
    manager = authorise_manager(manager_id, manager_pin, actor, at)
    sale = Sale(
        till_id=till_id,
        receipt_no=next_receipt_no(till_id),
        idempotency_key=f"refund-{original.id}-{at.timestamp()}-{actor.user_id}",
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
    db.session.add(sale)
    db.session.flush()
    new_lines = []
    for part in priced.lines:
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
                vat_reason=source.vat_reason,
                eat_in=source.eat_in,
                refund_of_line_id=source.id,
            )
        )
        product = db.session.get(Product, source.product_id)
        if product is not None:
            take_stock(product, part.qty, sale.id, actor.user_id, "refund", at)
    db.session.add_all(new_lines)
    payment = Payment(sale_id=sale.id, method=method, amount=priced.total, tendered=0, change=0)
    db.session.add(payment)
    db.session.flush()
    ledger.append(till_id, "refund", sale.id, ledger.sale_record(sale, new_lines, [payment]))
    audit.record(
        "till.refund",
        actor,
        target=f"sale:{original.id}",
        details={"refund": sale.id, "total": priced.total, "authorised_by": manager.id, "reason": text},
        now=at,
    )
    db.session.commit()
    return sale


def managers() -> list[User]:
    """Managers who can authorise on the till (they have a PIN)."""
    return list(
        db.session.scalars(
            select(User).where(
                User.role.in_(["manager", "admin"]), User.pin_hash.is_not(None), User.active.is_(True)
            )
        )
    )
