"""The print queue: jobs written with each sale, on the till (retry, cancel, reprint, no-sale) and by admins.

Rule: printing never blocks a sale, and a job is sent at most once unless someone asks for a
reprint. Checkout adds its jobs to its own transaction. A worker (or an agent beside a printer)
claims one job at a time with a lease: `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL, then a
conditional `UPDATE … WHERE state = 'queued'` whose row count says who won (the only guard on
SQLite, where FOR UPDATE compiles to nothing). Just before the bytes leave, the job is marked as
sending; a claim that lapses after that mark becomes "uncertain" (it may be on paper) and is
offered as a DUPLICATE reprint, never resent on its own. A lapsed claim without the mark was
never sent, so it goes back to the queue and prints once.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta

from flask import g, has_request_context
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from bakery.extensions import db
from bakery.models import Printer, PrintJob, Product, ReceiptLink, Sale, Till
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.errors import NotFound, ServiceError
from bakery.services.printing import receipts
from bakery.services.printing.common import (
    KINDS,
    PrintingError,
    _seconds,
)
from bakery.services.printing.documents import (
    drawer_document,
    kitchen_ticket,
    test_page_document,
)
from bakery.services.printing.printers import (
    get_printer,
)
from bakery.services.race_safety import Mechanism, race_safe
from bakery.services.settings import current_settings
from printers import (
    Document,
    document_to_json,
)

# --- printers (admin) ---------------------------------------------------------------------


# --- documents ----------------------------------------------------------------------------


# --- queueing -----------------------------------------------------------------------------


def _add_job(
    printer: Printer,
    kind: str,
    document: Document,
    dedupe_key: str,
    now: datetime,
    *,
    sale_id: int | None = None,
    copy_no: int = 0,
    expires_in: timedelta | None = None,
) -> PrintJob:
    job = PrintJob(
        printer_id=printer.id,
        kind=kind,
        sale_id=sale_id,
        copy_no=copy_no,
        document_json=document_to_json(document),
        dedupe_key=dedupe_key,
        state="queued",
        attempts=0,
        next_attempt_at=now,
        expires_at=now + expires_in if expires_in is not None else None,
        created_at=now,
    )
    db.session.add(job)
    return job


def receipt_printer_for(till_id: int) -> Printer | None:
    """The active printer that prints this till's receipts (and opens its drawer). Reads only.

    Within a request it is looked up once: a pay queues the sale's print work and then offers the
    receipt on the same printer.
    """
    memo: dict[int, Printer | None] | None = (
        g.setdefault("_receipt_printers", {}) if has_request_context() else None
    )
    if memo is not None and till_id in memo:
        return memo[till_id]
    printer = db.session.scalar(
        select(Printer).where(Printer.receipt_till_id == till_id, Printer.active.is_(True))
    )
    if memo is not None:
        memo[till_id] = printer
    return printer


def queue_for_sale(
    sale: Sale,
    now: datetime,
    *,
    chain_hash: str | None = None,
    category_of: Mapping[int, int] | None = None,
) -> None:
    """Add a completed sale's print work to the caller's transaction (the caller commits).

    Rule: the digital receipt link is made for every sale and refund. A drawer kick goes to the
    till's receipt printer whenever cash changed hands (sale or refund), whatever happens to the
    receipt, and expires after a few seconds. A refund's receipt always prints; a sale's prints
    here only when the shop's setting is "always" (otherwise the till asks, and `print_receipt`
    queues it when Print is chosen). A sale's kitchen tickets always go to the kitchen printers
    its lines' categories are routed to. Unique keys make each at most once. The receipt is built
    here once, from the sale as the caller holds it (`chain_hash`: its ledger link's, when the
    caller has just made it); the till's screen and the paper show that same document. A caller
    that knows each sold product's category passes them (`category_of`), else they are read.
    """
    db.session.flush()
    token = secrets.token_urlsafe(24)
    db.session.add(ReceiptLink(sale_id=sale.id, token=token, created_at=now))
    # Built once here; queue_receipt and the till's screen take it from the request's memo.
    receipts.for_sale(sale, chain_hash=chain_hash, link_token=token)
    printer = receipt_printer_for(sale.till_id)
    if printer is not None:
        if any(payment.method == "cash" for payment in sale.payments):
            _add_job(
                printer,
                "drawer",
                drawer_document(),
                f"drawer:sale:{sale.id}",
                now,
                sale_id=sale.id,
                expires_in=_seconds("PRINT_DRAWER_EXPIRY_SECONDS"),
            )
        if sale.kind != "sale" or current_settings().receipt_after_pay == "always":
            queue_receipt(printer, sale, now)
    if sale.kind == "sale":
        _queue_kitchen(sale, now, category_of)


def queue_receipt(printer: Printer, sale: Sale, now: datetime) -> PrintJob:
    """Add a sale's original receipt (copy 0) to the caller's transaction (the caller commits).

    Rule: its job key is the sale's copy 0, so it is queued at most once (a second try is a
    unique violation for the caller to answer); copies after it are reprints, marked DUPLICATE.
    """
    return _add_job(
        printer,
        "receipt",
        receipts.for_sale(sale).document,
        f"receipt:{sale.id}:0",
        now,
        sale_id=sale.id,
        expires_in=_seconds("PRINT_RECEIPT_EXPIRY_SECONDS"),
    )


def _queue_kitchen(sale: Sale, now: datetime, known: Mapping[int, int] | None = None) -> None:
    kitchens = [
        p
        for p in db.session.scalars(
            select(Printer)
            .where(Printer.location == "kitchen", Printer.active.is_(True))
            .order_by(Printer.id)
            .options(joinedload(Printer.categories))  # one statement with their categories
        ).unique()
        if p.categories
    ]
    if not kitchens:
        return
    lines = list(sale.lines)
    sold = {line.product_id for line in lines}
    category_of = known
    if category_of is None or not sold <= category_of.keys():
        read = select(Product.id, Product.category_id).where(Product.id.in_(sold))
        category_of = {product_id: category_id for product_id, category_id in db.session.execute(read)}
    till = db.session.get(Till, sale.till_id)
    for printer in kitchens:
        routed = {c.id for c in printer.categories}
        mine = [line for line in lines if category_of.get(line.product_id) in routed]
        if mine:
            _add_job(
                printer,
                "kitchen",
                kitchen_ticket(sale, mine, till.name if till else ""),
                f"kitchen:{sale.id}:{printer.id}",
                now,
                sale_id=sale.id,
            )


def queue_drawer_kick(printer: Printer, key: str, now: datetime) -> PrintJob:
    """Queue a drawer kick for cash outside a sale (paid in/out), expiring after a few seconds."""
    return _add_job(
        printer, "drawer", drawer_document(), key, now, expires_in=_seconds("PRINT_DRAWER_EXPIRY_SECONDS")
    )


def queue_document(
    printer_id: int, kind: str, document: Document, dedupe_key: str, now: datetime | None = None
) -> PrintJob:
    """Queue any document (X/Z reports, labels) in the caller's transaction; the key dedupes."""
    if kind not in KINDS:
        raise ServiceError(f"Unknown kind of print job {kind!r}.")
    return _add_job(get_printer(printer_id), kind, document, dedupe_key, now or utcnow())


