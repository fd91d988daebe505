"""The print agent against a fake server: claim, print, report."""

from __future__ import annotations

import email.message
import io
import json
import logging
import socket
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from printers.agent import CANNOT_PRINT, TOO_LATE, Agent, AgentAuthError, AgentError, AgentResult, retry_delay
from printers.document import Document, DrawerKick, Text, document_to_dict
from printers.profiles import get_profile
from printers.render_escpos import render_escpos
from printers.status import PrinterStatus
from printers.transports import PrinterError, Transport
from printers.virtual import VirtualPrinter
from tests.unit.printers.printer_samples import golden_receipt

SERVER = "https://till.example.coop"


@dataclass(frozen=True)
class Raw:
    """An answer sent as these bytes with these headers."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class _Response(io.BytesIO):
    def __init__(self, body: bytes, headers: dict[str, str]) -> None:
        super().__init__(body)
        self.headers = headers


@dataclass
class FakeServer:
    """Answers queued per path; every request is recorded."""

    answers: dict[str, list[object]] = field(default_factory=dict)
    requests: list[urllib.request.Request] = field(default_factory=list)

    def answer(self, path: str, *answers: object) -> None:
        self.answers.setdefault(path, []).extend(answers)

    def open(self, fullurl: urllib.request.Request, data: None = None, timeout: float = 0) -> Any:
        self.requests.append(fullurl)
        path = fullurl.full_url.removeprefix(SERVER)
        queued = self.answers.get(path) or [{}]
        answer = queued.pop(0) if len(queued) > 1 else queued[0]
        if isinstance(answer, int):
            raise urllib.error.HTTPError(fullurl.full_url, answer, "no", email.message.Message(), None)
        if isinstance(answer, Raw):
            return _Response(answer.body, answer.headers)
        return _Response(json.dumps(answer).encode(), {})

    def posted(self) -> list[tuple[str, object]]:
        return [
            (r.full_url.removeprefix(SERVER), json.loads(r.data))  # type: ignore[arg-type]
            for r in self.requests
        ]


def _job(profile: str = "generic-58", job_id: int = 7, **extra: object) -> object:
    job = {"id": job_id, "document": document_to_dict(golden_receipt()), "profile": profile}
    return {"job": job | extra}


NOWHERE = {"kind": "file", "path": "unused"}


def _agent(server: FakeServer, printer: Mapping[str, object] = NOWHERE, **options: Any) -> Agent:
    return Agent(SERVER, "t", printer, opener=server, **options)


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


def test_with_nothing_to_print_it_claims_once_with_the_bearer_token_and_its_own_name(
    server: FakeServer,
) -> None:
    server.answer("/printers/agent/claim", {"job": None})
    agent = Agent(SERVER, "tok-123", NOWHERE, opener=server)

    result = agent.run_once()

    assert result == AgentResult("idle")
    (request,) = server.requests
    assert request.get_method() == "POST"
    assert request.full_url == f"{SERVER}/printers/agent/claim"
    assert request.get_header("Authorization") == "Bearer tok-123"
    assert request.get_header("Content-type") == "application/json"
    assert server.posted() == [("/printers/agent/claim", {"agent": agent.state.agent_id, "holding": []})]


def _paths(server: FakeServer) -> list[str]:
    return [path for path, _ in server.posted()]


def test_a_claimed_job_is_printed_to_its_file_and_reported_done(server: FakeServer, tmp_path: Path) -> None:
    out = tmp_path / "lp0"
    server.answer("/printers/agent/claim", _job())

    result = Agent(SERVER + "/", "t", {"kind": "file", "path": str(out)}, opener=server).run_once()

    assert result == AgentResult("printed", 7)
    assert out.read_bytes() == render_escpos(golden_receipt(), get_profile("generic-58"))
    assert _paths(server) == ["/printers/agent/claim", "/printers/agent/jobs/7/done"]
    assert server.posted()[-1] == ("/printers/agent/jobs/7/done", {})


def test_the_server_cannot_choose_where_the_agent_prints(server: FakeServer, tmp_path: Path) -> None:
    mine, theirs = tmp_path / "lp0", tmp_path / "server-chose-this"
    server.answer("/printers/agent/claim", _job(transport={"kind": "file", "path": str(theirs)}))

    result = _agent(server, {"kind": "file", "path": str(mine)}).run_once()

    assert result.action == "printed"
    assert not theirs.exists()
    assert mine.read_bytes() == render_escpos(golden_receipt(), get_profile("generic-58"))


def test_the_shops_own_profile_wins_over_the_servers(server: FakeServer, tmp_path: Path) -> None:
    out = tmp_path / "lp0"
    server.answer("/printers/agent/claim", _job(profile="generic-58"))

    _agent(server, {"kind": "file", "path": str(out)}, profile="epson-tm-t20-80").run_once()

    assert out.read_bytes() == render_escpos(golden_receipt(), get_profile("epson-tm-t20-80"))


def test_a_job_for_a_network_printer_reaches_the_virtual_printer(server: FakeServer) -> None:
    with VirtualPrinter() as printer:
        server.answer("/printers/agent/claim", _job(profile="epson-tm-t20-80"))

        result = _agent(server, {"kind": "network", "host": "127.0.0.1", "port": printer.port}).run_once()
        (job,) = printer.wait_for_jobs(1, timeout=3)

    assert result.action == "printed"
    assert "Served by Łukasz Żółć" in job.text
    assert server.posted()[-1] == ("/printers/agent/jobs/7/done", {})


def test_an_out_of_paper_printer_is_reported_failed_and_certain(server: FakeServer) -> None:
    with VirtualPrinter(out_of_paper=True) as printer:
        server.answer("/printers/agent/claim", _job(profile="epson-tm-t20-80"))

        result = _agent(server, {"kind": "network", "host": "127.0.0.1", "port": printer.port}).run_once()

        assert printer.rejected == []
    assert result.action == "failed"
    assert server.posted()[-1] == (
        "/printers/agent/jobs/7/failed",
        {"error": "printer is out of paper; nothing was sent", "uncertain": False},
    )


def test_an_unreachable_printer_is_reported_failed_without_doubt(server: FakeServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    server.answer("/printers/agent/claim", _job())

    result = _agent(
        server, {"kind": "network", "host": "127.0.0.1", "port": closed_port, "timeout": 1}
    ).run_once()

    path, body = server.posted()[-1]
    assert path == "/printers/agent/jobs/7/failed"
    assert isinstance(body, dict)
    assert "unreachable" in body["error"]
    assert body["uncertain"] is False
    assert result.uncertain is False


class BreaksMidJob:
    """A transport whose connection drops after part of the job."""

    def send(self, data: bytes) -> None:
        raise PrinterError("connection reset mid-job", uncertain=True)

    def status(self) -> PrinterStatus:
        return PrinterStatus()


def test_a_transport_failing_mid_job_is_reported_as_uncertain(server: FakeServer) -> None:
    server.answer("/printers/agent/claim", _job())

    def factory(config: Mapping[str, object]) -> Transport:
        return BreaksMidJob()

    result = _agent(server, transport_factory=factory).run_once()

    assert result == AgentResult("failed", 7, "connection reset mid-job", uncertain=True)
    assert server.posted()[-1] == (
        "/printers/agent/jobs/7/failed",
        {"error": "connection reset mid-job", "uncertain": True},
    )


class SlowToConnect:
    """A transport factory that takes `delay` seconds on the agent's clock, then records sends."""

    def __init__(self, delay: float) -> None:
        self.now = 100.0
        self.delay = delay
        self.connects = 0
        self.sent: list[bytes] = []

    def monotonic(self) -> float:
        return self.now

    def factory(self, config: Mapping[str, object]) -> Transport:
        self.connects += 1
        if self.connects > 1:  # the first is the check of the agent's own printer setting
            self.now += self.delay
        return self

    def send(self, data: bytes) -> None:
        self.sent.append(data)

    def status(self) -> PrinterStatus:
        return PrinterStatus()


