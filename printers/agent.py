"""The print agent: pulls jobs from the bakery server and prints them on a local printer.

Run ``python -m printers.agent --server URL --token T [--once] [--interval 2]``
(the token may also come from the PRINTERS_AGENT_TOKEN environment variable,
which keeps it out of the process list).

Protocol, all JSON over HTTP(S) with ``Authorization: Bearer <token>``:

* ``POST {server}/printers/agent/claim`` with ``{}`` answers ``{"job": null}`` or
  ``{"job": {"id": int, "document": {...}, "transport": {"kind": ...}, "profile": str}}``;
  a job that must not be sent late (a drawer kick) adds ``"send_within": seconds``,
  counted on the agent's clock from the claim's answer;
* after printing ``POST {server}/printers/agent/jobs/<id>/done`` with ``{}``;
* on failure ``POST {server}/printers/agent/jobs/<id>/failed`` with
  ``{"error": str, "uncertain": bool}``, ``uncertain`` meaning part of it may be on paper;
  an error starting with :data:`TOO_LATE` means nothing was sent because ``send_within``
  had run out.

A report that cannot be delivered is retried before the next claim, so a
printed job is never reported twice nor left unreported while the agent runs.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, Protocol

from printers.document import DocumentError, document_from_dict
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


class AgentError(Exception):
    """The server could not be talked to (unreachable, 5xx, nonsense answer); worth retrying."""


class AgentAuthError(AgentError):
    """The server refused the token (401/403): retrying will not help."""


class Response(Protocol):
    """The part of an HTTP response the agent reads."""

    def read(self) -> bytes:
        """Return the body."""
        ...


class Opener(Protocol):
    """Anything with urllib's ``OpenerDirector.open`` shape; tests pass a fake one."""

    def open(self, fullurl: urllib.request.Request, data: None = None, timeout: float = ...) -> Any:
        """Send the request; raise urllib.error.HTTPError for error statuses."""
        ...


@dataclass(frozen=True, slots=True)
class AgentResult:
    """What one :meth:`Agent.run_once` did: ``idle`` (no job), ``printed`` or ``failed``."""

    action: Literal["idle", "printed", "failed"]
    job_id: int | None = None
    error: str | None = None
    uncertain: bool = False
    reported: bool = True


@dataclass(frozen=True, slots=True)
class _Report:
    job_id: int
    outcome: Literal["done", "failed"]
    body: dict[str, Any]


