"""Printing as the till sees it: the printer's state and waiting jobs, receipts that may not have
printed, retry, cancel, reprint and the manager's no-sale."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from bakery.extensions import db
from bakery.models import Printer, PrintJob, Sale
from bakery.models.types import utcnow
from bakery.services import audit
from bakery.services.audit import Actor
from bakery.services.auth import SignInRefused, authorise_manager
from bakery.services.errors import NotFound, ServiceError
from bakery.services.printing import receipts
from bakery.services.printing.common import (
    NOT_PRINTED,
    STATE_LABELS,
    WAITING,
    PrintingError,
    _seconds,
)
from bakery.services.printing.documents import (
    drawer_document,
)
from bakery.services.printing.jobs import _add_job, queue_receipt, receipt_printer_for
from bakery.services.race_safety import Mechanism, race_safe

UNSURE = aliased(PrintJob, name="unsure")


@dataclass(frozen=True)
class UncertainReceipt:
    """A receipt whose sending was cut off (it may or may not be on paper), not yet settled."""

    job_id: int
    sale_id: int
    receipt_no: int


@dataclass(frozen=True)
class TillPrinting:
    """What the till shows about its receipt printer, its last receipt and unsettled receipts."""

    printer: Printer | None
    waiting: int
    last_sale: Sale | None
    last_receipt_state: str | None
    uncertain: tuple[UncertainReceipt, ...] = ()

    @property
    def label(self) -> str:
        """Ready, Offline, Out of paper, Printer error."""
        if self.printer is None:
            return "No receipt printer"
        return STATE_LABELS.get(self.printer.state, self.printer.state)

    @property
    def problem(self) -> bool:
        """True while the printer is not printing (it matters to whoever is at the till)."""
        return self.printer is not None and self.printer.state in ("offline", "out_of_paper", "error")

    @property
    def busy(self) -> bool:
        """Something is waiting or wrong: the till keeps asking until it is sorted."""
        return self.waiting > 0 or self.problem

    @property
    def offer_reprint(self) -> bool:
        """The last receipt did not (surely) print, or a receipt waits for Reprint or Dismiss."""
        return self.last_receipt_state in NOT_PRINTED or bool(self.uncertain)

    @property
    def last_not_printed(self) -> bool:
        """The last receipt expired, failed or was cancelled (an uncertain one is listed apart)."""
        return self.last_receipt_state in NOT_PRINTED and self.last_receipt_state != "uncertain"


def uncertain_receipts(till_id: int, limit: int = 5) -> tuple[UncertainReceipt, ...]:
    """This till's receipts left uncertain and not yet settled, newest first (reads only).

    Rule: one stays on the till until someone reprints it (a later copy settles it) or dismisses it.
    """
    later = select(PrintJob.id).where(
        PrintJob.sale_id == Sale.id, PrintJob.kind == "receipt", PrintJob.copy_no > UNSURE.copy_no
    )
    rows = db.session.execute(
        select(UNSURE.id, Sale.id, Sale.receipt_no)
        .join(Sale, Sale.id == UNSURE.sale_id)
        .where(Sale.till_id == till_id, UNSURE.kind == "receipt", UNSURE.state == "uncertain")
        .where(~later.exists())
        .order_by(UNSURE.id.desc())
        .limit(limit)
    ).all()
    return tuple(UncertainReceipt(job_id, sale_id, receipt_no) for job_id, sale_id, receipt_no in rows)


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only a receipt still uncertain is dismissed, once")
def dismiss_uncertain_receipt(till_id: int, job_id: int, actor: Actor, now: datetime | None = None) -> None:
    """Settle an uncertain receipt of this till without reprinting it (it printed, or the customer
    does not want it); audited.

    Rule: only a receipt job of this till still "uncertain" becomes "dismissed"; a second tap, or a
    job of another till, is refused.
    """
    at = now or utcnow()
    sale_id = db.session.scalar(
        select(PrintJob.sale_id)
        .join(Sale, Sale.id == PrintJob.sale_id)
        .where(PrintJob.id == job_id, PrintJob.kind == "receipt", Sale.till_id == till_id)
    )
    if sale_id is None:
        raise NotFound("There is no such receipt on this till.")
    settled = db.session.execute(
        update(PrintJob)
        .where(PrintJob.id == job_id, PrintJob.state == "uncertain")
        .values(state="dismissed", finished_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not settled:
        db.session.rollback()
        raise ServiceError("That receipt was already reprinted or dismissed.")
    receipt_no = db.session.scalar(select(Sale.receipt_no).where(Sale.id == sale_id))
    audit.record(
        "print.uncertain_dismissed",
        actor,
        target=f"sale:{sale_id}",
        details={"job": job_id, "receipt_no": receipt_no},
        now=at,
    )
    db.session.commit()


def till_printing(till_id: int) -> TillPrinting:
    """The till's receipt printer, how many jobs wait for it, and how its last receipt went."""
    printer = receipt_printer_for(till_id)
    waiting = 0
    if printer is not None:
        waiting = int(
            db.session.scalar(
                select(func.count())
                .select_from(PrintJob)
                .where(PrintJob.printer_id == printer.id, PrintJob.state.in_(WAITING))
            )
            or 0
        )
    last_sale = db.session.scalar(
        select(Sale).where(Sale.till_id == till_id).order_by(Sale.id.desc()).limit(1)
    )
    state = None
    if last_sale is not None:
        state = db.session.scalar(
            select(PrintJob.state)
            .where(PrintJob.sale_id == last_sale.id, PrintJob.kind == "receipt")
            .order_by(PrintJob.copy_no.desc())
            .limit(1)
        )
    return TillPrinting(printer, waiting, last_sale, state, uncertain_receipts(till_id))