def _drawer_job(**extra: object) -> object:
    kick = document_to_dict(Document("drawer", (DrawerKick(),)))
    return _job(document=kick, **extra)


def _slow_agent(server: FakeServer, slow: SlowToConnect) -> Agent:
    return _agent(server, transport_factory=slow.factory, monotonic=slow.monotonic)


def test_a_job_still_within_its_send_within_is_sent(server: FakeServer) -> None:
    slow = SlowToConnect(delay=9.9)
    server.answer("/printers/agent/claim", _drawer_job(send_within=10.0))

    result = _slow_agent(server, slow).run_once()

    assert result == AgentResult("printed", 7)
    assert slow.sent == [b"\x1b@\x10\x14\x01\x00\x01"]


def test_a_job_whose_send_within_ran_out_before_sending_is_reported_too_late_and_not_sent(
    server: FakeServer,
) -> None:
    slow = SlowToConnect(delay=10.0)
    server.answer("/printers/agent/claim", _drawer_job(send_within=10.0))

    result = _slow_agent(server, slow).run_once()

    assert slow.sent == []
    assert result.action == "failed" and result.uncertain is False
    assert server.posted()[-1] == (
        "/printers/agent/jobs/7/failed",
        {
            "error": f"{TOO_LATE}: 10.0 s after the claim, the job had 10.0 s; nothing was sent",
            "uncertain": False,
        },
    )


