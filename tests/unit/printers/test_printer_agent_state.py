"""The print agent's state file: a restart prints a job it claimed but never began, and reports one
it had begun sending as uncertain (never printing it twice)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path

import pytest

from printers.agent import Agent, AgentResult
from printers.agent_state import STOPPED_WHILE_SENDING, AgentState, Report
from printers.status import PrinterStatus
from printers.transports import Transport, transport_from_config
from tests.unit.printers.test_printer_agent import SERVER, FakeServer, _job


class Killed(BaseException):
    """The process dies here (SIGKILL, power cut): nothing after it runs."""


class DiesAt:
    """A transport factory that kills the agent when connecting or half-way through sending."""

    def __init__(self, where: str, out: Path) -> None:
        self.where = where
        self.out = out
        self.calls = 0

    def factory(self, config: Mapping[str, object]) -> Transport:
        self.calls += 1
        if self.calls > 1 and self.where == "connect":
            raise Killed
        return self

    def send(self, data: bytes) -> None:
        if self.where == "send":
            with open(self.out, "ab") as paper:
                paper.write(data[: len(data) // 2])
            raise Killed
        raise AssertionError("a dead agent sends nothing")

    def status(self) -> PrinterStatus:
        return PrinterStatus()


def _claims(server: FakeServer) -> list[dict[str, object]]:
    return [body for path, body in server.posted() if path.endswith("/claim")]  # type: ignore[misc]


def test_a_restarted_agent_prints_its_own_claimed_but_unsent_job_once(tmp_path: Path) -> None:
    state_file, out = tmp_path / "state.json", tmp_path / "lp0"
    printer = {"kind": "file", "path": str(out)}
    server = FakeServer()
    server.answer("/printers/agent/claim", _job(), _job(), {"job": None})
    dying = DiesAt("connect", out)
    first = Agent(
        SERVER, "t", printer, opener=server, state=AgentState(state_file), transport_factory=dying.factory
    )

    with pytest.raises(Killed):
        first.run_once()
    assert not out.exists()
    assert json.loads(state_file.read_text())["jobs"]["7"]["phase"] == "claimed"

    second = Agent(SERVER, "t", printer, opener=server, state=AgentState(state_file))
    results = [second.run_once(), second.run_once()]

    assert second.state.agent_id == first.state.agent_id
    assert results == [AgentResult("printed", 7), AgentResult("idle")]
    assert [c["agent"] for c in _claims(server)] == [first.state.agent_id] * 3
    assert [c["holding"] for c in _claims(server)] == [[], [], []]
    assert out.read_bytes().count(b"\x1b@") == 1
    assert json.loads(state_file.read_text())["jobs"] == {}


def test_a_job_the_agent_had_begun_sending_when_killed_is_reported_uncertain_and_never_resent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state_file, out = tmp_path / "state.json", tmp_path / "lp0"
    printer = {"kind": "file", "path": str(out)}
    server = FakeServer()
    server.answer("/printers/agent/claim", _job(), _job(), {"job": None})
    server.answer("/printers/agent/jobs/7/failed", 503, {"ok": True})
    dying = DiesAt("send", out)
    first = Agent(
        SERVER, "t", printer, opener=server, state=AgentState(state_file), transport_factory=dying.factory
    )
    with pytest.raises(Killed):
        first.run_once()
    half = out.read_bytes()

    with caplog.at_level(logging.WARNING, logger="printers.agent"):
        second = Agent(SERVER, "t", printer, opener=server, state=AgentState(state_file))
        handed_back = second.run_once()  # the report does not get through: the job is held
        idle = second.run_once()

    assert "job 7 was being sent when the agent stopped" in caplog.text
    assert handed_back == AgentResult("skipped", 7)
    assert idle == AgentResult("idle")
    assert out.read_bytes() == half
    reports = [(path, body) for path, body in server.posted() if not path.endswith("/claim")]
    assert (
        reports
        == [("/printers/agent/jobs/7/failed", {"error": STOPPED_WHILE_SENDING, "uncertain": True})] * 2
    )
    assert [c["holding"] for c in _claims(server)][1:] == [[7], []]


def test_an_unreadable_state_file_starts_a_new_agent_that_claims_nothing_old(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state_file = tmp_path / "state.json"
    old = AgentState(state_file)
    state_file.write_text("{not json")

    with caplog.at_level(logging.ERROR, logger="printers.agent"):
        fresh = AgentState(state_file)

    assert fresh.agent_id != old.agent_id
    assert "unreadable" in caplog.text
    assert json.loads(state_file.read_text())["agent"] == fresh.agent_id


def test_the_state_file_is_replaced_whole_and_forgets_old_entries(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    clock = [1_000_000.0]
    state = AgentState(state_file, clock=lambda: clock[0])
    state.record(5, "printed", Report(5, "done", {}))
    state.record(6, "claimed")

    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]
    assert [r.job_id for r in AgentState(state_file, clock=lambda: clock[0]).pending()] == [5]
    clock[0] += 3 * 24 * 3600
    assert AgentState(state_file, clock=lambda: clock[0]).pending() == []


def test_without_a_state_file_nothing_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    state = AgentState()
    state.record(1, "sending")

    assert list(tmp_path.iterdir()) == []
    assert state.holding() == [1]


def test_a_real_transport_config_is_what_the_agent_checks_at_start(tmp_path: Path) -> None:
    transport_from_config({"kind": "file", "path": str(tmp_path / "lp0")})
    with pytest.raises(ValueError, match="printer setting"):
        Agent(SERVER, "t", {"kind": "file"}, opener=FakeServer())
