"""Cash sessions: open with a counted float, paid in and out, X report, Z report to close."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bakery.domain.cash_count import DENOMINATIONS, CashCountError, count_total
from bakery.extensions import db
from bakery.models import (
    CashMovement,
    CashSession,
    Till,
    TillCounter,
    ZReport,
)
from bakery.models.types import utcnow
from bakery.services import audit, printing
from bakery.services.audit import Actor
from bakery.services.errors import ServiceError
from bakery.services.race_safety import Mechanism, lock_till, locked, race_safe
from bakery.services.settings import current_settings
from bakery.services.till import ledger
from bakery.services.till.checkout import TENDER_KEY, TillClosed, open_session_for, require_open_session

# The figures are read in drawer_figures; the blueprints reach them through this module too.
from bakery.services.till.drawer_figures import (
    GrandTotals as GrandTotals,
)
from bakery.services.till.drawer_figures import (
    SessionTotals as SessionTotals,
)
from bakery.services.till.drawer_figures import (
    ZView as ZView,
)
from bakery.services.till.drawer_figures import (
    current_totals as current_totals,
)
from bakery.services.till.drawer_figures import (
    perpetual_totals,
    totals,
    z_report,
)
from bakery.services.till.report_documents import x_document, z_document
from printers.document import Document

MAX_FLOAT = 100_000  # £1,000 in a till drawer is a typo
MAX_COUNTED = 10_000_000  # £100,000 counted at close is a typo


@race_safe(Mechanism.ROW_LOCK, Mechanism.UNIQUE_KEY, guards="one open session per till (till row, unique)")
def open_session(till_id: int, opening_float: int, actor: Actor, now: datetime | None = None) -> CashSession:
    """Open the till for trade with a counted float; one open session per till."""
    lock_till(till_id)
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


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.UNIQUE_KEY,
    guards="the drawer's expected cash (till and cash session rows); one movement per form key",
)
def pay_in_out(
    till_id: int,
    amount: int,
    reason: str,
    actor: Actor,
    now: datetime | None = None,
    *,
    key: str | None = None,
) -> CashMovement:
    """Cash into (positive) or out of (negative) the drawer outside a sale, with a reason.

    Rule: a reason is required; the amount is a penny to £1,000; no more can be paid out than
    the cash the drawer is expected to hold, read under the till's lock so two paid-outs cannot
    both spend the same cash. With a `key` (one per form) a repeated submission moves the cash
    once and answers with the first movement.
    """
    lock_till(till_id)
    if key is not None:
        if not TENDER_KEY.match(key):
            raise ServiceError("This form is out of date. Open it again.")
        done = db.session.scalar(select(CashMovement).where(CashMovement.key == key))
        if done is not None:
            return done
    session = require_open_session(till_id)
    locked(CashSession, session.id)
    text = " ".join((reason or "").split())
    if not text:
        raise ServiceError("Give a reason for paying cash in or out.")
    if len(text) > 120:
        raise ServiceError("Keep the reason to 120 characters.")
    if amount == 0 or abs(amount) > MAX_FLOAT:
        raise ServiceError("The amount must be between £0.01 and £1,000.")
    if amount < 0 and -amount > totals(session).expected_cash:
        raise ServiceError("That is more cash than the drawer should hold. Count it, then pay out.")
    movement = CashMovement(
        session_id=session.id, amount=amount, reason=text, by_id=actor.user_id, at=now or utcnow(), key=key
    )
    db.session.add(movement)
    db.session.flush()
    printer = printing.receipt_printer_for(till_id)
    if printer is not None:
        # Cash changes hands, so the drawer opens (a kick that expires, never retried if uncertain).
        printing.queue_drawer_kick(printer, f"drawer:cash:{movement.id}", now or utcnow())
    audit.record(
        "till.paid_in" if amount > 0 else "till.paid_out",
        actor,
        target=f"till:{till_id}",
        details={"amount": amount, "reason": text},
        now=now,
    )
    db.session.commit()
    return movement


def close_counted(
    till_id: int, counts: Mapping[int, int], actor: Actor, now: datetime | None = None
) -> ZReport:
    """Close the till from a count of notes and coins (see `close_session`); the count is kept."""
    try:
        counted = count_total(counts)
    except CashCountError as exc:
        raise ServiceError(str(exc)) from exc
    return close_session(till_id, counted, actor, now, counts=counts)


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.CONDITIONAL_UPDATE,
    guards="one Z per session, numbered from the counter row (till row, conditional close)",
)
def close_session(
    till_id: int,
    counted_cash: int,
    actor: Actor,
    now: datetime | None = None,
    *,
    counts: Mapping[int, int] | None = None,
) -> ZReport:
    """Close the session with a Z report: counted against expected cash, numbered without gaps,
    chained in the till's ledger; the till then refuses sales until opened again.
    The till's row is locked first, as every till operation does (one lock order, no deadlocks).

    Rule: the Z number comes from the till's counter row (UPDATE … RETURNING, which also queues
    a concurrent checkout or close behind this one), and the session is closed with a conditional
    UPDATE, so a second close of the same session is refused rather than numbered twice.
    """
    lock_till(till_id)
    session = require_open_session(till_id)
    if not 0 <= counted_cash <= MAX_COUNTED:
        raise ServiceError("Enter the cash counted in the drawer.")
    at = now or utcnow()
    z_no = db.session.execute(
        update(TillCounter)
        .where(TillCounter.till_id == till_id)
        .values(last_z_no=TillCounter.last_z_no + 1)
        .returning(TillCounter.last_z_no)
    ).scalar_one()
    closed = db.session.execute(
        update(CashSession)
        .where(CashSession.id == session.id, CashSession.open_till_id == till_id)
        .values(open_till_id=None, closed_at=at, closed_by_id=actor.user_id)
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise TillClosed("This till has already been closed.")
    db.session.expire(session)
    figures = totals(session)
    record: dict[str, Any] = {
        "sales": figures.sales_count,
        "refunds_count": figures.refunds_count,
        "gross_sales": figures.gross_sales,
        "refunds": figures.refunds,
        "discounts": figures.discounts,
        "by_method": figures.by_method,
        "bands": figures.bands,
        "paid_in_out": figures.paid_in_out,
        "float": session.opening_float,
    }
    if counts is not None:
        record["denominations"] = [[d.value, int(counts.get(d.value, 0))] for d in DENOMINATIONS]
    variance = counted_cash - figures.expected_cash
    before = perpetual_totals(till_id, int(z_no) - 1)
    record["perpetual"] = {
        "z_reports": before.z_reports + 1,
        "sales": before.sales_count + figures.sales_count,
        "gross_sales": before.gross_sales + figures.gross_sales,
        "refunds": before.refunds + figures.refunds,
        "variance": before.variance + variance,
    }
    report = ZReport(
        till_id=till_id,
        z_no=int(z_no),
        session_id=session.id,
        counted_cash=counted_cash,
        expected_cash=figures.expected_cash,
        variance=variance,
        totals_json=json.dumps(record, sort_keys=True),
        closed_by_id=actor.user_id,
        created_at=at,
    )
    db.session.add(report)
    db.session.flush()
    ledger.append(till_id, "z", report.id, ledger.z_record(report))
    db.session.flush()
    _print(
        till_id,
        "z_report",
        f"z:{report.id}",
        at,
        lambda shop, till: z_document(shop, till, z_report(till_id, report.id)),
    )
    audit.record(
        "till.closed",
        actor,
        target=f"till:{till_id}",
        details={"z_no": report.z_no, "variance": report.variance},
        now=at,
    )
    db.session.commit()
    return report


def _print(till_id: int, kind: str, key: str, now: datetime, build: Callable[[str, str], Document]) -> None:
    """Queue a report on the till's receipt printer, in the caller's transaction (if it has one)."""
    printer = printing.receipt_printer_for(till_id)
    if printer is None:
        return
    shop = current_settings()
    till = db.session.get(Till, till_id)
    document = build(shop.shop_name, till.name if till else "")
    printing.queue_document(printer.id, kind, document, key, now)


@race_safe(
    Mechanism.INDEPENDENT, guards="a print job of figures read at one moment; a mid-day X changes nothing"
)
def print_x_report(till_id: int, actor: Actor, now: datetime | None = None) -> bool:
    """Print the open session's X report on request; False when the till has no receipt printer."""
    at = now or utcnow()
    figures = totals(require_open_session(till_id))
    if printing.receipt_printer_for(till_id) is None:
        return False
    _print(
        till_id,
        "x_report",
        f"x:{figures.session.id}:{at.timestamp()}",
        at,
        lambda shop, till: x_document(shop, till, figures, at),
    )
    audit.record("till.x_report_printed", actor, target=f"till:{till_id}", now=at)
    db.session.commit()
    return True
