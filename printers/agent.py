"""The print agent: pulls jobs from the bakery server and prints them on the printer beside it.

Run ``python -m printers.agent --server https://till.shop.lan --printer usb:04b8:0e15`` with the
printer's token in PRINTERS_AGENT_TOKEN or a file (``--token-file``, or systemd's
``LoadCredential=token:…``), or everything in a TOML file (``--config``; see
:mod:`printers.agent_config`). ``--cafile`` trusts the shop's own CA; a plain ``http://`` server
is refused unless ``--insecure-http`` (a test bench).

Protocol, all JSON over HTTPS with ``Authorization: Bearer <token>``:

* ``POST {server}/printers/agent/claim`` with ``{"agent": name, "holding": [ids]}`` answers
  ``{"job": null}`` or ``{"job": {"id": int, "document": {...}, "profile": str}}`` (the header
  ``X-Print-Job`` names the job too). ``agent`` is this agent's own name, kept in its state file:
  a job the server handed it whose answer was lost, or which it claimed before a restart but never
  began sending, is handed back to it at once. ``holding`` lists jobs it began (or finished) whose
  outcome the server may not have yet: those are never handed back. A job that must not be sent
  late (a drawer kick) adds ``"send_within": seconds``, counted from the claim's answer;
* after printing ``POST {server}/printers/agent/jobs/<id>/done`` with ``{}``;
* on failure ``POST {server}/printers/agent/jobs/<id>/failed`` with
  ``{"error": str, "uncertain": bool}``, ``uncertain`` meaning part of it may be on paper;
  an error starting with :data:`TOO_LATE` means nothing was sent because ``send_within``
  had run out, one starting with :data:`CANNOT_PRINT` that no retry can help.

The agent prints only to its own printer: a connection in the server's answer is ignored. It
follows no redirect and reads at most :data:`printers.limits.MAX_ANSWER_BYTES` of an answer. A
report the server cannot take yet is kept (in the state file) and sent again before each claim; one
it refuses (4xx) is logged and dropped: the job's lease then decides it. Errors talking to the
server are retried with a capped, jittered exponential backoff.
"""

from __future__ import annotations

import logging
import random
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

from printers.agent_config import ConfigError, load_settings
from printers.agent_http import (
    AgentAuthError,
    AgentError,
    AgentRefused,
    AnswerTooLarge,
    Opener,
    build_opener,
    check_server,
    post_json,
)
from printers.agent_state import AgentState, Report
from printers.document import DocumentError, document_from_dict
from printers.limits import MAX_ANSWER_BYTES, check_length
from printers.profiles import Profile, UnknownProfileError, get_profile
from printers.render_escpos import RenderError, render_escpos
from printers.transports import (
    PrinterError,
    Transport,
    TransportConfigError,
    transport_from_config,
)

log = logging.getLogger("printers.agent")

TOO_LATE: Final = "too late to send"
CANNOT_PRINT: Final = "cannot print this job"
MAX_HOLDING: Final = 100

__all__ = [
    "CANNOT_PRINT",
    "TOO_LATE",
    "Agent",
    "AgentAuthError",
    "AgentError",
    "AgentRefused",
    "AgentResult",
    "main",
    "retry_delay",
]


@dataclass(frozen=True, slots=True)
class AgentResult:
    """What one :meth:`Agent.run_once` did: ``idle`` (no job), ``printed``, ``failed``, or
    ``skipped`` (a job handed back that this agent had already begun: never printed twice)."""

    action: Literal["idle", "printed", "failed", "skipped"]
    job_id: int | None = None
    error: str | None = None
    uncertain: bool = False
    reported: bool = True


def retry_delay(failures: int, base: float, cap: float, uniform: Callable[[float, float], float]) -> float:
    """Seconds to wait after ``failures`` failures in a row: base, twice that, four times … never
    above ``cap``, each drawn between half and all of it, so boxes that lost the server together
    do not all knock again at the same instant."""
    ceiling = min(cap, base * 2 ** min(max(failures, 1) - 1, 30))
    return uniform(ceiling / 2, ceiling)


