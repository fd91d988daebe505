"""The print worker inside the app host (`flask printers work`): claims jobs, renders them for the
printer's profile and sends them, asking the printer its status first where it can answer."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bakery.extensions import db
from bakery.models.types import utcnow
from bakery.services.printing.claims import (
    ClaimedJob,
    claim_next,
    expire_if_late,
    housekeeping,
    mark_done,
    mark_failed,
    mark_sending,
    mark_sent,
    mark_uncertain,
    postpone,
    retry_or_fail,
)
from bakery.services.printing.common import (
    _seconds,
    log,
)
from printers import (
    DocumentError,
    PrinterError,
    PrinterOffline,
    PrinterStatus,
    RenderError,
    Transport,
    TransportConfigError,
    UnknownProfileError,
    document_from_json,
    get_profile,
    render_escpos,
    transport_from_config,
)
from printers.limits import check_length

Action = Literal["idle", "printed", "retry", "expired", "failed", "uncertain", "lost"]


@dataclass(frozen=True)
class WorkResult:
    """What one :meth:`Worker.run_once` did."""

    action: Action
    job_id: int | None = None
    kind: str | None = None
    printer: str | None = None
    error: str | None = None


def _status(transport: Transport) -> PrinterStatus:
    try:
        return transport.status()
    except Exception as error:  # a status query must never lose a job
        log.warning("status query failed: %r", error)
        return PrinterStatus()


class Worker:
    """Claims due jobs of the printers without an agent, renders and sends them one at a time."""

    def __init__(
        self,
        name: str | None = None,
        transport_factory: Callable[[Mapping[str, object]], Transport] = transport_from_config,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Name the worker (host, process, a random part) and keep the transport factory and
        the clock that measures how long a round has taken."""
        self.name = name or f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.transport_factory = transport_factory
        self.monotonic = monotonic

    def run_once(self, now: datetime | None = None) -> WorkResult:
        """Tidy the queue, claim at most one due job and print it; printer trouble is recorded
        on the job and the printer, not raised."""
        at = now or utcnow()
        started = self.monotonic()
        housekeeping(at)
        job = claim_next(self.name, at, _seconds("PRINT_LEASE_SECONDS"))
        if job is None:
            return WorkResult("idle")
        return self._print(job, at, lambda: at + timedelta(seconds=self.monotonic() - started))

    def _result(self, job: ClaimedJob, action: Action, error: str | None = None) -> WorkResult:
        return WorkResult(action, job.id, job.kind, job.printer_name, error)

    def _print(self, job: ClaimedJob, now: datetime, clock: Callable[[], datetime]) -> WorkResult:
        try:
            document = document_from_json(job.document_json)
            profile = get_profile(job.profile)
            check_length(document, profile.columns)
            transport = self.transport_factory(job.connection)
            data = render_escpos(document, profile)
        except (DocumentError, UnknownProfileError, TransportConfigError, RenderError) as error:
            mark_failed(job, f"Cannot print this job: {error}", now)
            return self._result(job, "failed", str(error))
        if profile.answers_status:
            status = _status(transport)
            if status.paper == "out":
                later = postpone(job, "out_of_paper", "Out of paper: nothing was sent.", now)
                return self._result(job, "retry" if later else "expired", "out of paper")
            if status.online is False:
                later = postpone(job, "offline", "Printer offline (unreachable or cover open).", now)
                return self._result(job, "retry" if later else "expired", "offline")
        sending = clock()  # connecting and asking for status take time of their own
        if expire_if_late(job, sending):
            return self._result(job, "expired", "too late to send")
        if not mark_sending(job, sending):
            return self._result(job, "lost", "the claim lapsed before sending")
        try:
            transport.send(data)
        except PrinterOffline as error:
            later = postpone(job, "offline", f"Printer offline: {error}", now)
            return self._result(job, "retry" if later else "expired", str(error))
        except PrinterError as error:
            if error.uncertain:
                mark_uncertain(job, f"May have printed in part: {error}", now)
                return self._result(job, "uncertain", str(error))
            return self._result(job, retry_or_fail(job, str(error), now), str(error))
        except Exception as error:
            mark_uncertain(job, f"Sending failed part-way: {error!r}", now)
            return self._result(job, "uncertain", repr(error))
        mark_sent(job, now)
        if profile.answers_status:
            after = _status(transport)
            if after.paper == "out" or after.online is False:
                message = "The printer reported a problem right after the job: check it printed."
                mark_uncertain(job, message, now)
                return self._result(job, "uncertain", message)
        mark_done(job, now)
        return self._result(job, "printed")

    def run_forever(
        self,
        interval: float = 1.0,
        stop: threading.Event | None = None,
        report: Callable[[WorkResult], None] | None = None,
    ) -> None:
        """Work until `stop` is set: straight on after a job, `interval` seconds after an idle
        round or a database error (the worker outlives a database restart)."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                result = self.run_once()
            except Exception:
                log.exception("print worker round failed; trying again in %ss", interval)
                try:
                    db.session.rollback()
                except Exception:  # the database may be down: the next round reconnects
                    db.session.remove()
                stop.wait(interval)
                continue
            if result.action != "idle" and report is not None:
                report(result)
            if result.action == "idle":
                stop.wait(interval)