def _till_printer(till_id: int) -> Printer:
    printer = receipt_printer_for(till_id)
    if printer is None:
        raise PrintingError("This till has no receipt printer. An admin sets one under Printers.")
    return printer


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only jobs still failed are requeued")
def retry_till_printing(till_id: int, actor: Actor, now: datetime | None = None) -> int:
    """Try the till's waiting jobs now, and put failed ones (not drawer kicks) back in the queue.

    Rule: uncertain, expired and cancelled jobs are never retried: a reprint is asked for instead.
    """
    at = now or utcnow()
    printer = _till_printer(till_id)
    again = db.session.execute(
        update(PrintJob)
        .where(PrintJob.printer_id == printer.id, PrintJob.state == "queued")
        .values(next_attempt_at=at)
        .execution_options(synchronize_session=False)
    ).rowcount
    revived = db.session.execute(
        update(PrintJob)
        .where(PrintJob.printer_id == printer.id, PrintJob.state == "failed", PrintJob.kind != "drawer")
        .values(state="queued", attempts=0, next_attempt_at=at, finished_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if revived:
        audit.record(
            "print.retried", actor, target=f"printer:{printer.id}", details={"jobs": revived}, now=at
        )
    db.session.commit()
    return int(again or 0) + int(revived or 0)


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only jobs still waiting are cancelled")
def cancel_till_printing(till_id: int, actor: Actor, now: datetime | None = None) -> int:
    """Cancel the jobs waiting for the till's printer (not one being printed right now); audited."""
    at = now or utcnow()
    printer = _till_printer(till_id)
    cancelled = int(
        db.session.execute(
            update(PrintJob)
            .where(PrintJob.printer_id == printer.id, PrintJob.state.in_(("queued", "failed")))
            .values(state="cancelled", finished_at=at)
            .execution_options(synchronize_session=False)
        ).rowcount
        or 0
    )
    if cancelled:
        audit.record(
            "print.cancelled", actor, target=f"printer:{printer.id}", details={"jobs": cancelled}, now=at
        )
    db.session.commit()
    return cancelled


@race_safe(Mechanism.UNIQUE_KEY, guards="one original receipt per sale (unique job key)")
def print_receipt(till_id: int, sale_id: int, now: datetime | None = None) -> PrintJob:
    """Print the receipt of the sale just paid, when the customer asks for it after Pay.

    Rule: only for this till's latest sale (an older sale's receipt is Reprint's job, audited and
    marked DUPLICATE once one printed); it is the original, copy 0, queued at most once: choosing
    Print again, double-tapped or after it printed at Pay, answers with the job already queued.
    The worker prints it; a printer that is offline only makes it wait. Not audited: like the
    receipt printed at Pay it is part of the sale, which the ledger already holds.
    """
    at = now or utcnow()
    printer = _till_printer(till_id)
    latest = db.session.scalar(
        select(Sale.id).where(Sale.till_id == till_id).order_by(Sale.id.desc()).limit(1)
    )
    if latest is None or latest != sale_id:
        owner = db.session.scalar(select(Sale.till_id).where(Sale.id == sale_id))
        if owner != till_id:
            raise NotFound("There is no such receipt on this till.")
        raise PrintingError("A later sale has been paid since: use Reprint in the printer panel.")
    sale = db.session.get(Sale, sale_id)
    if sale is None:  # pragma: no cover - it was just found
        raise NotFound("There is no such receipt on this till.")
    queued = _receipt_job(sale.id)
    if queued is not None:
        return queued
    job = queue_receipt(printer, sale, at)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        db.session.rollback()  # a double tap: the other request queued it
        found = _receipt_job(sale_id)
        if found is None:
            raise
        return found
    db.session.commit()
    return job


def _receipt_job(sale_id: int) -> PrintJob | None:
    """The sale's first receipt job, if one was queued."""
    return db.session.scalar(
        select(PrintJob)
        .where(PrintJob.sale_id == sale_id, PrintJob.kind == "receipt")
        .order_by(PrintJob.copy_no)
        .limit(1)
    )


@race_safe(Mechanism.UNIQUE_KEY, guards="one copy per copy number (unique job key)")
def reprint_receipt(
    till_id: int, actor: Actor, sale_id: int | None = None, now: datetime | None = None
) -> PrintJob:
    """Print a receipt of this till again (the last one unless a sale is named); audited.

    Rule: a receipt printed (or queued) before comes out as DUPLICATE n, numbered 1, 2 …; the
    copy number is part of the job's unique key, so a double tap makes one copy, not two.
    """
    at = now or utcnow()
    printer = _till_printer(till_id)
    if sale_id is None:
        sale = db.session.scalar(
            select(Sale).where(Sale.till_id == till_id).order_by(Sale.id.desc()).limit(1)
        )
    else:
        sale = db.session.get(Sale, sale_id)
    if sale is None or sale.till_id != till_id:
        raise NotFound("There is no receipt to reprint on this till.")
    last = db.session.scalar(
        select(func.max(PrintJob.copy_no)).where(PrintJob.sale_id == sale.id, PrintJob.kind == "receipt")
    )
    copy_no = 0 if last is None else int(last) + 1
    key = f"receipt:{sale.id}:{copy_no}"
    job = _add_job(
        printer,
        "receipt",
        receipts.for_sale(sale, duplicate=copy_no).document,
        key,
        at,
        sale_id=sale.id,
        copy_no=copy_no,
        expires_in=_seconds("PRINT_RECEIPT_EXPIRY_SECONDS"),
    )
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        db.session.rollback()  # a double tap: the other request made this copy
        found = db.session.scalar(select(PrintJob).where(PrintJob.dedupe_key == key))
        if found is None:
            raise
        return found
    audit.record(
        "print.reprint",
        actor,
        target=f"sale:{sale.id}",
        details={"receipt_no": sale.receipt_no, "copy": copy_no},
        now=at,
    )
    db.session.commit()
    return job


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.UNIQUE_KEY,
    guards="the manager's lock-out (user row); each no-sale is its own kick",
)
def open_drawer_no_sale(
    till_id: int,
    manager_id: int,
    manager_pin: str,
    reason: str,
    actor: Actor,
    now: datetime | None = None,
) -> PrintJob:
    """Open the cash drawer without a sale: a manager's PIN and a reason, audited.

    Rule: the kick expires after a few seconds and is never retried after an uncertain send.
    """
    at = now or utcnow()
    text = " ".join((reason or "").split())
    if not text or len(text) > 120:
        raise ServiceError("Give a reason for opening the drawer (at most 120 characters).")
    printer = _till_printer(till_id)
    try:
        manager = authorise_manager(manager_id, manager_pin, actor, at)
    except SignInRefused as refused:
        if refused.message.startswith("Wrong manager PIN"):
            raise SignInRefused("Wrong manager PIN. The drawer stays shut.") from None
        raise
    job = _add_job(
        printer,
        "drawer",
        drawer_document(),
        f"drawer:nosale:{uuid.uuid4().hex}",
        at,
        expires_in=_seconds("PRINT_DRAWER_EXPIRY_SECONDS"),
    )
    audit.record(
        "till.no_sale",
        actor,
        target=f"till:{till_id}",
        details={"authorised_by": manager.id, "reason": text},
        now=at,
    )
    db.session.commit()
    return job
