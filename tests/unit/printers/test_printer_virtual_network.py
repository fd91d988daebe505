"""The network transport against the virtual printer: jobs, status queries, failures."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from printers.document import Document, DrawerKick, Text
from printers.profiles import get_profile
from printers.render_escpos import render_escpos
from printers.status import PrinterStatus
from printers.transports import NetworkTransport, PrinterOffline
from printers.virtual import VirtualPrinter
from tests.unit.printers.printer_samples import golden_receipt


@pytest.fixture
def printer(tmp_path: Path) -> Iterator[VirtualPrinter]:
    with VirtualPrinter(port=0, http_port=0, spool=tmp_path / "spool", idle_timeout=2) as vp:
        yield vp


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 200
        return response.read()
    finally:
        connection.close()


def _get_status(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


def test_a_receipt_sent_over_the_network_is_read_back_as_text(printer: VirtualPrinter) -> None:
    data = render_escpos(golden_receipt(), get_profile("epson-tm-t20-80"))

    NetworkTransport("127.0.0.1", printer.port).send(data)
    (job,) = printer.wait_for_jobs(1, timeout=3)

    assert job.raw == data
    assert "Served by Łukasz Żółć" in job.text
    assert "TOTAL                                     £13.70" in job.text
    assert "€3.10" in job.text
    assert job.cut is True
    assert job.drawer_kicks == 1
    assert job.qr_data == ["https://crumb.example/r/1042"]


def test_a_drawer_only_job_reaches_the_virtual_printer_as_one_real_time_kick(printer: VirtualPrinter) -> None:
    data = render_escpos(Document("drawer", (DrawerKick(),)), get_profile("generic-58"))

    NetworkTransport("127.0.0.1", printer.port).send(data)
    (job,) = printer.wait_for_jobs(1, timeout=3)

    assert b"\x10\x14\x01" in job.raw
    assert job.drawer_kicks == 1
    assert job.text == ""
    assert job.decoded is not None and job.decoded.unknown == ()


def test_each_connection_is_one_job_and_jobs_are_spooled(printer: VirtualPrinter, tmp_path: Path) -> None:
    transport = NetworkTransport("127.0.0.1", printer.port)
    for name in ("first", "second"):
        transport.send(render_escpos(Document("r", (Text(name),)), get_profile("generic-80")))

    jobs = printer.wait_for_jobs(2, timeout=3)

    assert [job.text for job in jobs] == ["first", "second"]
    assert (tmp_path / "spool" / "job-0002.txt").read_text(encoding="utf-8") == "second\n"
    assert (tmp_path / "spool" / "job-0001.bin").read_bytes() == jobs[0].raw


def test_a_ready_printer_reports_online_with_paper(printer: VirtualPrinter) -> None:
    status = NetworkTransport("127.0.0.1", printer.port).status()

    assert status == PrinterStatus(online=True, paper="ok")
    time.sleep(0.05)
    assert printer.jobs == []


def test_an_out_of_paper_printer_says_so_and_prints_nothing(printer: VirtualPrinter) -> None:
    printer.out_of_paper = True
    transport = NetworkTransport("127.0.0.1", printer.port)

    status = transport.status()
    transport.send(render_escpos(Document("r", (Text("lost"),)), get_profile("generic-80")))

    assert status == PrinterStatus(online=False, paper="out")
    deadline = time.monotonic() + 3
    while not printer.rejected and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(printer.rejected) == 1
    assert printer.jobs == []


def test_paper_restored_at_run_time_prints_again(printer: VirtualPrinter) -> None:
    printer.out_of_paper = True
    printer.out_of_paper = False

    NetworkTransport("127.0.0.1", printer.port).send(b"\x1b@back\n")

    assert printer.wait_for_jobs(1, timeout=3)[0].text == "back"


def test_sending_to_a_closed_port_raises_printer_offline_quickly() -> None:
    transport = NetworkTransport("127.0.0.1", _closed_port(), timeout=1.0)
    started = time.monotonic()

    with pytest.raises(PrinterOffline, match="unreachable") as raised:
        transport.send(b"\x1b@hello\n")

    assert raised.value.uncertain is False
    assert time.monotonic() - started < 1.0


def test_the_status_of_an_unreachable_printer_is_offline_with_unknown_paper() -> None:
    status = NetworkTransport("127.0.0.1", _closed_port(), timeout=1.0).status()

    assert status == PrinterStatus(online=False, paper=None)


def test_a_printer_that_never_answers_status_is_unknown_not_offline() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        transport = NetworkTransport("127.0.0.1", silent.getsockname()[1], timeout=0.2)

        assert transport.status() == PrinterStatus(online=None, paper=None)


def test_waiting_for_jobs_that_never_come_times_out(printer: VirtualPrinter) -> None:
    with pytest.raises(TimeoutError, match="0 of 1"):
        printer.wait_for_jobs(1, timeout=0.05)


def test_the_viewer_lists_jobs_with_their_text_and_a_picture_of_the_paper(
    printer: VirtualPrinter,
) -> None:
    data = render_escpos(golden_receipt(), get_profile("generic-58"))
    NetworkTransport("127.0.0.1", printer.port).send(data)
    printer.wait_for_jobs(1, timeout=3)
    assert printer.http_port is not None

    page = _get(printer.http_port, "/").decode("utf-8")
    png = _get(printer.http_port, "/jobs/1.png")
    listing = json.loads(_get(printer.http_port, "/jobs.json"))

    assert "Łukasz Żółć" in page
    assert "/jobs/1.png" in page
    assert png.startswith(b"\x89PNG")
    assert listing[0]["number"] == 1
    assert _get_status(printer.http_port, "/jobs/9.png") == 404
    assert "£13.70" in listing[0]["text"]
