"""Ways to get ESC/POS bytes to a printer: network socket, file or device, USB, serial, CUPS.

Every transport has ``send(data)`` and ``status()``. ``send`` raises
:class:`PrinterOffline` when nothing reached the printer, and
:class:`PrinterError` for other failures, with ``uncertain=True`` when part of
the job may already be on paper.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from escpos.exceptions import DeviceNotFoundError
from escpos.printer import Serial, Usb
from escpos.printer import serial as escpos_serial
from escpos.printer import usb as escpos_usb

from printers.status import (
    QUERY_PAPER,
    QUERY_PRINTER,
    UNKNOWN,
    PrinterStatus,
    parse_paper_status,
    parse_printer_status,
)


class PrinterError(Exception):
    """Printing failed; ``uncertain`` is True when some of the job may have printed anyway."""

    def __init__(self, message: str, *, uncertain: bool = False) -> None:
        """Keep the message and whether the paper may hold part of the job."""
        super().__init__(message)
        self.uncertain = uncertain


class PrinterOffline(PrinterError):
    """The printer could not be reached at all: nothing was sent, so retrying is safe."""

    def __init__(self, message: str) -> None:
        """A printer that was never reached printed nothing."""
        super().__init__(message, uncertain=False)


class TransportConfigError(ValueError):
    """A transport description (from the server) is missing fields or has wrong ones."""


class Transport(Protocol):
    """Anything that can carry a job to a printer and ask it how it is."""

    def send(self, data: bytes) -> None:
        """Deliver the job bytes; raise PrinterOffline or PrinterError on failure."""

    def status(self) -> PrinterStatus:
        """Ask the printer; fields it cannot answer are None."""


def _ask(query: Callable[[bytes], bytes], question: bytes) -> int | None:
    try:
        answer = query(question)
    except (OSError, TimeoutError):
        return None
    return answer[0] if answer else None


def _status_from(query: Callable[[bytes], bytes]) -> PrinterStatus:
    printer = _ask(query, QUERY_PRINTER)
    paper = _ask(query, QUERY_PAPER)
    return PrinterStatus(
        online=None if printer is None else parse_printer_status(printer),
        paper=None if paper is None else parse_paper_status(paper),
    )


@dataclass(frozen=True, slots=True)
class NetworkTransport:
    """A printer listening for raw ESC/POS on a TCP port (9100, "JetDirect").

    A completed socket write is NOT proof of printing: the printer accepts the
    bytes into its buffer and may still be out of paper or have its cover open.
    Ask :meth:`status` before and after when the printer answers status queries.
    """

    host: str
    port: int = 9100
    timeout: float = 3.0

    def _connect(self) -> socket.socket:
        try:
            return socket.create_connection((self.host, self.port), timeout=self.timeout)
        except OSError as error:
            raise PrinterOffline(f"printer {self.host}:{self.port} unreachable: {error}") from None

    def send(self, data: bytes) -> None:
        """Send one job over one connection; unreachable raises PrinterOffline, a broken
        connection mid-job raises PrinterError(uncertain=True)."""
        connection = self._connect()
        with connection:
            try:
                connection.sendall(data)
                connection.shutdown(socket.SHUT_WR)
            except OSError as error:
                raise PrinterError(
                    f"connection to {self.host}:{self.port} broke while sending: {error}",
                    uncertain=True,
                ) from None
            # Closing a socket with unread incoming bytes (some printers send status
            # unasked) makes the kernel reset the connection and drop queued job data,
            # so read until the printer hangs up or goes quiet.
            connection.settimeout(min(self.timeout, 1.0))
            try:
                while connection.recv(1024):
                    pass
            except OSError:
                pass

    def status(self) -> PrinterStatus:
        """Ask with DLE EOT 1 and DLE EOT 4; unreachable means online=False, silence None."""
        try:
            connection = self._connect()
        except PrinterOffline:
            return PrinterStatus(online=False, paper=None)
        with connection:

            def query(question: bytes) -> bytes:
                connection.sendall(question)
                return connection.recv(1)

            return _status_from(query)


@dataclass(frozen=True, slots=True)
class FileTransport:
    """Append jobs to a file or character device (e.g. /dev/usb/lp0); no status."""

    path: str | Path

    def send(self, data: bytes) -> None:
        """Append the job; a path that cannot be opened raises PrinterOffline."""
        try:
            handle = open(self.path, "ab")  # noqa: SIM115 - open and write fail differently
        except OSError as error:
            raise PrinterOffline(f"cannot open {self.path}: {error}") from None
        with handle:
            try:
                handle.write(data)
                handle.flush()
            except OSError as error:
                raise PrinterError(f"writing {self.path} failed: {error}", uncertain=True) from None

    def status(self) -> PrinterStatus:
        """A file cannot tell: always unknown."""
        return UNKNOWN


def _with_escpos_device(device: Any, action: Callable[[Any], Any], where: str) -> Any:
    try:
        device.open()
    except DeviceNotFoundError as error:
        raise PrinterOffline(f"{where} not found: {error}") from None
    try:
        return action(device)
    finally:
        device.close()


@dataclass(frozen=True, slots=True)
class UsbTransport:
    """A USB printer through python-escpos (needs pyusb); the device opens only on use."""

    vendor_id: int
    product_id: int
    timeout_ms: int = 5000

    def _device(self) -> Any:
        if not escpos_usb.is_usable():
            raise PrinterError("USB printing needs pyusb: pip install 'bakery[agent]'")
        return Usb(self.vendor_id, self.product_id, timeout=self.timeout_ms)

    def _where(self) -> str:
        return f"USB printer {self.vendor_id:04x}:{self.product_id:04x}"

    def send(self, data: bytes) -> None:
        """Write the job to the printer's bulk endpoint."""

        def write(device: Any) -> None:
            try:
                device._raw(data)
            except Exception as error:  # pyusb raises its own USBError/USBTimeoutError
                raise PrinterError(f"{self._where()}: {error}", uncertain=True) from None

        _with_escpos_device(self._device(), write, self._where())

    def status(self) -> PrinterStatus:
        """Ask with DLE EOT 1 and 4 over the USB endpoints."""
        try:
            device = self._device()
            result: PrinterStatus = _with_escpos_device(
                device, lambda d: _status_from(lambda q: bytes(d.query_status(q))), self._where()
            )
        except PrinterError:
            return PrinterStatus(online=False, paper=None)
        return result


