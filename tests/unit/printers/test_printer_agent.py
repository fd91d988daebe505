"""The print agent against a fake server: claim, print, report."""

from __future__ import annotations

import email.message
import io
import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from printers.agent import TOO_LATE, Agent, AgentAuthError, AgentError, AgentResult, main
from printers.document import Document, DrawerKick, document_to_dict
from printers.profiles import get_profile
from printers.render_escpos import render_escpos
from printers.status import PrinterStatus
from printers.transports import PrinterError, Transport
from printers.virtual import VirtualPrinter
from tests.unit.printers.printer_samples import golden_receipt

SERVER = "https://till.example.coop"


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
        return io.BytesIO(json.dumps(answer).encode())

    def posted(self) -> list[tuple[str, object]]:
        return [
            (r.full_url.removeprefix(SERVER), json.loads(r.data))  # type: ignore[arg-type]
            for r in self.requests
        ]


def _job(transport: Mapping[str, object], profile: str = "generic-58", **extra: object) -> object:
    job = {
        "id": 7,
        "document": document_to_dict(golden_receipt()),
        "transport": dict(transport),
        "profile": profile,
    }
    return {"job": job | extra}


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


def test_with_nothing_to_print_it_claims_once_with_the_bearer_token(server: FakeServer) -> None:
    server.answer("/printers/agent/claim", {"job": None})

    result = Agent(SERVER, "tok-123", opener=server).run_once()

    assert result == AgentResult("idle")
    (request,) = server.requests
    assert request.get_method() == "POST"
    assert request.full_url == f"{SERVER}/printers/agent/claim"
    assert request.get_header("Authorization") == "Bearer tok-123"
    assert request.get_header("Content-type") == "application/json"


def test_a_claimed_job_is_printed_to_a_file_and_reported_done(server: FakeServer, tmp_path: Path) -> None:
    out = tmp_path / "lp0"
    server.answer("/printers/agent/claim", _job({"kind": "file", "path": str(out)}))

    result = Agent(SERVER + "/", "t", opener=server).run_once()

    assert result == AgentResult("printed", 7)
    assert out.read_bytes() == render_escpos(golden_receipt(), get_profile("generic-58"))
    assert server.posted() == [("/printers/agent/claim", {}), ("/printers/agent/jobs/7/done", {})]


def test_a_job_for_a_network_printer_reaches_the_virtual_printer(server: FakeServer) -> None:
    with VirtualPrinter() as printer:
        transport = {"kind": "network", "host": "127.0.0.1", "port": printer.port}
        server.answer("/printers/agent/claim", _job(transport, profile="epson-tm-t20-80"))

        result = Agent(SERVER, "t", opener=server).run_once()
        (job,) = printer.wait_for_jobs(1, timeout=3)

    assert result.action == "printed"
    assert "Served by Łukasz Żółć" in job.text
    assert server.posted()[-1] == ("/printers/agent/jobs/7/done", {})


def test_an_out_of_paper_printer_is_reported_failed_and_certain(server: FakeServer) -> None:
    with VirtualPrinter(out_of_paper=True) as printer:
        transport = {"kind": "network", "host": "127.0.0.1", "port": printer.port}
        server.answer("/printers/agent/claim", _job(transport, profile="epson-tm-t20-80"))

        result = Agent(SERVER, "t", opener=server).run_once()

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
    transport = {"kind": "network", "host": "127.0.0.1", "port": closed_port, "timeout": 1}
    server.answer("/printers/agent/claim", _job(transport))

    result = Agent(SERVER, "t", opener=server).run_once()

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
    server.answer("/printers/agent/claim", _job({"kind": "file", "path": "unused"}))

    def factory(config: Mapping[str, object]) -> Transport:
        return BreaksMidJob()

    result = Agent(SERVER, "t", opener=server, transport_factory=factory).run_once()

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
        self.sent: list[bytes] = []

    def monotonic(self) -> float:
        return self.now

    def factory(self, config: Mapping[str, object]) -> Transport:
        self.now += self.delay
        return self

    def send(self, data: bytes) -> None:
        self.sent.append(data)

    def status(self) -> PrinterStatus:
        return PrinterStatus()


def _drawer_job(**extra: object) -> object:
    kick = document_to_dict(Document("drawer", (DrawerKick(),)))
    return _job({"kind": "file", "path": "unused"}, document=kick, **extra)


