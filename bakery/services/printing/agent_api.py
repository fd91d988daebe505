"""The print agent's side of the API: an agent beside a printer claims its jobs over HTTPS with the
printer's token and reports what happened; and a text preview of any job."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final

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
    setting,
)
from bakery.services.race_safety import Mechanism, race_safe
from printers import (
    DocumentError,
    document_from_json,
    document_to_dict,
    render_text,
)
from printers.agent import TOO_LATE
from printers.limits import MAX_ANSWER_BYTES, check_length
from printers.profiles import PROFILES

NARROWEST: Final = min(profile.columns for profile in PROFILES.values())


class _Unprintable(Exception):
    """A claimed job whose stored document cannot go out: the reason is recorded on the job."""


def _answer(job: ClaimedJob, at: datetime) -> dict[str, Any]:
    """The protocol's job object: the document and the profile, never the printer's connection
    (the agent prints where its own box was told to); _Unprintable when it cannot be read or is
    longer than its kind may be."""
    too_big = f"Cannot print this job: its answer would be over the {MAX_ANSWER_BYTES} bytes an agent reads."
    if len(job.document_json) > MAX_ANSWER_BYTES:  # each character is at least a byte: no need to parse
        raise _Unprintable(too_big)
    try:
        document = document_from_json(job.document_json)
        check_length(document, PROFILES[job.profile].columns if job.profile in PROFILES else NARROWEST)
    except DocumentError as error:
        raise _Unprintable(f"Cannot print this job: {error}") from None
    answer: dict[str, Any] = {"id": job.id, "document": document_to_dict(document), "profile": job.profile}
    if job.expires_at is not None:
        answer["send_within"] = max(0.0, (job.expires_at - at).total_seconds())
    if len(json.dumps({"job": answer})) > MAX_ANSWER_BYTES - 1000:
        raise _Unprintable(too_big)
    return answer


@race_safe(Mechanism.CONDITIONAL_UPDATE, guards="only a job still claimed by this same agent is handed back")
def _hand_back(
    claimer: str, printer: Printer, holding: Sequence[int], at: datetime, lease: timedelta
) -> ClaimedJob | None:
    """The oldest job this same agent claimed and has not begun (it is not in ``holding``): its
    answer was lost, or the agent restarted before sending it. Renew the lease and hand it over
    again; after PRINT_MAX_ATTEMPTS hand-backs it fails (the agent keeps stopping before printing)."""
    row = db.session.execute(
        select(PrintJob.id, PrintJob.kind, PrintJob.attempts, PrintJob.document_json, PrintJob.expires_at)
        .where(
            PrintJob.printer_id == printer.id,
            PrintJob.state == "claimed",
            PrintJob.claimed_by == claimer,
            PrintJob.id.not_in(list(holding)) if holding else PrintJob.id.is_not(None),
        )
        .order_by(PrintJob.id)
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    job = ClaimedJob(
        id=row[0],
        kind=row[1],
        attempts=int(row[2]) + 1,
        document_json=row[3],
        printer_id=printer.id,
        printer_name=printer.name,
        profile=printer.profile,
        connection={},
        claimed_by=claimer,
        expires_at=row[4],
    )
    if job.attempts >= setting("PRINT_MAX_ATTEMPTS"):
        mark_failed(
            job,
            f"Handed to its agent {job.attempts} times without a word back: see the agent's log.",
            at,
        )
        return _hand_back(claimer, printer, holding, at, lease)
    won = db.session.execute(
        update(PrintJob)
        .where(PrintJob.id == job.id, PrintJob.state == "claimed", PrintJob.claimed_by == claimer)
        .values(attempts=job.attempts, lease_until=at + lease)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return job if won == 1 else None


def agent_claim(
    printer: Printer,
    now: datetime | None = None,
    *,
    agent: str | None = None,
    holding: Sequence[int] = (),
) -> dict[str, Any] | None:
    """Claim the next job of the agent's printer; the protocol's job object, or None.

    Rule: an agent that names itself (``agent``) first gets back its own claimed jobs that it has
    not begun (those not in ``holding``), then the oldest due job. A job whose stored document
    cannot be read, or is longer than its kind may be, is failed here with the reason (nothing
    printed) and the next one is tried. A job that expires (a drawer kick) carries ``send_within``:
    the seconds it has left, which the agent counts on its own clock.
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
    lease = _seconds("PRINT_AGENT_LEASE_SECONDS")
    claimer = f"agent:{printer_id}:{agent}" if agent else f"agent:{printer_id}"
    while True:
        job = _hand_back(claimer, printer, holding, at, lease) if agent else None
        if job is None:
            job = claim_next(claimer, at, lease, printer_id=printer_id, sending=True)
        if job is None:
            return None
        try:
            return _answer(job, at)
        except _Unprintable as unprintable:
            mark_failed(job, str(unprintable), at)


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