@race_safe(Mechanism.INDEPENDENT, guards="a new print job")
def queue_test_page(printer_id: int, actor: Actor, now: datetime | None = None) -> PrintJob:
    """Queue a test page for a printer."""
    at = now or utcnow()
    printer = get_printer(printer_id)
    job = _add_job(
        printer,
        "test",
        test_page_document(printer, at),
        f"test:{printer.id}:{uuid.uuid4().hex}",
        at,
        expires_in=_seconds("PRINT_RECEIPT_EXPIRY_SECONDS"),
    )
    audit.record("printer.test_page", actor, target=f"printer:{printer.id}", now=at)
    db.session.commit()
    return job


def sale_for_link(token: str) -> Sale:
    """The sale behind a digital receipt link, or NotFound. Reads only."""
    if not token or len(token) > 64:
        raise NotFound("There is no such receipt.")
    sale_id = db.session.scalar(select(ReceiptLink.sale_id).where(ReceiptLink.token == token))
    sale = db.session.get(Sale, sale_id) if sale_id is not None else None
    if sale is None:
        raise NotFound("There is no such receipt.")
    return sale


def sale_id_for_receipt_url(text: str) -> int | None:
    """The sale id whose digital receipt address (as a scanner types the QR code) this is."""
    marker = receipts.DIGITAL_RECEIPT_PATH
    if marker not in (text or ""):
        return None
    token = text.rsplit(marker, 1)[1].strip().strip("/")
    try:
        return sale_for_link(token).id
    except NotFound:
        return None


# --- admin job actions --------------------------------------------------------------------


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only a failed job is requeued")
def retry_job(job_id: int, actor: Actor, now: datetime | None = None) -> PrintJob:
    """Put a failed job (not a drawer kick) back in the queue, or try a queued one now."""
    at = now or utcnow()
    job = db.session.get(PrintJob, job_id)
    if job is None:
        raise NotFound("That print job does not exist.")
    if job.state == "queued":
        job.next_attempt_at = at
    elif job.state == "failed" and job.kind != "drawer":
        job.state, job.attempts, job.next_attempt_at, job.finished_at = "queued", 0, at, None
        audit.record("print.retried", actor, target=f"print_job:{job.id}", now=at)
    else:
        raise PrintingError("Only a waiting or failed job can be tried again; reprint a receipt instead.")
    db.session.commit()
    return job


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only a waiting job is cancelled")
def cancel_job(job_id: int, actor: Actor, now: datetime | None = None) -> PrintJob:
    """Cancel a job that is waiting or failed; audited."""
    at = now or utcnow()
    cancelled = db.session.execute(
        update(PrintJob)
        .where(PrintJob.id == job_id, PrintJob.state.in_(("queued", "failed")))
        .values(state="cancelled", finished_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if cancelled != 1:
        db.session.rollback()
        raise PrintingError("Only a waiting or failed job can be cancelled.")
    audit.record("print.cancelled", actor, target=f"print_job:{job_id}", now=at)
    db.session.commit()
    job = db.session.get(PrintJob, job_id)
    if job is None:  # pragma: no cover - it was just updated
        raise NotFound("That print job does not exist.")
    return job


# --- the queue: claims, outcomes, housekeeping --------------------------------------------


# --- the worker ---------------------------------------------------------------------------


# --- the agent's side of the API ----------------------------------------------------------