def test_a_job_still_within_its_send_within_is_sent(server: FakeServer) -> None:
    slow = SlowToConnect(delay=9.9)
    server.answer("/printers/agent/claim", _drawer_job(send_within=10.0))

    result = Agent(
        SERVER, "t", opener=server, transport_factory=slow.factory, monotonic=slow.monotonic
    ).run_once()

    assert result == AgentResult("printed", 7)
    assert slow.sent == [b"\x1b@\x10\x14\x01\x00\x01"]


def test_a_job_whose_send_within_ran_out_before_sending_is_reported_too_late_and_not_sent(
    server: FakeServer,
) -> None:
    slow = SlowToConnect(delay=10.0)
    server.answer("/printers/agent/claim", _drawer_job(send_within=10.0))

    result = Agent(
        SERVER, "t", opener=server, transport_factory=slow.factory, monotonic=slow.monotonic
    ).run_once()

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

    result = Agent(
        SERVER, "t", opener=server, transport_factory=slow.factory, monotonic=slow.monotonic
    ).run_once()

    assert result.action == "printed" and len(slow.sent) == 1


def test_a_document_from_a_newer_server_is_reported_failed(server: FakeServer) -> None:
    newer = document_to_dict(golden_receipt()) | {"version": 2}
    server.answer("/printers/agent/claim", _job({"kind": "file", "path": "x"}, document=newer))

    result = Agent(SERVER, "t", opener=server).run_once()

    assert result.action == "failed"
    assert "unsupported document version 2" in (result.error or "")


def test_an_unknown_profile_or_transport_is_reported_failed(server: FakeServer) -> None:
    server.answer(
        "/printers/agent/claim",
        _job({"kind": "file", "path": "x"}, profile="laser-9000"),
        _job({"kind": "carrier-pigeon"}),
    )
    agent = Agent(SERVER, "t", opener=server)

    first, second = agent.run_once(), agent.run_once()

    assert "laser-9000" in (first.error or "")
    assert "carrier-pigeon" in (second.error or "")


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_raises_a_clear_error(server: FakeServer, status: int) -> None:
    server.answer("/printers/agent/claim", status)

    with pytest.raises(AgentAuthError, match=f"refused this printer's token \\({status}\\)"):
        Agent(SERVER, "t", opener=server).run_once()


def test_a_server_error_on_claim_is_a_retryable_agent_error(server: FakeServer) -> None:
    server.answer("/printers/agent/claim", 502)

    with pytest.raises(AgentError, match="502") as raised:
        Agent(SERVER, "t", opener=server).run_once()

    assert not isinstance(raised.value, AgentAuthError)


def test_an_undelivered_report_is_retried_before_the_next_claim(server: FakeServer, tmp_path: Path) -> None:
    out = tmp_path / "lp0"
    server.answer("/printers/agent/claim", _job({"kind": "file", "path": str(out)}), {"job": None})
    server.answer("/printers/agent/jobs/7/done", 503, 503, {})
    agent = Agent(SERVER, "t", opener=server)

    printed = agent.run_once()
    with pytest.raises(AgentError, match="undelivered"):
        agent.run_once()
    idle = agent.run_once()

    assert printed == AgentResult("printed", 7, reported=False)
    assert idle == AgentResult("idle")
    assert [path for path, _ in server.posted()] == [
        "/printers/agent/claim",
        "/printers/agent/jobs/7/done",
        "/printers/agent/jobs/7/done",
        "/printers/agent/jobs/7/done",
        "/printers/agent/claim",
    ]
    assert out.read_bytes().count(b"\x1b@") == 1


def test_run_forever_keeps_polling_through_server_errors_and_stops_on_auth(
    server: FakeServer,
) -> None:
    server.answer("/printers/agent/claim", 502, {"job": None}, 401)
    sleeps: list[float] = []

    with pytest.raises(AgentAuthError):
        Agent(SERVER, "t", opener=server).run_forever(interval=0.5, sleep=sleeps.append)

    assert sleeps == [0.5, 0.5]


def test_only_http_and_https_servers_are_accepted() -> None:
    with pytest.raises(ValueError, match="http"):
        Agent("file:///etc/passwd", "t")


@pytest.fixture
def refusing_server() -> Iterator[str]:
    class Refuse(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Refuse)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_the_command_line_exits_with_a_message_when_the_token_is_refused(
    refusing_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["--server", refusing_server, "--token", "wrong", "--once"])

    assert status == 2
    assert "refused this printer's token (401)" in capsys.readouterr().err