@pytest.mark.parametrize("send_within", [None, "soon", True])
def test_a_job_without_a_usable_send_within_is_sent_however_long_it_takes(
    server: FakeServer, send_within: object
) -> None:
    slow = SlowToConnect(delay=3600.0)
    server.answer("/printers/agent/claim", _drawer_job(send_within=send_within))

    result = _slow_agent(server, slow).run_once()

    assert result.action == "printed" and len(slow.sent) == 1


def test_a_document_from_a_newer_server_is_reported_failed(server: FakeServer) -> None:
    newer = document_to_dict(golden_receipt()) | {"version": 2}
    server.answer("/printers/agent/claim", _job(document=newer))

    result = _agent(server).run_once()

    assert result.action == "failed"
    assert "unsupported document version 2" in (result.error or "")


def test_an_unknown_profile_is_reported_failed(server: FakeServer) -> None:
    server.answer("/printers/agent/claim", _job(profile="laser-9000"))

    result = _agent(server).run_once()

    assert result.action == "failed" and "laser-9000" in (result.error or "")
    assert server.posted()[-1][0] == "/printers/agent/jobs/7/failed"


def test_a_printer_setting_that_cannot_work_is_refused_before_anything_is_claimed(server: FakeServer) -> None:
    with pytest.raises(ValueError, match="carrier-pigeon"):
        _agent(server, {"kind": "carrier-pigeon"})
    assert server.requests == []


def test_a_receipt_longer_than_a_receipt_may_be_is_refused_as_failed_and_nothing_printed(
    server: FakeServer, tmp_path: Path
) -> None:
    out = tmp_path / "lp0"
    endless = Document("receipt", tuple(Text(f"line {n}") for n in range(5_000)))
    server.answer("/printers/agent/claim", _job(document=document_to_dict(endless)))

    result = _agent(server, {"kind": "file", "path": str(out)}).run_once()

    assert not out.exists()
    assert result.action == "failed" and not result.uncertain
    path, body = server.posted()[-1]
    assert path == "/printers/agent/jobs/7/failed"
    assert body == {
        "error": f"{CANNOT_PRINT}: a receipt may have at most 400 lines; this one has 5000 blocks",
        "uncertain": False,
    }


def test_a_label_sheet_may_be_longer_than_a_receipt_but_is_bounded_too(
    server: FakeServer, tmp_path: Path
) -> None:
    out = tmp_path / "lp0"
    sheet = Document("label", tuple(Text(f"label {n}") for n in range(1000)))
    server.answer(
        "/printers/agent/claim",
        _job(document=document_to_dict(sheet)),
        _job(job_id=8, document=document_to_dict(Document("label", (Text("x"),) * 1501))),
    )
    agent = _agent(server, {"kind": "file", "path": str(out)})

    first, second = agent.run_once(), agent.run_once()

    assert first.action == "printed"
    assert second.action == "failed" and "a label may have at most 1500 lines" in (second.error or "")