@dataclass(frozen=True, slots=True)
class SerialTransport:
    """A serial printer through python-escpos (needs pyserial); the port opens only on use."""

    device: str
    baudrate: int = 9600
    timeout: float = 1.0

    def _device(self) -> Any:
        if not escpos_serial.is_usable():
            raise PrinterError("serial printing needs pyserial: pip install 'bakery[agent]'")
        return Serial(self.device, baudrate=self.baudrate, timeout=self.timeout)

    def send(self, data: bytes) -> None:
        """Write the job to the serial port."""

        def write(port: Any) -> None:
            try:
                port._raw(data)
            except Exception as error:  # pyserial raises SerialException/SerialTimeoutException
                raise PrinterError(f"serial {self.device}: {error}", uncertain=True) from None

        _with_escpos_device(self._device(), write, f"serial port {self.device}")

    def status(self) -> PrinterStatus:
        """Ask with DLE EOT 1 and 4 over the serial line."""
        try:
            result: PrinterStatus = _with_escpos_device(
                self._device(),
                lambda d: _status_from(lambda q: bytes(d.query_status(q))),
                f"serial port {self.device}",
            )
        except PrinterError:
            return PrinterStatus(online=False, paper=None)
        return result


@dataclass(frozen=True, slots=True)
class CupsTransport:
    """A CUPS queue fed raw bytes with ``lp -o raw`` (no shell involved)."""

    printer_name: str
    lp_command: str = "lp"
    timeout: float = 30.0

    def __post_init__(self) -> None:
        """Refuse names that lp would read as options."""
        if not self.printer_name or self.printer_name.startswith("-"):
            raise TransportConfigError(f"bad CUPS printer name {self.printer_name!r}")

    def send(self, data: bytes) -> None:
        """Queue the job; lp refusing it raises PrinterError (nothing printed)."""
        command = [self.lp_command, "-d", self.printer_name, "-o", "raw", "-s"]
        try:
            result = subprocess.run(  # noqa: S603 - fixed argv, no shell
                command, input=data, capture_output=True, timeout=self.timeout, check=False
            )
        except FileNotFoundError:
            raise PrinterError(f"{self.lp_command} not found: is CUPS installed?") from None
        except subprocess.TimeoutExpired:
            raise PrinterError(f"{self.lp_command} timed out", uncertain=True) from None
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()
            raise PrinterError(f"lp refused the job for {self.printer_name}: {message}")

    def status(self) -> PrinterStatus:
        """Ask ``lpstat -p``: enabled means online; paper is never known through CUPS."""
        try:
            result = subprocess.run(  # noqa: S603 - fixed argv, no shell
                ["lpstat", "-p", self.printer_name],  # noqa: S607 - lpstat is found on PATH
                capture_output=True,
                timeout=self.timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return UNKNOWN
        text = result.stdout.decode("utf-8", "replace")
        if result.returncode != 0 or self.printer_name not in text:
            return UNKNOWN
        return PrinterStatus(online="disabled" not in text, paper=None)


_FIELDS: Final[dict[str, tuple[type[Any], dict[str, type | tuple[type, ...]]]]] = {
    "network": (NetworkTransport, {"host": str, "port": int, "timeout": (int, float)}),
    "file": (FileTransport, {"path": str}),
    "usb": (UsbTransport, {"vendor_id": int, "product_id": int, "timeout_ms": int}),
    "serial": (SerialTransport, {"device": str, "baudrate": int, "timeout": (int, float)}),
    "cups": (CupsTransport, {"printer_name": str}),
}


def transport_from_config(config: Mapping[str, object]) -> Transport:
    """Build a transport from ``{"kind": "network"|"file"|"usb"|"serial"|"cups", ...}``;
    unknown kinds, unknown or mistyped fields raise :class:`TransportConfigError`."""
    kind = config.get("kind")
    if not isinstance(kind, str) or kind not in _FIELDS:
        raise TransportConfigError(f"unknown transport kind {kind!r}; known: {sorted(_FIELDS)}")
    cls, types = _FIELDS[kind]
    params = {name: value for name, value in config.items() if name != "kind"}
    unknown = sorted(set(params) - set(types))
    if unknown:
        raise TransportConfigError(f"{kind} transport has unknown fields {unknown}")
    for name, value in params.items():
        if isinstance(value, bool) or not isinstance(value, types[name]):
            raise TransportConfigError(f"{kind} transport field {name} has a wrong type")
    try:
        transport: Transport = cls(**params)
    except TypeError as error:
        raise TransportConfigError(f"{kind} transport: {error}") from None
    return transport
