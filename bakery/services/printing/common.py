"""What every part of printing shares: the kinds of job and printer, the states a job goes through,
the timing settings and back-off, and the printing error."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

from flask import current_app

from bakery.services.errors import ServiceError

log = logging.getLogger("bakery.printing")


LOCATIONS: Final = {"counter": "Counter", "kitchen": "Kitchen", "labels": "Labels"}


KINDS: Final = ("receipt", "kitchen", "drawer", "x_report", "z_report", "test", "label")


CONNECTION_KINDS: Final = {
    "network": "Network (TCP, port 9100)",
    "file": "File or device",
    "usb": "USB",
    "serial": "Serial",
    "cups": "CUPS queue",
}


WAITING: Final = ("queued", "claimed", "sent")


STATE_LABELS: Final = {
    "unknown": "Ready",
    "ok": "Ready",
    "offline": "Offline",
    "out_of_paper": "Out of paper",
    "error": "Printer error",
}


NOT_PRINTED: Final = ("uncertain", "expired", "failed", "cancelled")


# A drawer kick helps the cashier standing at the cash sale; later, it opens a drawer that
# nobody is watching.
DRAWER_KICK_VALID_SECONDS: Final = 10


# Agent failures that no retry can mend (the job itself cannot be printed).
_HOPELESS_PREFIXES: Final = ("cannot print this job", "could not prepare the job")


DEFAULTS: Final[dict[str, int]] = {
    "PRINT_LEASE_SECONDS": 60,
    "PRINT_AGENT_LEASE_SECONDS": 120,
    "PRINT_BACKOFF_SECONDS": 2,
    "PRINT_BACKOFF_MAX_SECONDS": 60,
    "PRINT_MAX_ATTEMPTS": 5,
    "PRINT_RECEIPT_EXPIRY_SECONDS": 900,
    "PRINT_DRAWER_EXPIRY_SECONDS": DRAWER_KICK_VALID_SECONDS,
}


class PrintingError(ServiceError):
    """A printing request the rules refuse (no receipt printer, nothing to reprint...)."""


def setting(name: str) -> int:
    """A printing setting: app config (`BAKERY_PRINT_...` in the environment) or its default."""
    return int(current_app.config.get(name, DEFAULTS[name]))


def backoff_seconds(attempts: int, base: int, cap: int) -> int:
    """Exponential backoff: base, twice that, four times … after each failed attempt, never above cap."""
    if attempts <= 0:
        return 0
    return int(min(cap, base * 2 ** min(attempts - 1, 30)))


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=setting(name))


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
