"""The print agent's side of the API: an agent beside a printer claims its jobs over HTTPS with the
printer's token and reports what happened; and a text preview of any job."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from bakery.extensions import db
from bakery.models import Printer, PrintJob
from bakery.models.types import utcnow
from bakery.services.printing.claims import (
    ClaimedJob,
    _expire,
    _printer_state,
    claim_next,
    expiry_reason,
    housekeeping,
    mark_failed,
    mark_uncertain,
    postpone,
    retry_or_fail,
)
from bakery.services.printing.common import (
    _HOPELESS_PREFIXES,
    _clip,
    _seconds,
)
from bakery.services.race_safety import Mechanism, race_safe
from printers import (
    DocumentError,
    document_from_json,
    render_text,
)
from printers.agent import TOO_LATE


def agent_claim(printer: Printer, now: datetime | None = None) -> dict[str, Any] | None:
    """Claim the next job of the agent's printer; the protocol's job object, or None.

    A job that expires (a drawer kick) carries ``send_within``: the seconds it has left, which
    the agent counts on its own clock and past which it reports the job too late, unsent.
    """
    at = now or utcnow()
    printer_id = printer.id
    housekeeping(at)
    db.session.execute(
        update(Printer)
        .where(Printer.id == printer_id)
        .values(agent_seen_at=at)
        .execution_options(synchronize_session=False)
    )
    job = claim_next(
        f"agent:{printer_id}", at, _seconds("PRINT_AGENT_LEASE_SECONDS"), printer_id=printer_id, sending=True
    )
    if job is None:
        return None
    answer: dict[str, Any] = {
        "id": job.id,
        "document": json.loads(job.document_json),
        "transport": job.connection,
        "profile": job.profile,
    }
    if job.expires_at is not None:
        answer["send_within"] = max(0.0, (job.expires_at - at).total_seconds())
    return answer


def _agent_job(printer: Printer, job_id: int) -> ClaimedJob | None:
    job = db.session.get(PrintJob, job_id)
    if job is None or job.printer_id != printer.id:
        return None
    return ClaimedJob(
        id=job.id,
        kind=job.kind,
        attempts=job.attempts,
        document_json="",
        printer_id=printer.id,
        printer_name=printer.name,
        profile=printer.profile,
        connection={},
        claimed_by=job.claimed_by or "",
        expires_at=job.expires_at,
    )


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the agent holding the lease finishes the job")
def agent_done(printer: Printer, job_id: int, now: datetime | None = None) -> bool:
    """The agent printed the job; False when there is no such job of this printer to settle.

    A late report on a job already marked uncertain settles it as done: now we know.
    """
    at = now or utcnow()
    job = _agent_job(printer, job_id)
    if job is None:
        return False
    settled = db.session.execute(
        update(PrintJob)
        .where(PrintJob.id == job.id, PrintJob.state.in_(("claimed", "sent", "uncertain", "done")))
        .values(state="done", finished_at=at, lease_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    _printer_state(printer.id, "ok", None, at)
    db.session.commit()
    return settled == 1


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only the agent holding the lease fails the job")
def agent_failed(
    printer: Printer, job_id: int, error: str, uncertain: bool, now: datetime | None = None
) -> bool:
    """The agent could not print the job: uncertain → never resent; too late → expired; a
    hopeless job → failed; otherwise back to the queue with backoff. False when there is
    nothing of this printer's to settle."""
    at = now or utcnow()
    job = _agent_job(printer, job_id)
    if job is None:
        return False
    if db.session.scalar(select(PrintJob.state).where(PrintJob.id == job.id)) not in ("claimed", "sent"):
        db.session.rollback()
        return False
    message = _clip((error or "the agent gave no reason").strip())
    lowered = message.lower()
    if uncertain:
        mark_uncertain(job, message, at)
    elif lowered.startswith(TOO_LATE):
        _expire(job, f"{expiry_reason(job.kind)} The agent: {message}", at)
        db.session.commit()
    elif lowered.startswith(_HOPELESS_PREFIXES):
        mark_failed(job, message, at)
    elif "out of paper" in lowered:
        postpone(job, "out_of_paper", message, at)
    elif "offline" in lowered or "unreachable" in lowered or "not found" in lowered:
        postpone(job, "offline", message, at)
    else:
        retry_or_fail(job, message, at)
    return True


def preview(job: PrintJob, columns: int = 42) -> str:
    """A job's document as text (for the admin's job list)."""
    try:
        return render_text(document_from_json(job.document_json), columns)
    except DocumentError as error:
        return f"(cannot show this job: {error})"
