"""Printer status as answered to ESC/POS real-time queries (DLE EOT n)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Paper = Literal["ok", "low", "out"]

QUERY_PRINTER: Final = b"\x10\x04\x01"  # DLE EOT 1: printer status (online/offline)
QUERY_OFFLINE_CAUSE: Final = b"\x10\x04\x02"  # DLE EOT 2: why offline
QUERY_ERROR_CAUSE: Final = b"\x10\x04\x03"  # DLE EOT 3: error status
QUERY_PAPER: Final = b"\x10\x04\x04"  # DLE EOT 4: paper roll sensors

# Every DLE EOT answer has bit 1 and bit 4 set and bits 0 and 7 clear; anything
# else is not a status byte (e.g. an automatic status block arriving instead).
_FIXED_MASK: Final = 0b1001_0011
_FIXED_BITS: Final = 0b0001_0010
_OFFLINE: Final = 0b0000_1000
_PAPER_NEAR_END: Final = 0b0000_1100
_PAPER_END: Final = 0b0110_0000
_STOPPED_BY_PAPER_END: Final = 0b0010_0000


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """What the printer said: ``online`` and ``paper`` are None when it could not tell."""

    online: bool | None = None
    paper: Paper | None = None


UNKNOWN: Final = PrinterStatus()


def _is_status_byte(value: int) -> bool:
    return value & _FIXED_MASK == _FIXED_BITS


def parse_printer_status(value: int) -> bool | None:
    """Decode a DLE EOT 1 answer: True online, False offline, None if not a status byte."""
    if not _is_status_byte(value):
        return None
    return not value & _OFFLINE


def parse_paper_status(value: int) -> Paper | None:
    """Decode a DLE EOT 4 answer: "out" (roll end), "low" (near end), "ok", or None."""
    if not _is_status_byte(value):
        return None
    if value & _PAPER_END:
        return "out"
    if value & _PAPER_NEAR_END:
        return "low"
    return "ok"


def status_byte(query: int, online: bool, paper: Paper) -> int | None:
    """Return the byte a printer in this state answers to DLE EOT ``query`` (None: no answer).

    A printer at the end of its roll also reports itself offline, as real ones do.
    """
    paper_out = paper == "out"
    if query == 1:
        return _FIXED_BITS | (_OFFLINE if paper_out or not online else 0)
    if query == 2:
        return _FIXED_BITS | (_STOPPED_BY_PAPER_END if paper_out else 0)
    if query == 3:
        return _FIXED_BITS
    if query == 4:
        if paper_out:
            return _FIXED_BITS | _PAPER_END | _PAPER_NEAR_END
        return _FIXED_BITS | (_PAPER_NEAR_END if paper == "low" else 0)
    return None
