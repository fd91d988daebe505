"""Transports other than the network one, and building transports from server config."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from escpos.printer import serial as escpos_serial
from escpos.printer import usb as escpos_usb

from printers.status import PrinterStatus
from printers.transports import (
    CupsTransport,
    FileTransport,
    NetworkTransport,
    PrinterError,
    PrinterOffline,
    SerialTransport,
    TransportConfigError,
    UsbTransport,
    transport_from_config,
)


def test_a_file_transport_appends_each_job(tmp_path: Path) -> None:
    transport = FileTransport(tmp_path / "lp0")

    transport.send(b"one")
    transport.send(b"two")

    assert (tmp_path / "lp0").read_bytes() == b"onetwo"
    assert transport.status() == PrinterStatus(online=None, paper=None)


def test_a_file_transport_to_a_missing_device_is_offline(tmp_path: Path) -> None:
    with pytest.raises(PrinterOffline, match="cannot open"):
        FileTransport(tmp_path / "no" / "such" / "lp0").send(b"x")


@pytest.mark.skipif(escpos_usb.is_usable(), reason="pyusb is installed here")
def test_usb_without_pyusb_fails_with_an_install_hint_and_never_at_construction() -> None:
    transport = UsbTransport(0x04B8, 0x0E28)

    with pytest.raises(PrinterError, match="pyusb"):
        transport.send(b"x")
    assert transport.status() == PrinterStatus(online=False, paper=None)


@pytest.mark.skipif(escpos_serial.is_usable(), reason="pyserial is installed here")
def test_serial_without_pyserial_fails_with_an_install_hint() -> None:
    with pytest.raises(PrinterError, match="pyserial"):
        SerialTransport("/dev/ttyUSB0", 19200).send(b"x")


def _fake_lp(tmp_path: Path, body: str) -> str:
    script = tmp_path / "lp"
    script.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_cups_gets_the_raw_job_on_standard_input_with_the_queue_name(tmp_path: Path) -> None:
    lp = _fake_lp(tmp_path, f'echo "$@" > {tmp_path}/args\ncat > {tmp_path}/job\n')

    CupsTransport("kitchen", lp_command=lp).send(b"\x1b@hot\n")

    assert (tmp_path / "job").read_bytes() == b"\x1b@hot\n"
    assert (tmp_path / "args").read_text().split() == ["-d", "kitchen", "-o", "raw", "-s"]


def test_cups_refusing_the_job_is_a_printer_error_with_its_message(tmp_path: Path) -> None:
    lp = _fake_lp(tmp_path, 'echo "lp: The printer or class does not exist." >&2\nexit 1\n')

    with pytest.raises(PrinterError, match="does not exist") as raised:
        CupsTransport("nope", lp_command=lp).send(b"x")
    assert raised.value.uncertain is False


def test_a_missing_lp_command_is_a_printer_error(tmp_path: Path) -> None:
    with pytest.raises(PrinterError, match="not found"):
        CupsTransport("kitchen", lp_command=str(tmp_path / "missing")).send(b"x")


def test_a_cups_name_that_looks_like_an_option_is_refused() -> None:
    with pytest.raises(TransportConfigError):
        CupsTransport("-oraw")


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"kind": "network", "host": "10.0.0.7"}, NetworkTransport("10.0.0.7")),
        (
            {"kind": "network", "host": "p", "port": 9101, "timeout": 1.5},
            NetworkTransport("p", 9101, 1.5),
        ),
        ({"kind": "file", "path": "/dev/usb/lp0"}, FileTransport("/dev/usb/lp0")),
        (
            {"kind": "usb", "vendor_id": 0x04B8, "product_id": 0x0E28},
            UsbTransport(0x04B8, 0x0E28),
        ),
        ({"kind": "serial", "device": "/dev/ttyS0", "baudrate": 19200}, SerialTransport("/dev/ttyS0", 19200)),
        ({"kind": "cups", "printer_name": "kitchen"}, CupsTransport("kitchen")),
    ],
)
def test_server_config_builds_the_matching_transport(config: dict[str, object], expected: object) -> None:
    assert transport_from_config(config) == expected


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"kind": "bluetooth"}, "unknown transport kind"),
        ({}, "unknown transport kind"),
        ({"kind": "network", "host": "p", "colour": "red"}, "unknown fields"),
        ({"kind": "network", "host": "p", "port": "9100"}, "wrong type"),
        ({"kind": "network", "host": "p", "port": True}, "wrong type"),
        ({"kind": "network"}, "host"),
    ],
)
def test_bad_server_config_is_refused_clearly(config: dict[str, object], message: str) -> None:
    with pytest.raises(TransportConfigError, match=message):
        transport_from_config(config)