def test_an_answer_over_the_cap_is_refused_and_its_job_reported_failed(
    server: FakeServer, tmp_path: Path
) -> None:
    out = tmp_path / "lp0"
    huge = json.dumps({"job": {"id": 7, "document": {"padding": "x" * 2_000_000}}}).encode()
    server.answer("/printers/agent/claim", Raw(huge, {"X-Print-Job": "7"}))

    result = _agent(server, {"kind": "file", "path": str(out)}).run_once()

    assert not out.exists()
    assert result.action == "failed" and not result.uncertain
    assert server.posted()[-1] == (
        "/printers/agent/jobs/7/failed",
        {
            "error": f"{CANNOT_PRINT}: the server's answer is over 1000000 bytes; nothing was printed",
            "uncertain": False,
        },
    )


class CountingBody(io.RawIOBase):
    """An endless body that counts what was read from it."""

    def __init__(self) -> None:
        self.read_bytes = 0
        self.headers = {"Content-Length": str(200 * 1024 * 1024), "X-Print-Job": "9"}

    def readinto(self, buffer: Any) -> int:
        self.read_bytes += len(buffer)
        buffer[:] = b"x" * len(buffer)
        return len(buffer)


def test_an_answer_declaring_200_mb_is_refused_before_its_body_is_read(server: FakeServer) -> None:
    body = CountingBody()

    class Opener(FakeServer):
        def open(self, fullurl: urllib.request.Request, data: None = None, timeout: float = 0) -> Any:
            if fullurl.full_url.endswith("/claim"):
                self.requests.append(fullurl)
                return body
            return super().open(fullurl, data, timeout)

    opener = Opener()
    result = Agent(SERVER, "t", NOWHERE, opener=opener).run_once()

    assert body.read_bytes == 0
    assert result.action == "failed" and result.job_id == 9
    assert "209715200 bytes, over 1000000" in (result.error or "")


def test_an_oversized_answer_naming_no_job_is_a_server_error(server: FakeServer) -> None:
    server.answer("/printers/agent/claim", Raw(b" " * 1_000_001))

    with pytest.raises(AgentError, match="over 1000000 bytes"):
        _agent(server).run_once()
    assert _paths(server) == ["/printers/agent/claim"]


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_raises_a_clear_error(server: FakeServer, status: int) -> None:
    server.answer("/printers/agent/claim", status)

    with pytest.raises(AgentAuthError, match=f"refused this printer's token \\({status}\\)"):
        _agent(server).run_once()


def test_a_server_error_on_claim_is_a_retryable_agent_error(server: FakeServer) -> None:
    server.answer("/printers/agent/claim", 502)

    with pytest.raises(AgentError, match="502") as raised:
        _agent(server).run_once()

    assert not isinstance(raised.value, AgentAuthError)


def test_an_undelivered_report_is_retried_before_each_claim_until_the_server_takes_it(
    server: FakeServer, tmp_path: Path
) -> None:
    out = tmp_path / "lp0"
    server.answer("/printers/agent/claim", _job(), {"job": None})
    server.answer("/printers/agent/jobs/7/done", 503, 503, {})
    agent = _agent(server, {"kind": "file", "path": str(out)})

    printed = agent.run_once()
    assert agent.state.holding() == [7]
    first_idle, second_idle = agent.run_once(), agent.run_once()
    third_idle = agent.run_once()

    assert printed == AgentResult("printed", 7, reported=False)
    assert first_idle == second_idle == third_idle == AgentResult("idle")
    assert _paths(server) == [
        "/printers/agent/claim",
        "/printers/agent/jobs/7/done",
        "/printers/agent/jobs/7/done",
        "/printers/agent/claim",
        "/printers/agent/jobs/7/done",
        "/printers/agent/claim",
        "/printers/agent/claim",
    ]
    claims = [body for path, body in server.posted() if path.endswith("/claim")]
    assert [c["holding"] for c in claims] == [[], [7], [], []]  # type: ignore[index]
    assert out.read_bytes().count(b"\x1b@") == 1