class Agent:
    """Claims one job at a time from ``server``, prints it on ``printer`` and reports the outcome."""

    def __init__(
        self,
        server: str,
        token: str,
        printer: Mapping[str, object],
        *,
        profile: str | None = None,
        opener: Opener | None = None,
        cafile: str | None = None,
        insecure_http: bool = False,
        state: AgentState | None = None,
        transport_factory: Callable[[Mapping[str, object]], Transport] = transport_from_config,
        timeout: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        """Check the server address (https, or http with ``insecure_http``), the token, the printer
        and profile this box was given; ValueError for any that cannot work."""
        self.server = check_server(server, insecure_http)
        if not token:
            raise ValueError("a printer token is required")
        self._token = token
        self._printer = dict(printer)
        try:
            transport_factory(self._printer)
        except TransportConfigError as error:
            raise ValueError(f"the printer setting cannot work: {error}") from None
        self._profile: Profile | None = get_profile(profile) if profile else None
        self._opener: Opener = opener or build_opener(cafile)
        self.state = state or AgentState()
        self._transport_factory = transport_factory
        self._timeout = timeout
        self._monotonic = monotonic
        self._max_answer_bytes = max_answer_bytes

    def _post(self, path: str, body: Mapping[str, Any]) -> Any:
        return post_json(
            self._opener, self.server + path, self._token, body, self._timeout, self._max_answer_bytes
        )

    def _deliver(self, report: Report) -> bool:
        try:
            self._post(f"/printers/agent/jobs/{report.job_id}/{report.outcome}", report.body)
        except AgentAuthError:
            raise
        except AgentRefused as refused:
            log.warning(
                "job %s: the server refused its report (%s); dropped, the job's lease decides it",
                report.job_id,
                refused.status,
            )
            self.state.dropped(report.job_id)
            return False
        except AgentError as error:
            log.warning("job %s: could not report it yet: %s", report.job_id, error)
            return False
        self.state.delivered(report.job_id)
        return True

    def _flush_reports(self) -> None:
        for report in self.state.pending():
            self._deliver(report)

    def _claim(self) -> dict[str, Any] | None:
        body = {"agent": self.state.agent_id, "holding": self.state.holding()[-MAX_HOLDING:]}
        answer = self._post("/printers/agent/claim", body)
        if not isinstance(answer, dict) or "job" not in answer:
            raise AgentError("claim answer has no 'job' field")
        job = answer["job"]
        if job is None:
            return None
        if not isinstance(job, dict) or type(job.get("id")) is not int:
            raise AgentError("claimed job has no integer 'id'")
        return job

    def _prepare(self, job: Mapping[str, Any]) -> tuple[bytes, Transport, Profile]:
        """The job's bytes for this box's own printer; never the server's idea of where to print."""
        try:
            document = document_from_dict(job.get("document"))
            profile = self._profile or get_profile(str(job.get("profile")))
            check_length(document, profile.columns)
            transport = self._transport_factory(self._printer)
            return render_escpos(document, profile), transport, profile
        except (DocumentError, UnknownProfileError, TransportConfigError, RenderError) as error:
            raise PrinterError(f"{CANNOT_PRINT}: {error}") from None
        except Exception as error:  # a bug here must not leave the job claimed for ever
            raise PrinterError(f"could not prepare the job: {error!r}") from None

    def _print(self, job_id: int, job: Mapping[str, Any], claimed_at: float) -> None:
        """Print one claimed job; raises PrinterError (with ``uncertain``) on failure, and
        sends nothing once the job's ``send_within`` has run out."""
        data, transport, profile = self._prepare(job)
        self._check_before(transport, profile)
        self._check_in_time(job.get("send_within"), self._monotonic() - claimed_at)
        self.state.record(job_id, "sending")  # on disk before the first byte leaves
        try:
            transport.send(data)
        except PrinterError:
            raise
        except Exception as error:
            raise PrinterError(f"sending failed: {error!r}", uncertain=True) from None
        self._check_after(transport, profile)

    @staticmethod
    def _check_before(transport: Transport, profile: Profile) -> None:
        if not profile.answers_status:
            return
        status = transport.status()
        if status.paper == "out":
            raise PrinterError("printer is out of paper; nothing was sent")
        if status.online is False:
            raise PrinterError("printer is offline (cover open or unreachable); nothing was sent")

    @staticmethod
    def _check_in_time(send_within: object, elapsed: float) -> None:
        if not isinstance(send_within, int | float) or isinstance(send_within, bool):
            return
        if elapsed >= send_within:
            raise PrinterError(
                f"{TOO_LATE}: {elapsed:.1f} s after the claim, the job had {send_within:.1f} s; "
                "nothing was sent"
            )

    @staticmethod
    def _check_after(transport: Transport, profile: Profile) -> None:
        # The socket accepted the bytes, but a roll that ran out mid-job only shows here.
        if not profile.answers_status:
            return
        status = transport.status()
        if status.paper == "out" or status.online is False:
            raise PrinterError(
                "printer reported a problem right after the job; check the receipt printed",
                uncertain=True,
            )

    def _failed(self, job_id: int, error: PrinterError) -> AgentResult:
        log.warning("job %s failed: %s", job_id, error)
        report = Report(job_id, "failed", {"error": str(error), "uncertain": error.uncertain})
        self.state.record(job_id, "failed", report)
        reported = self._deliver(report)
        return AgentResult("failed", job_id, str(error), error.uncertain, reported)

    def run_once(self) -> AgentResult:
        """Send any reports still owed, claim at most one job, print it, report it.

        Raises :class:`AgentAuthError` for a refused token and :class:`AgentError` when the server
        cannot be reached; printer trouble is reported, not raised.
        """
        self._flush_reports()
        try:
            job = self._claim()
        except AnswerTooLarge as error:
            if error.job_id is None:
                raise
            return self._failed(error.job_id, PrinterError(f"{CANNOT_PRINT}: {error}; nothing was printed"))
        if job is None:
            return AgentResult("idle")
        claimed_at = self._monotonic()
        job_id: int = job["id"]
        known = self.state.phase(job_id)
        if known not in (None, "claimed"):
            log.warning(
                "job %s was handed back, but this agent had %s it: not printing it again", job_id, known
            )
            return AgentResult("skipped", job_id)
        self.state.record(job_id, "claimed")
        try:
            self._print(job_id, job, claimed_at)
        except PrinterError as error:
            return self._failed(job_id, error)
        log.info("job %s printed", job_id)
        report = Report(job_id, "done", {})
        self.state.record(job_id, "printed", report)
        return AgentResult("printed", job_id, reported=self._deliver(report))

    def run_forever(
        self,
        interval: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        cap: float = 60.0,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        """Poll every ``interval`` seconds (at once again after a job it printed or failed); after
        server trouble wait :func:`retry_delay`. Stops only on :class:`AgentAuthError`, which it
        raises."""
        failures = 0
        while True:
            try:
                result = self.run_once()
            except AgentAuthError:
                raise
            except AgentError as error:
                failures += 1
                delay = retry_delay(failures, interval, cap, uniform)
                log.warning("%s; trying again in %.1f s", error, delay)
                sleep(delay)
                continue
            failures = 0
            if result.action in ("idle", "skipped"):
                sleep(interval)


def _configure_logging() -> None:
    # python-escpos calls logging.basicConfig() when imported, so a plain basicConfig here would
    # do nothing: force replaces its handler with ours (timestamps, INFO and above, to stderr).
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )


def main(argv: Sequence[str] | None = None, *, configure_logging: bool = True) -> int:
    """Command line entry point; returns the process exit status. Logs each job with a timestamp
    to stderr (``configure_logging=False`` leaves logging as it is, for tests)."""
    if configure_logging:
        _configure_logging()
    try:
        settings = load_settings(argv)
        agent = Agent(
            settings.server,
            settings.token,
            settings.printer,
            profile=settings.profile,
            cafile=settings.cafile,
            insecure_http=settings.insecure_http,
            state=AgentState(settings.state_file),
        )
        if settings.state_file is None:
            log.warning("no --state-file: after a restart, jobs claimed but not printed wait for their lease")
        log.info("agent %s prints jobs from %s on %s", agent.state.agent_id, agent.server, settings.printer)
        if settings.once:
            result = agent.run_once()
            print(result.action if result.job_id is None else f"{result.action} job {result.job_id}")
            return 0 if result.action != "failed" else 1
        agent.run_forever(settings.interval)
    except AgentAuthError as error:
        print(f"printers.agent: {error}", file=sys.stderr)
        return 2
    except (AgentError, ConfigError, ValueError, OSError) as error:
        print(f"printers.agent: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0  # pragma: no cover - run_forever only returns by raising


if __name__ == "__main__":
    sys.exit(main())