class Agent:
    """Claims one job at a time from ``server``, prints it and reports the outcome."""

    def __init__(
        self,
        server: str,
        token: str,
        *,
        opener: Opener | None = None,
        transport_factory: Callable[[Mapping[str, object]], Transport] = transport_from_config,
        timeout: float = 10.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """Check the server URL (http or https only) and keep the collaborators."""
        parts = urllib.parse.urlsplit(server)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"server must be an http(s) URL, not {server!r}")
        if not token:
            raise ValueError("a printer token is required")
        self.server = server.rstrip("/")
        self._token = token
        self._opener: Opener = opener or urllib.request.build_opener()
        self._transport_factory = transport_factory
        self._timeout = timeout
        self._monotonic = monotonic
        self._unsent: list[_Report] = []

    def _post(self, path: str, body: Mapping[str, Any]) -> Any:
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.server + path,
            data=json.dumps(body).encode("utf-8"),
            method="POST",
            headers={
                "Authorization": f"Bearer {self._token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                payload = response.read()
        except urllib.error.HTTPError as error:
            if error.code in (401, 403):
                raise AgentAuthError(
                    f"the server refused this printer's token ({error.code}): "
                    "check --token, or whether the printer was removed"
                ) from None
            raise AgentError(f"server answered {error.code} to {path}") from None
        except (urllib.error.URLError, OSError) as error:
            raise AgentError(f"server unreachable at {self.server}: {error}") from None
        try:
            return json.loads(payload or b"{}")
        except ValueError:
            raise AgentError(f"server sent something that is not JSON for {path}") from None

    def _deliver(self, report: _Report) -> bool:
        try:
            self._post(f"/printers/agent/jobs/{report.job_id}/{report.outcome}", report.body)
        except AgentAuthError:
            raise
        except AgentError as error:
            log.warning("could not report job %s yet: %s", report.job_id, error)
            self._unsent.append(report)
            return False
        return True

    def _flush_reports(self) -> None:
        pending, self._unsent = self._unsent, []
        for index, report in enumerate(pending):
            if not self._deliver(report):
                self._unsent.extend(pending[index + 1 :])
                raise AgentError("earlier job reports are still undelivered")

    def _claim(self) -> dict[str, Any] | None:
        answer = self._post("/printers/agent/claim", {})
        if not isinstance(answer, dict) or "job" not in answer:
            raise AgentError("claim answer has no 'job' field")
        job = answer["job"]
        if job is None:
            return None
        if not isinstance(job, dict) or type(job.get("id")) is not int:
            raise AgentError("claimed job has no integer 'id'")
        return job

    def _print(self, job: Mapping[str, Any], claimed_at: float) -> None:
        """Print one claimed job; raises PrinterError (with ``uncertain``) on failure, and
        sends nothing once the job's ``send_within`` has run out."""
        try:
            document = document_from_dict(job.get("document"))
            profile = get_profile(str(job.get("profile")))
            transport_config = job.get("transport")
            if not isinstance(transport_config, dict):
                raise TransportConfigError("job has no transport object")
            transport = self._transport_factory(transport_config)
            data = render_escpos(document, profile)
        except (DocumentError, UnknownProfileError, TransportConfigError, RenderError) as error:
            raise PrinterError(f"cannot print this job: {error}") from None
        except Exception as error:  # a bug here must not leave the job claimed for ever
            raise PrinterError(f"could not prepare the job: {error!r}") from None
        self._check_before(transport, profile)
        self._check_in_time(job.get("send_within"), self._monotonic() - claimed_at)
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

    def run_once(self) -> AgentResult:
        """Deliver any overdue reports, claim at most one job, print it, report it.

        Raises :class:`AgentAuthError` for a refused token and :class:`AgentError`
        when the server cannot be reached; printer trouble is reported, not raised.
        """
        self._flush_reports()
        job = self._claim()
        if job is None:
            return AgentResult("idle")
        claimed_at = self._monotonic()
        job_id: int = job["id"]
        try:
            self._print(job, claimed_at)
        except PrinterError as error:
            log.warning("job %s failed: %s", job_id, error)
            body = {"error": str(error), "uncertain": error.uncertain}
            reported = self._deliver(_Report(job_id, "failed", body))
            return AgentResult("failed", job_id, str(error), error.uncertain, reported)
        log.info("job %s printed", job_id)
        reported = self._deliver(_Report(job_id, "done", {}))
        return AgentResult("printed", job_id, reported=reported)

    def run_forever(self, interval: float = 2.0, sleep: Callable[[float], None] = time.sleep) -> None:
        """Poll every ``interval`` seconds (at once again after a job); stops only on
        :class:`AgentAuthError`, which it raises."""
        while True:
            try:
                result = self.run_once()
            except AgentAuthError:
                raise
            except AgentError as error:
                log.warning("%s", error)
                sleep(interval)
                continue
            if result.action == "idle":
                sleep(interval)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m printers.agent", description=__doc__)
    parser.add_argument("--server", required=True, help="e.g. https://till.example.coop")
    parser.add_argument("--token", default=os.environ.get("PRINTERS_AGENT_TOKEN"))
    parser.add_argument("--once", action="store_true", help="claim and print at most one job")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if not args.token:
        parser.error("--token is required (or set PRINTERS_AGENT_TOKEN)")
    try:
        agent = Agent(args.server, args.token)
        if args.once:
            result = agent.run_once()
            print(result.action if result.job_id is None else f"{result.action} job {result.job_id}")
            return 0 if result.action != "failed" else 1
        agent.run_forever(args.interval)
    except AgentAuthError as error:
        print(f"printers.agent: {error}", file=sys.stderr)
        return 2
    except (AgentError, ValueError) as error:
        print(f"printers.agent: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0  # pragma: no cover - run_forever only returns by raising


if __name__ == "__main__":
    sys.exit(main())