@pytest.mark.parametrize("status", [404, 400, 409, 410])
def test_a_report_the_server_refuses_is_dropped_and_later_jobs_still_print(
    server: FakeServer, tmp_path: Path, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "lp0"
    server.answer("/printers/agent/claim", _job(), _job(job_id=8), {"job": None})
    server.answer("/printers/agent/jobs/7/done", status)
    agent = _agent(server, {"kind": "file", "path": str(out)})

    with caplog.at_level(logging.WARNING, logger="printers.agent"):
        first, second, third = agent.run_once(), agent.run_once(), agent.run_once()

    assert (first.action, first.reported) == ("printed", False)
    assert second == AgentResult("printed", 8)
    assert third == AgentResult("idle")
    assert _paths(server).count("/printers/agent/jobs/7/done") == 1
    assert f"job 7: the server refused its report ({status}); dropped" in caplog.text
    assert out.read_bytes().count(b"\x1b@") == 2
    assert agent.state.holding() == [7]  # never printed again should the server hand it back


def test_a_job_handed_back_that_the_agent_had_begun_is_never_printed_twice(
    server: FakeServer, tmp_path: Path
) -> None:
    out = tmp_path / "lp0"
    server.answer("/printers/agent/claim", _job(), _job())
    server.answer("/printers/agent/jobs/7/done", 404)
    agent = _agent(server, {"kind": "file", "path": str(out)})

    agent.run_once()
    again = agent.run_once()

    assert again == AgentResult("skipped", 7)
    assert out.read_bytes().count(b"\x1b@") == 1


def test_run_forever_backs_off_with_jitter_up_to_a_cap_and_stops_on_auth(server: FakeServer) -> None:
    server.answer("/printers/agent/claim", *([502] * 8), {"job": None}, 502, 401)
    sleeps: list[float] = []
    draws: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        draws.append((low, high))
        return high

    with pytest.raises(AgentAuthError):
        _agent(server).run_forever(interval=0.5, sleep=sleeps.append, cap=10.0, uniform=uniform)

    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0, 10.0, 0.5, 0.5]
    assert draws[0] == (0.25, 0.5) and draws[5] == (5.0, 10.0)


@pytest.mark.parametrize("failures", [1, 2, 5, 40])
def test_a_retry_delay_is_drawn_between_half_and_all_of_its_capped_ceiling(failures: int) -> None:
    low = retry_delay(failures, 2.0, 60.0, lambda a, b: a)
    high = retry_delay(failures, 2.0, 60.0, lambda a, b: b)

    assert high == min(60.0, 2.0 * 2 ** (failures - 1))
    assert low == high / 2


def test_only_https_servers_are_accepted_unless_told_it_is_a_test_bench() -> None:
    with pytest.raises(ValueError, match="https"):
        Agent("file:///etc/passwd", "t", NOWHERE)
    with pytest.raises(ValueError, match="--insecure-http"):
        Agent("http://till.shop.lan", "t", NOWHERE)

    bench = Agent("http://127.0.0.1:5000", "t", NOWHERE, insecure_http=True)

    assert bench.server == "http://127.0.0.1:5000"


def test_run_forever_waits_before_asking_again_after_a_job_it_would_not_print_twice(
    server: FakeServer, tmp_path: Path
) -> None:
    server.answer("/printers/agent/claim", _job(), _job(), 401)
    server.answer("/printers/agent/jobs/7/done", 404)
    sleeps: list[float] = []

    with pytest.raises(AgentAuthError):
        _agent(server, {"kind": "file", "path": str(tmp_path / "lp0")}).run_forever(
            interval=0.5, sleep=sleeps.append
        )

    assert sleeps == [0.5]
