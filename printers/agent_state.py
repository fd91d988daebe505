"""The print agent's memory across restarts: its own name, the jobs it claimed, whether it had begun
sending each, and the reports the server has not yet taken. One small JSON file, replaced atomically
and fsynced before any byte of a job leaves, so that a restart knows which jobs it may print (never
begun: print now) and which it must not (begun: uncertain, a person decides on a DUPLICATE)."""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

log = logging.getLogger("printers.agent")

Phase = Literal["claimed", "sending", "printed", "failed"]
PHASES: Final = ("claimed", "sending", "printed", "failed")

# Entries older than this are forgotten: the server has long settled those jobs by their lease.
KEEP_SECONDS: Final = 2 * 24 * 3600
# At most this many reports wait for the server; the oldest is dropped first (the lease decides).
MAX_PENDING: Final = 50

STOPPED_WHILE_SENDING: Final = (
    "the agent stopped while sending this job (killed or restarted); check whether it printed"
)


@dataclass(frozen=True, slots=True)
class Report:
    """An outcome the server has still to hear: ``done``, or ``failed`` with its body."""

    job_id: int
    outcome: Literal["done", "failed"]
    body: dict[str, Any]


class AgentState:
    """Jobs by id with their phase (claimed → sending → printed or failed) and undelivered report.

    With ``path`` None nothing is written (a restart then forgets: the server's lease decides).
    """

    def __init__(self, path: str | Path | None = None, clock: Callable[[], float] = time.time) -> None:
        """Load the file if there is one; a job found mid-send becomes an uncertain failure."""
        self.path = Path(path) if path is not None else None
        self._clock = clock
        self.agent_id = secrets.token_hex(8)
        self._jobs: dict[int, dict[str, Any]] = {}
        if self.path is not None and self.path.exists():
            self._load(self.path)
        self._save()

    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text("utf-8"))
            agent_id = data["agent"]
            jobs = data["jobs"]
            if not isinstance(agent_id, str) or not agent_id.isalnum() or not isinstance(jobs, dict):
                raise ValueError("unexpected shape")
        except (OSError, ValueError, KeyError, TypeError) as error:
            # Start as a new agent: the server then hands it none of the old claims, whose leases
            # decide them (never printed twice).
            log.error("state file %s unreadable (%s); starting afresh", path, error)
            return
        self.agent_id = agent_id
        oldest = self._clock() - KEEP_SECONDS
        for key, entry in jobs.items():
            if not (str(key).isdigit() and isinstance(entry, dict) and entry.get("phase") in PHASES):
                continue
            if not isinstance(entry.get("at"), int | float) or entry["at"] < oldest:
                continue
            job_id = int(key)
            if entry["phase"] == "sending":
                log.warning("job %s was being sent when the agent stopped: reporting it uncertain", job_id)
                entry = self._entry("failed", ("failed", {"error": STOPPED_WHILE_SENDING, "uncertain": True}))
            self._jobs[job_id] = entry

    def _entry(self, phase: Phase, report: tuple[str, dict[str, Any]] | None = None) -> dict[str, Any]:
        entry: dict[str, Any] = {"phase": phase, "at": self._clock()}
        if report is not None:
            entry["report"] = {"outcome": report[0], "body": report[1]}
        return entry

    def _save(self) -> None:
        if self.path is None:
            return
        data = {"agent": self.agent_id, "jobs": {str(k): v for k, v in sorted(self._jobs.items())}}
        temporary = self.path.with_name(self.path.name + ".tmp")
        with open(temporary, "w", encoding="utf-8") as file:
            json.dump(data, file, separators=(",", ":"))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, self.path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def phase(self, job_id: int) -> Phase | None:
        """How far this agent got with the job, or None if it holds nothing about it."""
        entry = self._jobs.get(job_id)
        return None if entry is None else entry["phase"]

    def record(self, job_id: int, phase: Phase, report: Report | None = None) -> None:
        """Write down the job's new phase (and the report it now owes), durably, before going on."""
        self._jobs[job_id] = self._entry(phase, (report.outcome, report.body) if report else None)
        pending = [k for k, v in self._jobs.items() if "report" in v]
        for dropped in pending[: max(0, len(pending) - MAX_PENDING)]:
            log.warning("job %s: too many undelivered reports; dropping the oldest", dropped)
            self._jobs[dropped].pop("report", None)
        self._save()

    def delivered(self, job_id: int) -> None:
        """The server has the job's outcome: forget the job."""
        if self._jobs.pop(job_id, None) is not None:
            self._save()

    def dropped(self, job_id: int) -> None:
        """The server refused the job's report for good: stop sending it, but keep holding the job
        (it must not be handed back and printed again) until the entry is old enough to forget."""
        entry = self._jobs.get(job_id)
        if entry is not None and entry.pop("report", None) is not None:
            self._save()

    def pending(self) -> list[Report]:
        """Reports the server has not yet taken, oldest job first."""
        return [
            Report(job_id, entry["report"]["outcome"], dict(entry["report"]["body"]))
            for job_id, entry in sorted(self._jobs.items())
            if "report" in entry
        ]

    def holding(self) -> list[int]:
        """Jobs the server must not hand back: this agent began them (or knows how they ended)."""
        return sorted(job_id for job_id, entry in self._jobs.items() if entry["phase"] != "claimed")
