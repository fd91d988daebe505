"""The queue from the sending side: housekeeping, claiming one job with a lease, and recording what
happened to it (sending, sent, done, uncertain, failed, postponed, expired)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import case, or_, select, update

from bakery.extensions import db
from bakery.models import Printer, PrintJob
from bakery.services.printing.common import (
    _clip,
    backoff_seconds,
    setting,
)
from bakery.services.race_safety import Mechanism, race_safe


@dataclass(frozen=True)
class ClaimedJob:
    """A claimed job as plain values: nothing here touches the database while it prints."""

    id: int
    kind: str
    attempts: int
    document_json: str
    printer_id: int
    printer_name: str
    profile: str
    connection: dict[str, Any]
    claimed_by: str
    expires_at: datetime | None = None


def expiry_reason(kind: str) -> str:
    """Why a job that was not sent in time was dropped, as the printer's job list shows it."""
    if kind == "drawer":
        return (
            f"Not sent within {setting('PRINT_DRAWER_EXPIRY_SECONDS')} s of the cash payment: "
            "a drawer kick is dropped, never sent late."
        )
    return "Not printed before it expired: reprint it if it is still wanted."


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="expired leases are released by conditional updates")
def housekeeping(now: datetime) -> None:
    """Settle lapsed claims and expire what is too late to print; one short transaction.

    Rule: a lapsed claim that had started sending becomes uncertain (never resent); one that had
    not goes back to the queue; queued jobs past their expiry (receipts, drawer kicks) expire,
    saying why.
    """
    lapsed = PrintJob.lease_until < now
    db.session.execute(
        update(PrintJob)
        .where(PrintJob.state.in_(("claimed", "sent")), lapsed, PrintJob.sending_at.is_not(None))
        .values(
            state="uncertain",
            finished_at=now,
            last_error="Stopped while printing: check whether it came out, then reprint if not.",
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(PrintJob)
        .where(PrintJob.state == "claimed", lapsed, PrintJob.sending_at.is_(None))
        .values(state="queued", claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(PrintJob)
        .where(PrintJob.state == "queued", PrintJob.expires_at.is_not(None), PrintJob.expires_at <= now)
        .values(
            state="expired",
            finished_at=now,
            last_error=case((PrintJob.kind == "drawer", expiry_reason("drawer")), else_=expiry_reason("any")),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


@race_safe(
    Mechanism.ROW_LOCK,
    Mechanism.CONDITIONAL_UPDATE,
    guards="one worker per job (FOR UPDATE SKIP LOCKED, then a conditional claim)",
)
def claim_next(
    claimer: str,
    now: datetime,
    lease: timedelta,
    *,
    printer_id: int | None = None,
    sending: bool = False,
) -> ClaimedJob | None:
    """Claim the oldest job that is due, for the worker (printers without an agent) or for one
    printer's agent; commit the claim and return it, or None.

    Rule: PostgreSQL locks the candidate rows with FOR UPDATE SKIP LOCKED, so a second worker
    passes over them; on every engine the claim is a conditional UPDATE whose row count must be
    1, so two claimers can never both win a job. `sending` marks the job as leaving at once (an
    agent's claim: once handed over, it may be printed).
    """
    candidates = (
        select(PrintJob.id)
        .join(Printer, Printer.id == PrintJob.printer_id)
        .where(
            PrintJob.state == "queued",
            PrintJob.next_attempt_at <= now,
            or_(PrintJob.expires_at.is_(None), PrintJob.expires_at > now),
            Printer.active.is_(True),
        )
        .order_by(PrintJob.id)
        .limit(5)
        .with_for_update(skip_locked=True, of=PrintJob)
    )
    if printer_id is None:
        candidates = candidates.where(Printer.via_agent.is_(False))
    else:
        candidates = candidates.where(PrintJob.printer_id == printer_id)
    values: dict[str, Any] = {"state": "claimed", "claimed_by": claimer, "lease_until": now + lease}
    if sending:
        values["sending_at"] = now
    for job_id in list(db.session.scalars(candidates)):
        won = db.session.execute(
            update(PrintJob)
            .where(PrintJob.id == job_id, PrintJob.state == "queued")
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if won != 1:
            continue
        row = db.session.execute(
            select(
                PrintJob.kind,
                PrintJob.attempts,
                PrintJob.document_json,
                Printer.id,
                Printer.name,
                Printer.profile,
                Printer.connection_json,
                PrintJob.expires_at,
            )
            .join(Printer, Printer.id == PrintJob.printer_id)
            .where(PrintJob.id == job_id)
        ).one()
        db.session.commit()
        return ClaimedJob(
            id=job_id,
            kind=row[0],
            attempts=int(row[1]),
            document_json=row[2],
            printer_id=int(row[3]),
            printer_name=row[4],
            profile=row[5],
            connection=json.loads(row[6]),
            claimed_by=claimer,
            expires_at=row[7],
        )
    db.session.commit()
    return None


def _mine(job: ClaimedJob, *states: str) -> Any:
    return (PrintJob.id == job.id, PrintJob.claimed_by == job.claimed_by, PrintJob.state.in_(states))


def _printer_state(printer_id: int, state: str, error: str | None, now: datetime) -> None:
    db.session.execute(
        update(Printer)
        .where(Printer.id == printer_id)
        .values(state=state, last_error=_clip(error) if error else None, state_at=now)
        .execution_options(synchronize_session=False)
    )


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the lease holder moves its job")
def mark_sending(job: ClaimedJob, now: datetime) -> bool:
    """Record that the job's bytes are about to leave; False if the claim is no longer ours."""
    ok = (
        db.session.execute(
            update(PrintJob)
            .where(*_mine(job, "claimed"))
            .values(sending_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )
    db.session.commit()
    return ok


def _expire(job: ClaimedJob, reason: str, now: datetime) -> None:
    db.session.execute(
        update(PrintJob)
        .where(*_mine(job, "claimed", "sent"))
        .values(state="expired", finished_at=now, lease_until=None, last_error=_clip(reason))
        .execution_options(synchronize_session=False)
    )


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the lease holder moves its job")
def expire_if_late(job: ClaimedJob, now: datetime) -> bool:
    """Drop a claimed job whose time to be sent is over, just before its bytes would leave.

    Rule: a job past its expiry (a drawer kick a few seconds after the cash payment) is never
    sent late, even to a printer that cannot say whether it is ready. True if it was dropped.
    """
    if job.expires_at is None or now < job.expires_at:
        return False
    _expire(job, expiry_reason(job.kind), now)
    db.session.commit()
    return True


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the lease holder moves its job")
def mark_sent(job: ClaimedJob, now: datetime) -> None:
    """The transport took every byte (not yet proof of paper)."""
    db.session.execute(
        update(PrintJob)
        .where(*_mine(job, "claimed"))
        .values(state="sent")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the lease holder moves its job")
def mark_done(job: ClaimedJob, now: datetime) -> None:
    """Printed: the job is done and the printer is fine."""
    db.session.execute(
        update(PrintJob)
        .where(*_mine(job, "claimed", "sent"))
        .values(state="done", finished_at=now, lease_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    _printer_state(job.printer_id, "ok", None, now)
    db.session.commit()


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the lease holder moves its job")
def mark_uncertain(job: ClaimedJob, error: str, now: datetime) -> None:
    """Part of the job may be on paper: never resent automatically (a reprint says DUPLICATE)."""
    db.session.execute(
        update(PrintJob)
        .where(*_mine(job, "claimed", "sent"))
        .values(state="uncertain", finished_at=now, lease_until=None, last_error=_clip(error))
        .execution_options(synchronize_session=False)
    )
    _printer_state(job.printer_id, "error", error, now)
    db.session.commit()


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the lease holder moves its job")
def mark_failed(job: ClaimedJob, error: str, now: datetime) -> None:
    """The job cannot be printed (bad document, unknown profile, too many errors)."""
    db.session.execute(
        update(PrintJob)
        .where(*_mine(job, "claimed", "sent"))
        .values(state="failed", finished_at=now, lease_until=None, last_error=_clip(error))
        .execution_options(synchronize_session=False)
    )
    _printer_state(job.printer_id, "error", error, now)
    db.session.commit()


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the lease holder moves its job")
def postpone(job: ClaimedJob, printer_state: str, error: str, now: datetime) -> datetime | None:
    """Nothing was printed: back to the queue after an exponential, capped backoff; the printer's
    other waiting jobs wait as long (no point knocking on a door that is shut). Returns when,
    or None when the next try would come after the job's expiry: then it expires now."""
    attempts = job.attempts + 1
    later = now + timedelta(
        seconds=backoff_seconds(
            attempts, setting("PRINT_BACKOFF_SECONDS"), setting("PRINT_BACKOFF_MAX_SECONDS")
        )
    )
    if job.expires_at is not None and later >= job.expires_at:
        _expire(job, f"{expiry_reason(job.kind)} Last try: {error}", now)
        _printer_state(job.printer_id, printer_state, error, now)
        db.session.commit()
        return None
    db.session.execute(
        update(PrintJob)
        .where(*_mine(job, "claimed", "sent"))
        .values(
            state="queued",
            attempts=attempts,
            next_attempt_at=later,
            lease_until=None,
            claimed_by=None,
            sending_at=None,
            last_error=_clip(error),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(PrintJob)
        .where(
            PrintJob.printer_id == job.printer_id,
            PrintJob.state == "queued",
            PrintJob.next_attempt_at < later,
        )
        .values(next_attempt_at=later)
        .execution_options(synchronize_session=False)
    )
    _printer_state(job.printer_id, printer_state, error, now)
    db.session.commit()
    return later


def retry_or_fail(job: ClaimedJob, error: str, now: datetime) -> Literal["failed", "retry", "expired"]:
    """A definite failure (nothing printed) that may pass: retry with backoff up to the limit
    (or the job's expiry)."""
    if job.attempts + 1 >= setting("PRINT_MAX_ATTEMPTS"):
        mark_failed(job, error, now)
        return "failed"
    return "retry" if postpone(job, "error", error, now) is not None else "expired"
