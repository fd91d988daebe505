"""Cash sessions: open with a counted float, paid in and out, X report, Z report to close."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError

from bakery.domain.vat import vat_bands
from bakery.extensions import db
from bakery.models import CashMovement, CashSession, Payment, Sale, SaleLine, TillCounter, ZReport
from bakery.models.types import utcnow
from bakery.services import audit, ledger
from bakery.services.audit import Actor
from bakery.services.checkout import open_session_for, require_open_session
from bakery.services.errors import ServiceError

MAX_FLOAT = 100_000  # £1,000 in a till drawer is a typo


@dataclass(frozen=True)
class SessionTotals:
    """Running totals of a cash session (X report), all aggregated in SQL."""

    session: CashSession
    sales_count: int
    refunds_count: int
    gross_sales: int
    refunds: int
    discounts: int
    by_method: dict[str, int]
    bands: list[tuple[int, int, int, int]]  # rate_bp, gross, vat, net
    paid_in_out: int
    expected_cash: int


def open_session(till_id: int, opening_float: int, actor: Actor, now: datetime | None = None) -> CashSession:
    """Open the till for trade with a counted float; one open session per till."""
    if not 0 <= opening_float <= MAX_FLOAT:
        raise ServiceError("The float must be between £0 and £1,000.")
    if actor.user_id is None:
        raise ServiceError("Sign in on the till first.")
    if open_session_for(till_id) is not None:
        raise ServiceError("This till is already open.")
    if db.session.get(TillCounter, till_id) is None:
        db.session.add(TillCounter(till_id=till_id, last_receipt_no=0, last_z_no=0))
    session = CashSession(
        till_id=till_id,
        opened_by_id=actor.user_id,
        opening_float=opening_float,
        open_till_id=till_id,
        opened_at=now or utcnow(),
    )
    db.session.add(session)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise ServiceError("This till is already open.") from exc
    audit.record("till.opened", actor, target=f"till:{till_id}", details={"float": opening_float}, now=now)
    db.session.commit()
    return session


def totals(session: CashSession) -> SessionTotals:
    """Totals for a session: by payment method, by VAT band, refunds, discounts, expected cash."""
    sales = db.session.execute(
        select(
            func.count(case((Sale.kind == "sale", 1))),
            func.count(case((Sale.kind == "refund", 1))),
            func.coalesce(func.sum(case((Sale.kind == "sale", Sale.total), else_=0)), 0),
            func.coalesce(func.sum(case((Sale.kind == "refund", Sale.total), else_=0)), 0),
            func.coalesce(func.sum(Sale.discount_total), 0),
        ).where(Sale.cash_session_id == session.id)
    ).one()
    by_method = dict(
        db.session.execute(
            select(Payment.method, func.sum(Payment.amount))
            .join(Sale, Sale.id == Payment.sale_id)
            .where(Sale.cash_session_id == session.id)
            .group_by(Payment.method)
        ).all()
    )
    band_rows = db.session.execute(
        select(SaleLine.rate_bp, func.sum(SaleLine.gross))
        .join(Sale, Sale.id == SaleLine.sale_id)
        .where(Sale.cash_session_id == session.id)
        .group_by(SaleLine.rate_bp)
    ).all()
    bands = [(b.rate_bp, b.gross, b.vat, b.net) for b in vat_bands([(int(r), int(g)) for r, g in band_rows])]
    moved = db.session.scalar(
        select(func.coalesce(func.sum(CashMovement.amount), 0)).where(CashMovement.session_id == session.id)
    )
    cash = int(by_method.get("cash", 0))
    return SessionTotals(
        session,
        int(sales[0]),
        int(sales[1]),
        int(sales[2]),
        int(sales[3]),
        int(sales[4]),
        {k: int(v) for k, v in by_method.items()},
        bands,
        int(moved or 0),
        session.opening_float + cash + int(moved or 0),
    )


def pay_in_out(
    till_id: int, amount: int, reason: str, actor: Actor, now: datetime | None = None
) -> CashMovement:
    """Cash into (positive) or out of (negative) the drawer outside a sale, with a reason."""
    session = require_open_session(till_id)
    text = " ".join((reason or "").split())
    if not text:
        raise ServiceError("Give a reason for paying cash in or out.")
    if amount == 0 or abs(amount) > MAX_FLOAT:
        raise ServiceError("The amount must be between £0.01 and £1,000.")
    movement = CashMovement(
        session_id=session.id, amount=amount, reason=text[:120], by_id=actor.user_id, at=now or utcnow()
    )
    db.session.add(movement)
    audit.record(
        "till.paid_in" if amount > 0 else "till.paid_out",
        actor,
        target=f"till:{till_id}",
        details={"amount": amount, "reason": text[:120]},
        now=now,
    )
    db.session.commit()
    return movement


def close_session(till_id: int, counted_cash: int, actor: Actor, now: datetime | None = None) -> ZReport:
    """Close the session with a Z report: counted against expected cash, numbered without gaps,
    chained in the till's ledger; the till then refuses sales until opened again."""
    session = require_open_session(till_id)
    if not 0 <= counted_cash <= 10_000_000:
        raise ServiceError("Enter the cash counted in the drawer.")
    at = now or utcnow()
    figures = totals(session)
    z_no = db.session.execute(
        update(TillCounter)
        .where(TillCounter.till_id == till_id)
        .values(last_z_no=TillCounter.last_z_no + 1)
        .returning(TillCounter.last_z_no)
    ).scalar_one()
    report = ZReport(
        till_id=till_id,
        z_no=int(z_no),
        session_id=session.id,
        counted_cash=counted_cash,
        expected_cash=figures.expected_cash,
        variance=counted_cash - figures.expected_cash,
        totals_json=json.dumps(
            {
                "sales": figures.sales_count,
                "refunds_count": figures.refunds_count,
                "gross_sales": figures.gross_sales,
                "refunds": figures.refunds,
                "discounts": figures.discounts,
                "by_method": figures.by_method,
                "bands": figures.bands,
                "paid_in_out": figures.paid_in_out,
                "float": session.opening_float,
            },
            sort_keys=True,
        ),
        closed_by_id=actor.user_id,
        created_at=at,
    )
    db.session.add(report)
    session.closed_at = at
    session.closed_by_id = actor.user_id
    session.open_till_id = None
    db.session.flush()
    ledger.append(till_id, "z", report.id, ledger.z_record(report))
    audit.record(
        "till.closed",
        actor,
        target=f"till:{till_id}",
        details={"z_no": report.z_no, "variance": report.variance},
        now=at,
    )
    db.session.commit()
    return report
